"""Key file: create/unlock, tampering, damage, keychain loss, passphrase change, file hygiene."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unit.security.security_helpers import (
    CHEAP_KDF,
    OTHER,
    PROFILE_ID,
    STRONG,
    WORKER,
)

from rhi_desktop.security import keys
from rhi_desktop.security.errors import (
    KeyFileDamaged,
    KeyFileExists,
    KeyFileMissing,
    KeyFileWriteFailed,
    KeyringUnavailable,
    SecurityError,
    WeakPassphrase,
    WrongPassphrase,
)
from rhi_desktop.security.keyring_store import SERVICE, KeyringSecretStore
from rhi_desktop.security.keys import DEFAULT_KDF, KdfParams, KeyFile


def make(path: Path, store: KeyringSecretStore | None, *, demo: bool = False, **kw: Any) -> bytes:
    return keys.create_key_file(
        path,
        kw.pop("passphrase", "demo" if demo else STRONG),
        profile_id=kw.pop("profile_id", PROFILE_ID),
        worker_name=kw.pop("worker_name", WORKER),
        demo=demo,
        secret_store=None if demo else store,
        kdf=kw.pop("kdf", CHEAP_KDF),
    )


def edit(path: Path, **changes: Any) -> None:
    data = json.loads(path.read_text())
    for name, value in changes.items():
        if name.startswith("kdf_"):
            data["kdf"][name[4:]] = value
        else:
            data[name] = value
    path.write_text(json.dumps(data))


def flip_b64(value: str) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[0] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


# -- round trips ---------------------------------------------------------------------------


def test_create_then_unlock_returns_the_same_random_data_key(key_path, store):
    data_key = make(key_path, store)
    assert len(data_key) == 32
    assert keys.unlock(key_path, STRONG, secret_store=store) == data_key
    other = key_path.parent / "other" / "profile.key"
    other.parent.mkdir()
    assert make(other, store, profile_id="another-profile") != data_key


def test_device_secret_goes_to_the_keyring_not_the_file(key_path, store, memory_keyring):
    make(key_path, store)
    entry = memory_keyring.get_password(SERVICE, PROFILE_ID)
    assert entry is not None and len(base64.b64decode(entry)) == 32
    data = json.loads(key_path.read_text())
    assert "device_secret" not in data and data["demo"] is False


def test_read_profile_info_needs_no_passphrase(key_path, store):
    make(key_path, store)
    info = keys.read_profile_info(key_path)
    assert (info.profile_id, info.worker_name, info.demo) == (PROFILE_ID, WORKER, False)
    assert info.kdf == CHEAP_KDF
    for hidden in ("salt=", "nonce=", "wrapped_key=", "device_secret=", "mac="):
        assert hidden not in repr(info)  # byte fields stay out of logs


def test_passphrase_is_nfc_normalised(key_path, store):
    composed = "café crème brûlée ordinaire"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    data_key = make(key_path, store, passphrase=composed)
    assert keys.unlock(key_path, decomposed, secret_store=store) == data_key


def test_default_kdf_matches_the_design():
    # 128 MiB, 3 passes: about 0.3 s to unlock on a 2-core laptop (measured), costly to guess.
    assert KdfParams(time_cost=3, memory_cost_kib=131072, parallelism=2) == DEFAULT_KDF


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(suffix=st.text(min_size=0, max_size=20))
def test_any_unicode_passphrase_round_trips(tmp_path, store, suffix):
    passphrase = STRONG + suffix
    path = tmp_path / f"p{abs(hash(suffix))}.key"
    path.unlink(missing_ok=True)
    profile_id = f"p{abs(hash(suffix))}"
    store.delete(profile_id)
    data_key = make(path, store, passphrase=passphrase, profile_id=profile_id)
    assert keys.unlock(path, passphrase, secret_store=store) == data_key
    with pytest.raises(WrongPassphrase):
        keys.unlock(path, passphrase + "x", secret_store=store)


# -- wrong passphrase and tampering ----------------------------------------------------------


def test_wrong_passphrase(key_path, store):
    make(key_path, store)
    with pytest.raises(WrongPassphrase) as info:
        keys.unlock(key_path, OTHER, secret_store=store)
    assert str(info.value) == "The passphrase is not right."


@pytest.mark.parametrize(
    "field",
    ["salt", "nonce", "wrapped_key", "profile_id", "worker_name", "created_at", "demo_flag"]
    + ["kdf_time_cost", "kdf_memory_cost_kib", "kdf_parallelism"],
)
def test_any_altered_field_of_a_real_profile_is_reported_as_damaged(key_path, store, field):
    """The MAC (keyed from the keychain's device secret) catches every edit before the AEAD.

    profile_id and demo are special: changing profile_id makes the keychain lookup miss, and
    flipping demo to true leaves a demo file without its secret — both are still refusals.
    """
    make(key_path, store)
    data = json.loads(key_path.read_text())
    if field in ("salt", "nonce", "wrapped_key"):
        edit(key_path, **{field: flip_b64(data[field])})
    elif field == "profile_id":
        store.set("tampered-id", os.urandom(32))  # even with a secret under the new id
        edit(key_path, profile_id="tampered-id")
    elif field == "worker_name":
        edit(key_path, worker_name="Mallory")
    elif field == "created_at":
        edit(key_path, created_at="2001-01-01T00:00:00Z")
    elif field == "demo_flag":
        edit(key_path, demo=True)
    else:
        edit(key_path, **{field: data["kdf"][field[4:]] + 1})
    with pytest.raises(KeyFileDamaged) as info:
        keys.unlock(key_path, STRONG, secret_store=store)
    assert "damaged or has been altered" in str(info.value)
    assert "backup" in str(info.value)


def test_real_profile_relabelled_as_demo_with_a_planted_secret_still_fails(key_path, store):
    """An editor can recompute the MAC once the secret is in the file, so it can't be told apart
    from a wrong passphrase — but it never unlocks, and the message says both possibilities."""
    make(key_path, store)
    data = json.loads(key_path.read_text())
    planted = os.urandom(32)
    data.update(demo=True, device_secret=base64.b64encode(planted).decode())
    forged = KeyFile.from_json({**data, "mac": base64.b64encode(b"\0" * 32).decode()})
    forged = replace(forged, mac=keys._mac(forged, planted))
    forged.save(key_path)
    with pytest.raises(WrongPassphrase) as info:
        keys.unlock(key_path, STRONG, secret_store=store)
    assert str(info.value) == "The passphrase is not right, or the key file has been altered."


def test_header_fields_are_bound_to_the_wrapped_key_even_if_the_mac_is_recomputed(
    key_path, store, memory_keyring
):
    """Defence in depth: someone holding the device secret can forge the MAC, but the AEAD's
    associated data still rejects an altered header (reported as a wrong passphrase)."""
    make(key_path, store)
    secret = store.get(PROFILE_ID)
    assert secret is not None
    original = keys.read_profile_info(key_path)
    for changed in (
        replace(original, worker_name="Mallory"),
        replace(original, kdf=KdfParams(2, 64, 1)),
        replace(original, salt=os.urandom(16)),
        replace(original, created_at="2001-01-01T00:00:00Z"),
    ):
        forged = replace(changed, mac=keys._mac(changed, secret))
        forged.save(key_path)
        with pytest.raises(WrongPassphrase):
            keys.unlock(key_path, STRONG, secret_store=store)


def test_demo_profile_tampering_is_reported_honestly(key_path):
    make(key_path, None, demo=True)
    data = json.loads(key_path.read_text())
    edit(key_path, salt=flip_b64(data["salt"]))
    with pytest.raises(KeyFileDamaged):  # MAC still catches naive edits
        keys.unlock(key_path, "demo", secret_store=None)


def test_demo_flag_cleared_on_a_demo_profile_is_damage(key_path):
    make(key_path, None, demo=True)
    edit(key_path, demo=False)  # a "real" profile carrying a device secret: not a file we write
    with pytest.raises(KeyFileDamaged):
        keys.read_profile_info(key_path)


# -- structural damage -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json at all",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"format": "rhi-desktop-profile-key"}',
        b"{" * 10_000,
        b"NaN",
    ],
)
def test_garbage_key_file_is_damaged(key_path, content):
    key_path.write_bytes(content)
    with pytest.raises(KeyFileDamaged) as info:
        keys.read_profile_info(key_path)
    assert "restore it from a backup or contact support" in str(info.value)


def test_truncated_key_file_is_damaged(key_path, store):
    make(key_path, store)
    raw = key_path.read_bytes()
    for cut in (1, len(raw) // 3, len(raw) // 2, len(raw) - 3):
        key_path.write_bytes(raw[:cut])
        with pytest.raises(KeyFileDamaged):
            keys.unlock(key_path, STRONG, secret_store=store)


@pytest.mark.parametrize(
    "change",
    [
        {"salt": "!!!not base64!!!"},
        {"salt": base64.b64encode(b"short").decode()},
        {"nonce": base64.b64encode(os.urandom(16)).decode()},
        {"wrapped_key": base64.b64encode(os.urandom(10)).decode()},
        {"mac": 12},
        {"version": 0},
        {"version": True},
        {"demo": "yes"},
        {"profile_id": "../../etc/passwd"},
        {"profile_id": ""},
        {"kdf": "argon2id"},
        {"kdf_algorithm": "scrypt"},
        {"kdf_time_cost": 0},
        {"kdf_time_cost": 1.5},
        {"kdf_memory_cost_kib": 10**9},  # a DoS attempt, refused before hashing
        {"kdf_parallelism": True},
        {"unexpected": 1},
        {"format": "something-else"},
    ],
)
def test_malformed_fields_are_damaged(key_path, store, change):
    make(key_path, store)
    edit(key_path, **change)
    with pytest.raises(KeyFileDamaged):
        keys.unlock(key_path, STRONG, secret_store=store)


def test_missing_each_required_field_is_damaged(key_path, store):
    make(key_path, store)
    original = json.loads(key_path.read_text())
    for name in original:
        data = dict(original)
        del data[name]
        key_path.write_text(json.dumps(data))
        with pytest.raises(KeyFileDamaged):
            keys.read_profile_info(key_path)


def test_duplicate_json_keys_are_damaged(key_path, store):
    make(key_path, store)
    text = key_path.read_text()
    key_path.write_text(text.replace('"demo": false', '"demo": false, "demo": true'))
    with pytest.raises(KeyFileDamaged):
        keys.read_profile_info(key_path)


def test_newer_format_version_says_update_the_app(key_path, store):
    make(key_path, store)
    edit(key_path, version=2)
    with pytest.raises(KeyFileDamaged, match="newer version"):
        keys.read_profile_info(key_path)


def test_missing_key_file(tmp_path, store):
    with pytest.raises(KeyFileMissing) as info:
        keys.unlock(tmp_path / "profile.key", STRONG, secret_store=store)
    assert "missing" in str(info.value)


# -- keychain --------------------------------------------------------------------------------


def test_device_secret_missing_from_keyring(key_path, store, memory_keyring):
    make(key_path, store)
    memory_keyring.reset()  # e.g. the profile folder was copied to another computer
    with pytest.raises(KeyringUnavailable) as info:
        keys.unlock(key_path, STRONG, secret_store=store)
    message = str(info.value)
    assert "created on another computer" in message and "removed" in message


def test_wrong_device_secret_in_keyring_is_not_reported_as_wrong_passphrase(key_path, store):
    make(key_path, store)
    store.set(PROFILE_ID, os.urandom(32))
    with pytest.raises(KeyFileDamaged, match="keychain"):
        keys.unlock(key_path, STRONG, secret_store=store)


def test_real_profile_without_a_store(key_path, store):
    make(key_path, store)
    with pytest.raises(KeyringUnavailable):
        keys.unlock(key_path, STRONG, secret_store=None)


def test_creating_a_real_profile_needs_a_store(key_path):
    with pytest.raises(ValueError):
        make(key_path, None)
    assert not key_path.exists()


def test_existing_keyring_entry_is_never_overwritten(key_path, store):
    existing = os.urandom(32)
    store.set(PROFILE_ID, existing)
    with pytest.raises(KeyFileExists):
        make(key_path, store)
    assert store.get(PROFILE_ID) == existing and not key_path.exists()


def test_failed_key_file_write_takes_the_secret_back_out(key_path, store, monkeypatch):
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keys, "atomic_write_bytes", broken)
    with pytest.raises(KeyFileWriteFailed, match="No space left"):
        make(key_path, store)
    assert store.get(PROFILE_ID) is None and not key_path.exists()


# -- demo profiles ---------------------------------------------------------------------------


def test_demo_profile_keeps_its_secret_in_the_file_and_ignores_the_store(key_path, store):
    data_key = make(key_path, None, demo=True)
    info = keys.read_profile_info(key_path)
    assert info.demo is True and info.device_secret is not None
    assert keys.unlock(key_path, "demo", secret_store=None) == data_key
    assert keys.unlock(key_path, "demo", secret_store=store) == data_key
    assert store.get(PROFILE_ID) is None


def test_the_demo_passphrase_is_only_allowed_for_demo_profiles(key_path, store):
    with pytest.raises(WeakPassphrase) as info:
        make(key_path, store, passphrase="demo")
    assert "12 characters" in str(info.value)
    assert not key_path.exists() and store.get(PROFILE_ID) is None


def test_weak_passphrase_using_the_workers_name_is_refused(key_path, store):
    with pytest.raises(WeakPassphrase, match="name"):
        make(key_path, store, passphrase="JaneSmith2024!")


def test_create_refuses_to_overwrite_a_key_file(key_path, store):
    make(key_path, store)
    before = key_path.read_bytes()
    with pytest.raises(KeyFileExists):
        make(key_path, store, profile_id="another")
    assert key_path.read_bytes() == before


def test_bad_profile_id_is_a_programming_error(key_path, store):
    with pytest.raises(ValueError):
        make(key_path, store, profile_id="has spaces/and slashes")


# -- change passphrase -----------------------------------------------------------------------


def test_change_passphrase_keeps_the_data_key_and_retires_the_old_one(key_path, store):
    data_key = make(key_path, store)
    before = keys.read_profile_info(key_path)
    keys.change_passphrase(key_path, STRONG, OTHER, secret_store=store)
    after = keys.read_profile_info(key_path)
    assert after.salt != before.salt and after.nonce != before.nonce
    assert after.profile_id == before.profile_id and after.created_at == before.created_at
    assert keys.unlock(key_path, OTHER, secret_store=store) == data_key
    with pytest.raises(WrongPassphrase):
        keys.unlock(key_path, STRONG, secret_store=store)


def test_change_passphrase_with_wrong_old_changes_nothing(key_path, store):
    make(key_path, store)
    before = key_path.read_bytes()
    with pytest.raises(WrongPassphrase):
        keys.change_passphrase(key_path, "not the passphrase at all", OTHER, secret_store=store)
    assert key_path.read_bytes() == before


def test_change_to_a_weak_passphrase_is_refused(key_path, store):
    make(key_path, store)
    with pytest.raises(WeakPassphrase):
        keys.change_passphrase(key_path, STRONG, "password123", secret_store=store)
    assert keys.unlock(key_path, STRONG, secret_store=store)


def test_change_passphrase_can_upgrade_kdf_params(key_path, store):
    data_key = make(key_path, store)
    stronger = KdfParams(time_cost=2, memory_cost_kib=128, parallelism=1)
    keys.change_passphrase(key_path, STRONG, OTHER, secret_store=store, kdf=stronger)
    assert keys.read_profile_info(key_path).kdf == stronger
    assert keys.unlock(key_path, OTHER, secret_store=store) == data_key


def test_change_passphrase_on_a_demo_profile(key_path):
    data_key = make(key_path, None, demo=True)
    keys.change_passphrase(key_path, "demo", "demo2", secret_store=None)
    assert keys.unlock(key_path, "demo2", secret_store=None) == data_key


# -- file hygiene ----------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_key_file_is_private_even_with_a_permissive_umask(key_path, store):
    old = os.umask(0)
    try:
        make(key_path, store)
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
        keys.change_passphrase(key_path, STRONG, OTHER, secret_store=store)
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_no_temp_files_are_left_behind(key_path, store):
    make(key_path, store)
    keys.change_passphrase(key_path, STRONG, OTHER, secret_store=store)
    assert sorted(p.name for p in key_path.parent.iterdir()) == ["profile.key"]


@pytest.mark.parametrize("demo", [False, True])
def test_no_secret_appears_in_the_key_file(key_path, store, demo):
    data_key = make(key_path, store, demo=demo)
    raw = key_path.read_bytes()
    forms = [data_key, data_key.hex().encode(), base64.b64encode(data_key)]
    if not demo:
        secret = store.get(PROFILE_ID)
        assert secret is not None
        forms += [secret, base64.b64encode(secret), secret.hex().encode()]
    forms.append((STRONG if not demo else "demo-not-present").encode())
    for form in forms:
        assert form not in raw


def test_errors_never_carry_secrets(key_path, store):
    data_key = make(key_path, store)
    failures: list[SecurityError] = []
    for attempt in (
        lambda: keys.unlock(key_path, OTHER, secret_store=store),
        lambda: keys.change_passphrase(key_path, STRONG, "weak", secret_store=store),
    ):
        with pytest.raises(SecurityError) as info:
            attempt()
        failures.append(info.value)
    for error in failures:
        text = str(error) + repr(error.args)
        for secret in (data_key.hex(), OTHER, STRONG, "'weak'"):
            assert secret not in text


def test_destroy_key_file_crypto_shreds_a_real_profile(key_path, store):
    make(key_path, store)
    keys.destroy_key_file(key_path, secret_store=store)
    assert not key_path.exists() and store.get(PROFILE_ID) is None
    keys.destroy_key_file(key_path, secret_store=store)  # idempotent
