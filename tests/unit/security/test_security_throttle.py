"""Failed unlocks slow down: delays, persistence, and the combined attempt_unlock."""

from __future__ import annotations

import json
import math
import os
import sys

import pytest
from unit.security.security_helpers import (
    CHEAP_KDF,
    OTHER,
    PROFILE_ID,
    STRONG,
    WORKER,
    FakeClock,
)

from rhi_desktop.security import keys, throttle
from rhi_desktop.security.errors import KeyFileDamaged, KeyringUnavailable, UnlockDelayed
from rhi_desktop.security.keys import attempt_unlock
from rhi_desktop.security.throttle import STATE_FILE, UnlockThrottle, delay_after


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, 0), (1, 0), (2, 0), (3, 2), (4, 4), (5, 8), (9, 128), (10, 256), (11, 300), (10**6, 300)],
)
def test_delay_schedule(failures, delay):
    assert delay_after(failures) == delay


def test_delays_grow_with_consecutive_failures(tmp_path, clock):
    gate = UnlockThrottle(tmp_path, clock=clock)
    for _ in range(2):
        gate.record_failure()
        gate.check()  # two slips are free
    expected = [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    for delay in expected:
        gate.record_failure()
        with pytest.raises(UnlockDelayed) as info:
            gate.check()
        assert info.value.seconds_remaining == delay
        assert f"wait {delay} seconds" in str(info.value)
        clock.advance(delay - 0.5)
        with pytest.raises(UnlockDelayed) as info:
            gate.check()
        assert info.value.seconds_remaining == pytest.approx(0.5)
        assert "wait 1 second " in str(info.value)  # rounded up, singular
        clock.advance(0.5)
        gate.check()


def test_success_resets_the_count(tmp_path, clock):
    gate = UnlockThrottle(tmp_path, clock=clock)
    for _ in range(5):
        gate.record_failure()
    gate.record_success()
    assert gate.failures == 0 and gate.seconds_remaining() == 0
    gate.check()
    assert not (tmp_path / STATE_FILE).exists()


def test_state_survives_a_restart_and_holds_no_secrets(tmp_path, clock):
    gate = UnlockThrottle(tmp_path, clock=clock)
    for _ in range(3):
        gate.record_failure()
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert state == {"failures": 3, "last_failure": clock.now}
    reopened = UnlockThrottle(tmp_path, clock=clock)
    with pytest.raises(UnlockDelayed):
        reopened.check()
    if sys.platform != "win32":
        assert (tmp_path / STATE_FILE).stat().st_mode & 0o777 == 0o600


def test_winding_the_clock_back_does_not_shorten_the_wait(tmp_path, clock):
    gate = UnlockThrottle(tmp_path, clock=clock)
    for _ in range(4):
        gate.record_failure()
    clock.advance(-3600)
    with pytest.raises(UnlockDelayed) as info:
        gate.check()
    assert info.value.seconds_remaining == 4


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"[]",
        b'{"failures": -1, "last_failure": 0}',
        b'{"failures": 3}',
        b'{"failures": true, "last_failure": 1}',
        b'{"failures": 3, "last_failure": "x"}',
    ],
)
def test_unreadable_state_counts_as_no_failures(tmp_path, clock, content):
    (tmp_path / STATE_FILE).write_bytes(content)
    gate = UnlockThrottle(tmp_path, clock=clock)
    gate.check()
    gate.record_failure()
    assert gate.failures == 1


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX non-root")
def test_read_only_folder_still_throttles_in_memory(tmp_path, clock):
    tmp_path.chmod(0o500)
    try:
        gate = UnlockThrottle(tmp_path, clock=clock)
        for _ in range(3):
            gate.record_failure()
        with pytest.raises(UnlockDelayed):
            gate.check()
    finally:
        tmp_path.chmod(0o700)


def test_read_only_state_falls_back_to_memory(tmp_path, clock, monkeypatch):
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(throttle, "atomic_write_bytes", refuse)
    gate = UnlockThrottle(tmp_path, clock=clock)
    for _ in range(3):
        gate.record_failure()
    with pytest.raises(UnlockDelayed):
        gate.check()
    gate.record_success()
    gate.check()


def test_unlock_delayed_message_and_value():
    error = UnlockDelayed(2.2)
    assert error.seconds_remaining == 2.2
    assert str(error) == "Too many wrong passphrases in a row; please wait 3 seconds and try again."
    assert math.isclose(UnlockDelayed(-1).seconds_remaining, 0)


# -- attempt_unlock --------------------------------------------------------------------------


@pytest.fixture
def profile(tmp_path, store):
    path = tmp_path / "profile.key"
    data_key = keys.create_key_file(
        path,
        STRONG,
        profile_id=PROFILE_ID,
        worker_name=WORKER,
        demo=False,
        secret_store=store,
        kdf=CHEAP_KDF,
    )
    return path, data_key


def test_attempt_unlock_counts_wrong_passphrases_and_refuses_early_attempts(profile, store, clock):
    path, data_key = profile
    gate = UnlockThrottle(path.parent, clock=clock)
    for _ in range(3):
        with pytest.raises(keys.WrongPassphrase):
            attempt_unlock(path, OTHER, store, gate)
    # Too early: refused without even trying — the right passphrase doesn't get through either.
    with pytest.raises(UnlockDelayed) as info:
        attempt_unlock(path, STRONG, store, gate)
    assert info.value.seconds_remaining == 2
    assert gate.failures == 3  # a refused attempt is not another failure
    clock.advance(2)
    assert attempt_unlock(path, STRONG, store, gate) == data_key
    assert gate.failures == 0


