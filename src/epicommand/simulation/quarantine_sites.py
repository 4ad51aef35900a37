"""Quarantine sites of the demo city, filled from its population (`epicommand
seed-quarantine`): six sites around Gaocheng, the epicentre (a Huangzhuang-style camp of
single rooms in Zengcun town, hotels in the county seat and nearby towns, an observation
ward at the county hospital) and a hotel in Chang'an.

Who is put in them: persons with an open close-contact fact and no stay, if tracing has
recorded any; else the residents of Xiaoguozhuang village (130109104201) and then others
of Zengcun town, as "from a high-risk area" (in January 2021 the village was moved to
centralized quarantine whole). Their stays began over the last two weeks, so the room
boards have life: today's still in transfer, the earliest already served, tested negative
and released into home monitoring; a few rooms are being cleaned or out of service.
Everything goes through the quarantine services with the demo accounts (site set-up by
the Gaocheng command office, stays by the Gaocheng site staff), so counters, facts,
health codes and the audit log are those of real work. The same seed gives the same
demo."""

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from epicommand.control.models import FactKind, HealthFact
from epicommand.core.models import Unit, User
from epicommand.people.models import Person
from epicommand.quarantine.models import ACTIVE_STAY_STATUSES, Room, Site, Stay, StayTest
from epicommand.quarantine.services import releases, stay_batches
from epicommand.quarantine.services import sites as site_services

XIAOGUOZHUANG = "130109104201"
ZENGCUN = "130109104"
GAOCHENG, CHANGAN = "130109", "130102"
# Demo accounts (simulation/accounts.py) that act.
ACCOUNTS = ("gaocheng_office", "gaocheng_quarantine", "changan_office", "changan_quarantine")
# Stays began over this many days; the earliest are released into home monitoring.
DAYS = 16


@dataclass(frozen=True)
class SitePlan:
    name: str
    kind: str
    region: str
    address: str
    latitude: float
    longitude: float
    # (building, first floor, last floor, rooms per floor, kind, beds)
    blocks: tuple[tuple[str, int, int, int, str, int], ...]
    fill: float  # share of its rooms given to Gaocheng's persons (Chang'an's: its own)


S, F = Room.Kind.SINGLE, Room.Kind.FAMILY
SITES = (
    SitePlan(
        "黄庄集中隔离点",
        Site.Kind.CAMP,
        "130109104",
        "藁城区增村镇黄庄村东（集中隔离营地）",
        38.063,
        114.934,
        (("A", 1, 2, 50, S, 1), ("B", 1, 2, 50, S, 1), ("C", 1, 2, 50, S, 1)),
        0.8,
    ),
    SitePlan(
        "藁城宾馆",
        Site.Kind.HOTEL,
        "130109100",
        "藁城区廉州镇廉州东路 98 号",
        38.027,
        114.851,
        (("", 2, 6, 12, S, 1), ("", 7, 7, 6, F, 3)),
        0.7,
    ),
    SitePlan(
        "廉州大酒店",
        Site.Kind.HOTEL,
        "130109100",
        "藁城区廉州镇府前街 12 号",
        38.021,
        114.846,
        (("", 2, 5, 10, S, 1),),
        0.7,
    ),
    SitePlan(
        "兴安商务酒店",
        Site.Kind.HOTEL,
        "130109101",
        "藁城区兴安镇兴安大街 36 号",
        38.061,
        114.792,
        (("", 2, 5, 10, S, 1),),
        0.6,
    ),
    SitePlan(
        "贾市庄快捷酒店",
        Site.Kind.HOTEL,
        "130109102",
        "藁城区贾市庄镇 307 国道旁",
        37.981,
        114.883,
        (("", 2, 4, 10, S, 1),),
        0.0,  # kept free: the reserve the forecast counts on
    ),
    SitePlan(
        "藁城区人民医院留观病区",
        Site.Kind.WARD,
        "130109100",
        "藁城区廉州镇军兴路 11 号 3 号楼",
        38.024,
        114.857,
        (("3", 4, 4, 16, S, 1),),
        0.5,
    ),
    SitePlan(
        "长安区建北宾馆",
        Site.Kind.HOTEL,
        "130102001",
        "长安区建北街道建设北大街 66 号",
        38.064,
        114.522,
        (("", 3, 6, 10, S, 1),),
        0.0,
    ),
)
# Chang'an lodges a few inbound travellers of its own.
CHANGAN_INBOUND = 18


