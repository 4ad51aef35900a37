"""Mass testing on the demo city (`epicommand seed-testing`): sampling sites (two per
township), the labs (the city lab, a lab per county, the mobile air-dome lab of 100,000
tubes a day), a fever clinic per county with the last two days' visits, a finished round 1
and a round 2 in progress.

Round 1 (six to four days ago) sampled everyone, pooled by the edition's sizes for each
area's risk (10:1 in low-risk areas, 1:1 in high-risk Zengcun and for persons in
quarantine); every tube is resulted, two positive pools of Gaocheng were re-sampled at home
and resolved (every member negative on the single re-test). Round 2 (from yesterday 07:00) is in
progress: the communities whose slot has begun are sampled; the tubes closed in the last
hours are still at the site, in transit or waiting at the lab; one positive pool was
resulted this morning and its members wait for their recall.

The set-up (rounds, their targets, round 2's site assignments, clinics, visits)
goes through the services. The 150,000-odd samples and their tubes and boxes are written
in bulk (testing_demo_rounds, core.bulk), with every figure the services keep written as
they would have: round progress and hourly figures (testing.progress), counters by day
(stock counters in day order), health-code facts of positive pools, recalls.
tests/simulation/test_testing_demo.py checks the figures against direct counts."""

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from epicommand.core import audit
from epicommand.core.models import Region, Unit, User
from epicommand.people.models import Person
from epicommand.testing.barcodes import tube_barcode
from epicommand.testing.models import (
    Box,
    Lab,
    Round,
    Sample,
    SamplingSite,
    Tube,
)
from epicommand.testing.services import clinics as clinic_services
from epicommand.testing.services import rounds as round_services
from epicommand.testing.services import sites as site_services

from . import loading
from .geography import CITY_CODE, CITY_LATITUDE, CITY_LONGITUDE, COUNTIES
from .testing_demo_rounds import GAOCHENG, OFFICE, RoundWriter

SITES_PER_TOWNSHIP = 2


class CityMissing(Exception):
    """The demo city or its demo accounts are missing."""


class TestingAlreadySeeded(Exception):
    pass


@dataclass
class TestingCounts:
    sites: int = 0
    labs: int = 0
    clinics: int = 0
    visits: int = 0
    samples: dict[str, int] = field(default_factory=dict)
    tubes: dict[str, int] = field(default_factory=dict)
    positive_pools: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def testing_exists() -> bool:
    return Round.objects.exists() or SamplingSite.objects.exists()


def seed_testing(
    seed: str = "2021", *, now: datetime | None = None, progress_line=lambda _line: None
) -> TestingCounts:
    started = time.perf_counter()
    now = now or timezone.now()
    rng = random.Random(f"testing-{seed}")
    counts = TestingCounts()
    with transaction.atomic(), loading.sqlite_load_cache():
        if testing_exists():
            raise TestingAlreadySeeded
        office = User.objects.filter(username=OFFICE, is_active=True).first()
        if office is None or not Region.objects.filter(code=CITY_CODE).exists():
            raise CityMissing(f"the demo city and its account {OFFICE}")
        lap = _Clock(counts.timings)
        _set_up_sites(counts)
        labs = _set_up_labs(counts)
        lap("sites and labs")
        progress_line(f"  {counts.sites} sampling sites, {counts.labs} labs")
        writer = RoundWriter(rng, now, labs)
        today = timezone.localdate(now)
        # Round 1 is over: its residents went to the site nearest their village.
        first = _open_round(
            office, "第一轮全员核酸检测", today - timedelta(days=6), 3, assign=False
        )
        writer.sample_round(first, finished=True)
        writer.positive_pools(first, 2, resolve=True)
        round_services.close_round(office, first, reason="全员采样完成，结果已全部回报")
        second = _open_round(
            office, "第二轮全员核酸检测", today - timedelta(days=1), 3, assign=True
        )
        writer.sample_round(second, finished=False)
        writer.positive_pools(second, 1, resolve=False)
        lap("rounds")
        writer.flush()
        # Rows came with their ids: the services writing next need the sequences past them.
        loading.reset_id_sequences([Box, Tube, Sample])
        lap("bulk write")
        counts.samples, counts.tubes = dict(writer.samples_by_round), dict(writer.tubes_by_round)
        counts.positive_pools = writer.pools
        progress_line(
            f"  round 1: {counts.samples.get(first.name, 0):,} sampled; round 2: "
            f"{counts.samples.get(second.name, 0):,} so far"
        )
        counts.clinics, counts.visits = _fever_clinics(office, rng, now)
        lap("fever clinics")
        audit.record(
            None,
            "testing.demo_seeded",
            region_code=CITY_CODE,
            object_type="testing.round",
            reason=f"demo testing (seed {seed}): {counts.sites} sites, {counts.labs} labs, "
            f"{sum(counts.samples.values())} samples, {counts.visits} fever-clinic visits",
        )
    counts.seconds = time.perf_counter() - started
    return counts


class _Clock:
    def __init__(self, timings):
        self.timings, self.last = timings, time.perf_counter()

    def __call__(self, name):
        now = time.perf_counter()
        self.timings[name] = now - self.last
        self.last = now


