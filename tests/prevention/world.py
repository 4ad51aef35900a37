"""A small world of routine prevention: county command offices, an inspector (community
worker) and a county office in each of Gaocheng and Chang'an, a market and a school of
`places`, units over them, and photos (real PNG and JPEG bytes, and impostors)."""

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from epicommand.control.models import RiskArea
from epicommand.core.models import Role, Unit
from epicommand.places.models import Venue
from epicommand.prevention.services import units

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image_bytes(kind="PNG", size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=kind)
    return out.getvalue()


def photo(name="masks.png", kind="PNG", content=None):
    content = content if content is not None else image_bytes(kind)
    mime = "image/png" if kind == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, content, content_type=mime)


def area_in_force(region, level) -> RiskArea:
    area = RiskArea.objects.create(
        name=f"{region.name}{level}",
        level=level,
        status=RiskArea.Status.IN_FORCE,
        rule=RiskArea.Rule.MANUAL,
        region=region,
        in_force_from=timezone.now() - timedelta(days=1),
    )
    area.regions.add(region)
    return area


def venue(name, kind, region) -> Venue:
    return Venue.objects.create(
        name=name,
        kind=kind,
        address=f"{region.name} 8 号",
        region=region,
        latitude=38.0,
        longitude=114.7,
    )


def all_passed(unit, **overrides) -> dict:
    from epicommand.prevention.services.inspections import checklist_of

    return {item.code: overrides.get(item.code, True) for item in checklist_of(unit)}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(city, make_user):
    offices = {
        code: Unit.objects.create(
            name=f"{name}疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region_id=code
        )
        for code, name in ((city.gaocheng.code, "藁城区"), (city.changan.code, "长安区"))
    }
    gaocheng_office = make_user(
        "gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, offices[city.gaocheng.code]
    )
    changan_office = make_user(
        "changan_office", Role.COUNTY_OFFICE, city.changan, offices[city.changan.code]
    )
    gaocheng_inspector = make_user("gaocheng_inspector", Role.COMMUNITY_WORKER, city.gaocheng)
    changan_inspector = make_user("changan_inspector", Role.COMMUNITY_WORKER, city.changan)
    market = venue("增村农贸市场", Venue.Kind.MARKET, city.xgz)
    school = venue("建北小学", Venue.Kind.SCHOOL, city.community)
    market_unit = units.register_unit(
        gaocheng_office,
        name=market.name,
        category="market",
        venue_id=market.pk,
        responsible_name="王经理",
        responsible_phone="13800001111",
    )
    school_unit = units.register_unit(
        changan_office,
        name=school.name,
        category="school",
        venue_id=school.pk,
        responsible_name="刘校长",
        responsible_phone="13900002222",
    )
    return SimpleNamespace(
        offices=offices,
        gaocheng_office=gaocheng_office,
        changan_office=changan_office,
        gaocheng_inspector=gaocheng_inspector,
        changan_inspector=changan_inspector,
        market=market,
        school=school,
        market_unit=market_unit,
        school_unit=school_unit,
    )
