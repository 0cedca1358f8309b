"""The encrypted store: nothing readable on disk, migrations, and every bad-input case."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from alembic import command
from conftest import CHEAP_KDF, NOW, PASSPHRASE, WORKER
from sqlalchemy import select, text

from rhi_desktop.security.errors import (
    KeyFileDamaged,
    KeyringUnavailable,
    UnlockDelayed,
    WrongPassphrase,
)
from rhi_desktop.services.profiles import Profile, create_profile, open_profile
from rhi_desktop.store import schema
from rhi_desktop.store.errors import (
    DatabaseCorrupt,
    DatabaseMissing,
    DiskFull,
    NotAProfile,
    ProfileExists,
    ProfileNotWritable,
    ProfileTooNew,
)
from rhi_desktop.store.models import AuditEvent, Child


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_demo_database_is_encrypted_and_names_never_plaintext(demo_profile: Profile) -> None:
    with demo_profile.sessions() as s:
        names = [f"{a} {b}" for a, b in s.execute(select(Child.first_name, Child.last_name))]
        case_numbers = list(s.scalars(select(Child.local_id)))
    assert len(names) == 60
    # Whole names and case numbers (7+ bytes): a 3-letter name like "Ama" turns up by chance
    # in megabytes of ciphertext, which would prove nothing.
    needles = names + case_numbers
    root = demo_profile.paths.root
    # While open (WAL and shared-memory files present) and after closing.
    for phase in ("open", "closed"):
        assert not demo_profile.paths.db.read_bytes().startswith(b"SQLite format 3")
        blob = _all_bytes(root)
        for needle in needles:
            assert needle.encode() not in blob, (phase, needle)
            assert needle.encode("utf-16-le") not in blob, (phase, needle)
        demo_profile.close()


def test_profile_files_are_private(profile: Profile) -> None:
    for path in (profile.paths.db, profile.paths.key_file):
        assert path.stat().st_mode & 0o077 == 0, path


def test_reopen_with_passphrase_keeps_data(tmp_path: Path, profile: Profile) -> None:
    with profile.transaction() as s:
        s.add(Child(local_id="C1", first_name="Amara", last_name="Okoye", dob=NOW.date()))
    profile.close()
    again = open_profile(profile.paths.root, PASSPHRASE)
    with again.sessions() as s:
        assert s.scalars(select(Child.first_name)).all() == ["Amara"]
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["profile.create", "profile.unlock"]
    again.close()


def test_wrong_passphrase_is_refused_then_slowed(profile: Profile) -> None:
    profile.close()
    root = profile.paths.root
    for _ in range(3):
        with pytest.raises(WrongPassphrase) as err:
            open_profile(root, "not the passphrase")
        assert "passphrase" in str(err.value).lower()
    with pytest.raises(UnlockDelayed) as delayed:
        open_profile(root, PASSPHRASE)
    assert delayed.value.seconds_remaining > 0


def test_tampered_key_file_is_refused(profile: Profile) -> None:
    profile.close()
    key_file = profile.paths.key_file
    key_file.write_text(key_file.read_text().replace('"demo": false', '"demo": true'))
    with pytest.raises((KeyFileDamaged, WrongPassphrase)):
        open_profile(profile.paths.root, PASSPHRASE)


def test_truncated_key_file_is_refused(profile: Profile) -> None:
    profile.close()
    data = profile.paths.key_file.read_bytes()
    profile.paths.key_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(KeyFileDamaged):
        open_profile(profile.paths.root, PASSPHRASE)


def test_missing_keychain_entry_is_explained(profile: Profile, test_keyring) -> None:
    profile.close()
    test_keyring.reset()
    with pytest.raises(KeyringUnavailable):
        open_profile(profile.paths.root, PASSPHRASE)


def test_missing_database_is_not_silently_recreated(profile: Profile) -> None:
    profile.close()
    profile.paths.db.unlink()
    with pytest.raises(DatabaseMissing):
        open_profile(profile.paths.root, PASSPHRASE)
    assert not profile.paths.db.exists()


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_damaged_database_is_detected(demo_profile: Profile, damage: str) -> None:
    demo_profile.close()
    db = demo_profile.paths.db
    data = bytearray(db.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 3 + 100]
    elif damage == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        data = bytearray(b"not a database at all" * 100)
    db.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorrupt) as err:
        open_profile(demo_profile.paths.root, "demo")
    assert "backup" in str(err.value)


def test_not_a_profile(tmp_path: Path) -> None:
    with pytest.raises(NotAProfile):
        open_profile(tmp_path, PASSPHRASE)
    with pytest.raises(NotAProfile):
        open_profile(tmp_path / "nowhere", PASSPHRASE)


def test_profile_is_never_overwritten(profile: Profile) -> None:
    with pytest.raises(ProfileExists):
        create_profile(profile.paths.root, worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF)


def test_unwritable_profile_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ProfileNotWritable):
        create_profile(
            blocker / "profile", worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF
        )


def test_older_profile_is_migrated_after_a_backup(profile: Profile) -> None:
    with profile.transaction() as s:
        s.add(Child(local_id="C2", first_name="Bea", last_name="Ng", dob=NOW.date()))
    with profile.engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), "0001")
    assert schema.current_revision(profile.engine) == "0001"
    profile.close()

    again = open_profile(profile.paths.root, PASSPHRASE)
    assert schema.current_revision(again.engine) == schema.head_revision()
    assert again.migrated_backup is not None
    backup = Path(again.migrated_backup)
    assert backup.exists() and not backup.read_bytes().startswith(b"SQLite format 3")
    assert b"Bea" not in backup.read_bytes()
    with again.sessions() as s:
        assert s.scalars(select(Child.first_name)).all() == ["Bea"]
    again.close()


def test_newer_profile_is_refused_untouched(profile: Profile) -> None:
    with profile.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    profile.close()
    before = profile.paths.db.read_bytes()
    with pytest.raises(ProfileTooNew) as err:
        open_profile(profile.paths.root, PASSPHRASE)
    assert "newer version" in str(err.value)
    assert profile.paths.db.read_bytes() == before


@pytest.fixture
def tiny_fs(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("needs root to mount a tiny filesystem")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_rolls_back_whole_and_keeps_what_was_saved(tiny_fs: Path) -> None:
    p = create_profile(
        tiny_fs / "profile", worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF
    )
    with p.transaction() as s:
        s.add(Child(local_id="KEEP", first_name="Kept", last_name="Safe", dob=NOW.date()))
    # Fill the disk, then try to write far more than fits in one transaction.
    st = os.statvfs(tiny_fs)
    (tiny_fs / "filler").write_bytes(b"\0" * (st.f_bavail * st.f_frsize - 48_000))
    with pytest.raises(DiskFull) as err, p.transaction() as s:
        for n in range(3000):
            s.add(
                Child(
                    local_id=f"X{n}", first_name="Lost" * 20, last_name="Row" * 20, dob=NOW.date()
                )
            )
    assert "disk is full" in str(err.value)
    (tiny_fs / "filler").unlink()
    p.close()
    again = open_profile(tiny_fs / "profile", PASSPHRASE)
    with again.sessions() as s:
        assert s.scalars(select(Child.local_id)).all() == ["KEEP"]
    again.close()


def test_fast_head_check_agrees_with_alembic() -> None:
    assert schema._newest_file_revision() == schema.head_revision()


def test_published_forms_are_kept_and_pinned(profile: Profile) -> None:
    from rhi_core.forms.bundled import builtin_path
    from rhi_desktop.services.forms_registry import (
        FormNotAvailable,
        current_form,
        get_form,
        store_published_form,
    )
    from rhi_desktop.store.errors import StoreError

    text = Path(builtin_path("rhi-v1")).read_text().replace('version: "1.1.0"', 'version: "1.2.0"')
    with profile.transaction() as s:
        store_published_form(s, text, published_at=NOW)
    with profile.sessions() as s:
        assert current_form(s).version == "1.2.0"
        assert get_form("rhi-v1", "1.2.0", s).version == "1.2.0"
        assert get_form("rhi-v1", "1.1.0", s).version == "1.1.0"  # the built-in stays
        with pytest.raises(FormNotAvailable):
            get_form("rhi-v1", "9.9.9", s)
    with pytest.raises(StoreError), profile.transaction() as s:
        store_published_form(s, text.replace("Before you went", "Before you left"))
    with pytest.raises(StoreError), profile.transaction() as s:
        store_published_form(s, "id: broken\nversion: 1\nsections: [")
