"""No personal data outside the encrypted store: a real app process fills a demo interview,
completes, exports and syncs; then every byte it wrote (profile, HOME, temp, logs, caches,
Qt settings) is searched for the children's names and the words typed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from rhi_core.demo.synthetic import generate
from rhi_desktop.services.profiles import open_profile
from rhi_desktop.store.models import Answer, Child

SCRIPT = Path(__file__).with_name("plaintext_flow.py")
CANARY = "Zephyrine-canary-words"


def test_nothing_readable_outside_the_encrypted_store(tmp_path: Path) -> None:
    home, tmp, exports, central = (tmp_path / d for d in ("home", "tmp", "exports", "central"))
    for d in (home, tmp, exports, central):
        d.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("XDG_")},
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(home / "profile"), str(exports), str(central), CANARY],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0 and "DONE" in done.stdout, done.stderr[-3000:]
    # The demo data's people: generated the same way as the profile (same seed and size).
    children = generate(seed=5, n_children=40).children
    needles = [c.full_name for c in children] + [c.local_id for c in children]
    needles += ["Test Child777", CANARY]  # the synced child and the words typed in the window
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    scanned = [p for p in written if exports not in p.parents and central not in p.parents]
    assert any(p.name == "rhi.db" for p in scanned)
    leaks = []
    for path in scanned:
        data = path.read_bytes()
        for needle in needles:
            if needle.encode() in data or needle.encode("utf-16-le") in data:
                leaks.append(f"{path.relative_to(tmp_path)}: {needle}")
    assert leaks == []
    assert done.stderr.count("Traceback") == 0
    # The needles are real: decrypted, the store holds exactly these names and the words typed.
    profile = open_profile(home / "profile", "demo")
    with profile.sessions() as s:
        stored_names = {f"{a} {b}" for a, b in s.execute(select(Child.first_name, Child.last_name))}
        typed = [v for v in s.scalars(select(Answer.value)) if isinstance(v, str) and CANARY in v]
    profile.close()
    assert {c.full_name for c in children} <= stored_names and "Test Child777" in stored_names
    assert typed, "the words typed in the window were saved (encrypted)"
