"""The daily bulletin over 10,000 cases, and the public bulletin page, on each database.

In a child process on a fresh database of its own (a city, four counties, 40 villages) it
writes `--information-cases` cases in bulk over 20 days (a tenth asymptomatic, a third of
those reclassified as confirmed the next day, some suspected, some deaths), then:

- drafting: `information.figures.count_day` for a day in the middle (every figure of the
  city, each county and village, and every sum checked), against the baseline of bare
  COUNT queries of the same headline figures (new confirmed, new asymptomatic,
  reclassified, deaths, cumulative confirmed), grouped by region, in the same run;
- the public page: `--information-requests` GETs of a published bulletin's page (its body
  served from the cache after the first) through Django's test client, against the login
  page (a base-template page with a form and no query) as the baseline.

    python -m benchmarks --only information
"""

import json
import os
import random

from . import databases
from .measure import median, p95, timed_ms

TARGET_PAGE_P95_MS = 50.0


def add_arguments(parser) -> None:
    parser.add_argument(
        "--information-cases", type=int, default=10_000, help="cases (default 10,000)"
    )
    parser.add_argument(
        "--information-requests", type=int, default=400, help="page requests (default 400)"
    )


def run(args) -> list[str]:
    lines = []
    for vendor in databases.vendors(args):
        database = databases.fresh_database(vendor, "information")
        if database is None:
            continue
        output = databases.run_module(
            database,
            "benchmarks.bench_information",
            "--child",
            str(args.information_cases),
            str(args.information_requests),
        )
        r = json.loads(output.strip().splitlines()[-1])
        draft, bare, page, login = r["draft"], r["bare"], r["page"], r["login"]
        verdict = "ok" if p95(page) < TARGET_PAGE_P95_MS else "MISSED"
        lines += [
            f"{database.label:<11} {r['cases']:,} cases over 20 days, written in "
            f"{r['seconds']:.0f} s",
            f"{'':<11} {'draft a day (every figure and sum)':<40} median {median(draft):7.1f} "
            f"ms  p95 {p95(draft):7.1f} ms = {p95(draft) / p95(bare):4.1f}x baseline p95",
            f"{'':<11} {'baseline: bare COUNT queries by region':<40} median {median(bare):7.1f} "
            f"ms  p95 {p95(bare):7.1f} ms",
            f"{'':<11} {'public bulletin page':<40} median {median(page):7.1f} ms  p95 "
            f"{p95(page):7.1f} ms  ({1000 / median(page):.0f} req/s in one process) "
            f"[{verdict}: p95 < {TARGET_PAGE_P95_MS:.0f} ms]",
            f"{'':<11} {'baseline: the login page':<40} median {median(login):7.1f} ms  p95 "
            f"{p95(login):7.1f} ms",
        ]
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _outbreak(n: int) -> None:
    from datetime import date, datetime, time, timedelta

    from django.utils import timezone

    from epicommand.core.models import Region
    from epicommand.people.models import Person
    from epicommand.tracing.models import Case, ClassificationChange

    L = Region.Level
    city = Region.objects.create(code="130100", name="石家庄市", level=L.CITY)
    villages = []
    for c, name in enumerate(("长安区", "藁城区", "新华区", "晋州市")):
        county = Region.objects.create(
            code=f"1301{c + 2:02d}", name=name, level=L.COUNTY, parent=city
        )
        town = Region.objects.create(
            code=f"{county.code}001", name="镇", level=L.TOWNSHIP, parent=county
        )
        villages += [
            Region.objects.create(
                code=f"{town.code}{v:03d}", name=f"村{v}", level=L.VILLAGE, parent=town
            )
            for v in range(1, 11)
        ]
    rng = random.Random(2021)
    Person.objects.bulk_create(
        Person(
            name=f"P{i}", sex="M", birth_date=date(1980, 1, 1), id_number=f"B{i:017d}",
            phone="", address="", region=rng.choice(villages),
        )
        for i in range(n)
    )  # fmt: skip
    first = timezone.localdate() - timedelta(days=22)
    cases, changes = [], []
    for person in Person.objects.only("pk", "region_id"):
        day = first + timedelta(days=rng.randrange(20))
        at = timezone.make_aware(datetime.combine(day, time(rng.randrange(8, 20))))
        kind = rng.choices(["mild", "moderate", "asymptomatic", "suspected"], [6, 2, 1, 1])[0]
        died = kind == "moderate" and rng.random() < 0.01
        cases.append(
            Case(
                person_id=person.pk, region_id=person.region_id, classification=kind,
                detection_route="mass_testing", reported_at=at,
                confirmed_at=None if kind == "suspected" else at,
                outcome="died" if died else "", outcome_at=at + timedelta(days=3) if died else None,
            )
        )  # fmt: skip
    Case.objects.bulk_create(cases, batch_size=2000)
    for case in Case.objects.only("pk", "region_id", "classification", "reported_at"):
        changes.append(
            ClassificationChange(
                case_id=case.pk, region_id=case.region_id, at=case.reported_at,
                classification_from="", classification_to=case.classification,
            )
        )  # fmt: skip
        if case.classification == "asymptomatic" and rng.random() < 0.33:
            changes.append(
                ClassificationChange(
                    case_id=case.pk, region_id=case.region_id,
                    at=case.reported_at + timedelta(days=1),
                    classification_from="asymptomatic", classification_to="mild",
                )
            )  # fmt: skip
    ClassificationChange.objects.bulk_create(changes, batch_size=2000)
    return first + timedelta(days=10)


