"""Issue 11 item 1, the laptop's side: interviews central does not take are never lost, never
silent and never stuck. Real SQLCipher profile, real central on loopback (SQLite), the real
``rhi-desktop sync`` command.

- A refusal is named (child, case number, central's reason, the command that retries) and the
  command exits 3; ``--retry`` sends it again once the cause is put right.
- A deferral (a state on central that can change) stays queued and is sent again by itself.
- Rows an older version marked ``rejected`` for good are queued again once by the upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from conftest import PASSPHRASE
from integration.harness import (
    WORKER,
    CentralStore,
    builtin_form_text,
    completed_interview,
    served_central,
)
from sqlalchemy import select, text

from rhi_desktop.__main__ import main
from rhi_desktop.services import sync_service
from rhi_desktop.services.profiles import Profile, open_profile
from rhi_desktop.store import schema
from rhi_desktop.store.models import AuditEvent, OutboxItem, ReturnInterview
from rhi_desktop.sync import outbox

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fresh_central(tmp_path: Path) -> Iterator[CentralStore]:
    """A central store as it is on first start: no questionnaire published by anyone."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    with served_central(url, tmp_path / "central-data", publish_builtin=False) as store:
        yield store


def _sync_cli(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["sync", "--profile", str(root), *args])
    return result.exit_code, result.output


def _outbox(root: Path) -> list[tuple[str, str, str | None]]:
    again = open_profile(root, PASSPHRASE)
    try:
        with again.sessions() as s:
            return [(o.entity_id, o.state, o.reason_code) for o in s.scalars(select(OutboxItem))]
    finally:
        again.close()


def test_a_refused_interview_is_named_exits_3_and_goes_after_publish_and_retry(
    profile: Profile, fresh_central: CentralStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_service.enrol(profile, fresh_central.url, fresh_central.enrol_code(WORKER))
    iid = completed_interview(profile, 7, NOW)
    root = profile.paths.root
    profile.close()
    monkeypatch.setenv("RHI_PASSPHRASE", PASSPHRASE)

    code, out = _sync_cli(root)
    assert code == 3, out
    (line,) = [x for x in out.splitlines() if "Test Child7 (case C00007)" in x]
    assert "revision 1" in line and "not published" in line
    if line.startswith("Refused:"):  # today's central: a refusal a person retries
        assert f"retry with: rhi-desktop sync --profile {root} --retry" in line
        assert _outbox(root)[0][1] == outbox.REJECTED
        code, out = _sync_cli(root)  # not retried blindly, still named, still 3
        assert code == 3 and "pushed 0" in out and "Test Child7" in out
    else:  # a central that defers it: queued, sent again by itself
        assert line.startswith("Waiting:") and "sent again automatically" in line
        assert _outbox(root)[0][1] == outbox.PENDING

    fresh_central.publish(builtin_form_text())
    code, out = _sync_cli(root, "--retry")
    assert code == 0, out
    assert "accepted 1" in out and "Refused" not in out and "Waiting" not in out
    assert [(r[0], r[1]) for r in fresh_central.interview_rows()] == [(iid, 1)]
    assert _outbox(root) == [(iid, outbox.CONFIRMED, None)]
    again = open_profile(root, PASSPHRASE)
    try:
        with again.sessions() as s:
            assert s.get_one(ReturnInterview, iid).state == "synced"
            retries = s.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "sync.retry")
            ).all()
            runs = s.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.action == "sync.run")
                .order_by(AuditEvent.seq)
            ).all()
            assert runs[-1]["accepted"] == 1 and all(r["accepted"] == 0 for r in runs[:-1])
    finally:
        again.close()
    if retries:  # only a refused row needed the retry
        assert retries == [{"items": [[iid, 1]]}]


def test_a_deferred_interview_stays_queued_and_is_sent_again_by_itself(
    profile: Profile, fresh_central: CentralStore
) -> None:
    # Central answers a questionnaire it does not hold yet with a deferral (its real intake).
    sync_service.enrol(profile, fresh_central.url, fresh_central.enrol_code(WORKER))
    iid = completed_interview(profile, 3, NOW)

    first = sync_service.sync_once(profile, now=NOW)
    assert (first.deferred, first.rejected, first.queued) == (1, 0, 1)
    (row,) = first.attention
    assert row.deferred and row.reason_code == "form_not_published"
    (sentence,) = first.issue_lines("retry with: rhi-desktop sync --retry")
    assert sentence.startswith("Waiting: Test Child3 (case C00003), revision 1: Form rhi-v1")
    assert "once central publishes that questionnaire" in sentence
    with profile.sessions() as s:
        item = s.scalars(select(OutboxItem)).one()
        assert item.state == outbox.PENDING and item.next_attempt_at is not None
        assert item.next_attempt_at > NOW  # backoff: the timer does not hammer central
        # Sealed once: the retry sends the very bytes central will store.
        sealed = item.content_sha256
    assert sync_service.sync_once(profile, force=False, now=NOW).pushed == 0

    fresh_central.publish(builtin_form_text())
    # The automatic pass (no person, no --retry) sends it once its backoff has run.
    later = sync_service.sync_once(profile, force=False, now=NOW + timedelta(hours=7))
    assert (later.accepted, later.deferred, later.attention) == (1, 0, [])
    assert [(r[0], r[1], r[2]) for r in fresh_central.interview_rows()] == [(iid, 1, sealed)]


def test_the_upgrade_queues_old_refusals_again_once(
    profile: Profile, fresh_central: CentralStore
) -> None:
    sync_service.enrol(profile, fresh_central.url, fresh_central.enrol_code(WORKER))
    iid = completed_interview(profile, 4, NOW)
    sync_service.seal_completed(profile, now=NOW)
    # As an older version left it: refused for good, schema one step back.
    with profile.transaction() as s:
        s.execute(
            text(
                "UPDATE outbox_item SET state='rejected', "
                "last_error='form rhi-v1 version 1.0.0 is not published on central'"
            )
        )
    with profile.engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), "0005")
    root = profile.paths.root
    profile.close()
    fresh_central.publish(builtin_form_text())

    upgraded = open_profile(root, PASSPHRASE)  # migrates (after a backup)
    try:
        assert upgraded.migrated_backup is not None
        with upgraded.sessions() as s:
            assert s.scalars(select(OutboxItem.state)).one() == outbox.PENDING
        done = sync_service.sync_once(upgraded)
        assert (done.accepted, done.attention) == (1, [])
    finally:
        upgraded.close()
    assert [(r[0], r[1]) for r in fresh_central.interview_rows()] == [(iid, 1)]
