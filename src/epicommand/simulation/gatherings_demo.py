"""The demo's gatherings (`epicommand seed-gatherings`): a month of applications of every kind
across the counties, filed and decided through the real services at the moments they would
have been (each service takes `now`), with the wartime state declared a third of the way in,
so the later large events and weddings are refused by it; and 30 tourist sites with last
weekend's slots, bookings, entries and exits, and bookings for the days ahead."""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from epicommand.core.access import region_q
from epicommand.core.models import Region, Role, Unit, User
from epicommand.gatherings.models import Application, Kind, Stage, TouristSite
from epicommand.gatherings.queries import SiteConditions
from epicommand.gatherings.services import applications, approvals, bookings, sites, wartime
from epicommand.people.models import Person
from epicommand.places.models import Venue

from .accounts import DEMO_PASSWORD

SITE_NAMES = (
    "赵州桥", "正定古城", "抱犊寨", "封龙山", "嶂石岩", "西柏坡", "天桂山", "驼梁",
    "五岳寨", "苍岩山", "毗卢寺", "隆兴寺", "荣国府", "滹沱河生态区", "石家庄动物园",
    "植物园", "水上公园", "河北博物院", "于家石头村", "仙台山", "秋山", "白鹿温泉",
    "九龙峡", "沕沕水", "紫云山", "王母山", "灵寿秋山", "鹿泉山", "海山公园", "太平河",
)  # fmt: skip
MEETING_PURPOSES = ("村民代表会议", "企业年会", "培训会", "招聘会", "文艺演出", "体育比赛")
DESTINATIONS = ("新加坡", "德国", "日本", "美国", "澳大利亚", "泰国")


class GatheringsAlreadySeeded(Exception):
    pass


@dataclass
class Seeded:
    applications: dict[str, int] = field(default_factory=dict)
    refused_by_wartime: int = 0
    sites: int = 0
    bookings: int = 0
    entries: int = 0
    accounts: list[str] = field(default_factory=list)


def seeded() -> bool:
    return Application.objects.exists() or TouristSite.objects.exists()


def _account(username, role, scope, unit, password) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"role": role, "scope_region": scope, "unit": unit, "password": password},
    )
    return user


def _unit(kind, region, name) -> Unit:
    return Unit.objects.get_or_create(kind=kind, region=region, defaults={"name": name})[0]


def seed_gatherings(seed: str = "2021", *, now: datetime | None = None) -> Seeded:
    if seeded():
        raise GatheringsAlreadySeeded
    rng = random.Random(f"gatherings-{seed}")
    now = (now or timezone.now()).replace(microsecond=0)
    city = Region.objects.get(level=Region.Level.CITY)
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    password = make_password(DEMO_PASSWORD)
    done = Seeded()
    office = User.objects.filter(role=Role.CITY_OFFICE, scope_region=city).first()
    if office is None:
        office = _account("city_office", Role.CITY_OFFICE, city, None, password)
    foreign = _account(
        "city_foreign_affairs",
        Role.DEPARTMENT_OFFICER,
        city,
        _unit(Unit.Kind.FOREIGN_AFFAIRS, city, "外事办公室"),
        password,
    )
    police = _account(
        "city_police",
        Role.DEPARTMENT_OFFICER,
        city,
        _unit(Unit.Kind.PUBLIC_SECURITY, city, "公安局"),
        password,
    )
    tourism = _account(
        "city_tourism",
        Role.DEPARTMENT_OFFICER,
        city,
        _unit(Unit.Kind.OTHER, city, "文化广电和旅游局"),
        password,
    )
    done.accounts = [office.username, foreign.username, police.username, tourism.username]
    month_start = now - timedelta(days=30)
    war_from = month_start + timedelta(days=10)
    wartime.declare(office, in_force_from=war_from, reason="全市进入战时状态", now=war_from)
    with transaction.atomic():
        for county in counties:
            _county_month(rng, county, month_start, now, password, foreign, police, done)
        done.refused_by_wartime = Application.objects.filter(
            wartime=True, status=Application.Status.REFUSED
        ).count()
        _tourist_sites(rng, counties, tourism, now, password, done)
    return done


