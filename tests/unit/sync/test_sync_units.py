"""Unit tests of the sync client's error mapping, backoff, the outbox and payload stability."""

from __future__ import annotations

import random
from datetime import timedelta

import httpx
import pytest
from conftest import NOW
from integration.harness import completed_interview
from sqlalchemy import select

from rhi_core.protocol import DEVICE_REVOKED, InterviewPayload, ItemResult, ItemStatus
from rhi_desktop.security.keyring_store import SERVICE
from rhi_desktop.services.pdf_export import export_signed_pdf
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.sync_payload import batch_item, build_payload
from rhi_desktop.store.models import OutboxItem
from rhi_desktop.sync import outbox, state
from rhi_desktop.sync.client import SyncClient, normalise_server_url
from rhi_desktop.sync.errors import (
    DeviceRevoked,
    NotEnrolled,
    ServerBusy,
    SyncError,
    TokenRejected,
    Unreachable,
)


def _client(handler) -> SyncClient:  # type: ignore[no-untyped-def]
    return SyncClient("http://127.0.0.1:1", "t", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, {"detail": "boom"}, ServerBusy),
        (503, {"detail": "later"}, ServerBusy),
        (429, {"detail": "slow down"}, ServerBusy),
        (401, {"detail": "unknown device token"}, TokenRejected),
        (403, {"detail": DEVICE_REVOKED}, DeviceRevoked),
    ],
)
def test_client_maps_answers_to_one_sentence_errors(status: int, body: dict, error: type) -> None:
    with _client(lambda r: httpx.Response(status, json=body)) as c, pytest.raises(error) as e:
        c.settings()
    assert str(e.value).endswith(".") and "\n" not in str(e.value)


