"""The price board over 30 days of 22 districts, on each database.

In a child process on a fresh database of its own (a city and 22 districts, no persons),
it registers 5 supply enterprises and markets a district and bulk-writes 30 days of their
reports for the 7 commodities (23,100 rows), each district's baselines and a few alerts.
Then, for `--supplies-runs` random (day, commodity) pairs:

- the board: `queries.board` (every district and commodity on the day, with the day before,
  baselines, days of supply and alerts) plus `queries.trend` (the commodity's 30-day line
  per district), what GET /supplies/ reads;
- the page: GET /supplies/?day=..&commodity=.. through Django's test client, rendered;
- the baseline: a bare grouped query (average price and total stock per district,
  commodity and day over the 30 days), the aggregate the board cannot do with less;

each pick timed by the three in turn, the order alternating.

    python -m benchmarks --only supplies
"""

import json
import os
import random

from . import databases
from .logins import force_login_verified
from .measure import median, p95, timed_ms

ORDER = 85
TARGET_RATIO = 2.0  # the board's queries against the bare aggregate, p95 to p95
DISTRICTS, PER_DISTRICT, DAYS = 22, 5, 30


def add_arguments(parser) -> None:
    parser.add_argument("--supplies-runs", type=int, default=200, help="boards (default 200)")


def run(args) -> list[str]:
    lines = []
    for vendor in databases.vendors(args):
        database = databases.fresh_database(vendor, "supplies")
        if database is None:
            continue
        output = databases.run_module(
            database, "benchmarks.bench_supplies", "--child", str(args.supplies_runs)
        )
        r = json.loads(output.strip().splitlines()[-1])
        board, page, bare = r["board"], r["page"], r["bare"]
        ratio = p95(board) / p95(bare)
        verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
        lines += [
            f"{database.label:<11} {r['reports']:,} reports: {DISTRICTS} districts x "
            f"{PER_DISTRICT} enterprises x 7 commodities x {DAYS} days",
            f"{'':<11} {'board + 30-day trend (queries)':<36} median {median(board):6.1f} ms  "
            f"p95 {p95(board):6.1f} ms  = {ratio:4.1f}x baseline p95 [{verdict}: <= "
            f"{TARGET_RATIO:.0f}x]",
            f"{'':<11} {'GET /supplies/ (rendered page)':<36} median {median(page):6.1f} ms  "
            f"p95 {p95(page):6.1f} ms  (for information: layout and 154 rows rendered)",
            f"{'':<11} {'baseline: bare 30-day aggregate':<36} median {median(bare):6.1f} ms  "
            f"p95 {p95(bare):6.1f} ms",
        ]
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------

BARE_SQL = """
SELECT region_id, commodity, day, AVG(retail_price), SUM(stock_tonnes), COUNT(*)
FROM supplies_pricereport
WHERE day >= %s AND day <= %s
GROUP BY region_id, commodity, day
"""


def _child(runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from epicommand.core.models import Region, Role, User
    from epicommand.supplies import queries
    from epicommand.supplies.models import (
        Commodity,
        PriceAlert,
        PriceBaseline,
        PriceReport,
        SupplyEnterprise,
    )

    rng = random.Random(2021)
    L = Region.Level
    city = Region.objects.create(code="130100", name="石家庄市", level=L.CITY)
    districts = [
        Region.objects.create(code=f"1301{n:02d}", name=f"区{n:02d}", level=L.COUNTY, parent=city)
        for n in range(2, 2 + DISTRICTS)
    ]
    enterprises = SupplyEnterprise.objects.bulk_create(
        SupplyEnterprise(
            name=f"{d.name}企业{k}",
            credit_code=f"91{d.code}{k:010d}",
            kind="enterprise" if k else "market",
            region=d,
            address="-",
        )
        for d in districts
        for k in range(PER_DISTRICT)
    )
    today = timezone.localdate()
    base = {c: Decimal(rng.randint(300, 3000)) / 100 for c in Commodity.values}
    PriceBaseline.objects.bulk_create(
        PriceBaseline(region=d, commodity=c, retail_price=p, margin_percent=20)
        for d in districts
        for c, p in base.items()
    )
    rows = [
        PriceReport(
            enterprise=e,
            region_id=e.region_id,
            commodity=c,
            day=today - timedelta(days=back),
            retail_price=(p * Decimal(rng.uniform(0.9, 1.2))).quantize(Decimal("0.01")),
            purchase_price=(p * Decimal("0.8")).quantize(Decimal("0.01")),
            stock_tonnes=Decimal(rng.randint(10, 500)),
        )
        for back in range(DAYS)
        for e in enterprises
        for c, p in base.items()
    ]
    PriceReport.objects.bulk_create(rows, batch_size=2_000)
    PriceAlert.objects.bulk_create(
        PriceAlert(region=d, commodity="pork", day=today, rule="baseline", value=35, limit=30)
        for d in districts[:3]
    )
    user = User.objects.create(username="city_office", role=Role.CITY_OFFICE, scope_region=city)
    setup_test_environment()  # the test Client's "testserver" host is allowed
    client = Client()
    force_login_verified(client, user)  # the board, not the second factor's page
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    picks = [
        (today - timedelta(days=rng.randint(0, 6)), rng.choice(Commodity.values))
        for _ in range(runs)
    ]

    def board(pick):
        day, commodity = pick
        queries.board(user, day)
        queries.trend(user, commodity, day, DAYS)

    def page(pick):
        day, commodity = pick
        response = client.get(f"/supplies/?day={day.isoformat()}&commodity={commodity}")
        assert response.status_code == 200

    def bare(pick):
        day, _commodity = pick
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [day - timedelta(days=DAYS - 1), day])
            cursor.fetchall()

    calls = {"board": board, "page": page, "bare": bare}
    for call in calls.values():
        call(picks[0])  # warm the caches for all alike
    samples = {name: [] for name in calls}
    names = list(calls)
    for index, pick in enumerate(picks):
        for name in names if index % 2 == 0 else reversed(names):
            samples[name] += timed_ms(calls[name], [pick])
    print(json.dumps({**samples, "reports": len(rows)}))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=1, type=int, metavar="RUNS")
    _child(*parser.parse_args().child)
