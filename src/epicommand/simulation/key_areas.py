"""`epicommand seed-control`: key-area control in the demo city (after seed-city and
demo-accounts). A week of place-code scans by every person, checkpoints on the main roads
out of Gaocheng and at three of its markets with the passages through them, and Zengcun
town designated a high-risk area by the city command office.

The week is simulated by simulation.movements. Scans and the passages older than a day
go through core.bulk, as seed-city's persons do (client ids `demo-<seed>-<n>`, the scan
table's secondary indexes built once at the end, counters bumped once per county and
day), with the health-code facts and priority-testing lines a fever brings, keyed as the
checkpoint service keys them. The last day's passages go through the checkpoint service
itself, the checkpoints are set up and the risk area designated through theirs, so the
residents' and visitors' codes turn red as they would on the platform."""

import time
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from epicommand.control.models import (
    Checkpoint,
    FactKind,
    Passage,
    RiskArea,
    RiskLevel,
    Scan,
    Verdict,
)
from epicommand.control.services import checkpoints, healthcode, risk
from epicommand.core import audit, counters, followups, policy
from epicommand.core.bulk import bulk_insert, chunks
from epicommand.core.models import Region, Unit, User
from epicommand.people.models import Person
from epicommand.places.models import Venue
from epicommand.testing.models import PriorityTest

from . import loading
from .geography import CITY_CODE
from .movements import GAOCHENG, CityMissing, Crossing, Station, Week, bearing

K = Venue.Kind
U = Unit.Kind
ZENGCUN = "130109104"
# Demo accounts (simulation/accounts.py): the city office sets up checkpoints and designates
# the risk area; Gaocheng's checkpoint officer records passages.
ACCOUNTS = ("city_office", "gaocheng_checkpoint")
# Passages this recent go through the checkpoint service, as a device sends them.
SERVICE_SPAN = timedelta(hours=24)


@dataclass(frozen=True)
class Post:
    """A checkpoint on a road out of Gaocheng: where it stands and who staffs it (unit
    kinds of Gaocheng; a township government is the one of the township it stands in)."""

    name: str
    kind: str
    road: str
    township: str
    latitude: float
    longitude: float
    staffed_by: tuple[str, ...]


ROAD, EXIT = Checkpoint.Kind.ROAD, Checkpoint.Kind.HIGHWAY_EXIT
PS, TR, TG = U.PUBLIC_SECURITY, U.TRANSPORT, U.TOWNSHIP_GOVERNMENT
ROAD_POSTS = [
    Post("石黄高速藁城收费站", EXIT, "石黄高速", "廉州镇", 38.058, 114.868, (PS, TR)),
    Post("青银高速藁城南收费站", EXIT, "青银高速", "南营镇", 37.936, 114.842, (PS, TR)),
    Post("307国道藁城西卡口", ROAD, "307国道", "西关镇", 38.021, 114.728, (PS, TR)),
    Post("307国道藁城东卡口", ROAD, "307国道", "兴安镇", 38.034, 114.972, (PS, TR)),
    Post("藁无公路南董卡口", ROAD, "藁无公路", "南董镇", 38.128, 114.896, (PS, TG)),
    Post("正藁公路九门卡口", ROAD, "正藁公路", "九门回族乡", 38.098, 114.752, (PS, TG)),
    Post("藁辛公路南孟卡口", ROAD, "藁辛公路", "南孟镇", 37.938, 114.948, (PS, TG)),
    Post("藁栾公路丘头卡口", ROAD, "藁栾公路", "丘头镇", 37.952, 114.764, (PS, TG)),
]
# Where each road leads: the counties a traveller between them and Gaocheng comes through
# it from. A county no road names takes the road checkpoint lying towards it.
LEADS_TO = {
    "石黄高速藁城收费站": "130102 130104 130105 130108 130110 130183 130181 130128",
    "青银高速藁城南收费站": "130108 130104 130111 130132 130127 130129 130181",
    "307国道藁城西卡口": "130102 130104 130105 130108 130110 130107 130121 130131",
    "307国道藁城东卡口": "130183 130181 130128",
    "藁无公路南董卡口": "130130 130128 130184",
    "正藁公路九门卡口": "130123 130105 130184 130125 130126",
    "藁辛公路南孟卡口": "130181 130133 130183",
    "藁栾公路丘头卡口": "130111 130133 130132 130108",
}
# Townships whose market gets a temperature check at its entrance: the county seat's,
# Zengcun's (the epicentre) and Xiguan's.
GUARDED_MARKETS = ("廉州镇", "增村镇", "西关镇")
MARKET_STAFF = (U.MARKET_REGULATION, TG)