def _child(cases: int, requests: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    import time

    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from epicommand.information import figures
    from epicommand.information.models import Bulletin
    from epicommand.tracing.models import CONFIRMED, Case, ClassificationChange

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    day = _outbreak(cases)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    start, end = figures.window_of(day)

    def draft(_):
        figures.count_day(day)

    def bare(_):
        today = {"at__gte": start, "at__lt": end}
        list(
            Case.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end)
            .values("region_id").annotate(n=Count("pk"))
        )  # fmt: skip
        for frm, to in (("", ["asymptomatic"]), ("asymptomatic", list(CONFIRMED))):
            list(
                ClassificationChange.objects.filter(
                    classification_from=frm, classification_to__in=to, **today
                ).values("region_id").annotate(n=Count("pk"))
            )  # fmt: skip
        list(
            Case.objects.filter(outcome="died", outcome_at__lt=end)
            .values("region_id").annotate(n=Count("pk"))
        )  # fmt: skip
        list(Case.objects.filter(confirmed_at__lt=end).values("region_id").annotate(n=Count("pk")))

    runs = 20
    samples = {"draft": [], "bare": []}
    for index in range(runs):
        for name in ("draft", "bare") if index % 2 == 0 else ("bare", "draft"):
            samples[name] += timed_ms({"draft": draft, "bare": bare}[name], [None])
    counted = figures.count_day(day)
    Bulletin.objects.create(
        day=day, version=1, status=Bulletin.Status.PUBLISHED, figures=counted,
        window_start=start, window_end=end, published_at=end,
    )  # fmt: skip
    client = Client()
    url = f"/info/bulletins/{day.isoformat()}/"
    assert client.get(url).status_code == 200
    assert client.get("/login/").status_code == 200
    samples["page"], samples["login"] = [], []
    for index in range(requests):
        for name in ("page", "login") if index % 2 == 0 else ("login", "page"):
            samples[name] += timed_ms(
                lambda u: client.get(u), [url if name == "page" else "/login/"]
            )
    print(json.dumps({**samples, "cases": cases, "seconds": seconds}))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, type=int, metavar=("CASES", "REQUESTS"))
    arguments = parser.parse_args()
    _child(*arguments.child)
