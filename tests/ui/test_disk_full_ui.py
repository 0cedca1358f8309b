"""A full disk while typing: the interview says so in one sentence, keeps the words queued, and
saves them once space is back. Nothing saved before is lost."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import CHEAP_KDF, NOW, PASSPHRASE, WORKER

from rhi_core.domain.codes import EpisodeCategory
from rhi_desktop.services.answers import load_answers
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.profiles import create_profile, open_profile
from rhi_desktop.ui.main_window import MainWindow


@pytest.fixture
def tiny_fs(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("needs root to mount a tiny filesystem")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_while_typing(qtbot, tiny_fs: Path) -> None:
    profile = create_profile(
        tiny_fs / "profile", worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF
    )
    with profile.transaction() as s:
        child = add_child(
            s,
            NewChild(
                local_id="C1", first_name="Mo", last_name="Farah", dob=NOW.date().replace(year=2011)
            ),
            actor=WORKER,
            today=NOW.date(),
        )
        record_episode(
            s,
            NewEpisode(
                child.id, EpisodeCategory.MISSING, NOW - timedelta(days=1), NOW - timedelta(hours=3)
            ),
            actor=WORKER,
            now=NOW,
        )
    window = MainWindow(profile, clock=lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    window.open_interview(child.id)
    qtbot.waitUntil(lambda: window.interview is not None, timeout=10_000)
    view = window.interview
    view.go_to("while_away")
    box = view.pages["while_away"].rows["where_went"].input.focus_target()
    qtbot.keyClicks(box, "Saved before the disk filled.")
    assert view.autosaver.flush_now()

    filler = tiny_fs / "filler"
    with open(filler, "wb") as fh:  # fill the disk to the last block
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    box.clear()
    qtbot.keyClicks(box, "Typed while the disk was full: ")
    box.insertPlainText("pasted words " * 1000)  # a paste: big enough to need new pages
    qtbot.waitUntil(lambda: view.save_state.property("state") == "error", timeout=10_000)
    assert "disk is full" in view.save_state.text().lower()
    assert "Traceback" not in view.save_state.text()

    filler.unlink()  # space is back: the queued words are written on the next retry
    qtbot.waitUntil(lambda: view.save_state.property("state") == "saved", timeout=15_000)
    iid, rev = view.data.interview_id, view.data.revision
    window.close_interview()
    profile.close()
    again = open_profile(tiny_fs / "profile", PASSPHRASE)
    with again.sessions() as s:
        saved = load_answers(s, iid, rev)
    again.close()
    assert saved["where_went"].startswith("Typed while the disk was full")
    assert os.path.exists(tiny_fs / "profile" / "rhi.db")