SCAN_COLUMNS = (
    "client_id",
    "person_id",
    "venue_id",
    "region_id",
    "scanned_at",
    "colour",
    "method",
    "recorded_at",
)
PASSAGE_COLUMNS = (
    "client_id",
    "checkpoint_id",
    "region_id",
    "person_id",
    "passed_at",
    "direction",
    "temperature",
    "plate",
    "vehicle_people",
    "colour",
    "verdict",
    "reasons",
    "recorded_by_id",
    "recorded_at",
)
PRIORITY_COLUMNS = (
    "person_id",
    "region_id",
    "reason",
    "detail",
    "source_key",
    "listed_at",
    "deadline",
    "sampled_at",
)


class ControlAlreadySeeded(Exception):
    """The database already holds scans: the demo week is written once."""


@dataclass
class ControlCounts:
    persons: int = 0
    scans: int = 0
    checkpoints: int = 0
    passages: int = 0
    denied: int = 0
    fevers: int = 0
    risk_residents: int = 0
    risk_visitors: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def scans_exist() -> bool:
    return Scan.objects.exists()


def seed_control(
    seed,
    *,
    days: int = 7,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> ControlCounts:
    """Write the demo week ending `now` into a database holding the demo city and its
    demo accounts, and no scans yet."""
    now = now or timezone.now()
    counts = ControlCounts()
    clock = _Clock(counts.timings)
    # The demo's changes and their follow-ups (codes recomputed) happen in order, at once.
    with transaction.atomic(), loading.sqlite_load_cache(), followups.inline():
        if Scan.objects.exists():
            raise ControlAlreadySeeded
        office, officer = _accounts()
        stations = _checkpoints(office)
        counts.checkpoints = len(stations)
        week = Week(seed, now, days, stations)
        clock.lap("setup")
        with loading.indexes_built_afterwards(Scan._meta.db_table):
            counts.scans = bulk_insert(Scan._meta.db_table, SCAN_COLUMNS, week.scans())
            clock.lap("scans")
        loading.refresh_statistics(Scan._meta.db_table)
        counts.persons = week.persons
        clock.lap("scan indexes")
        progress(f"{counts.scans:,} scans by {counts.persons:,} persons")
        counts.passages, counts.denied, counts.fevers = _write_passages(week, officer, now)
        _bump(week.tally)
        clock.lap("passages and counters")
        progress(f"{counts.passages:,} passages, {counts.denied} denied, {counts.fevers} fevers")
        area = designate_zengcun(office, week.days[0].date, now)
        touched = getattr(area, "codes_queued", None)
        counts.risk_residents = touched.residents if touched else 0
        counts.risk_visitors = touched.visitors if touched else 0
        clock.lap("risk area")
        audit.record(
            None,
            "control.demo_seeded",
            region_code=CITY_CODE,
            object_type="control.scan",
            reason=(
                f"demo week (seed {seed}): {counts.scans} scans, {counts.checkpoints} "
                f"checkpoints, {counts.passages} passages; {area.name} high risk"
            ),
        )
    clock.lap("commit")
    return counts


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def _accounts() -> tuple[User, User]:
    found = {
        u.username: u
        for u in User.objects.filter(username__in=ACCOUNTS, is_active=True).select_related(
            "scope_region"
        )
    }
    if missing := [name for name in ACCOUNTS if name not in found]:
        raise CityMissing(f"demo accounts {', '.join(missing)}")
    return found[ACCOUNTS[0]], found[ACCOUNTS[1]]


# Checkpoints ------------------------------------------------------------------------------


def _checkpoints(office: User) -> list[Station]:
    """The road checkpoints and market entrances of Gaocheng, set up by the city office
    unless they exist."""
    townships = dict(Region.objects.filter(parent_id=GAOCHENG).values_list("name", "code"))
    units = {
        (u.region_id, u.kind): u.pk
        for u in Unit.objects.filter(region_id__in=[GAOCHENG, *townships.values()])
    }
    if not townships or (GAOCHENG, PS) not in units:
        raise CityMissing("Gaocheng's townships and units")

    def staff(kinds, township):
        return [units[(township if kind == TG else GAOCHENG, kind)] for kind in kinds]

    planned = [
        dict(
            name=post.name,
            kind=post.kind,
            region_id=townships[post.township],
            road=post.road,
            latitude=post.latitude,
            longitude=post.longitude,
            unit_ids=staff(post.staffed_by, townships[post.township]),
        )
        for post in ROAD_POSTS
    ]
    for township_name in GUARDED_MARKETS:
        township = townships[township_name]
        market = Venue.objects.in_region(township).filter(kind=K.MARKET).order_by("id").first()
        if market is not None:
            planned.append(
                dict(
                    name=f"{market.name}入口",
                    kind=Checkpoint.Kind.VENUE_ENTRANCE,
                    region_id=market.region_id,
                    venue_id=market.pk,
                    latitude=market.latitude,
                    longitude=market.longitude,
                    unit_ids=staff(MARKET_STAFF, township),
                )
            )
    stations = []
    for fields in planned:
        checkpoint = Checkpoint.objects.in_region(GAOCHENG).filter(name=fields["name"]).first()
        if checkpoint is None:
            checkpoint = checkpoints.create_checkpoint(office, **fields)
        stations.append(
            Station(
                checkpoint.pk,
                checkpoint.name,
                checkpoint.kind,
                checkpoint.region_id,
                bearing(checkpoint.latitude, checkpoint.longitude),
                checkpoint.venue_id,
                checkpoint,
                tuple(LEADS_TO.get(checkpoint.name, "").split()),
            )
        )
    return stations


# Writing passages, facts, counters --------------------------------------------------------


def _write_passages(week: Week, officer: User, now: datetime) -> tuple[int, int, int]:
    """Passages older than a day in bulk, with what a fever brings (a health-code fact and
    a line on the priority-testing list, keyed as the checkpoint service keys them); the
    last day's through the checkpoint service, as Gaocheng's checkpoint officer's device
    would send them. Returns (passages, denied, fevers)."""
    crossings = sorted(week.crossings, key=lambda c: (c.at, c.station.id, c.person_id))
    for n, c in enumerate(crossings, 1):
        c.client_id = f"{week.tag}-p{n:07d}"
    recent = week.now - SERVICE_SPAN
    older = [c for c in crossings if c.at <= recent]
    written = _write_older(week, older, officer, now)
    newer = [c for c in crossings if c.at > recent]
    _send_recent(newer, officer, now)
    written += len(newer)
    fevers = sum(c.fever for c in crossings)
    return written, sum(c.verdict == Verdict.DENY for c in crossings), fevers


def _write_older(week: Week, crossings: list[Crossing], officer: User, now: datetime) -> int:
    rows = []
    for c in crossings:
        rows.append(
            (
                c.client_id,
                c.station.id,
                c.station.region_id,
                c.person_id,
                c.at,
                c.direction,
                c.temperature,
                checkpoints.normalize_plate(c.plate),
                c.vehicle_people,
                c.colour,
                c.verdict,
                c.reasons,
                officer.pk,
                c.at + timedelta(seconds=20),
            )
        )
        day = timezone.localdate(c.at.replace(tzinfo=UTC))
        county = c.station.region_id[:6]
        week.tally["passages", county, day] += 1
        if c.verdict == Verdict.DENY:
            week.tally["passages_denied", county, day] += 1
        if c.fever:
            week.tally["checkpoint_fevers", county, day] += 1
    written = bulk_insert(Passage._meta.db_table, PASSAGE_COLUMNS, rows)
    hours = timedelta(hours=policy.active().priority_test_hours)
    facts, tests = [], []
    for c in crossings:
        if not c.fever:
            continue
        detail = f"{c.temperature:.1f} °C, {c.station.name}"
        until = c.fever_until.replace(tzinfo=UTC) if c.fever_until else None
        facts.append(
            healthcode.NewFact(
                c.person_id,
                c.person_region,
                FactKind.FEVER,
                c.at.replace(tzinfo=UTC),
                until,
                f"checkpoint {c.station.id}",
                f"passage:{c.client_id}",
                detail,
            )
        )
        # Sampled within hours, and the fever is over by the result.
        sampled = c.at + (c.fever_until - c.at) / 2 if c.fever_until else None
        tests.append(
            (
                c.person_id,
                c.person_region,
                PriorityTest.Reason.CHECKPOINT_FEVER,
                detail,
                f"passage:{c.client_id}",
                c.at,
                c.at + hours,
                sampled,
            )
        )
    healthcode.record_facts(facts, now=now)
    bulk_insert(PriorityTest._meta.db_table, PRIORITY_COLUMNS, tests)
    if rows:
        audit.record(
            officer,
            "passage.batch",
            region_code=GAOCHENG,
            object_type="control.passage",
            reason=f"demo week: {written} passages recorded in bulk",
        )
    return written


def _send_recent(crossings: list[Crossing], officer: User, now: datetime) -> None:
    """The last day through the service: a vehicle with passengers as one vehicle (turned
    back whole), everyone else in device batches. The service judges again, records the
    fever facts and the priority tests, and moves the counters."""
    numbers = {}
    for chunk in chunks(sorted({c.person_id for c in crossings})):
        numbers |= dict(Person.objects.filter(pk__in=chunk).values_list("pk", "id_number"))
    items = []
    for c in crossings:
        if c.rider:
            continue
        if c.riders:
            checkpoints.record_vehicle(
                officer,
                c.station.checkpoint,
                driver=_passer(c, numbers),
                passengers=[_passer(r, numbers) for r in c.riders],
                plate=c.plate,
                direction=c.direction,
                passed_at=c.at.replace(tzinfo=UTC),
                client_id=c.client_id,
                now=now,
            )
            continue
        items.append(
            {
                "client_id": c.client_id,
                "checkpoint_id": c.station.id,
                "id_number": numbers[c.person_id],
                "temperature": str(c.temperature),
                "direction": c.direction,
                "passed_at": c.at.replace(tzinfo=UTC),
                "plate": c.plate,
                "vehicle_people": c.vehicle_people,
            }
        )
    for chunk in chunks(items, checkpoints.MAX_BATCH):
        checkpoints.record_passages(officer, chunk, now=now)


def _passer(c: Crossing, numbers: dict[int, str]) -> checkpoints.PasserIn:
    return checkpoints.PasserIn(id_number=numbers[c.person_id], temperature=str(c.temperature))


def _bump(tally: Tally) -> None:
    for (metric, county, day), n in sorted(tally.items()):
        counters.bump(metric, county, n, day=day)


# The risk area ----------------------------------------------------------------------------


def designate_zengcun(office: User, since: date, now: datetime) -> RiskArea:
    """Zengcun town high-risk, in force, designated by the city command office: the risk
    service gives its residents and recent visitors their facts, and their codes turn red.
    Left alone if Zengcun is already high-risk."""
    zengcun = Region.objects.select_related("parent").get(code=ZENGCUN)
    existing = RiskArea.objects.filter(
        regions=zengcun, status=RiskArea.Status.IN_FORCE, level=RiskLevel.HIGH
    ).first()
    if existing is not None:
        return existing
    return risk.designate(
        office,
        name=f"{zengcun.parent.name}{zengcun.name}",
        level=RiskLevel.HIGH,
        regions=[ZENGCUN],
        reason=(
            f"{since.month}月{since.day}日起连续出现本土病例，"
            "经市新冠肺炎疫情防控工作领导小组研究确定为高风险地区"
        ),
        rule=RiskArea.Rule.MANUAL,
        confirm=True,
        now=now,
    )
