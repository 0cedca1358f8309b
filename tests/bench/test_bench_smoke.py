"""`python -m benchmarks --quick` runs and speaks the contract: JSON lines, named figures.

Timing budgets are not asserted here: figures are for `make bench`, not for the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The contract: every figure of ARCHITECTURE.md's budget table (docs: "Budgets").
EXPECTED = {
    "startup_s",
    "startup_ratio",
    "caseload_filter_ms",
    "rss_mb",
    "form_open_ms",
    "autosave_p99_ms",
    "pdf_sign_ms",
    "pdf_sign_ratio",
    "sync_1000_s",
    "sync_ratio",
    "central_p95_ms",
    "central_errors",
    "intake_single_1000_s",
    "intake_batch_1000_s",
    "kpis_100k_s",
    "console_board_ms",
    "episodes_import_10k_s",
}
# Child data must never reach the output: the demo and benchmark profiles' names look like these.
FORBIDDEN = ("Bench Child", "Test Child", "Person 1", "Typed answer", "Edited answer")


def test_quick_benchmarks_print_one_json_figure_per_line(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RHI_BENCH_CACHE=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for word in FORBIDDEN:
        assert word not in proc.stdout, f"child-like data in the benchmark output: {word!r}"
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    names = []
    for line in lines:
        record = json.loads(line)
        assert isinstance(record, dict)
        assert {"name", "value", "unit", "budget"} <= record.keys(), line
        assert isinstance(record["value"], int | float)
        assert isinstance(record["budget"], int | float)
        names.append(record["name"])
    assert set(names) >= EXPECTED, sorted(EXPECTED - set(names))
    assert len(names) == len(set(names)), "each figure once"


def test_list_names_every_figure() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
