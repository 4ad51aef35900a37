"""Quarantine at the reference city's scale, on each database: the room board of a
4,156-room camp (the Huangzhuang camp's size), citywide occupancy with the capacity
forecast at 30,000 stays (the city held 27,014 persons in 434 sites), and assigning 10,000
contacts to rooms in two batches of 5,000 (the intake's largest).

In a child process set up for the seeded city it builds, through the services: the
4,156-room camp (one `add_rooms`: 4 floors of 1,039), a 10,000-room camp for the batch,
and hotels of 400 rooms across the counties; then lodges 30,000 persons (stays started
over the last two weeks) and records 2,000 close contacts still waiting, so the forecast
has work. The 10,000 contacts are timed (`assign_batch`: validation, room choice,
stays, 70,000 required tests, rooms, 10,000 health-code facts and their recompute,
counters, audit) beside a bare `bulk_insert` of 10,000 stay rows in the same run (rolled
back). The pages are requested with Django's in-process test Client (session, view,
template), `--runs` times each, median and p95: the board page (the camp's first floor
drawn, the others loading as they scroll in), one floor's grid (1,039 rooms), the whole
camp in one grid (4,156 rooms), beside a bare SELECT of the camp's 4,156 rooms; the
occupancy page and its API (counters, per-site counts, the forecast) beside a bare SELECT
of the 30,000 stays' site and status. Everything the benchmark wrote is removed after.

    python -m benchmarks --only quarantine --people 100000
"""

import argparse
import json
import os
import random
import time
from datetime import timedelta

from . import databases
from .logins import force_login_verified
from .measure import median, p95

ORDER = 70
CAMP_FLOORS, CAMP_PER_FLOOR = 4, 1039  # 4,156 rooms
BATCH = 10_000
HOTEL_ROOMS = 400
WAITING = 2000
NAME = "基准"  # the benchmark's sites carry it, so the clean-up finds them
PAGES = [
    ("board_page", "room board page (first floor drawn)"),
    ("board_floor", "one floor's grid, 1,039 rooms"),
    ("board_all", "whole camp in one grid, 4,156 rooms"),
    ("occupancy_page", "occupancy page + forecast, city office"),
    ("occupancy_api", "GET /api/v1/quarantine/sites/occupancy"),
    ("forecast_api", "GET /api/v1/quarantine/sites/forecast"),
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--quarantine-stays",
        type=int,
        default=30_000,
        help="persons in quarantine for the occupancy measure (default 30,000)",
    )


def run(args) -> list[str]:
    lines = []
    for database in databases.seeded_databases(args):
        output = databases.run_module(
            database,
            "benchmarks.bench_quarantine",
            "--child",
            str(args.quarantine_stays),
            "--runs",
            str(args.runs),
        )
        r = json.loads(output.strip().splitlines()[-1])
        s = r["samples"]
        rooms_select = median(s["select_rooms"])
        stays_select = median(s["select_stays"])
        lines.append(
            f"{database.label:<11} {r['stays']:,} stays in {r['sites']} sites ({r['rooms']:,} "
            f"rooms); {r['runs']} runs each; camp of {r['camp_rooms']:,} rooms added in "
            f"{r['add_rooms_seconds']:.2f} s"
        )
        for key, title in PAGES:
            base, name = (
                (rooms_select, "SELECT rooms")
                if key.startswith("board")
                else (stays_select, "SELECT stays")
            )
            lines.append(
                f"{'':<11} {title:<42} median {median(s[key]):7.1f} ms  p95 {p95(s[key]):7.1f} ms"
                f"  = {median(s[key]) / base:5.1f}x {name}"
            )
        lines.append(
            f"{'':<11} {'baseline: bare SELECT of the camp rooms':<42} "
            f"median {rooms_select:7.1f} ms"
        )
        lines.append(
            f"{'':<11} {'baseline: bare SELECT of the stays':<42} median {stays_select:7.1f} ms"
        )
        batch, bare = r["batch_seconds"], r["bare_insert_seconds"]
        lines.append(
            f"{'':<11} assign {r['batch']:,} contacts in one batch: {batch:.2f} s "
            f"({r['batch'] / batch:,.0f}/s) = {batch / bare:.0f}x a bare bulk_insert of "
            f"{r['batch']:,} stay rows ({bare:.3f} s)"
        )
    return lines + databases.skipped_lines(args)


# The child ---------------------------------------------------------------------------------


