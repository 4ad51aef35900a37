"""Scans are scoped by the person's region of residence: a Chang'an epidemiologist cannot
read the scans of Gaocheng persons, through any page or API route, even at a Chang'an
venue; and every look at one person's scans is audited."""

from datetime import timedelta

import pytest

from epicommand.core.models import AuditEvent, Role
from tests.conftest import login

from .scan_world import device_fixture, item, market_fixture, school_fixture  # noqa: F401  fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def scans(device, market, school, gaocheng_person, changan_person):
    response = device.post(
        [
            item("g-market", market, gaocheng_person, ago=timedelta(hours=3)),
            item("g-school", school, gaocheng_person, ago=timedelta(hours=2)),
            item("c-market", market, changan_person, ago=timedelta(hours=1)),
        ]
    )
    assert response.status_code == 200


def _client_ids(response) -> set[str]:
    return {row["client_id"] for row in response.json()["items"]}


def test_the_chang_an_list_excludes_gaocheng_persons_even_at_its_own_venues(
    scans, changan_epi, gaocheng_person, changan_person
):
    html = login(changan_epi).get("/scans/").content.decode()
    assert changan_person.name in html
    assert gaocheng_person.name not in html
    assert f"/scans/person/{gaocheng_person.pk}/" not in html


def test_a_gaocheng_persons_scans_are_404_in_chang_an(scans, changan_epi, gaocheng_person):
    client = login(changan_epi)
    assert client.get(f"/scans/person/{gaocheng_person.pk}/").status_code == 404
    assert client.get(f"/api/v1/scans?person_id={gaocheng_person.pk}").status_code == 404
    search = client.get("/scans/", {"id_number": gaocheng_person.id_number})
    assert gaocheng_person.name not in search.content.decode()
    assert not AuditEvent.objects.filter(action="scan.view_person").exists()


def test_the_api_lists_only_scans_of_persons_in_scope(
    scans, changan_epi, gaocheng_epi, city_office, school
):
    assert _client_ids(login(changan_epi).get("/api/v1/scans")) == {"c-market"}
    assert _client_ids(login(gaocheng_epi).get("/api/v1/scans")) == {"g-market", "g-school"}
    # At the Chang'an school only the Gaocheng person scanned: Chang'an sees nothing there.
    assert _client_ids(login(changan_epi).get(f"/api/v1/scans?venue_id={school.pk}")) == set()
    assert _client_ids(login(city_office).get("/api/v1/scans")) == {
        "g-market",
        "g-school",
        "c-market",
    }


def test_a_token_reads_as_its_scope_allows(scans, city, city_office):
    from tests.tokens import live_token

    _, secret = live_token(
        name="长安流调",
        role=Role.EPIDEMIOLOGIST,
        unit=city.changan_cdc,
        region=city.changan,
    )
    from django.test import Client

    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/scans")
    assert _client_ids(response) == {"c-market"}


def test_a_persons_scans_page_is_audited_and_newest_first(scans, gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get(f"/scans/person/{gaocheng_person.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("建北小学") < html.index("增村农贸市场")  # 2 h ago before 3 h ago
    assert response["Cache-Control"] == "no-store, private"
    [event] = AuditEvent.objects.filter(action="scan.view_person")
    assert (event.actor, event.object_id) == (gaocheng_epi, str(gaocheng_person.pk))


def test_asking_the_api_for_a_persons_scans_is_audited(scans, gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get(f"/api/v1/scans?person_id={gaocheng_person.pk}")
    assert [row["client_id"] for row in response.json()["items"]] == ["g-school", "g-market"]
    [event] = AuditEvent.objects.filter(action="scan.view_person")
    assert event.reason == "api"


def test_searching_the_list_by_id_number_is_audited(scans, gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get("/scans/", {"id_number": gaocheng_person.id_number})
    assert "增村农贸市场" in response.content.decode()
    assert AuditEvent.objects.filter(action="scan.view_person").count() == 1


def test_lists_mask_id_numbers(scans, gaocheng_epi, gaocheng_person):
    html = login(gaocheng_epi).get("/scans/").content.decode()
    assert gaocheng_person.id_number not in html
    assert gaocheng_person.masked_id in html
    api = login(gaocheng_epi).get("/api/v1/scans").json()["items"][0]
    assert api["masked_id"] == gaocheng_person.masked_id
    assert gaocheng_person.id_number not in str(api)


def test_roles_without_scan_access_are_refused(scans, make_user, city):
    officer = make_user("officer", Role.CHECKPOINT_OFFICER, city.gaocheng)
    client = login(officer)
    assert client.get("/scans/").status_code == 403
    assert client.get("/api/v1/scans").status_code == 403


def test_times_with_any_iso_offset_are_read_and_ones_out_of_range_refused(scans, gaocheng_epi):
    client = login(gaocheng_epi)
    # ISO 8601 allows offsets PostgreSQL refuses (past 15:59): the API reads them in UTC.
    far = client.get("/api/v1/scans", {"until": "0028-10-29T06:34:50.372-20:58"})
    assert (far.status_code, _client_ids(far)) == (200, set())
    recent = client.get("/api/v1/scans", {"since": "2000-01-01T00:00:00+20:00"})
    assert _client_ids(recent) == {"g-market", "g-school"}
    overflow = client.get("/api/v1/scans", {"since": "0001-01-01T00:00:00+20:00"})
    assert overflow.status_code == 422
    assert overflow.json()["errors"][0]["field"] == "since"
