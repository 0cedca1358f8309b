"""startup_s, startup_ratio, rss_mb: a fresh process to a painted caseload, against a bare window.

Each run is a new interpreter (``python -P benchmarks/_startup_child.py``). The parent's clock
starts just before it spawns the child and stops when the child's one-line report arrives, which
the child prints right after the caseload's table has processed its first paint with the rows
loaded; the child's own clock (``perf_counter`` before its first import) is reported as detail.
Runs of the app and of the bare PySide6 window alternate, after one discarded warm-up of each, so
the OS page cache (and compiled bytecode) is warm, as on a worker's laptop after the first launch;
nothing else is shared between runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import fixtures
from benchmarks.registry import Figure, Options, benchmark

CHILD = Path(__file__).with_name("_startup_child.py")
STARTUP_BUDGET_S = 1.0
RATIO_BUDGET = 2.0
RSS_BUDGET_MB = 300.0
RUNS, RUNS_QUICK = 5, 2
WARMUPS, WARMUPS_QUICK = 1, 0
TIMEOUT_S = 120


class ChildFailed(RuntimeError):
    pass


def spawn(args: list[str]) -> tuple[float, dict[str, Any]]:
    """Run the child once: (parent wall seconds to its report, the report)."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-P", str(CHILD), *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=fixtures.REPO,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        wall = time.perf_counter() - started
        proc.stdout.read()
        try:
            code = proc.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = -9
        try:
            report = json.loads(line)
        except ValueError:
            report = None
        if code != 0 or not isinstance(report, dict) or not report.get("ok"):
            errors.seek(0)
            # Only the last line (the exception's type and message): never a dump of data.
            tail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
            raise ChildFailed(f"startup child {args[0]} exited {code}: {' '.join(tail)}")
    return wall, report


def _median(values: list[float]) -> float:
    return statistics.median(values)


@benchmark("startup_s", "startup_ratio", "rss_mb")
def startup(options: Options, wanted: frozenset[str]) -> Iterator[Figure]:
    n = fixtures.STARTUP_CHILDREN_QUICK if options.quick else fixtures.STARTUP_CHILDREN
    profile = fixtures.demo_profile(n)
    runs = RUNS_QUICK if options.quick else RUNS
    warmups = WARMUPS_QUICK if options.quick else WARMUPS
    app_args = ["app", str(profile.root), profile.anchor.isoformat()]
    need_bare = "startup_ratio" in wanted

    app_walls: list[float] = []
    app_reports: list[dict[str, Any]] = []
    bare_walls: list[float] = []
    bare_reports: list[dict[str, Any]] = []
    for i in range(warmups + runs):
        if need_bare:
            wall, report = spawn(["bare"])
            if i >= warmups:
                bare_walls.append(wall)
                bare_reports.append(report)
        wall, report = spawn(app_args)
        if i >= warmups:
            app_walls.append(wall)
            app_reports.append(report)

    startup_s = _median(app_walls)
    inner = _median([r["elapsed_s"] for r in app_reports])
    phases = {
        k: round(_median([r["marks"][k] for r in app_reports if k in r["marks"]]), 3)
        for k in app_reports[0]["marks"]
    }
    rows = app_reports[0]["rows"]
    cache = (
        "warm OS page cache and bytecode (one discarded warm-up run)"
        if warmups
        else ("OS page cache as found (no warm-up run)")
    )
    common = {
        "runs": runs,
        "profile": profile.describe(),
        "caseload_rows": rows,
        "cache": cache,
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
    }
    if "startup_s" in wanted:
        yield Figure(
            "startup_s",
            round(startup_s, 3),
            "s",
            STARTUP_BUDGET_S,
            {
                "detail": (
                    f"median of {runs} fresh processes, parent wall time from spawn to the "
                    f"child's report after the first paint of the loaded caseload ({rows} rows); "
                    f"inner (child perf_counter from before its imports) median {inner:.3f} s; "
                    "child phases (median s since child start): "
                    + ", ".join(f"{k} {v}" for k, v in phases.items())
                ),
                "inner_s": round(inner, 3),
                "phases_s": phases,
                "samples_s": [round(w, 3) for w in app_walls],
                **common,
            },
        )
    if "startup_ratio" in wanted:
        bare = _median(bare_walls)
        bare_inner = _median([r["elapsed_s"] for r in bare_reports])
        yield Figure(
            "startup_ratio",
            round(startup_s / bare, 2),
            "x",
            RATIO_BUDGET,
            {
                "detail": (
                    f"startup_s {startup_s:.3f} s / bare PySide6 window (QApplication, "
                    f"QMainWindow + QTableView shown and painted) {bare:.3f} s, medians of "
                    f"{runs} alternating fresh processes (bare inner {bare_inner:.3f} s)"
                ),
                "bare_s": round(bare, 3),
                "bare_samples_s": [round(w, 3) for w in bare_walls],
                **common,
            },
        )
    if "rss_mb" in wanted:
        rss = _median([r["rss_kib"] / 1024 for r in app_reports])
        hwm = max(r["hwm_kib"] / 1024 for r in app_reports)
        extra: dict[str, Any] = {}
        if bare_reports:
            extra["bare_rss_mb"] = round(_median([r["rss_kib"] / 1024 for r in bare_reports]), 1)
        yield Figure(
            "rss_mb",
            round(rss, 1),
            "MB",
            RSS_BUDGET_MB,
            {
                "detail": (
                    "VmRSS (MiB) of the startup process read from /proc/self/status right after "
                    f"the loaded caseload was painted, median of {runs} runs; peak VmHWM "
                    f"{hwm:.1f} MiB"
                ),
                "peak_mb": round(hwm, 1),
                **extra,
                **common,
            },
        )
