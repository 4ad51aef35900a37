"""Discover benchmarks/bench_*.py and run them in order; see benchmarks/__init__.py."""

import argparse
import importlib
import pkgutil
import sys
import time
import traceback

import benchmarks

from . import databases


def discover() -> list[tuple[str, object]]:
    found = []
    for module in pkgutil.iter_modules(benchmarks.__path__):
        if module.name.startswith("bench_"):
            found.append(importlib.import_module(f"benchmarks.{module.name}"))
    found.sort(key=lambda m: (getattr(m, "ORDER", 50), m.__name__))
    return [(m.__name__.removeprefix("benchmarks.bench_"), m) for m in found]


def parse_args(modules, argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    names = [name for name, _ in modules]
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(names)}",
    )
    databases.add_arguments(parser)
    for _, module in modules:
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    modules = discover()
    args = parse_args(modules, argv)
    failed = []
    print(f"EpiCommand benchmarks, {args.people:,} persons, {time.strftime('%Y-%m-%d %H:%M')}")
    try:
        for name, module in modules:
            if args.only and name not in args.only:
                continue
            print(f"\n== {name}", flush=True)
            started = time.perf_counter()
            try:
                for line in module.run(args):
                    print(line, flush=True)
            except Exception:  # one broken benchmark must not hide the others' figures
                traceback.print_exc()
                failed.append(name)
            print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        databases.clean_up(args)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
