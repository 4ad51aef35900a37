"""The command dashboard and the daily summary on the seeded city, with a month of command
work scaled to it (--tasks, --reports; by default 50,000 tasks and 2,000 emergency reports
for 1,000,000 persons, proportionally fewer for a smaller city).

After `recount` has built the counters (timed: it reads every table once), the dashboard is
timed as a whole request through Django's test client (session, template, ECharts data)
and as the figures alone (`build_dashboard`), for the city office and a county office,
median and 95th percentile of --runs each, beside a bare `SELECT 1`. The daily summaries of
the city and every county are timed in seconds beside a bare `COUNT(*)` of the tasks."""

import json

from . import databases
from .measure import median, p95

ORDER = 40
MEASURES = [
    ("page_city", "dashboard page, city office"),
    ("page_county", "dashboard page, county office"),
    ("api_city", "GET /api/v1/dashboard, city office"),
    ("figures_city", "figures only, city office"),
    ("figures_county", "figures only, county office"),
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--tasks", type=int, help="tasks of the month (default: 5 per 100 persons, 50,000 at 1M)"
    )
    parser.add_argument(
        "--reports", type=int, help="emergency reports (default: 2 per 1,000 persons)"
    )


def run(args) -> list[str]:
    tasks = args.tasks if args.tasks is not None else max(args.people // 20, 100)
    reports = args.reports if args.reports is not None else max(args.people // 500, 10)
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database,
            "benchmarks.probe_dashboard",
            "--runs",
            str(args.runs),
            "--tasks",
            str(tasks),
            "--reports",
            str(reports),
        )
        result = json.loads(output.strip().splitlines()[-1])
        samples = result["samples"]
        baseline = median(samples["select_1"])
        made = result["made"]
        lines.append(
            f"{database.label:<11} {result['persons']:,} persons, {made['tasks']:,} tasks, "
            f"{made['reports']:,} reports; recount {result['recount_seconds']:.2f} s; "
            f"{args.runs} runs each; baseline SELECT 1 median {baseline:.3f} ms"
        )
        for key, title in MEASURES:
            lines.append(
                f"{'':<11} {title:<36} median {median(samples[key]):7.2f} ms"
                f"  p95 {p95(samples[key]):7.2f} ms"
                f"  = {median(samples[key]) / baseline:7.1f}x SELECT 1"
            )
        seconds, count = result["summary_seconds"], result["count_tasks_seconds"]
        lines.append(
            f"{'':<11} {'daily summaries, city and counties':<36} {seconds:7.2f} s "
            f"({result['summaries']} summaries) = {seconds / count:5.1f}x COUNT(*) of tasks "
            f"({count * 1000:.1f} ms)"
        )
    return lines + databases.skipped_lines(args)
