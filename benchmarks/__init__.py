"""`make bench`: EpiCommand's figures, each beside a raw baseline measured in the same run
on the same machine, so the ratio means something even on a busy or slow machine.

    python -m benchmarks [--only NAME] [--people N]

Every module `benchmarks/bench_NAME.py` is a benchmark. It exposes `run(args) -> list[str]`
(the lines to print) and may expose `add_arguments(parser)` for options of its own and
`ORDER` (a number; lower runs first, default 50). Databases are created fresh for the run
(see `benchmarks.databases`): a temporary SQLite file and the PostgreSQL database
`epicommand_bench`, each migrated and seeded once by `epicommand seed-city` and shared by
all benchmarks of the run."""
