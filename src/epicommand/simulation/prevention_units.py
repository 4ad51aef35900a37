"""The demo's routine prevention: 3,000 units (the city's markets, supermarkets, schools,
hospitals, stations, factories and offices as places; care homes, childcare, villages and
communities by region) with a month of inspections at their category's rhythm, some items
failing (a photo each), most rectified by a re-inspection within days, a few still open and
some of those past their deadline. Written in bulk as the services would have left it."""

import random
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from epicommand.core import counters, policy
from epicommand.core.models import Region, Role, User
from epicommand.places.models import Venue
from epicommand.prevention.models import (
    Inspection,
    InspectionPhoto,
    PreventionUnit,
    Rectification,
)

K = Venue.Kind
# The category of a unit over a place of each kind.
VENUE_CATEGORIES = {
    K.MARKET: "market",
    K.SUPERMARKET: "supermarket",
    K.SCHOOL: "school",
    K.HOSPITAL: "hospital",
    K.TRANSPORT_HUB: "station",
    K.FACTORY: "enterprise",
    K.OFFICE: "government_office",
    K.HOTEL: "enterprise",
    K.RESIDENTIAL_COMPOUND: "community",
}
# Units without a place of their own, by region: (category, name suffix).
REGION_UNITS = (
    ("community", "村（社区）防控点"),
    ("care_home", "敬老院"),
    ("childcare", "幼儿园"),
    ("enterprise", "食品加工厂"),
    ("government_office", "便民服务中心"),
)
ITEM_FAILS = 0.035  # each item, each inspection
RECTIFIED = 0.85  # a re-inspection finds it put right
DEMO_PHOTO = "prevention/photos/demo-evidence.png"
# A 16 x 16 grey PNG: the evidence of every seeded failure.
PNG_16 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000100000001008000000003a98a0bd"
    "0000000f49444154789c636840030c235b0000050c80015a48e5cd0000000049454e44ae426082"
)


@dataclass
class Seeded:
    units: int = 0
    inspections: int = 0
    rectifications: int = 0
    open_rectifications: int = 0
    overdue: int = 0


def seeded() -> bool:
    return PreventionUnit.objects.exists()


def _inspectors() -> dict[str, User]:
    """An inspector per county (its community worker, else its office); the city office
    for the rest."""
    found: dict[str, User] = {}
    rank = {Role.COMMUNITY_WORKER: 0, Role.COUNTY_OFFICE: 1, Role.CITY_OFFICE: 2}
    for user in User.objects.filter(role__in=list(rank), is_active=True).order_by("pk"):
        key = user.scope_region_id[:6] if user.role != Role.CITY_OFFICE else "city"
        if key not in found or rank[user.role] < rank[found[key].role]:
            found[key] = user
    return found


def _plan_units(rng: random.Random, total: int, now: datetime) -> list[PreventionUnit]:
    venues = list(
        Venue.objects.filter(kind__in=list(VENUE_CATEGORIES)).order_by("pk")[: total * 2 // 3]
    )
    villages = list(
        Region.objects.filter(level=Region.Level.VILLAGE)
        .order_by("code")
        .values_list("code", "name")
    )
    units = [
        PreventionUnit(
            name=v.name[:150],
            category=VENUE_CATEGORIES[v.kind],
            region_id=v.region_id,
            venue=v,
            responsible_name=f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('经理主任校长院长站长')}",
            responsible_phone=f"138{rng.randrange(10**8):08d}",
            next_due_at=now,
            registered_at=now - timedelta(days=45),
        )
        for v in venues
    ]
    while len(units) < total and villages:
        code, name = rng.choice(villages)
        category, suffix = rng.choice(REGION_UNITS)
        units.append(
            PreventionUnit(
                name=f"{name}{suffix}"[:150],
                category=category,
                region_id=code,
                responsible_name=f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('书记主任院长厂长')}",
                responsible_phone=f"139{rng.randrange(10**8):08d}",
                next_due_at=now,
                registered_at=now - timedelta(days=45),
            )
        )
    return units


