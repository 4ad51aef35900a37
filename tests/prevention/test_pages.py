"""The pages: units list (the county's own), a unit's page with score, history,
rectifications and the clusters through its place; the inspector's phone form; the
rectifications board; disinfection tasks and records; another county's unit is 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.prevention.models import Rectification
from epicommand.prevention.services import disinfection, inspections
from tests.conftest import login

from .world import PDF, all_passed, photo

pytestmark = pytest.mark.django_db


def test_a_county_office_sees_its_own_units_and_404_for_another(world):
    client = login(world.gaocheng_office)
    page = client.get("/prevention/units/")
    assert page.status_code == 200
    assert world.market_unit.name in page.content.decode()
    assert world.school_unit.name not in page.content.decode()
    assert client.get(f"/prevention/units/{world.school_unit.pk}/").status_code == 404
    assert client.get(f"/prevention/units/{world.school_unit.pk}/inspect/").status_code == 404


def test_the_inspector_fails_an_item_with_a_photo_on_the_phone_form(world):
    client = login(world.gaocheng_inspector)
    unit = world.market_unit
    url = f"/prevention/units/{unit.pk}/inspect/"
    assert client.get(url).status_code == 200
    answers = {f"item_{code}": "passed" for code in all_passed(unit)}
    answers["item_masks"] = "failed"

    refused = client.post(url, {**answers, "photo_masks": photo("m.jpg", "JPEG", content=PDF)})
    assert refused.status_code == 200
    assert "JPEG 或 PNG" in refused.content.decode()  # pages speak Chinese by default
    assert not Rectification.objects.exists()

    done = client.post(url, {**answers, "photo_masks": photo("m.png")})
    assert done.status_code == 302
    rectification = Rectification.objects.get(unit=unit)
    detail = client.get(f"/prevention/units/{unit.pk}/").content.decode()
    assert "王经理" in detail and 'data-status="open"' in detail
    board = client.get("/prevention/rectifications/").content.decode()
    assert unit.name in board
    photo_id = rectification.opened_by.photos.get().pk
    shown = client.get(f"/prevention/photos/{photo_id}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert login(world.changan_office).get(f"/prevention/photos/{photo_id}/").status_code == 404


def test_the_board_shows_overdue_rectifications_first(world):
    unit = world.market_unit
    inspections.inspect_unit(
        world.gaocheng_inspector,
        unit,
        results=all_passed(unit, masks=False),
        photos={"masks": [photo()]},
        now=timezone.now() - timedelta(days=5),
    )
    page = login(world.gaocheng_office).get("/prevention/rectifications/?overdue=1")
    assert unit.name in page.content.decode()
    assert "escalated" not in page.content.decode()


def test_disinfection_pages(world, gaocheng_epi, city):
    client = login(gaocheng_epi)
    assert client.get("/prevention/disinfection/").status_code == 200
    recorded = client.post(
        "/prevention/disinfection/records/",
        {
            "kind": "route",
            "target": "5 路公交",
            "agent": "过氧乙酸",
            "region_code": city.zengcun.code,
        },
    )
    assert recorded.status_code == 302
    assert "5 路公交" in client.get("/prevention/disinfection/records/").content.decode()
    assert disinfection.raise_terminal_disinfection() == 0  # no case, no task


def test_roles_without_prevention_are_refused(make_user, city, world):
    from epicommand.core.models import Role

    lab = make_user("lab", Role.LAB_STAFF, city.gaocheng)
    assert login(lab).get("/prevention/units/").status_code == 403
