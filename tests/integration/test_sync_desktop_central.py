"""Desktop <-> central over real HTTP on loopback: enrolment, idempotent push, conflicts, a
connection cut after central stored a batch, pull of forms / assignments / feedback, retention
purge, revocation wipe and the offline CLI. Real SQLCipher profiles; central on SQLite and on a
real PostgreSQL (the main round trip runs on both)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from central.kit import assign
from click.testing import CliRunner
from conftest import PASSPHRASE
from integration.harness import (
    WORKER,
    CentralStore,
    completed_interview,
    new_child,
    served_central,
)
from keyring_memory import MemoryKeyring
from pg import PostgresServer, postgresql_server  # noqa: F401  (session fixture)
from sqlalchemy import select, update

from rhi_desktop.__main__ import main
from rhi_desktop.pdf.verify import verify_pdf
from rhi_desktop.security.keyring_store import SERVICE
from rhi_desktop.services import interview_flow, sync_service
from rhi_desktop.services.forms_registry import current_form
from rhi_desktop.services.pdf_export import export_signed_pdf
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.signing_identity import VERIFIED
from rhi_desktop.store.models import (
    Answer,
    AuditEvent,
    Child,
    OutboxItem,
    ProfileSetting,
    ReturnInterview,
    ReviewFeedback,
)
from rhi_desktop.sync import outbox, state
from rhi_desktop.sync.errors import ProfileWiped, Unreachable

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    return server.new_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.db'}"


def _serve(url: str, tmp_path: Path, retention_days: int = 30) -> Iterator[CentralStore]:
    with served_central(url, tmp_path / "central-data", retention_days) as store:
        yield store


@pytest.fixture
def central(sqlite_url: str, tmp_path: Path) -> Iterator[CentralStore]:
    yield from _serve(sqlite_url, tmp_path)


def _enrol(profile: Profile, central: CentralStore) -> sync_service.EnrolResult:
    return sync_service.enrol(profile, central.url, central.enrol_code(WORKER), device_name="t")


def _outbox(profile: Profile) -> list[tuple[str, int, str]]:
    with profile.sessions() as s:
        return [
            (o.entity_id, o.revision, o.state)
            for o in s.scalars(select(OutboxItem).order_by(OutboxItem.created_at))
        ]


def _state(profile: Profile, iid: str) -> tuple[int, str | None]:
    with profile.sessions() as s:
        i = s.get_one(ReturnInterview, iid)
        return i.revision, i.state


def _requeue(profile: Profile) -> None:
    """What a lost response leaves behind: the item still pending."""
    with profile.transaction() as s:
        s.execute(update(OutboxItem).values(state=outbox.PENDING))


# --- the main round trip, on SQLite and PostgreSQL --------------------------------------------


def test_enrol_push_duplicate_conflict_approve_purge(
    profile: Profile, database_url: str, tmp_path: Path, test_keyring: MemoryKeyring
) -> None:
    for store in _serve(database_url, tmp_path, retention_days=0):
        enrolled = _enrol(profile, store)
        # Token in the keychain under its own name, never in the database of a real profile.
        token = test_keyring.get_password(SERVICE, f"{profile.profile_id}:device-token")
        assert token and len(token) > 30
        with profile.sessions() as s:
            assert state.get(s, state.DEVICE_ID) == enrolled.device_id
            assert state.get(s, state.SERVER_URL) == store.url
            assert state.get(s, state.COUNCIL_NAME) == "Test Borough Council"
            assert state.get(s, VERIFIED) is True
            assert s.get(ProfileSetting, state.DEMO_TOKEN) is None
            ca_pem = state.get(s, state.CA_PEM)

        iid = completed_interview(profile, 1, NOW)
        out = tmp_path / "rec.pdf"
        export_signed_pdf(profile, iid, out, now=NOW)
        assert verify_pdf(out.read_bytes(), ca_pem.encode()).trusted

        first = sync_service.sync_once(profile)
        assert (first.accepted, first.duplicate, first.queued) == (1, 0, 0)
        assert _state(profile, iid) == (1, "synced")
        rows = store.interview_rows()
        assert [(r[0], r[1]) for r in rows] == [(iid, 1)]
        assert _outbox(profile) == [(iid, 1, "confirmed")]
        from rhi_central.models import Interview

        with store.central.db.transaction() as s:
            pdf = s.scalars(select(Interview.pdf)).one()
        assert pdf is not None and verify_pdf(pdf, ca_pem.encode()).trusted

        _requeue(profile)
        again = sync_service.sync_once(profile)
        assert (again.accepted, again.duplicate) == (0, 1)
        assert store.interview_rows() == rows

        # Content changed behind the app's back, same revision: central keeps the first.
        with profile.transaction() as s:
            s.execute(
                update(Answer)
                .where(Answer.interview_id == iid, Answer.question == "where_went")
                .values(value="Somewhere else entirely")
            )
        _requeue(profile)
        clash = sync_service.sync_once(profile)
        assert clash.conflict == 1
        assert _outbox(profile)[0][2] == "conflict"
        with profile.sessions() as s:
            assert "different content" in (s.scalars(select(OutboxItem.last_error)).one() or "")
        assert store.interview_rows() == rows and store.conflict_count() == 1
        assert sync_service.sync_once(profile).pushed == 0  # never retried blindly

        # Approved centrally, retention 0 days: purged here (conflict row aside), kept there.
        with profile.transaction() as s:
            s.execute(update(OutboxItem).values(state=outbox.CONFIRMED))
        store.review(iid, "approved")
        done = sync_service.sync_once(profile, now=datetime.now(UTC) + timedelta(seconds=5))
        assert (done.feedback, done.approved, done.purged) == (1, 1, 1)
        with profile.sessions() as s:
            assert s.scalars(select(Answer).where(Answer.interview_id == iid)).all() == []
            assert s.get_one(ReturnInterview, iid).state == "approved"
            purge_events = s.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "sync.purge")
            ).all()
        assert purge_events == [{"interviews": [iid], "retention_days": 0}]
        assert store.interview_rows() == rows


# --- faults -------------------------------------------------------------------------------------


class CuttingProxy:
    """A loopback TCP proxy that forwards a request to central and, while ``cut`` is set,
    closes the laptop's socket instead of passing central's response back."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut = True
        self.cuts = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        try:
            while True:
                request = self._one_request(client)
                if not request:
                    return
                upstream.sendall(request)
                response = self._one_response(upstream)
                if self.cut and b"/interviews/batch" in request.split(b"\r\n", 1)[0]:
                    self.cuts += 1
                    return  # central stored the batch; the laptop never hears about it
                client.sendall(response)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()

    @staticmethod
    def _read_message(sock: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    _one_request = _read_message
    _one_response = _read_message

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def test_connection_cut_after_central_stored_the_batch(
    profile: Profile, central: CentralStore
) -> None:
    real_url = central.url
    _enrol(profile, central)
    ids = [completed_interview(profile, n, NOW) for n in range(3)]
    port = int(real_url.rsplit(":", 1)[1])
    proxy = CuttingProxy(port)
    try:
        with profile.transaction() as s:
            state.put(s, state.SERVER_URL, proxy.url)
        with pytest.raises(Unreachable, match="cut"):
            sync_service.sync_once(profile, force=False)
        assert proxy.cuts == 1
        assert len(central.interview_rows()) == 3  # central has them; the laptop does not know
        with profile.sessions() as s:
            items = s.scalars(select(OutboxItem)).all()
            assert {o.state for o in items} == {"pending"} and {o.attempts for o in items} == {1}
            assert all(o.next_attempt_at and o.next_attempt_at > NOW for o in items)
            assert s.get_one(ReturnInterview, ids[0]).state == "completed"  # nothing lost

        # The automatic pass respects the backoff: nothing is sent before it has passed.
        proxy.cut = False
        early = sync_service.sync_once(profile, force=False)
        assert early.pushed == 0 and early.queued == 3
        later = sync_service.sync_once(
            profile, force=False, now=datetime.now(UTC) + timedelta(hours=1)
        )
        assert (later.accepted, later.duplicate, later.queued) == (0, 3, 0)
    finally:
        proxy.close()
    assert sorted(r[0] for r in central.interview_rows()) == sorted(ids)
    assert {_state(profile, i)[1] for i in ids} == {"synced"}


def test_offline_cli_says_one_sentence_and_keeps_the_outbox(
    profile: Profile, central: CentralStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _enrol(profile, central)
    iid = completed_interview(profile, 1, NOW)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # closed again: nobody listens
    with profile.transaction() as s:
        state.put(s, state.SERVER_URL, dead)
    root = profile.paths.root
    profile.close()
    monkeypatch.setenv("RHI_PASSPHRASE", PASSPHRASE)
    result = CliRunner().invoke(main, ["sync", "--profile", str(root)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not be reached" in lines[0]
    from rhi_desktop.services.profiles import open_profile

    again = open_profile(root, PASSPHRASE)
    try:
        assert _outbox(again) == [(iid, 1, "pending")]
    finally:
        again.close()


def test_bad_code_and_unreachable_enrolment(profile: Profile, central: CentralStore) -> None:
    from rhi_desktop.sync.errors import EnrolmentRefused, SyncError

    with pytest.raises(EnrolmentRefused, match="unknown enrolment code"):
        sync_service.enrol(profile, central.url, "NOPE-NOPE")
    with pytest.raises(Unreachable):
        sync_service.enrol(profile, "http://127.0.0.1:9", "X")
    with pytest.raises(SyncError, match="https"):
        sync_service.enrol(profile, "http://central.example.org", "X")


# --- pull ---------------------------------------------------------------------------------------


NEW_FORM = """\
id: rhi-v1
version: "9.0.0"
title: Return Home Interview (short)
languages:
  - {code: en, name: English}
sections:
  - name: s1
    label: One
    items:
      - {name: why_left, type: text, label: "Why did you leave?", required: true}
"""


def test_forms_assignments_feedback_reopen(profile: Profile, central: CentralStore) -> None:
    _enrol(profile, central)
    done = completed_interview(profile, 1, NOW)
    # A draft started on the built-in questionnaire before the new version arrives.
    child = new_child(profile, 2, NOW - timedelta(days=1))
    with profile.transaction() as s:
        draft = interview_flow.start_or_resume(s, child, current_form(s), actor=WORKER, now=NOW)
    central.publish(NEW_FORM)
    assign(central.central, "11111111-1111-1111-1111-111111111111", WORKER, episodes=2)
    assign(central.central, "22222222-2222-2222-2222-222222222222", "Someone Else")

    first = sync_service.sync_once(profile)
    assert (first.accepted, first.forms, first.children, first.episodes) == (1, 1, 1, 2)
    with profile.sessions() as s:
        assert current_form(s).version == "9.0.0"
        assert s.get_one(ReturnInterview, draft).form_version == "1.1.0"  # stays pinned
        assert s.get(Child, "11111111-1111-1111-1111-111111111111") is not None
        assert s.get(Child, "22222222-2222-2222-2222-222222222222") is None  # not ours

    central.review(done, "has_issues", "Add the push factors.")
    second = sync_service.sync_once(profile)
    assert (second.feedback, second.reopened, second.children) == (1, 1, 0)  # cursor held
    with profile.sessions() as s:
        i = s.get_one(ReturnInterview, done)
        assert (i.revision, i.state) == (2, "draft")
        assert i.amendment_reason == "Review: Add the push factors."
        fb = s.scalars(select(ReviewFeedback)).one()
        assert (fb.verdict, fb.comment, fb.revision) == ("has_issues", "Add the push factors.", 1)
    assert sync_service.sync_once(profile).feedback == 0  # applied once only

    # Moved to another worker: removed here, as nothing of theirs is unsynced.
    assign(central.central, "11111111-1111-1111-1111-111111111111", "Someone Else")
    moved = sync_service.sync_once(profile)
    assert moved.removed_children == 1
    with profile.sessions() as s:
        assert s.get(Child, "11111111-1111-1111-1111-111111111111") is None


def test_declined_interview_is_accepted_without_answers(
    profile: Profile, central: CentralStore
) -> None:
    _enrol(profile, central)
    iid = completed_interview(profile, 1, NOW, declined=True)
    summary = sync_service.sync_once(profile)
    assert summary.accepted == 1, summary.lines()
    assert _state(profile, iid)[1] == "synced"


# --- revocation ---------------------------------------------------------------------------------


def test_revoked_laptop_wipes_itself(
    profile: Profile,
    central: CentralStore,
    monkeypatch: pytest.MonkeyPatch,
    test_keyring: MemoryKeyring,
) -> None:
    enrolled = _enrol(profile, central)
    completed_interview(profile, 1, NOW)
    assert sync_service.sync_once(profile).accepted == 1
    central.revoke(enrolled.device_id)
    root, pid = profile.paths.root, profile.profile_id
    profile.close()
    monkeypatch.setenv("RHI_PASSPHRASE", PASSPHRASE)
    result = CliRunner().invoke(main, ["sync", "--profile", str(root)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "This laptop was revoked by the central store, so RHI Desktop has erased the profile's "
        "local data (database, key file and backups); ask your administrator to enrol it again."
    ]
    assert not (root / "profile.key").exists() and not (root / "rhi.db").exists()
    assert test_keyring.get_password(SERVICE, pid) is None
    assert test_keyring.get_password(SERVICE, f"{pid}:device-token") is None
    assert len(central.interview_rows()) == 1  # central keeps what it had


def test_revocation_seen_by_ping_wipes_too(profile: Profile, central: CentralStore) -> None:
    enrolled = _enrol(profile, central)
    central.revoke(enrolled.device_id)
    with pytest.raises(ProfileWiped):
        sync_service.ping(profile)
    assert not profile.paths.key_file.exists()


def test_demo_profile_keeps_its_token_in_the_encrypted_database(
    demo_profile: Profile, central: CentralStore, test_keyring: MemoryKeyring
) -> None:
    sync_service.enrol(demo_profile, central.url, central.enrol_code(demo_profile.worker_name))
    with demo_profile.sessions() as s:
        assert state.get(s, state.DEMO_TOKEN)
    assert not test_keyring._store
    summary = sync_service.sync_once(demo_profile)
    assert summary.rejected == 0, summary.lines()


def test_the_pdf_prints_the_hash_central_stores(
    profile: Profile, central: CentralStore, tmp_path: Path
) -> None:
    """One fingerprint for one revision: the hash on the worker's exported PDF, the one in the
    PDF central received, and central's ``content_sha256`` are the same."""
    _enrol(profile, central)
    iid = completed_interview(profile, 1, NOW)
    out = tmp_path / "rec.pdf"
    export_signed_pdf(profile, iid, out, now=NOW)
    assert sync_service.sync_once(profile).accepted == 1
    from rhi_central.models import Interview

    with central.central.db.transaction() as s:
        stored_hash, stored_pdf = s.execute(select(Interview.content_sha256, Interview.pdf)).one()
    assert verify_pdf(out.read_bytes()).content_sha256 == stored_hash
    assert verify_pdf(stored_pdf).content_sha256 == stored_hash
