"""`python -m benchmarks [--quick] [--only NAME[,NAME]]`: one JSON object per line per figure."""

from __future__ import annotations

import argparse
import os
import sys

# Before anything imports Qt: benchmarks run headless unless told otherwise.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks import registry  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", default="", help="comma-separated figure names to measure (default: all)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, few repeats: a smoke test only"
    )
    parser.add_argument("--list", action="store_true", help="print the figure names and exit")
    args = parser.parse_args(argv)

    names = registry.all_names()
    if args.list:
        print("\n".join(names))
        return 0
    only = {n.strip() for n in args.only.split(",") if n.strip()} or None
    if only is not None:
        unknown = sorted(only.difference(names))
        if unknown:
            parser.error(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(names)}")
    for figure in registry.run(registry.Options(quick=args.quick), only):
        print(figure.to_json(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
