"""The page a venue's poster opens: an identified resident checks in with one button and
gets the door attendant's screen; nobody else records anything there."""

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.control.models import Colour, FactKind, Scan, ScanMethod
from epicommand.control.services import healthcode
from epicommand.core import counters
from epicommand.core.models import AuditEvent
from epicommand.places.codes import place_code

from .scan_world import market_fixture  # noqa: F401  fixture

pytestmark = pytest.mark.django_db


def identified(person) -> Client:
    """A phone whose owner proved who they are on the resident identify page."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/code/identify/", {"document": person.id_number, "phone": person.phone, "next": "/"}
    )
    assert response.status_code == 302, response.content
    return client


def test_an_unidentified_visitor_is_sent_to_identify_and_back(market):
    url = f"/p/{place_code(market)}/"
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert market.name in html
    assert f"/code/identify/?next=%2Fp%2F{place_code(market).replace(':', '%3A')}%2F" in html
    assert "Check in here" not in html
    assert Client().post(url).status_code == 200
    assert not Scan.objects.exists()


def test_an_identified_resident_checks_in_and_sees_the_door_screen(market, gaocheng_person):
    healthcode.record_fact(
        gaocheng_person,
        FactKind.FEVER,
        started_at=timezone.now(),
        source="test",
        source_key="fever:poster",
    )
    phone = identified(gaocheng_person)
    url = f"/p/{place_code(market)}/"
    offer = phone.get(url).content.decode()
    assert "Check in here" in offer and "张*" in offer

    response = phone.post(url)

    assert response.status_code == 200
    scan = Scan.objects.get()
    assert (scan.person, scan.venue, scan.method) == (gaocheng_person, market, ScanMethod.SELF)
    assert scan.colour == Colour.YELLOW
    html = response.content.decode()
    assert 'class="door yellow"' in html
    assert "张*" in html and gaocheng_person.name not in html
    assert market.name in html
    assert timezone.localtime(scan.scanned_at).strftime("%H:%M:%S") in html
    assert 'id="door-clock"' in html
    assert response["Cache-Control"] == "no-store, private"
    day = timezone.localdate()
    assert counters.daily_values(["130109"], ["scans"], day, day) == {("130109", "scans", day): 1}
    assert AuditEvent.objects.filter(action="scan.record", object_id=str(scan.pk)).exists()


def test_each_check_in_is_a_scan_of_its_own(market, changan_person):
    phone = identified(changan_person)
    url = f"/p/{place_code(market)}/"
    phone.post(url)
    phone.post(url)
    assert Scan.objects.filter(person=changan_person).count() == 2
    assert len(set(Scan.objects.values_list("client_id", flat=True))) == 2


def test_checking_in_needs_the_pages_csrf_token(market, changan_person):
    phone = Client(enforce_csrf_checks=True)
    phone.cookies = identified(changan_person).cookies
    assert phone.post(f"/p/{place_code(market)}/").status_code == 403
    assert not Scan.objects.exists()


def test_an_unknown_or_revoked_code_is_a_clear_404(market, changan_person, city_office):
    from epicommand.places.services import rotate_place_code

    old = place_code(market)
    rotate_place_code(city_office, market, reason="poster stolen")
    phone = identified(changan_person)
    for token in (old, "12.nonsense:xyz"):
        response = phone.post(f"/p/{token}/")
        assert response.status_code == 404
        assert "Place code not valid" in response.content.decode()
    assert not Scan.objects.exists()
