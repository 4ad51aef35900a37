"""The staff scan list: filters by venue, ID number and dates, keyset pages that neither
skip nor repeat a scan, and the same pages through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.control.models import Scan, ScanMethod
from epicommand.control.queries.scans import PAGE_SIZE
from epicommand.control.services import scans as services
from tests.conftest import login

from .scan_world import device_fixture, item, market_fixture, school_fixture  # noqa: F401  fixtures

pytestmark = pytest.mark.django_db


def _rows(html: str) -> int:
    return html.count('<td class="mono">20')  # one scan time per row


def test_the_list_pages_by_key_without_skipping_or_repeating(
    device, market, gaocheng_person, gaocheng_epi
):
    device.post([item(f"k-{n}", market, gaocheng_person) for n in range(PAGE_SIZE + 10)])
    client = login(gaocheng_epi)
    first = client.get("/scans/")
    assert _rows(first.content.decode()) == PAGE_SIZE
    cursor = first.context["next_after"]
    assert cursor
    second = client.get(f"/scans/?after={cursor}")
    assert _rows(second.content.decode()) == 10
    assert second.context["next_after"] is None
    seen = [s.client_id for s in first.context["scans"]] + [
        s.client_id for s in second.context["scans"]
    ]
    assert sorted(seen) == sorted(Scan.objects.values_list("client_id", flat=True))


def test_a_persons_pages_follow_the_time_of_the_scans(device, market, gaocheng_person, city_office):
    # Sent in an order other than their times: the person's pages still run newest first.
    items = [
        item(f"t-{n}", market, gaocheng_person, ago=timedelta(minutes=(n * 37) % 61 + 1))
        for n in range(61)
    ]
    device.post(items)
    client = login(city_office)
    url = f"/api/v1/scans?person_id={gaocheng_person.pk}&limit=25"
    times, after = [], None
    while True:
        page = client.get(url + (f"&after={after}" if after else "")).json()
        times += [row["scanned_at"] for row in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert len(times) == 61
    assert times == sorted(times, reverse=True)


def test_the_list_filters_by_venue_and_dates(device, market, school, gaocheng_person, gaocheng_epi):
    device.post(
        [
            item("f-1", market, gaocheng_person, ago=timedelta(days=3)),
            item("f-2", school, gaocheng_person, ago=timedelta(days=3)),
            item("f-3", market, gaocheng_person, ago=timedelta(minutes=1)),
        ]
    )
    client = login(gaocheng_epi)
    by_venue = client.get("/scans/", {"venue": market.pk}).context["scans"]
    assert {s.client_id for s in by_venue} == {"f-1", "f-3"}
    day = timezone.localdate(timezone.now() - timedelta(days=3)).isoformat()
    by_day = client.get("/scans/", {"date_from": day, "date_to": day}).context["scans"]
    assert {s.client_id for s in by_day} == {"f-1", "f-2"}
    api = client.get(f"/api/v1/scans?venue_id={school.pk}").json()["items"]
    assert [row["client_id"] for row in api] == ["f-2"]


def test_bad_filters_answer_with_the_field_not_a_crash(gaocheng_epi):
    client = login(gaocheng_epi)
    page = client.get("/scans/", {"venue": "abc", "date_from": "not a date"})
    assert page.status_code == 200
    assert page.context["form"].errors.keys() == {"venue", "date_from"}
    api = client.get("/api/v1/scans?person_id=99999999999999999999999")
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "person_id"
    assert client.get("/api/v1/scans?after=garbage!").status_code == 422


def test_the_list_shows_the_time_in_shanghai(market, changan_person, city_office):
    at = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    services.record_scan(city_office, changan_person, market, at=at, method=ScanMethod.STAFF)
    html = login(city_office).get("/scans/").content.decode()
    assert timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") in html
