"""The supplies tests' world: the catalogue, a warehouse per district of the test city,
the offices that run them, the places that ask them, supply enterprises of each district."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from epicommand.core.models import Role, Unit
from epicommand.supplies.services import enterprises, materials

GAOCHENG_CREDIT = "91130109MA0000001X"
CHANGAN_CREDIT = "91130102MA0000002Y"


@pytest.fixture
def units(city):
    made = {}
    for region, label in ((city.gaocheng, "藁城区"), (city.changan, "长安区")):
        made[region.code] = Unit.objects.create(
            name=f"{label}疫情防控指挥部办公室",
            kind=Unit.Kind.COMMAND_OFFICE,
            region=region,
            parent=city.office,
        )
        made[f"{region.code}-market"] = Unit.objects.create(
            name=f"{label}市场监督管理局", kind=Unit.Kind.MARKET_REGULATION, region=region
        )
    return made


@pytest.fixture
def depot(city, make_user, units, city_office):
    """Warehouses of Gaocheng and Chang'an, their county offices, and the sampling staff
    of Gaocheng's village and Chang'an's community."""
    materials.ensure_catalogue()
    gaocheng_office = make_user(
        "gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng, units[city.gaocheng.code]
    )
    changan_office = make_user(
        "changan_office", Role.COUNTY_OFFICE, city.changan, units[city.changan.code]
    )
    gaocheng_wh = materials.create_warehouse(
        gaocheng_office, name="藁城区防疫物资库", region_code=city.gaocheng.code
    )
    changan_wh = materials.create_warehouse(
        changan_office, name="长安区防疫物资库", region_code=city.changan.code
    )
    return SimpleNamespace(
        gaocheng_office=gaocheng_office,
        changan_office=changan_office,
        gaocheng=gaocheng_wh,
        changan=changan_wh,
        sampler=make_user("xgz_sampler", Role.SAMPLING_STAFF, city.xgz),
        changan_sampler=make_user("jb_sampler", Role.SAMPLING_STAFF, city.community),
    )


def stock(office, warehouse, lots, *, number="PO-1"):
    """Order and receive lots: [(item, lot number, quantity, days to expiry)]."""
    wanted = {}
    for item, _lot, quantity, _days in lots:
        wanted[item] = wanted.get(item, 0) + quantity
    order = materials.place_order(
        office,
        warehouse,
        number=number,
        supplier="华北医疗器械有限公司",
        lines=[{"item": i, "quantity": q} for i, q in wanted.items()],
    )
    today = timezone.localdate()
    materials.receive_delivery(
        office,
        order,
        lines=[
            {
                "item": item,
                "lot_number": lot,
                "quantity": quantity,
                "expires_on": today + timedelta(days=days),
            }
            for item, lot, quantity, days in lots
        ],
    )
    return order


@pytest.fixture
def markets(city, make_user, units):
    """A market regulator of the city; a designated enterprise in each district with its
    reporting account."""
    regulator = make_user("city_regulator", Role.MARKET_REGULATOR, city.sjz)
    made = SimpleNamespace(regulator=regulator)
    for key, region, credit in (
        ("gaocheng", city.gaocheng, GAOCHENG_CREDIT),
        ("changan", city.changan, CHANGAN_CREDIT),
    ):
        enterprise = enterprises.register_enterprise(
            regulator,
            name=f"{region.name}粮油供应公司",
            credit_code=credit,
            kind="enterprise",
            region_code=region.code,
            address=f"{region.name}中华大街 1 号",
        )
        user = make_user(f"{key}_shop", Role.SUPPLY_ENTERPRISE, region)
        enterprises.bind_account(regulator, enterprise, user)
        setattr(made, key, enterprise)
        setattr(made, f"{key}_user", user)
    return made


def line(commodity="pork", retail="30.00", purchase="25.00", stock="100"):
    return {
        "commodity": commodity,
        "retail_price": retail,
        "purchase_price": purchase,
        "stock_tonnes": stock,
    }