def _county_month(rng, county, month_start, now, password, foreign, police, done) -> None:
    township = Region.objects.filter(parent=county).order_by("code").first()
    village = Region.objects.filter(parent=township).order_by("code").first() if township else None
    if village is None:
        return
    short = county.code
    village_user = _account(f"g{short}_village", Role.COMMUNITY_WORKER, village, None, password)
    township_user = _account(f"g{short}_township", Role.COMMUNITY_WORKER, township, None, password)
    employer = _unit(Unit.Kind.EDUCATION, county, f"{county.name}教育局")
    county_user = _account(f"g{short}_office", Role.COUNTY_OFFICE, county, employer, password)
    done.accounts += [village_user.username, township_user.username, county_user.username]
    venue = Venue.objects.filter(region=village).first() or Venue.objects.create(
        name=f"{village.name}礼堂",
        kind=Venue.Kind.OFFICE,
        address=village.name,
        region=village,
        latitude=38.04 + rng.uniform(-0.3, 0.3),
        longitude=114.5 + rng.uniform(-0.4, 0.4),
    )
    people = _residents(county, 400)
    if len(people) < 40:
        return
    deciders = {"village": village_user, "township": township_user, "county": county_user}
    deciders |= {f"unit:{foreign.unit_id}": foreign, f"unit:{police.unit_id}": police}
    for day in range(0, 30, 3):
        filed = month_start + timedelta(days=day, hours=rng.randint(8, 17))
        start = datetime.combine(
            timezone.localdate(filed) + timedelta(days=rng.randint(2, 6)),
            time(rng.choice((9, 10, 14, 19))),
            tzinfo=timezone.get_current_timezone(),
        )
        kind = (Kind.MEETING, Kind.MEETING, Kind.WEDDING, Kind.FUNERAL, Kind.ABROAD)[day % 5]
        try:
            application = _file(rng, kind, county_user, village, venue, people, filed, start)
        except ValidationError:
            continue
        done.applications[kind] = done.applications.get(kind, 0) + 1
        _decide(rng, application, deciders, filed, now)


def _residents(county, limit: int) -> list[Person]:
    """Residents of the county holding an ID card (a passport holder books by passport)."""
    rows = Person.objects.filter(region_q(county.code, "region_id")).order_by("pk")[: limit * 2]
    return [p for p in rows if p.id_number][:limit]


def _file(rng, kind, actor, village, venue, people, filed, start):
    if kind == Kind.MEETING:
        listed = rng.sample(people, rng.randint(8, 30))
        headcount = rng.choice((len(listed), 80, 120, 200, 350))
        return applications.file_meeting(
            actor,
            organizer=f"{village.name}委员会",
            purpose=rng.choice(MEETING_PURPOSES),
            venue=venue,
            starts_at=start,
            ends_at=start + timedelta(hours=rng.choice((1, 2, 3))),
            headcount=max(headcount, len(listed)),
            attendees=[{"name": p.name, "id_number": p.id_number} for p in listed],
            now=filed,
        )
    if kind in (Kind.WEDDING, Kind.FUNERAL):
        return applications.file_family_event(
            actor,
            kind=kind,
            organizer=f"{rng.choice(people).name[:1]}家",
            purpose="婚礼" if kind == Kind.WEDDING else "丧事",
            region_code=village.code,
            starts_at=start,
            ends_at=start + timedelta(hours=rng.choice((4, 8, 30))),
            headcount=rng.choice((15, 20, 40, 80)),
            now=filed,
        )
    traveller = rng.choice(people)
    return applications.file_abroad(
        actor,
        document=traveller.id_number,
        purpose=rng.choice(("学术交流", "商务考察", "探亲")),
        destination=rng.choice(DESTINATIONS),
        starts_at=start + timedelta(days=10),
        ends_at=start + timedelta(days=24),
        now=filed,
    )