@transaction.atomic
def seed_prevention(
    seed: str = "2021", *, units: int = 3000, days: int = 30, now: datetime | None = None
) -> Seeded:
    now = now or timezone.now()
    rng = random.Random(f"prevention-{seed}")
    rules = policy.active().prevention
    inspectors = _inspectors()
    if not inspectors:
        raise LookupError("no inspector account: run demo-accounts first")
    made = PreventionUnit.objects.bulk_create(_plan_units(rng, units, now), batch_size=2000)
    if not default_storage.exists(DEMO_PHOTO):
        default_storage.save(DEMO_PHOTO, ContentFile(PNG_16))
    plans: list[tuple[PreventionUnit, Inspection, list[str]]] = []
    for unit in made:
        inspector = inspectors.get(unit.region_id[:6]) or next(iter(inspectors.values()))
        checklist = rules.category(unit.category).checklist
        interval = rules.interval_days(unit.category, "low")
        at = now - timedelta(days=days) + timedelta(hours=rng.uniform(0, 24 * interval))
        while at < now:
            failed = [item.code for item in checklist if rng.random() < ITEM_FAILS]
            score = round(100 * (len(checklist) - len(failed)) / len(checklist))
            inspection = Inspection(
                unit=unit,
                region_id=unit.region_id,
                inspector=inspector,
                inspected_at=at,
                risk_level="low",
                items=[
                    {"code": i.code, "label": str(i.label), "passed": i.code not in failed}
                    for i in checklist
                ],
                failed=len(failed),
                score=score,
            )
            plans.append((unit, inspection, failed))
            # A failure is re-inspected within a few days; else the regular rhythm.
            step = rng.uniform(1, 4) if failed else interval * rng.uniform(0.8, 1.1)
            at += timedelta(days=step)
    Inspection.objects.bulk_create([p[1] for p in plans], batch_size=2000)
    return _rectify(plans, made, now, rules, rng)


def _rectify(plans, made, now, rules, rng) -> Seeded:
    result = Seeded(units=len(made), inspections=len(plans))
    photos, rectifications = [], []
    open_by_unit: dict[int, Rectification] = {}
    last: dict[int, Inspection] = {}
    for unit, inspection, failed in plans:
        current = open_by_unit.get(unit.pk)
        if current is not None:
            if not failed and rng.random() < RECTIFIED:
                current.status, current.closed_by, current.closed_at = (
                    Rectification.Status.CLOSED,
                    inspection,
                    inspection.inspected_at,
                )
                del open_by_unit[unit.pk]
        elif failed:
            current = Rectification(
                unit=unit,
                region_id=unit.region_id,
                opened_by=inspection,
                items=failed,
                responsible_name=unit.responsible_name,
                responsible_phone=unit.responsible_phone,
                opened_at=inspection.inspected_at,
                deadline=inspection.inspected_at + timedelta(days=rules.rectification_days),
            )
            rectifications.append(current)
            open_by_unit[unit.pk] = current
        for code in failed:
            photos.append(
                InspectionPhoto(
                    inspection=inspection,
                    item=code,
                    file=DEMO_PHOTO,
                    content_type="image/png",
                    width=16,
                    height=16,
                )
            )
        last[unit.pk] = inspection
    Rectification.objects.bulk_create(rectifications, batch_size=2000)
    InspectionPhoto.objects.bulk_create(photos, batch_size=2000)
    for unit in made:
        seen = last.get(unit.pk)
        if seen is None:
            continue
        unit.score = seen.score
        unit.last_inspected_at = seen.inspected_at
        unit.next_due_at = seen.inspected_at + timedelta(
            days=rules.interval_days(unit.category, "low")
        )
        unit.open_rectifications = int(unit.pk in open_by_unit)
    PreventionUnit.objects.bulk_update(
        made, ["score", "last_inspected_at", "next_due_at", "open_rectifications"], 2000
    )
    _count(plans, open_by_unit.values(), now)
    result.rectifications = len(rectifications)
    result.open_rectifications = len(open_by_unit)
    result.overdue = sum(1 for r in open_by_unit.values() if r.deadline < now)
    return result


def _count(plans, still_open, now) -> None:
    """The dashboard's counters, as the services would have bumped them."""
    flows = Tally(
        (inspection.region_id, timezone.localdate(inspection.inspected_at))
        for _unit, inspection, _failed in plans
    )
    counters.add_flows("prevention_inspections", dict(flows))
    stock = Tally(r.region_id for r in still_open)
    today = timezone.localdate(now)
    for region, n in sorted(stock.items()):
        counters.bump("rectifications_open", region, n, day=today)
