"""Person search on the seeded databases: by ID number with a city-scoped and a county-scoped
user, and one keyset page (no query, after the random id of a person the user sees), each as
median and 95th percentile of --runs calls, beside the median round trip of a bare
`SELECT 1` on the same connection.

The ratio to `SELECT 1` is what the query itself costs over the fixed price of asking the
database anything; a scoped search that scanned instead of seeking would show here first."""

import json

from . import databases
from .measure import median, p95

ORDER = 20
MEASURES = [
    ("id_city", "search by ID number, city office"),
    ("id_county", "search by ID number, county office"),
    ("page_city", "keyset page of 50, city office"),
    ("page_county", "keyset page of 50, county office"),
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--runs", type=int, default=200, help="searches timed per measure (default 200)"
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(database, "benchmarks.probe_search", "--runs", str(args.runs))
        result = json.loads(output.strip().splitlines()[-1])
        samples = result["samples"]
        baseline = median(samples["select_1"])
        lines.append(
            f"{database.label:<11} {result['persons']:,} persons, "
            f"{args.runs} runs each; baseline SELECT 1 median {baseline:.3f} ms"
        )
        for key, title in MEASURES:
            lines.append(
                f"{'':<11} {title:<36} median {median(samples[key]):7.3f} ms"
                f"  p95 {p95(samples[key]):7.3f} ms"
                f"  = {median(samples[key]) / baseline:5.1f}x SELECT 1"
            )
    return lines + databases.skipped_lines(args)