def test_only_wrong_passphrases_count(profile, store, memory_keyring, clock):
    path, _ = profile
    gate = UnlockThrottle(path.parent, clock=clock)
    memory_keyring.reset()
    for _ in range(5):
        with pytest.raises(KeyringUnavailable):
            attempt_unlock(path, STRONG, store, gate)
    path.write_text("{}")
    with pytest.raises(KeyFileDamaged):
        attempt_unlock(path, STRONG, store, gate)
    assert gate.failures == 0


def test_change_passphrase_with_a_throttle_counts_a_wrong_old_passphrase(profile, store, clock):
    path, data_key = profile
    gate = UnlockThrottle(path.parent, clock=clock)
    for _ in range(3):
        with pytest.raises(keys.WrongPassphrase):
            keys.change_passphrase(path, OTHER, OTHER, secret_store=store, throttle=gate)
    with pytest.raises(UnlockDelayed):
        keys.change_passphrase(path, STRONG, OTHER, secret_store=store, throttle=gate)
    clock.advance(2)
    keys.change_passphrase(path, STRONG, OTHER, secret_store=store, throttle=gate)
    assert keys.unlock(path, OTHER, secret_store=store) == data_key


def test_clock_is_injectable_and_defaults_to_wall_time(tmp_path):
    assert UnlockThrottle(tmp_path).seconds_remaining() == 0
    assert isinstance(FakeClock()(), float)


# -- issue 11 item 8: attempts serialised, counts never lost, no endless lock-out --------------

SLOWER_KDF = keys.KdfParams(time_cost=2, memory_cost_kib=8192, parallelism=1)  # ~20-50 ms


def _wrong_attempts_in_parallel(path, n: int, store=None):  # type: ignore[no-untyped-def]
    """n threads, each with its own throttle object (as n unlock dialogs or CLI runs would),
    try a wrong passphrase at the same moment. Returns (tried, delayed)."""
    import threading

    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def one() -> None:
        gate = UnlockThrottle(path.parent)
        barrier.wait()
        try:
            attempt_unlock(path, OTHER, store, gate)
        except keys.WrongPassphrase:
            outcomes.append("tried")
        except UnlockDelayed:
            outcomes.append("delayed")

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes.count("tried"), outcomes.count("delayed")


def test_parallel_wrong_attempts_are_serialised_and_every_one_counted(tmp_path):
    path = tmp_path / "profile.key"
    keys.create_key_file(
        path,
        STRONG,
        profile_id=PROFILE_ID,
        worker_name=WORKER,
        demo=True,
        secret_store=None,
        kdf=SLOWER_KDF,
    )
    tried, delayed = _wrong_attempts_in_parallel(path, 8)
    # The first three are free and each is counted; the rest meet the delay and wait for it.
    assert (tried, delayed) == (3, 5)
    assert UnlockThrottle(tmp_path).failures == 3
    assert oct((tmp_path / throttle.LOCK_FILE).stat().st_mode & 0o777) == "0o600"


def test_parallel_processes_share_the_lock(tmp_path):
    """Other processes (the GUI and a CLI run, or a script) wait on the same file lock."""
    import subprocess

    path = tmp_path / "profile.key"
    keys.create_key_file(
        path,
        STRONG,
        profile_id=PROFILE_ID,
        worker_name=WORKER,
        demo=True,
        secret_store=None,
        kdf=SLOWER_KDF,
    )
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from rhi_desktop.security import keys\n"
        "from rhi_desktop.security.errors import UnlockDelayed, WrongPassphrase\n"
        "from rhi_desktop.security.throttle import UnlockThrottle\n"
        "p = Path(sys.argv[1]); go = float(sys.argv[2])\n"
        "time.sleep(max(0.0, go - time.time()))\n"
        "try:\n"
        "    keys.attempt_unlock(p, 'wrong passphrase here', None, UnlockThrottle(p.parent))\n"
        "except WrongPassphrase:\n"
        "    print('tried')\n"
        "except UnlockDelayed:\n"
        "    print('delayed')\n"
    )
    import time

    go = time.time() + 3.0  # every process imported and waiting by then
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert sorted(outs) == ["delayed"] * 3 + ["tried"] * 3
    assert UnlockThrottle(tmp_path).failures == 3


def test_a_failure_dated_in_the_future_counts_from_now_and_the_wait_ends(tmp_path, clock):
    (tmp_path / STATE_FILE).write_text(
        json.dumps({"failures": 5, "last_failure": clock() + 10 * 365 * 86400})
    )
    gate = UnlockThrottle(tmp_path, clock=clock)
    assert gate.seconds_remaining() == delay_after(5)  # the full delay, from now
    clock.advance(delay_after(5) / 2)
    assert gate.seconds_remaining() == delay_after(5) / 2
    clock.advance(delay_after(5) / 2)
    assert gate.seconds_remaining() == 0
    gate.check()  # not locked out for ten years
    saved = json.loads((tmp_path / STATE_FILE).read_text())
    assert saved["last_failure"] <= clock()
