"""The port of the reference city for the inbound tests: the airport's desk (city-wide
port staff), a transfer team, the Gaocheng camp and its staff, the Zengcun township
office that receives travellers home, both county offices, a registered flight, and a
factory of passengers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.core.models import Role, Unit
from epicommand.inbound.services import arrivals, flights
from tests.quarantine.stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    login_en,
    make_person,
    site_manager_fixture,
)


@pytest.fixture(name="port_unit")
def port_unit_fixture(city):
    return Unit.objects.create(name="正定国际机场口岸", kind=Unit.Kind.OTHER, region=city.sjz)


@pytest.fixture(name="port_staff")
def port_staff_fixture(make_user, city, port_unit):
    return make_user("port_desk", Role.PORT_STAFF, city.sjz, port_unit)


@pytest.fixture(name="transfer_unit")
def transfer_unit_fixture(city):
    return Unit.objects.create(
        name="市交通运输局转运专班", kind=Unit.Kind.TRANSPORT, region=city.sjz
    )


@pytest.fixture(name="transfer_staff")
def transfer_staff_fixture(make_user, city, transfer_unit):
    return make_user("transfer_team", Role.PORT_STAFF, city.sjz, transfer_unit)


@pytest.fixture(name="zengcun_office")
def zengcun_office_fixture(city):
    return Unit.objects.create(
        name="增村镇人民政府", kind=Unit.Kind.TOWNSHIP_GOVERNMENT, region=city.zengcun
    )


@pytest.fixture(name="community_worker")
def community_worker_fixture(make_user, city, zengcun_office):
    return make_user("zengcun_worker", Role.COMMUNITY_WORKER, city.zengcun, zengcun_office)


@pytest.fixture(name="flight")
def flight_fixture(port_staff):
    return flights.register_flight(
        port_staff,
        number="CA868",
        arrival_date=timezone.localdate(),
        airline="Air China",
        origin="Moscow",
        port="SJW",
    )


def passenger(
    actor, flight, region, *, seat, document, name="旅客", at=None, person=None, crew=False
):
    return arrivals.register_arrival(
        actor,
        source="port_desk",
        flight=flight,
        person=person,
        mode="flight",
        seat=seat,
        is_crew=crew,
        document=document,
        name=name,
        nationality="CHN",
        origin=flight.route.origin if flight else "Moscow",
        risk="overseas",
        destination_address=f"{region.name} 1 号",
        region_code=region.code,
        arrived_at=at or timezone.now() - timedelta(minutes=30),
    )