# Sites, labs, rounds -----------------------------------------------------------------------


def _set_up_sites(counts: TestingCounts) -> None:
    """Two sites per township, at villages spread over it (a school yard, a square)."""
    villages = defaultdict(list)
    for code, parent in Region.objects.filter(level=Region.Level.VILLAGE).values_list(
        "code", "parent_id"
    ):
        villages[parent].append(code)
    points = site_services.village_points(sorted(c for codes in villages.values() for c in codes))
    names = dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", "name"))
    sites = []
    for township, codes in sorted(villages.items()):
        placed = [c for c in codes if c in points]
        step = max(1, len(placed) // SITES_PER_TOWNSHIP)
        for n, code in enumerate(placed[::step][:SITES_PER_TOWNSHIP], 1):
            lat, lon = points[code]
            sites.append(
                SamplingSite(
                    name=f"{names.get(township, township)}第{n}采样点",
                    region_id=code,
                    address=f"{names.get(township, township)}中心广场 {n} 号",
                    latitude=lat,
                    longitude=lon,
                    tables=4,
                    opens_at="07:00",
                    closes_at="21:00",
                    per_table_hour=60,
                )
            )
    SamplingSite.objects.bulk_create(sites, batch_size=1000)
    counts.sites = len(sites)


def _set_up_labs(counts: TestingCounts) -> dict[str, Lab]:
    """{county code: the lab its boxes go to}: Gaocheng's to the air-dome lab."""
    cdc = dict(Unit.objects.filter(kind=Unit.Kind.CDC).values_list("region_id", "pk"))
    labs = [
        Lab(
            name="石家庄市疾控中心实验室",
            level=Lab.Level.CITY,
            region_id=CITY_CODE,
            latitude=CITY_LATITUDE,
            longitude=CITY_LONGITUDE,
            daily_capacity=30_000,
            unit_id=cdc.get(CITY_CODE),
        ),
        Lab(
            name="气膜方舱实验室（火眼）",
            level=Lab.Level.MOBILE,
            region_id=GAOCHENG,
            latitude=38.03,
            longitude=114.84,
            daily_capacity=100_000,
            # Staffed with the county CDC, so the demo's Gaocheng lab account works it.
            unit_id=cdc.get(GAOCHENG),
        ),
    ]
    for code, name, _population, _urban, lat, lon, _radius in COUNTIES:
        labs.append(
            Lab(
                name=f"{name}疾控中心实验室",
                level=Lab.Level.COUNTY,
                region_id=code,
                latitude=lat,
                longitude=lon,
                daily_capacity=8_000,
                unit_id=cdc.get(code),
            )
        )
    Lab.objects.bulk_create(labs)
    counts.labs = len(labs)
    by_county = {lab.region_id: lab for lab in labs if lab.level == Lab.Level.COUNTY}
    by_county[GAOCHENG] = labs[1]
    return by_county


def _open_round(office, name: str, first_day, days: int, *, assign: bool) -> Round:
    start = timezone.make_aware(datetime.combine(first_day, datetime.min.time())) + timedelta(
        hours=7
    )
    end = start + timedelta(days=days - 1, hours=14)
    round_ = round_services.create_round(
        office, name=name, region_codes=[CITY_CODE], starts_at=start, ends_at=end
    )
    round_services.open_round(office, round_)
    if assign:  # residents see their site and slot on their public page
        site_services.assign_communities(office, round_)
    return round_


# Fever clinics -------------------------------------------------------------------------------


def _fever_clinics(office, rng, now: datetime) -> tuple[int, int]:
    """A fever clinic at each county's hospital; today's and yesterday's patients through
    the clinic service (the test taken at the visit), yesterday's triaged."""
    clinics = [
        clinic_services.create_clinic(
            office,
            name=f"{name}人民医院发热门诊",
            region_id=code,
            address=f"{name}人民医院门诊楼一层",
            latitude=lat,
            longitude=lon,
        )
        for code, name, _population, _urban, lat, lon, _radius in COUNTIES
    ]
    patients = list(Person.objects.filter(id_number__isnull=False).order_by("pk")[:5000])
    rng.shuffle(patients)
    serial, visits = 30_000_000_000, 0
    symptoms = list(clinic_services.SYMPTOMS)
    for clinic in clinics:
        busy = 6 if clinic.region_id in (GAOCHENG, "130102") else 2
        for n in range(busy):
            person = patients.pop()
            yesterday = n % 2 == 0
            at = now - timedelta(hours=24 if yesterday else 1, minutes=7 * n)
            fever = rng.random() < 0.7
            visit = clinic_services.record_visit(
                office,
                clinic,
                person,
                temperature=f"{rng.uniform(37.4, 39.2) if fever else rng.uniform(36.3, 37.2):.1f}",
                symptoms=(["fever"] if fever else []) + rng.sample(symptoms[1:], 2),
                epi_flags=["risk_area"] if clinic.region_id == GAOCHENG else [],
                epi_history="",
                tube_barcode=tube_barcode(serial),
                visited_at=at,
                now=now,
            )
            serial += 1
            visits += 1
            if yesterday:
                clinic_services.set_triage(office, visit, "home" if n else "observation", now=now)
    return len(clinics), visits
