"""What to tell the worker about each interview central has not taken: who it is about, central's
reason, and the action that gets it sent (one sentence each, for the CLI and the Sync screen).

Central's machine-readable ``reason_code`` chooses the advice; its ``reason`` is quoted as is.
"""

from __future__ import annotations

import shlex

from rhi_desktop.sync import outbox
from rhi_desktop.sync.outbox import OutboxRow

__all__ = ["RETRY_IN_APP", "advice", "describe", "kind", "retry_command"]

RETRY_IN_APP = "press Retry"

# Refusals an administrator on central resolves (the child's assignment, the device's worker).
_ASSIGNMENT = {
    "child_unknown",
    "child_not_assigned",
    "worker_mismatch",
    "interview_of_another_child",
}
# Refusals of the record itself: a corrected revision (an amendment) is what central can take.
_RECORD = {"answers_incomplete", "invalid_payload", "invalid_text", "too_large", "invalid_pdf"}


def retry_command(profile_option: str | None = None) -> str:
    """How to retry from the command line (with the profile it was run on)."""
    where = f" --profile {shlex.quote(profile_option)}" if profile_option else ""
    return f"retry with: rhi-desktop sync{where} --retry"


def _who(row: OutboxRow) -> str:
    if row.child_name and row.child_local_id:
        return f"{row.child_name} (case {row.child_local_id})"
    if row.child_local_id:
        return f"case {row.child_local_id}"
    return f"interview {row.interview_id[:8]}"


def _reason(row: OutboxRow) -> str:
    text = (row.last_error or "no reason given").strip().rstrip(".")
    return text[:1].upper() + text[1:]


def kind(row: OutboxRow) -> str:
    """ "Waiting", "Conflict" or "Refused" (the word a sentence about the row starts with)."""
    if row.deferred:
        return "Waiting"
    return "Conflict" if row.state == outbox.CONFLICT else "Refused"


def advice(row: OutboxRow, retry: str) -> str:
    """Central's reason and what to do, for a row that needs attention; ``retry`` is how to
    retry here (the command for the CLI, :data:`RETRY_IN_APP` on the Sync screen)."""
    reason = _reason(row)
    code = row.reason_code
    if row.deferred:
        when = (
            "once central publishes that questionnaire (ask your administrator if this lasts)"
            if code == "form_not_published"
            else "at the next sync"
        )
        return f"{reason}. It is sent again automatically {when}."
    if row.state == outbox.CONFLICT:
        return (
            f"{reason}. Central keeps its copy and nothing was overwritten; amend the interview "
            f"to send a new revision, or ask your administrator to compare the two copies, "
            f"then {retry}."
        )
    if code in _ASSIGNMENT:
        todo = f"Ask your administrator to assign this child to you on central, then {retry}"
    elif code in _RECORD:
        todo = (
            f"Amend the interview to correct it, or ask your administrator to look at it, "
            f"then {retry}"
        )
    elif code == outbox.NOT_PREPARED:
        todo = f"Check that the interview opens on this laptop, then {retry}"
    else:
        todo = f"Once the cause is put right, {retry}"
    return f"{reason}. {todo}."


def describe(row: OutboxRow, retry: str) -> str:
    """One sentence naming the interview, central's reason and what to do."""
    return f"{kind(row)}: {_who(row)}, revision {row.revision}: {advice(row, retry)}"
