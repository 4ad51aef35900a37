"""Tourist-site bookings under contention, and the occupancy board over 200 sites.

In a child process on a fresh database of its own (a city, one county, 200 sites) it runs:

- contention: `--gatherings-attempts` residents book one slot of `--gatherings-places`
  places from 8 threads at once through `services.bookings.book` (the conditional UPDATE on
  the slot's count, the booking row, its audit event); the figure is the attempts answered
  per second (booked or refused as full), with exactly the places booked;
- the baseline, in the same run: the same number of bare INSERTs of a booking row from the
  same 8 threads (no claim, no check, no audit);
- the occupancy board (`queries.occupancy_board`) over the 200 sites, `--gatherings-runs`
  times: p95 against the 200 ms target.

    python -m benchmarks --only gatherings
"""

import json
import os
import time

from . import databases
from .measure import median, p95, timed_ms

ORDER = 85
BOARD_TARGET_MS = 200.0
THREADS = 8


def add_arguments(parser) -> None:
    parser.add_argument(
        "--gatherings-attempts", type=int, default=2000, help="booking attempts (2,000)"
    )
    parser.add_argument("--gatherings-places", type=int, default=500, help="places (500)")
    parser.add_argument("--gatherings-runs", type=int, default=100, help="board reads (100)")


def run(args) -> list[str]:
    lines = []
    for vendor in databases.vendors(args):
        database = databases.fresh_database(vendor, "gatherings")
        if database is None:
            continue
        output = databases.run_module(
            database,
            "benchmarks.bench_gatherings",
            "--child",
            str(args.gatherings_attempts),
            str(args.gatherings_places),
            str(args.gatherings_runs),
        )
        r = json.loads(output.strip().splitlines()[-1])
        booking_rate = r["attempts"] / r["book_seconds"]
        bare_rate = r["attempts"] / r["bare_seconds"]
        board = r["board"]
        verdict = "ok" if p95(board) < BOARD_TARGET_MS else "MISSED"
        exact = "exact" if r["booked"] == r["places"] else f"WRONG: {r['booked']}"
        lines += [
            f"{database.label:<11} {r['attempts']:,} attempts for {r['places']:,} places from "
            f"{THREADS} threads: {booking_rate:,.0f} attempts/s, {r['booked']:,} booked "
            f"({exact}) = {booking_rate / bare_rate:.2f}x the bare insert",
            f"{'':<11} baseline: bare INSERT of a booking row, same threads: "
            f"{bare_rate:,.0f} rows/s",
            f"{'':<11} occupancy board, {r['sites']} sites: median {median(board):6.1f} ms  "
            f"p95 {p95(board):6.1f} ms [{verdict}: p95 < {BOARD_TARGET_MS:.0f} ms]",
        ]
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(attempts: int, places: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date, timedelta

    from django.core.exceptions import ValidationError
    from django.db import connection, connections
    from django.utils import timezone

    from epicommand.core.bulk import naive_utc
    from epicommand.core.idnumbers import make_id_number
    from epicommand.core.models import Region, Role, Unit, User
    from epicommand.gatherings import queries
    from epicommand.gatherings.models import Booking, Slot, TouristSite
    from epicommand.gatherings.services import bookings
    from epicommand.people.models import Person

    L = Region.Level
    city = Region.objects.create(code="130100", name="石家庄市", level=L.CITY)
    county = Region.objects.create(code="130109", name="藁城区", level=L.COUNTY, parent=city)
    unit = Unit.objects.create(name="文旅局", kind=Unit.Kind.OTHER, region=city)
    office = User.objects.create(
        username="bench_tourism", role=Role.DEPARTMENT_OFFICER, scope_region=city, unit=unit
    )
    # max x 75 % = places, for the contended site; 199 others for the board.
    capacity = -(-places * 100 // 75)
    sites = TouristSite.objects.bulk_create(
        TouristSite(
            name=f"景区{i}",
            region=county,
            latitude=38.0 + i / 1000,
            longitude=114.5,
            max_capacity=capacity if i == 0 else 500,
            inside=i % 37,
        )
        for i in range(200)
    )
    start = timezone.now() + timedelta(days=1)
    slot = Slot.objects.create(site=sites[0], starts_at=start, ends_at=start + timedelta(hours=2))
    spare = Slot.objects.create(site=sites[1], starts_at=start, ends_at=start + timedelta(hours=2))

    def born(k):
        return date(1960, 1, 1) + timedelta(days=k // 400)

    people = Person.objects.bulk_create(
        Person(
            name=f"游客{k}",
            sex="M",
            birth_date=born(k),
            id_number=make_id_number("130109", born(k), k % 400, "M"),
            phone=f"139{k:08d}",
            address="-",
            region=county,
        )
        for k in range(attempts)
    )
    conditions = queries.SiteConditions()
    slot = Slot.objects.select_related("site").get(pk=slot.pk)

    def book(person):
        try:
            bookings.book(person, slot, conditions=conditions)
        except ValidationError:
            pass
        finally:
            connections.close_all()

    now = naive_utc(timezone.now())

    def bare(person):
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO gatherings_booking (slot_id, site_id, person_id, region_id, "
                    "state, booked_at, notice) VALUES (%s, %s, %s, %s, 'booked', %s, '')",
                    [spare.pk, spare.site_id, person.pk, county.code, now],
                )
        finally:
            connections.close_all()

    def timed(call) -> float:
        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(call, people))
        return time.perf_counter() - started

    bare_seconds = timed(bare)
    book_seconds = timed(book)
    booked = Booking.objects.filter(slot=slot).count()
    queries.occupancy_board(office)  # warm
    board = timed_ms(lambda _: queries.occupancy_board(office), range(runs))
    print(
        json.dumps(
            {
                "attempts": attempts,
                "places": places,
                "booked": booked,
                "book_seconds": book_seconds,
                "bare_seconds": bare_seconds,
                "board": board,
                "sites": len(sites),
            }
        )
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, type=int, metavar=("ATTEMPTS", "PLACES", "RUNS"))
    arguments = parser.parse_args()
    _child(*arguments.child)
