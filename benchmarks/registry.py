"""The registry: a benchmark is a function that yields Figures for the names it declares.

To add figures, write a module with a function decorated by ``@benchmark("name", ...)`` and add
the module's name to ``MODULES``. One function may produce several figures when they come from the
same runs (startup time, its ratio to a bare window and the memory of the same process).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Imported in this order by `python -m benchmarks`; later issues append their modules.
MODULES = (
    "desktop_startup",
    "caseload",
    "form_open",
    "autosave",
    "pdf_sign",
    "central_sync",
    "central_peer",
    "kpis",
    "console",
)


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    budget: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        record: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "budget": self.budget,
        }
        record.update(self.extra)
        return json.dumps(record, sort_keys=False)


@dataclass(frozen=True)
class Options:
    quick: bool = False  # smaller sizes and fewer repeats: for the smoke test, not for figures


BenchFn = Callable[[Options, frozenset[str]], Iterable[Figure]]


@dataclass(frozen=True)
class Benchmark:
    names: tuple[str, ...]
    fn: BenchFn


_REGISTRY: list[Benchmark] = []


def benchmark(*names: str) -> Callable[[BenchFn], BenchFn]:
    """Register `fn(options, wanted)`; `wanted` is the subset of `names` asked for."""

    def register(fn: BenchFn) -> BenchFn:
        taken = {n for b in _REGISTRY for n in b.names}
        clash = taken.intersection(names)
        if clash:
            raise ValueError(f"figure name(s) registered twice: {sorted(clash)}")
        _REGISTRY.append(Benchmark(tuple(names), fn))
        return fn

    return register


def load_all() -> list[Benchmark]:
    for module in MODULES:
        importlib.import_module(f"benchmarks.{module}")
    return list(_REGISTRY)


def all_names() -> list[str]:
    return [n for b in load_all() for n in b.names]


def run(options: Options, only: set[str] | None = None) -> Iterator[Figure]:
    for bench in load_all():
        wanted = frozenset(n for n in bench.names if only is None or n in only)
        if not wanted:
            continue
        for figure in bench.fn(options, wanted):
            if figure.name in wanted:
                yield figure
