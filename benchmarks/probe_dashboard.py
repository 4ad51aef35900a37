"""Run inside a benchmark database's environment (see bench_dashboard): give the seeded city
a month of command work scaled to its size, rebuild the counters with `recount`, then time
the dashboard page (through Django's test client, the whole request), the figures it is
built from (`build_dashboard`), and `generate_daily_summaries` for the city and every
county, each beside a raw baseline on the same connection. Prints JSON."""

import argparse
import json
import os
import random
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from epicommand.command.models import EmergencyReport, Task  # noqa: E402
from epicommand.command.services.summaries import generate_daily_summaries  # noqa: E402
from epicommand.core.dashboard import build_dashboard  # noqa: E402
from epicommand.core.models import Region, Role, Unit, User  # noqa: E402
from epicommand.core.recount import recount  # noqa: E402

from .logins import force_login_verified  # noqa: E402
from .measure import timed_ms  # noqa: E402

COUNTY = "130109"  # Gaocheng
DAYS = 30
WARM_UP = 20
S = Task.Status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--reports", type=int, default=2_000)
    parser.add_argument("--summary-runs", type=int, default=3)
    options = parser.parse_args()
    setup_test_environment()  # the test client's host, as the test suite has it

    office, county_office = _users()
    made = _command_work(office, options.tasks, options.reports)
    started = time.perf_counter()
    totals = recount()
    recount_seconds = time.perf_counter() - started

    city_client, county_client = Client(), Client()
    force_login_verified(city_client, office)
    force_login_verified(county_client, county_office)

    def page(client):
        def get(_):
            response = client.get("/dashboard/")
            assert response.status_code == 200, response.status_code

        return get

    def api(client):
        def get(_):
            assert client.get("/api/v1/dashboard").status_code == 200

        return get

    runs = range(options.runs)
    samples = {
        "select_1": _measure(_select_1, runs),
        "figures_city": _measure(lambda _: build_dashboard(office), runs),
        "figures_county": _measure(lambda _: build_dashboard(county_office), runs),
        "page_city": _measure(page(city_client), runs),
        "page_county": _measure(page(county_client), runs),
        "api_city": _measure(api(city_client), runs),
    }
    summary_seconds, count_seconds = [], []
    for _ in range(options.summary_runs):
        started = time.perf_counter()
        summaries = generate_daily_summaries(timezone.localdate())
        summary_seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        Task.objects.count()
        count_seconds.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "persons": totals["persons"],
                "made": made,
                "recount_seconds": recount_seconds,
                "samples": samples,
                "summaries": len(summaries),
                "summary_seconds": statistics.median(summary_seconds),
                "count_tasks_seconds": statistics.median(count_seconds),
            }
        )
    )


def _users() -> tuple[User, User]:
    """A city and a county office account, as seed-city's units have them."""
    city = Region.objects.get(level=Region.Level.CITY)
    county = Region.objects.get(code=COUNTY)
    kind = Unit.Kind.COMMAND_OFFICE
    office, _ = User.objects.update_or_create(
        username="bench_dashboard_city",
        defaults=dict(
            role=Role.CITY_OFFICE, scope_region=city, unit=Unit.objects.get(region=city, kind=kind)
        ),
    )
    county_office, _ = User.objects.update_or_create(
        username="bench_dashboard_county",
        defaults=dict(
            role=Role.COUNTY_OFFICE,
            scope_region=county,
            unit=Unit.objects.get(region=county, kind=kind),
        ),
    )
    return office, county_office


def _command_work(office: User, tasks: int, reports: int) -> dict[str, int]:
    """`tasks` tasks and `reports` emergency reports over the last DAYS days, given to the
    seeded city's units, in every state they can be in. Written in bulk, not through the
    services: this is the data a month of work leaves, and the counters come from recount."""
    if Task.objects.exists():
        return {"tasks": Task.objects.count(), "reports": EmergencyReport.objects.count()}
    rng = random.Random(2021)
    now = timezone.now()
    units = list(Unit.objects.exclude(kind=Unit.Kind.LEADING_GROUP).values_list("id", "region_id"))
    with transaction.atomic():
        Task.objects.bulk_create(
            (_task(rng, now, office, units, n) for n in range(tasks)), batch_size=5000
        )
        EmergencyReport.objects.bulk_create(
            (_report(rng, now, office, units, n) for n in range(reports)), batch_size=2000
        )
    return {"tasks": tasks, "reports": reports}


def _task(rng, now, office, units, n) -> Task:
    unit_id, region_id = rng.choice(units)
    created = now - timedelta(minutes=rng.randrange(DAYS * 24 * 60))
    deadline = created + timedelta(hours=rng.choice((4, 12, 24, 48, 72)))
    task = Task(
        title=f"任务 {n}",
        deadline=deadline,
        issued_by=office,
        issuing_unit_id=office.unit_id,
        assignee_id=unit_id,
        region_id=region_id,
        created_at=created,
        status=S.ISSUED,
    )
    roll = rng.random()
    if deadline < now and roll < 0.85 or deadline >= now and roll < 0.3:
        task.status = S.DONE
        task.acknowledged_at = created + timedelta(minutes=30)
        task.completed_at = min(now, created + (deadline - created) * rng.uniform(0.3, 1.3))
    elif roll < 0.9:
        task.status = rng.choice((S.ISSUED, S.ACKNOWLEDGED, S.IN_PROGRESS))
        if deadline < now:
            task.overdue_noted_at = deadline + timedelta(minutes=10)
    else:
        task.status = S.CANCELLED
    return task


def _report(rng, now, office, units, n) -> EmergencyReport:
    unit_id, region_id = rng.choice(units)
    filed = now - timedelta(minutes=rng.randrange(DAYS * 24 * 60))
    closed = rng.random() < 0.9 and filed < now - timedelta(days=1)
    return EmergencyReport(
        title=f"突发事件 {n}",
        body="详见附件",
        severity=rng.choice(EmergencyReport.Severity.values),
        occurred_at=filed - timedelta(minutes=20),
        filing_unit_id=unit_id,
        region_id=region_id,
        filed_by=office,
        filed_at=filed,
        status=EmergencyReport.Status.CLOSED if closed else EmergencyReport.Status.HANDLING,
        closed_at=filed + timedelta(hours=6) if closed else None,
    )


def _measure(call, arguments) -> list[float]:
    arguments = list(arguments)
    timed_ms(call, arguments[:WARM_UP])  # fill caches and the connection first
    return timed_ms(call, arguments)


def _select_1(_):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


if __name__ == "__main__":
    main()