def _decide(rng, application, deciders, filed, now) -> None:
    """Each stage decided a few hours to two days after it opened; some refused, some left
    waiting (the latest, or one overdue)."""
    at = filed
    for stage in application.stages.order_by("order"):
        at += timedelta(hours=rng.randint(2, 40))
        if at >= now or rng.random() < 0.1:
            return  # still awaiting (and some of them overdue)
        stage = Stage.objects.get(pk=stage.pk)
        approve = rng.random() > 0.12
        note = "" if approve else "防控要求，请压缩规模"
        decider = deciders.get(stage.approver)
        if stage.unit_id is not None:
            decider = _unit_officer(stage.unit, deciders)
        approvals.decide(decider, stage, approve=approve, note=note, now=at)
        if not approve:
            return


def _unit_officer(unit: Unit, deciders: dict) -> User:
    """The officer of a unit deciding its stages (made once, with the demo password)."""
    key = f"unit:{unit.pk}"
    if key not in deciders:
        password = deciders["village"].password
        deciders[key] = _account(
            f"g_unit_{unit.pk}", Role.DEPARTMENT_OFFICER, unit.region, unit, password
        )
    return deciders[key]


def _tourist_sites(rng, counties, tourism, now, password, done) -> None:
    conditions = None
    today = timezone.localdate(now)
    saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    friday = datetime.combine(
        saturday - timedelta(days=1), time(12), tzinfo=timezone.get_current_timezone()
    )
    for i, name in enumerate(SITE_NAMES):
        county = counties[i % len(counties)]
        township = Region.objects.filter(parent=county).order_by("code").first() or county
        site = sites.create_site(
            tourism,
            name=name,
            region_code=township.code,
            latitude=38.04 + rng.uniform(-0.5, 0.5),
            longitude=114.5 + rng.uniform(-0.6, 0.6),
            max_capacity=rng.choice((40, 60, 80, 120)),
        )
        done.sites += 1
        gate = _account(f"gate_{site.pk}", Role.CHECKPOINT_OFFICER, county, None, password)
        conditions = conditions or SiteConditions()
        visitors = _residents(county, 300)
        for day in (saturday, saturday + timedelta(days=1)):
            first = datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())
            slots = sites.add_slots(
                tourism, site, first_start=first, minutes=240, count=2, now=friday
            )
            for slot in slots:
                _weekend_slot(rng, slot, visitors, gate, conditions, friday, done)
        ahead = datetime.combine(
            today + timedelta(days=1), time(9), tzinfo=timezone.get_current_timezone()
        )
        for slot in sites.add_slots(
            tourism, site, first_start=ahead, minutes=120, count=4, now=now
        ):
            for person in rng.sample(visitors, min(len(visitors), rng.randint(0, 12))):
                try:
                    bookings.book(person, slot, now=now, conditions=conditions)
                    done.bookings += 1
                except ValidationError:
                    pass


def _weekend_slot(rng, slot, visitors, gate, conditions, friday, done) -> None:
    cap = conditions.of(slot.site).cap
    # A sample of the weekend's visitors: enough for the board and the trails, quick to seed.
    chosen = rng.sample(visitors, min(len(visitors), cap, rng.randint(4, 12)))
    booked = []
    for person in chosen:
        try:
            bookings.book(person, slot, now=friday, conditions=conditions)
        except ValidationError:
            continue
        booked.append(person)
        done.bookings += 1
    for person in booked:
        if rng.random() < 0.15:
            continue  # did not come
        at = slot.starts_at + timedelta(minutes=rng.randint(0, 60))
        temperature = Decimal("37.6") if rng.random() < 0.02 else Decimal("36.5")
        passage, _p = bookings.enter(
            gate, slot.site, document=person.id_number, temperature=temperature, now=at
        )
        if passage.admitted:
            done.entries += 1
            bookings.leave(
                gate, slot.site, document=person.id_number, now=at + timedelta(minutes=90)
            )
