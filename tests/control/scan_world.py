"""What the scan tests share: two venues (a Zengcun market in Gaocheng, a school in
Chang'an), a Gaocheng scanning device's API token, and batch items."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core.models import Role
from epicommand.places.codes import place_code
from epicommand.places.models import Venue
from tests.clock import earlier_today
from tests.tokens import live_token


@pytest.fixture(name="market")
def market_fixture(city):
    return Venue.objects.create(
        name="增村农贸市场",
        kind=Venue.Kind.MARKET,
        address="增村镇中心街 1 号",
        region=city.zengcun,
        latitude=38.02,
        longitude=114.85,
    )


@pytest.fixture(name="school")
def school_fixture(city):
    return Venue.objects.create(
        name="建北小学",
        kind=Venue.Kind.SCHOOL,
        address="建北街 8 号",
        region=city.street,
        latitude=38.05,
        longitude=114.52,
    )


@pytest.fixture(name="device")
def device_fixture(city, city_office):
    """A scanning device at a Gaocheng venue: RECORD_SCANS in Gaocheng's scope."""
    token, secret = live_token(
        name="增村市场扫码枪",
        role=Role.COMMUNITY_WORKER,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    return Device(token, secret)


class Device:
    def __init__(self, token, secret):
        self.token = token
        # English answers: the tests read the messages.
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")

    def post(self, items):
        return self.client.post(
            "/api/v1/scans/batch", json.dumps({"items": items}), content_type="application/json"
        )


def item(client_id, venue, person, *, ago=None, **changes) -> dict:
    """A valid batch item: `person` scanned `venue`'s place code `ago` before now; by
    default a little earlier today, whatever the hour the test runs."""
    at = earlier_today() if ago is None else timezone.now() - ago
    return {
        "client_id": client_id,
        "place_code": place_code(venue),
        "id_number": person.id_number,
        "scanned_at": at.isoformat(),
        "method": "device",
        **changes,
    }
