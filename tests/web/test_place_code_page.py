"""The public page a scanned place code opens: no login, the venue for a valid code,
404 for a tampered, made-up or rotated one."""

from django.test import Client

from epicommand.places.codes import place_code
from epicommand.places.services import rotate_place_code


def test_a_valid_code_shows_the_venue_without_login(market):
    response = Client().get(f"/p/{place_code(market)}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert market.name in html and market.address in html
    assert response.context["venue"] == market


def test_a_tampered_code_is_a_friendly_404(market):
    token = place_code(market)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = Client().get(f"/p/{tampered}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert market.name not in html
    assert "Traceback" not in html
    assert "notice bad" in html  # says the code is not valid, not just "page missing"


def test_a_code_for_another_venue_id_is_refused(market, school):
    token = place_code(market).replace(f"{market.pk}.", f"{school.pk}.", 1)
    assert Client().get(f"/p/{token}/").status_code == 404


def test_a_rotated_code_stops_resolving(market, administrator):
    old = place_code(market)
    rotate_place_code(administrator, market, reason="海报被盗用")
    assert Client().get(f"/p/{old}/").status_code == 404
    assert Client().get(f"/p/{place_code(market)}/").status_code == 200
