"""Who may do what: only the city office drafts; a county reviews its own rumours only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from epicommand.information.services import bulletins, rumours
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_county_office_may_not_draft_the_city_bulletin(outbreak, gaocheng_office):
    with pytest.raises(PermissionDenied):
        bulletins.draft_bulletin(gaocheng_office, outbreak.days[0])


def test_an_api_style_token_may_not_sign(outbreak, city_office):
    draft = bulletins.draft_bulletin(city_office, outbreak.days[0])
    with pytest.raises(PermissionDenied):
        bulletins.sign(None, draft, "check")


def test_a_county_sees_only_its_own_rumours(city, city_office, gaocheng_office, changan_office):
    here = rumours.report_by_staff(
        gaocheng_office, claim="藁城区封城", where_seen="微信群", region_code=city.gaocheng.code
    )
    there = rumours.report_by_staff(
        changan_office, claim="长安区断供", where_seen="微博", region_code=city.changan.code
    )
    client = login(gaocheng_office)
    assert client.get(f"/information/rumours/{here.pk}/").status_code == 200
    assert client.get(f"/information/rumours/{there.pk}/").status_code == 404
    listing = client.get("/information/rumours/").content.decode()
    assert "藁城区封城" in listing and "长安区断供" not in listing
    with pytest.raises(PermissionDenied):
        rumours.rule(gaocheng_office, there, status="false", ruling="x")
    with pytest.raises(PermissionDenied):
        rumours.report_by_staff(
            gaocheng_office, claim="x", where_seen="y", region_code=city.changan.code
        )
    assert login(city_office).get(f"/information/rumours/{there.pk}/").status_code == 200


def test_an_epidemiologist_has_no_information_pages(gaocheng_epi):
    assert login(gaocheng_epi).get("/information/").status_code == 403


def test_the_public_pages_need_no_login(city):
    for url in ("/info/", "/info/feed.json", "/info/rumours/report/"):
        assert Client().get(url).status_code == 200, url