def _child(stays: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test Client's "testserver" host is allowed

    from epicommand.command.models import Counter

    saved = list(
        Counter.objects.filter(metric__in=["stays_in_site", "stays_home", "rooms_free"]).values()
    )
    world = _World()
    try:
        result = world.build(stays)
        result |= world.measure(runs)
    finally:
        world.clean_up(saved)
    print(json.dumps(result))


class _World:
    def __init__(self):
        from django.utils import timezone

        self.now = timezone.now()
        self.rng = random.Random(2021)
        self.persons: set[int] = set()

    def build(self, stays: int) -> dict:
        from epicommand.core.models import Region, Role, Unit, User
        from epicommand.quarantine.services import sites as site_services

        city = Region.objects.get(level=Region.Level.CITY)
        office_unit = Unit.objects.get(region=city, kind=Unit.Kind.COMMAND_OFFICE)
        self.office, _ = User.objects.update_or_create(
            username="bench_quarantine_office",
            defaults=dict(role=Role.CITY_OFFICE, scope_region=city, unit=office_unit),
        )
        counties = list(
            Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code")
        )
        gaocheng = next(c for c in counties if c.code == "130109")
        started = time.perf_counter()
        self.camp = self._site(f"黄庄公寓{NAME}", "camp", gaocheng, office_unit)
        site_services.add_rooms(
            self.office,
            self.camp,
            building="A",
            floor_from=1,
            floor_to=CAMP_FLOORS,
            rooms_per_floor=CAMP_PER_FLOOR,
        )
        add_rooms_seconds = time.perf_counter() - started
        big = self._site(f"方舱隔离点{NAME}", "camp", gaocheng, office_unit)
        site_services.add_rooms(
            self.office, big, building="B", floor_from=1, floor_to=5, rooms_per_floor=2000
        )
        in_camp = min(4000, CAMP_FLOORS * CAMP_PER_FLOOR)
        in_hotels = max(stays - in_camp - BATCH, 0)
        hotels = []
        for n in range(-(-in_hotels // HOTEL_ROOMS)):
            hotel = self._site(
                f"隔离酒店{n}{NAME}", "hotel", counties[n % len(counties)], office_unit
            )
            site_services.add_rooms(
                self.office, hotel, floor_from=2, floor_to=11, rooms_per_floor=HOTEL_ROOMS // 10
            )
            hotels.append(hotel)
        people = self._persons(in_camp + BATCH + in_hotels + WAITING)
        batch_people = people[:BATCH]
        rest = people[BATCH:]
        # The timed batch: 10,000 contacts into the big camp, in calls of the intake's
        # largest batch (5,000).
        items = [self._item(pid, days=0) for pid in batch_people]
        started = time.perf_counter()
        self._assign(big, items)
        batch_seconds = time.perf_counter() - started
        bare_seconds = self._bare_insert(big, batch_people)
        self._lodge(self.camp, rest[:in_camp])
        rest = rest[in_camp:]
        for hotel in hotels:
            self._lodge(hotel, rest[:HOTEL_ROOMS])
            rest = rest[HOTEL_ROOMS:]
        self._waiting(people[-WAITING:])
        from epicommand.quarantine.models import Room, Site, Stay

        return {
            "stays": Stay.objects.filter(site__name__endswith=NAME).count(),
            "sites": Site.objects.filter(name__endswith=NAME).count(),
            "rooms": Room.objects.filter(site__name__endswith=NAME).count(),
            "camp_rooms": CAMP_FLOORS * CAMP_PER_FLOOR,
            "add_rooms_seconds": add_rooms_seconds,
            "batch": BATCH,
            "batch_seconds": batch_seconds,
            "bare_insert_seconds": bare_seconds,
        }

    def _site(self, name, kind, region, unit):
        from epicommand.quarantine.services import sites as site_services

        return site_services.create_site(
            self.office,
            name=name,
            kind=kind,
            region_id=region.code,
            address=name,
            latitude=38.0,
            longitude=114.8,
            unit_id=unit.pk,
        )

    def _persons(self, count: int) -> list[int]:
        from epicommand.people.models import Person
        from epicommand.quarantine.models import ACTIVE_STAY_STATUSES, Stay

        busy = Stay.objects.filter(status__in=ACTIVE_STAY_STATUSES).values("person_id")
        found = list(
            Person.objects.exclude(pk__in=busy).order_by("pk").values_list("pk", flat=True)[:count]
        )
        if len(found) < count:
            raise SystemExit(f"the seeded city has {len(found)} free persons; {count} needed")
        self.persons |= set(found)
        return found

    def _item(self, person_id: int, *, days: int) -> dict:
        started = self.now - timedelta(days=days, hours=self.rng.randrange(1, 12))
        return {
            "client_id": f"bench-stay-{person_id}",
            "person_id": person_id,
            "reason": "close_contact",
            "started_at": started,
            "arrived_at": started + timedelta(minutes=40) if days else None,
        }

    def _lodge(self, site, person_ids) -> None:

        if person_ids:
            items = [self._item(pid, days=self.rng.randrange(1, 14)) for pid in person_ids]
            self._assign(site, items)

    def _assign(self, site, items) -> None:
        from epicommand.quarantine.services import stay_batches

        for start in range(0, len(items), stay_batches.MAX_BATCH):
            stay_batches.assign_batch(
                self.office, site, items[start : start + stay_batches.MAX_BATCH]
            )

    def _waiting(self, person_ids) -> None:
        """Close contacts identified over the last three days and not yet lodged."""
        from epicommand.control.models import FactKind
        from epicommand.control.services import healthcode
        from epicommand.people.models import Person

        regions = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "region_id"))
        healthcode.record_facts(
            healthcode.NewFact(
                person_id=pid,
                region_id=regions[pid],
                kind=FactKind.CLOSE_CONTACT,
                started_at=self.now - timedelta(days=1 + n % 3),
                ended_at=None,
                source="bench_quarantine",
                source_key=f"bench-quarantine:{pid}",
            )
            for n, pid in enumerate(person_ids)
        )

    def _bare_insert(self, site, person_ids) -> float:
        """The same 10,000 stay rows through core.bulk alone, rolled back."""
        from django.db import transaction
        from django.utils import timezone

        from epicommand.core.bulk import bulk_insert
        from epicommand.core.bulk import naive_utc as _naive_utc
        from epicommand.quarantine.models import Stay
        from epicommand.quarantine.services.stay_batches import STAY_COLUMNS

        stamp = _naive_utc(self.now)
        today = timezone.localdate()
        rows = [
            (
                pid,
                site.pk,
                None,
                site.region_id,
                "close_contact",
                "released",
                "8",
                stamp,
                today,
                today,
                "",
                "",
                None,
                None,
                None,
                None,
                None,
                stamp,
            )
            for pid in person_ids
        ]
        with transaction.atomic():
            started = time.perf_counter()
            bulk_insert(Stay._meta.db_table, STAY_COLUMNS, rows)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds

    def measure(self, runs: int) -> dict:
        from django.db import connection
        from django.test import Client

        from .measure import timed_ms

        client = Client()
        force_login_verified(client, self.office)
        camp = self.camp.pk

        def get(url, **params):
            def call(_):
                response = client.get(url, params)
                assert response.status_code == 200, (url, response.status_code)

            return call

        def select(sql, params=()):
            def call(_):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

            return call

        measures = {
            "select_rooms": select(
                "SELECT id, building, floor, number, kind, beds, status FROM quarantine_room "
                "WHERE site_id = %s ORDER BY building, floor, number",
                [camp],
            ),
            "select_stays": select(
                "SELECT site_id, status FROM quarantine_stay "
                "WHERE status IN ('in_transfer', 'in_site')"
            ),
            "board_page": get(f"/quarantine/sites/{camp}/board/"),
            "board_floor": get(f"/quarantine/sites/{camp}/board/floor/", building="A", floor=2),
            "board_all": get(f"/quarantine/sites/{camp}/board/floor/", building="A"),
            "occupancy_page": get("/quarantine/occupancy/"),
            "occupancy_api": get("/api/v1/quarantine/sites/occupancy"),
            "forecast_api": get("/api/v1/quarantine/sites/forecast", per_site="true"),
        }
        samples = {}
        for key, call in measures.items():
            warm = max(3, runs // 10)
            timed_ms(call, range(warm))
            samples[key] = timed_ms(call, range(runs))
        return {"samples": samples, "runs": runs}

    def clean_up(self, saved_counters) -> None:
        """Remove what the benchmark wrote and put the counters and colours back."""
        from django.db import transaction

        from epicommand.command.models import Counter
        from epicommand.control.models import ColourChange, HealthFact
        from epicommand.control.services import healthcode
        from epicommand.quarantine.models import Room, Site, Stay, StayTest

        with transaction.atomic():
            sites = Site.objects.filter(name__endswith=NAME)
            stays = Stay.objects.filter(site__in=sites)
            StayTest.objects.filter(stay__in=stays).delete()
            stays.delete()
            Room.objects.filter(site__in=sites).delete()
            sites.delete()
            persons = list(self.persons)
            for start in range(0, len(persons), 5000):
                chunk = persons[start : start + 5000]
                HealthFact.objects.filter(
                    person_id__in=chunk, source_key__startswith="stay:"
                ).delete()
                HealthFact.objects.filter(person_id__in=chunk, source="bench_quarantine").delete()
            healthcode.recompute(persons)
            for start in range(0, len(persons), 5000):
                chunk = persons[start : start + 5000]
                ColourChange.objects.filter(person_id__in=chunk, at__gte=self.now).delete()
            Counter.objects.filter(
                metric__in=["stays_in_site", "stays_home", "rooms_free"]
            ).delete()
            Counter.objects.bulk_create(Counter(**row) for row in saved_counters)
        # The audit log is append-only: the benchmark's lines stay, under its own user.


if __name__ == "__main__":
    # Only as the runner's child: `python -m benchmarks.bench_quarantine --child N --runs R`.
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, metavar="STAYS", required=True)
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()
    _child(options.child, options.runs)