class CityMissing(Exception):
    """The demo city or its demo accounts are missing."""


class QuarantineAlreadySeeded(Exception):
    pass


@dataclass
class Counts:
    sites: int = 0
    rooms: int = 0
    stays: int = 0
    in_transfer: int = 0
    home: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def sites_exist() -> bool:
    return Site.objects.exists()


def seed_quarantine(seed: str = "2021", *, progress=lambda _line: None) -> Counts:
    started = time.perf_counter()
    if sites_exist():
        raise QuarantineAlreadySeeded
    users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
    if missing := [name for name in ACCOUNTS if name not in users]:
        raise CityMissing(f"demo accounts {', '.join(missing)}")
    rng = random.Random(f"quarantine-{seed}")
    now = timezone.now()
    counts = Counts()
    with transaction.atomic():
        mark = time.perf_counter()
        sites = _set_up_sites(users, counts)
        counts.timings["sites"] = time.perf_counter() - mark
        mark = time.perf_counter()
        progress(f"  {counts.sites} sites, {counts.rooms} rooms; lodging persons ...")
        _lodge(users, sites, rng, now, counts)
        counts.timings["stays"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _results_and_releases(users, sites, rng, now, counts)
        counts.timings["releases"] = time.perf_counter() - mark
    counts.seconds = time.perf_counter() - started
    return counts


def _set_up_sites(users, counts: Counts) -> dict[str, Site]:
    sites = {}
    for plan in SITES:
        county = plan.region[:6]
        office = users["gaocheng_office" if county == GAOCHENG else "changan_office"]
        manager = users["gaocheng_quarantine" if county == GAOCHENG else "changan_quarantine"]
        unit = Unit.objects.filter(region_id=county, kind=Unit.Kind.HEALTH_COMMISSION).first()
        if unit is None:
            raise CityMissing(f"the health commission of {county}")
        site = site_services.create_site(
            office,
            name=plan.name,
            kind=plan.kind,
            region_id=plan.region,
            address=plan.address,
            latitude=plan.latitude,
            longitude=plan.longitude,
            unit_id=unit.pk,
            manager_id=manager.pk,
            manager_phone="1390311" + f"{len(sites):04d}",
        )
        for building, first, last, per_floor, kind, beds in plan.blocks:
            counts.rooms += site_services.add_rooms(
                office,
                site,
                building=building,
                floor_from=first,
                floor_to=last,
                rooms_per_floor=per_floor,
                kind=kind,
                beds=beds,
            )
        sites[plan.name] = site
        counts.sites += 1
    return sites


def _candidates(limit: int) -> list[tuple[Person, str]]:
    """(person, reason): open close contacts not yet in a stay, else Xiaoguozhuang's
    residents and then Zengcun town's, from a high-risk area."""
    in_stay = Stay.objects.filter(status__in=ACTIVE_STAY_STATUSES).values("person_id")
    contacts = (
        HealthFact.objects.in_region(GAOCHENG)
        .filter(kind=FactKind.CLOSE_CONTACT, ended_at__isnull=True)
        .exclude(person_id__in=in_stay)
        .values_list("person_id", flat=True)
        .distinct()[:limit]
    )
    persons = list(Person.objects.filter(pk__in=list(contacts)).order_by("pk"))
    if persons:
        return [(p, Stay.Reason.CLOSE_CONTACT) for p in persons]
    village = list(Person.objects.filter(region_id=XIAOGUOZHUANG).order_by("household_id", "pk"))
    town = list(
        Person.objects.in_region(ZENGCUN)
        .exclude(region_id=XIAOGUOZHUANG)
        .exclude(pk__in=in_stay)
        .order_by("household_id", "pk")[: max(limit - len(village), 0)]
    )
    return [(p, Stay.Reason.HIGH_RISK_AREA) for p in (village + town)[:limit]]


def _lodge(users, sites: dict[str, Site], rng, now, counts: Counts) -> None:
    plans = [p for p in SITES if p.fill and p.region[:6] == GAOCHENG]
    wanted = [int(Room.objects.filter(site=sites[p.name]).count() * p.fill) for p in plans]
    candidates = _candidates(sum(wanted))
    staff = users["gaocheng_quarantine"]
    cut = 0
    for plan, n in zip(plans, wanted, strict=True):
        group, cut = candidates[cut : cut + n], cut + n
        if group:
            _assign(staff, sites[plan.name], group, rng, now, counts)
    inbound = list(Person.objects.in_region(CHANGAN).order_by("pk")[:CHANGAN_INBOUND])
    _assign(
        users["changan_quarantine"],
        sites["长安区建北宾馆"],
        [(p, Stay.Reason.INBOUND) for p in inbound],
        rng,
        now,
        counts,
    )


def _assign(staff, site: Site, group, rng, now, counts: Counts) -> None:
    items = []
    for person, reason in group:
        days_ago = rng.randrange(DAYS)
        started = now - timedelta(
            days=days_ago, hours=rng.randrange(1, 10), minutes=rng.randrange(60)
        )
        started = min(started, now - timedelta(minutes=30))
        in_transfer = days_ago == 0 and rng.random() < 0.5
        items.append(
            {
                "client_id": f"demo-stay-{person.pk}",
                "person_id": person.pk,
                "reason": reason,
                "started_at": started,
                "pickup_address": person.address or "",
                "vehicle": f"冀A·Z{rng.randrange(1000, 9999)}",
                "pickup_at": started,
                "arrived_at": None
                if in_transfer
                else min(started + timedelta(hours=1, minutes=20), now - timedelta(minutes=1)),
            }
        )
        counts.in_transfer += in_transfer
    for start in range(0, len(items), stay_batches.MAX_BATCH):
        chunk = items[start : start + stay_batches.MAX_BATCH]
        counts.stays += stay_batches.assign_batch(staff, site, chunk, now=now).accepted


def _results_and_releases(users, sites, rng, now, counts: Counts) -> None:
    """The lab's results of the tests due before today (negative: the demo's sites had
    no positive), written as the testing module delivers them; then the stays whose
    centralized part is served leave for home monitoring, and some of their rooms are
    cleaned; a few rooms are out of service."""
    today = timezone.localdate(now)
    due = StayTest.objects.filter(due_on__lt=today, stay__site__isnull=False)
    due.update(result=StayTest.Result.NEGATIVE, resulted_at=now - timedelta(hours=2))
    # "Double sample, double test": the release sample read with another reagent.
    StayTest.objects.filter(due_on__lt=today, phase=StayTest.Phase.RELEASE).update(reagent="B")
    StayTest.objects.filter(due_on__lt=today, phase=StayTest.Phase.SITE).update(reagent="A")
    served = Stay.objects.filter(status=Stay.Status.IN_SITE, planned_site_end__lte=today)
    for stay in served.select_related("person", "site", "room").order_by("pk"):
        staff = users[
            "gaocheng_quarantine" if stay.region_id[:6] == GAOCHENG else "changan_quarantine"
        ]
        # Today's tests of the day the centralized part ends, read this morning.
        StayTest.objects.filter(stay=stay, due_on__lte=today).exclude(
            phase=StayTest.Phase.HOME
        ).update(result=StayTest.Result.NEGATIVE, resulted_at=now - timedelta(hours=1))
        if releases.release_problems(stay, today):
            continue
        releases.release_from_site(staff, stay, at=now - timedelta(minutes=30))
        counts.home += 1
    cleaning = list(Room.objects.filter(status=Room.Status.CLEANING).order_by("pk"))
    for room in cleaning[: len(cleaning) // 2]:
        site_services.set_room_status(
            users[
                "gaocheng_quarantine" if room.region_id[:6] == GAOCHENG else "changan_quarantine"
            ],
            room,
            Room.Status.FREE,
            reason="消杀完成",
        )
    for site in sites.values():
        free = list(Room.objects.filter(site=site, status=Room.Status.FREE).order_by("-pk")[:1])
        if free and site.kind != Site.Kind.WARD:
            office = users[
                "gaocheng_office" if site.region_id[:6] == GAOCHENG else "changan_office"
            ]
            site_services.set_room_status(
                office, free[0], Room.Status.OUT_OF_SERVICE, reason="设施维修"
            )
