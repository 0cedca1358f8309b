"""Performance figures for `make bench`: one JSON object per line per figure.

Each figure is a budget from docs' ARCHITECTURE "Budgets". Benchmarks live in their own modules
(``desktop_startup``, ``caseload``, ...) and register with :func:`benchmarks.registry.benchmark`;
:mod:`benchmarks.fixtures` builds and caches the shared demo profiles.
"""
