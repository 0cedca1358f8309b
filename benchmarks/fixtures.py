"""Shared fixtures: demo profiles built once and cached, keyed by size, seed and code version.

A cached profile lives under ``$RHI_BENCH_CACHE`` (default: ``<tmp>/rhi-desktop-bench``) in a
folder named for its seed, size and a hash of the code that writes it (store, demo data, security,
profile services), so a schema or generator change builds a fresh one. The dataset is anchored at
a fixed instant; benchmarks that show the caseload pass a clock that starts at that instant, so
the 72-hour clocks are live (amber, overdue, ...) exactly as the generator made them, whatever the
date of the run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 2021
ANCHOR = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
PASSPHRASE = "demo"  # rhi_desktop.services.demo_profile.DEMO_PASSPHRASE, checked at build

# Sizes: the full run meets the budgets' "10,000 interviews" / "10,000 rows"; quick is a smoke test.
STARTUP_CHILDREN = 6000  # ~18,000 interviews in the store
STARTUP_CHILDREN_QUICK = 200
CASELOAD_CHILDREN = 10_000  # one caseload row per child: 10,000 rows
CASELOAD_CHILDREN_QUICK = 300

# The code that decides what a profile on disk looks like.
_VERSIONED = (
    "rhi_desktop/store",
    "rhi_desktop/demo",
    "rhi_desktop/security",
    "rhi_desktop/services/demo_profile.py",
    "rhi_desktop/services/profiles.py",
    "pyproject.toml",
    "benchmarks/fixtures.py",
)


@dataclass(frozen=True)
class CachedProfile:
    root: Path  # the profile folder (open with PASSPHRASE)
    seed: int
    n_children: int
    anchor: datetime
    counts: dict[str, int]  # children, episodes, interviews, offers
    built_now: bool  # False when it came from the cache

    @property
    def passphrase(self) -> str:
        return PASSPHRASE

    def describe(self) -> str:
        c = self.counts
        return (
            f"demo profile seed={self.seed}: {c['children']} children, {c['interviews']} "
            f"interviews, {c['episodes']} episodes, {c['offers']} offers"
        )


def cache_dir() -> Path:
    base = os.environ.get("RHI_BENCH_CACHE") or os.path.join(
        tempfile.gettempdir(), "rhi-desktop-bench"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def code_version() -> str:
    digest = hashlib.sha256()
    for rel in _VERSIONED:
        target = REPO / rel
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for f in files:
            if f.is_file():
                digest.update(str(f.relative_to(REPO)).encode())
                digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def demo_profile(n_children: int, seed: int = SEED) -> CachedProfile:
    """A demo profile with `n_children` children, from the cache or built now (then cached)."""
    key = f"demo-s{seed}-n{n_children}-{code_version()}"
    base = cache_dir()
    entry = base / key
    with _locked(base / f"{key}.lock"):
        built = False
        if not (entry / "meta.json").is_file():
            _build(entry, n_children, seed)
            built = True
        meta = json.loads((entry / "meta.json").read_text())
    return CachedProfile(
        root=entry / "profile",
        seed=seed,
        n_children=n_children,
        anchor=datetime.fromisoformat(meta["anchor"]),
        counts=meta["counts"],
        built_now=built,
    )


def _build(entry: Path, n_children: int, seed: int) -> None:
    from rhi_desktop.services import demo_profile as demo

    assert demo.DEMO_PASSPHRASE == PASSPHRASE
    shutil.rmtree(entry, ignore_errors=True)
    work = entry.with_name(entry.name + f".building-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, mode=0o700)
    profile = demo.create_demo_profile(
        work / "profile", seed=seed, n_children=n_children, now=ANCHOR
    )
    try:
        counts = _counts(profile)
    finally:
        profile.close()
    meta = {"seed": seed, "n_children": n_children, "anchor": ANCHOR.isoformat(), "counts": counts}
    (work / "meta.json").write_text(json.dumps(meta))
    work.rename(entry)


def _counts(profile: object) -> dict[str, int]:
    from sqlalchemy import func, select

    from rhi_desktop.store.models import Child, MissingEpisode, OfferAttempt, ReturnInterview

    out = {}
    with profile.sessions() as s:  # type: ignore[attr-defined]
        for name, model in (
            ("children", Child),
            ("episodes", MissingEpisode),
            ("interviews", ReturnInterview),
            ("offers", OfferAttempt),
        ):
            out[name] = int(s.scalar(select(func.count()).select_from(model)) or 0)
    return out
