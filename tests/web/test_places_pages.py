"""Venue list, detail, posters and registration."""

from epicommand.core.models import AuditEvent
from epicommand.places.codes import place_code
from epicommand.places.models import Venue
from tests.conftest import login


def test_the_list_filters_by_region_and_type(gaocheng_epi, market, school):
    client = login(gaocheng_epi)
    assert client.get("/places/").context["venues"] == [market, school]
    assert client.get("/places/", {"region": "130109"}).context["venues"] == [market]
    assert client.get("/places/", {"kind": "school"}).context["venues"] == [school]
    assert client.get("/places/", {"region": "130109", "kind": "school"}).context["venues"] == []


def test_the_detail_shows_the_place_code_and_poster_links(gaocheng_epi, market):
    html = login(gaocheng_epi).get(f"/places/{market.pk}/").content.decode()
    assert place_code(market) in html
    assert f"/places/{market.pk}/poster.png" in html
    assert f"/places/{market.pk}/poster.svg" in html
    assert f"http://testserver/p/{place_code(market)}/" in html


def test_posters_come_as_png_and_svg(gaocheng_epi, market):
    client = login(gaocheng_epi)
    png = client.get(f"/places/{market.pk}/poster.png")
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(f"/places/{market.pk}/poster.svg", {"download": "1"})
    assert svg["Content-Type"] == "image/svg+xml"
    assert market.name in svg.content.decode()
    assert "attachment" in svg["Content-Disposition"]
    assert client.get(f"/places/{market.pk}/poster.pdf").status_code == 404


def test_roles_without_place_view_cannot_see_venues(make_user, city, market):
    client = login(make_user("nobody", "", city.gaocheng))
    assert client.get("/places/").status_code == 403
    assert client.get(f"/places/{market.pk}/poster.png").status_code == 403


def test_registering_a_venue_goes_through_the_service(gaocheng_office):
    response = login(gaocheng_office).post(
        "/places/new/",
        {
            "name": "增村卫生院",
            "kind": "hospital",
            "address": "增村镇",
            "region_id": "130109104",
            "latitude": "38.03",
            "longitude": "114.86",
        },
    )
    venue = Venue.objects.get(name="增村卫生院")
    assert response["Location"] == f"/places/{venue.pk}/"
    assert AuditEvent.objects.filter(action="venue.create", actor=gaocheng_office).exists()


def test_a_venue_outside_the_jurisdiction_is_refused(gaocheng_office):
    response = login(gaocheng_office).post(
        "/places/new/",
        {
            "name": "建北超市",
            "kind": "supermarket",
            "region_id": "130102001",
            "latitude": "38.0",
            "longitude": "114.5",
        },
    )
    assert response.status_code == 400
    assert "region_id" in response.context["form"].errors
    assert not Venue.objects.exists()


def test_roles_without_place_edit_cannot_register_venues(gaocheng_epi):
    assert login(gaocheng_epi).get("/places/new/").status_code == 403