def test_client_maps_transport_failures_to_unreachable() -> None:
    def cut(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for handler in (cut, refused):
        with _client(handler) as c, pytest.raises(Unreachable):
            c.ping()


def test_server_urls_must_be_https_off_this_computer() -> None:
    assert normalise_server_url(" https://central.example.org/ ") == "https://central.example.org"
    assert normalise_server_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert normalise_server_url("http://localhost:8000/") == "http://localhost:8000"
    for bad in ("http://central.example.org", "ftp://x", "central.example.org", ""):
        with pytest.raises(SyncError):
            normalise_server_url(bad)


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(1)
    delays = [outbox.backoff_delay(n, rng).total_seconds() for n in range(1, 8)]
    for n, d in enumerate(delays, start=1):
        full = min(outbox.BACKOFF_CAP_S, outbox.BACKOFF_BASE_S * 2 ** (n - 1))
        assert full / 2 <= d <= full
    assert outbox.backoff_delay(40, rng).total_seconds() <= outbox.BACKOFF_CAP_S
    assert len({round(outbox.backoff_delay(3).total_seconds(), 3) for _ in range(20)}) > 1


def test_outbox_is_made_once_per_completed_revision_and_survives_reopening(
    profile: Profile,
) -> None:
    iid = completed_interview(profile, 1, NOW)
    with profile.transaction() as s:
        assert outbox.ensure_items(s, NOW) == 1
        assert outbox.ensure_items(s, NOW) == 0
        (item,) = outbox.due_items(s, NOW)
        outbox.postpone([item], "cut", NOW)
        assert outbox.due_items(s, NOW) == []
        assert outbox.due_items(s, NOW, force=True) == [item]
        assert outbox.due_items(s, NOW + timedelta(seconds=31)) == [item]
        outbox.apply_result(
            s, item, ItemResult(interview_id=iid, revision=1, status=ItemStatus.DUPLICATE), NOW
        )
        assert item.state == "confirmed" and item.attempts == 2
    from conftest import PASSPHRASE

    from rhi_desktop.services.profiles import open_profile

    root = profile.paths.root
    profile.close()
    again = open_profile(root, PASSPHRASE)
    try:
        with again.sessions() as s:
            assert [(o.entity_id, o.state) for o in s.scalars(select(OutboxItem))] == [
                (iid, "confirmed")
            ]
    finally:
        again.close()


def test_payload_is_stable_across_exports_and_validates(profile: Profile, tmp_path) -> None:  # type: ignore[no-untyped-def]
    iid = completed_interview(profile, 1, NOW)
    with profile.sessions() as s:
        first = batch_item(build_payload(s, iid, 1), iid, 1, None)
    # Viewing and exporting add audit events; what was completed does not change.
    export_signed_pdf(profile, iid, tmp_path / "x.pdf", now=NOW + timedelta(hours=1))
    with profile.sessions() as s:
        second = batch_item(build_payload(s, iid, 1), iid, 1, None)
    assert first.content_sha256 == second.content_sha256
    payload = InterviewPayload.model_validate(first.payload)
    assert payload.path == "held" and payload.answers and payload.signatures[0].role == "worker"
    assert payload.audit_events[-1].action == "interview.complete"


def test_token_store_keychain_for_real_profiles(profile: Profile, test_keyring) -> None:  # type: ignore[no-untyped-def]
    tokens = state.TokenStore(profile.profile_id, demo=False)
    with profile.transaction() as s:
        with pytest.raises(NotEnrolled):
            tokens.load(s)
        tokens.save(s, "secret-token")
        assert tokens.load(s) == "secret-token"
        assert state.get(s, state.DEMO_TOKEN) is None
    assert (
        test_keyring.get_password(SERVICE, f"{profile.profile_id}:device-token") == "secret-token"
    )
    tokens.forget()
    tokens.forget()  # idempotent
    assert test_keyring.get_password(SERVICE, f"{profile.profile_id}:device-token") is None


def test_backoff_is_capped_after_very_many_attempts() -> None:
    from datetime import timedelta

    from rhi_desktop.sync import outbox

    assert outbox.backoff_delay(2000) <= timedelta(seconds=outbox.BACKOFF_CAP_S)
    assert outbox.backoff_delay(1) >= timedelta(seconds=outbox.BACKOFF_BASE_S / 2)


def test_deferred_stays_pending_with_backoff_and_a_person_retries_refusals(
    profile: Profile,
) -> None:
    iid = completed_interview(profile, 1, NOW)
    with profile.transaction() as s:
        outbox.ensure_items(s, NOW)
        (item,) = outbox.due_items(s, NOW)
        later = ItemResult(
            interview_id=iid,
            revision=1,
            status=ItemStatus.DEFERRED,
            reason="central is busy",
            reason_code="central_busy",
        )
        assert outbox.apply_result(s, item, later, NOW) == outbox.PENDING
        assert item.next_attempt_at is not None and item.next_attempt_at > NOW
        assert outbox.due_items(s, NOW) == [] and outbox.due_items(s, NOW, force=True) == [item]
        (row,) = outbox.snapshot(s, only_attention=True)
        assert row.deferred and row.child_name == "Test Child1" and row.child_local_id
        refused = ItemResult(
            interview_id=iid,
            revision=1,
            status=ItemStatus.REJECTED,
            reason="the child is not assigned to you",
            reason_code="child_not_assigned",
        )
        assert outbox.apply_result(s, item, refused, NOW) == outbox.REJECTED
        assert outbox.due_items(s, NOW, force=True) == []  # never resent on its own
        assert outbox.retry(s, {("other", 1)}) == []
        assert outbox.retry(s) == [item]
        assert (item.state, item.reason_code, item.next_attempt_at) == ("pending", None, None)


@pytest.mark.parametrize(
    ("state", "code", "starts", "says"),
    [
        ("pending", "form_not_published", "Waiting:", "once central publishes"),
        ("pending", "central_busy", "Waiting:", "automatically at the next sync"),
        (
            "rejected",
            "child_not_assigned",
            "Refused:",
            "assign this child to you on central, then DO",
        ),
        ("rejected", "answers_incomplete", "Refused:", "Amend the interview"),
        ("rejected", "not_prepared", "Refused:", "opens on this laptop, then DO"),
        ("rejected", None, "Refused:", "Once the cause is put right, DO."),
        ("conflict", "content_differs", "Conflict:", "nothing was overwritten"),
    ],
)
def test_each_interview_central_has_not_taken_gets_one_sentence(
    state: str, code: str | None, starts: str, says: str
) -> None:
    from rhi_desktop.services.sync_issues import describe, retry_command

    row = outbox.OutboxRow(
        "abcdef12-0000", 2, state, 1, None, "central said no.", "C042", code, "Amira Khan"
    )
    sentence = describe(row, "DO")
    assert sentence.startswith(f"{starts} Amira Khan (case C042), revision 2: Central said no. ")
    assert says in sentence and sentence.endswith(".") and "\n" not in sentence
    assert retry_command("/tmp/my profile") == (
        "retry with: rhi-desktop sync --profile '/tmp/my profile' --retry"
    )
