"""What the round, site and statistics tests share: two more villages in Gaocheng (one in
another township) so the figures drill down city -> county -> township -> village, their
boundaries (where the villages are), residents, the district offices, and helpers that
write samples and results the way the sampling and result services leave them (Sample and
Tube rows, then progress.add and progress.add_hours)."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest
from django.utils import timezone

from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Region, RegionBoundary, Role, Unit
from epicommand.people.models import Person
from epicommand.testing import progress
from epicommand.testing.barcodes import tube_barcode
from epicommand.testing.models import Round, Sample, SamplingSite, Tube
from epicommand.testing.services import rounds as round_services
from epicommand.testing.services import sites as site_services

_serials = count(70_000_000)
_people = count(1)


@pytest.fixture(name="gaocheng_office")
def gaocheng_office_fixture(make_user, city):
    unit = Unit.objects.create(
        name="藁城区疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region=city.gaocheng
    )
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, unit)


@pytest.fixture(name="changan_office")
def changan_office_fixture(make_user, city):
    unit = Unit.objects.create(
        name="长安区疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region=city.changan
    )
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan, unit)


@pytest.fixture(name="villages")
def villages_fixture(city):
    """Xiaoguozhuang and Dongli in Zengcun town, Liucun in Liangcun town (Gaocheng), and
    Jianbei community (Chang'an), each with a square boundary around a known point."""
    L = Region.Level
    liangcun = Region.objects.create(
        code="130109105", name="梁村镇", level=L.TOWNSHIP, parent=city.gaocheng
    )
    found = type(
        "Villages",
        (),
        dict(
            xgz=city.xgz,
            dongli=Region.objects.create(
                code="130109104202", name="东里村", level=L.VILLAGE, parent=city.zengcun
            ),
            liangcun=liangcun,
            liucun=Region.objects.create(
                code="130109105201", name="刘村", level=L.VILLAGE, parent=liangcun
            ),
            jianbei=city.community,
        ),
    )
    for region, lat, lon in (
        (found.xgz, 38.10, 114.80),
        (found.dongli, 38.12, 114.84),
        (found.liucun, 38.00, 114.95),
        (found.jianbei, 38.05, 114.50),
    ):
        boundary(region, lat, lon)
    return found


def boundary(region: Region, lat: float, lon: float, half: float = 0.01) -> None:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    RegionBoundary.objects.create(
        region=region, geometry={"type": "Polygon", "coordinates": [ring]}
    )


def residents(region: Region, n: int) -> list[Person]:
    """`n` persons residing in the region, with valid ID numbers and phones."""
    made = []
    for _ in range(n):
        serial = next(_people)
        born = date(1960, 1, 1) + timedelta(days=serial)
        sex = "M" if serial % 2 else "F"
        made.append(
            Person(
                name=f"居民{serial}",
                sex=sex,
                birth_date=born,
                id_number=make_id_number(region.code[:6], born, serial % 500, sex),
                phone=f"139{serial:08d}",
                address=f"{region.name}{serial}号",
                region=region,
            )
        )
    return Person.objects.bulk_create(made)


def new_round(actor, codes, *, hours_ago: int = 2, days: int = 3, name="第二轮全员核酸检测"):
    now = timezone.now()
    return round_services.create_round(
        actor,
        name=name,
        region_codes=codes,
        starts_at=now - timedelta(hours=hours_ago),
        ends_at=now - timedelta(hours=hours_ago) + timedelta(days=days),
    )


def sample(round_: Round, persons: list[Person], *, site=None, at=None, pool: int = 10):
    """Pool the persons into tubes of `pool` at `site` and count them, as the sampling
    service does: the samples, then progress.add per village and add_hours per county."""
    at = at or timezone.now() - timedelta(minutes=5)
    made = []
    for start in range(0, len(persons), pool):
        members = persons[start : start + pool]
        tube = Tube.objects.create(
            barcode=tube_barcode(next(_serials)),
            purpose=Tube.Purpose.ROUND,
            round=round_,
            site=site,
            region_id=site.region_id if site else members[0].region_id,
            capacity=pool,
            members=len(members),
            status=Tube.Status.CLOSED,
            opened_at=at,
            closed_at=at,
        )
        made += Sample.objects.bulk_create(
            [
                Sample(
                    client_id=f"s-{tube.barcode}-{i}",
                    person=person,
                    region_id=person.region_id,
                    tube=tube,
                    round=round_,
                    sampled_at=at,
                )
                for i, person in enumerate(members)
            ]
        )
    villages: dict[str, int] = {}
    for person in persons:
        villages[person.region_id] = villages.get(person.region_id, 0) + 1
    progress.add(round_.pk, {code: {"sampled": n} for code, n in villages.items()})
    hour = progress.hour_of(at.astimezone(UTC))
    counties: dict[tuple[str, datetime], int] = {}
    for person in persons:
        key = (person.region_id[:6], hour)
        counties[key] = counties.get(key, 0) + 1
    progress.add_hours(round_.pk, counties)
    return made


def result(tube: Tube, outcome: str) -> None:
    """A lab's result for one round tube, counted as the result service does."""
    at = timezone.now()
    Tube.objects.filter(pk=tube.pk).update(status=Tube.Status.RESULTED, result=outcome)
    pooled = tube.capacity > 1
    status = {
        "negative": Sample.Status.NEGATIVE,
        "positive": Sample.Status.POOL_POSITIVE if pooled else Sample.Status.POSITIVE,
    }[outcome]
    samples = list(Sample.objects.filter(tube=tube))
    Sample.objects.filter(tube=tube).update(status=status, resulted_at=at)
    villages: dict[str, dict[str, int]] = {}
    for s in samples:
        figures = villages.setdefault(s.region_id, {"tested": 0})
        figures["tested"] += 1
        key = {"negative": "released", "positive": "positive_pools" if pooled else "positives"}
        figures[key[outcome]] = figures.get(key[outcome], 0) + 1
    progress.add(tube.round_id, villages)


def make_site(actor, region, name, lat, lon, *, tables=4, per_hour=60, opens=8, closes=20):
    return site_services.create_site(
        actor,
        name=name,
        region_id=region.code,
        address=f"{region.name}{name}",
        latitude=lat,
        longitude=lon,
        tables=tables,
        opens_at=time(opens),
        closes_at=time(closes),
        per_table_hour=per_hour,
    )


def sites_in(region) -> list[SamplingSite]:
    return list(SamplingSite.objects.filter(region=region))
