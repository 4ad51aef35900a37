"""The risk-area screens in a real browser: the map is drawn by the vendored ECharts from the
GeoJSON, a click on a county opens its towns, and a county office confirms a proposal from
the list and sees it in force."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.control.models import RiskArea
from epicommand.control.services import risk
from epicommand.core.models import RegionBoundary, Role
from epicommand.simulation import boundaries
from tests.browser import chromium
from tests.conftest import PASSWORD

from .risk_setup import cases, persons

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def risk_city(city, city_office, make_user):
    """Outlines, a high-risk town in Gaocheng, and a proposal from the rule."""
    boundaries.generate_from_database()
    office = make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)
    persons(city.xgz, 3)
    risk.designate(office, level="high", regions=["130109104"], reason="增村镇", confirm=True)
    cases(city.community, timezone.now() - timedelta(days=1), count=2)
    ring = RegionBoundary.objects.get(region_id="130109").geometry["coordinates"][0][:-1]
    centre = [sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)]
    return type("RiskCity", (), dict(office=office, gaocheng_centre=centre))


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


# The data comes before live_server, and Playwright only runs inside the test, so that the
# database is set up first and let go of last.
def test_the_map_is_drawn_and_a_click_on_a_county_opens_it(risk_city, live_server):
    with chromium() as browser:
        context = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, live_server.url, "city_office")
        page.goto(f"{live_server.url}/risk/map/")
        chart = page.locator("#risk-map")
        expect(chart).to_have_attribute("data-region", "130100")
        expect(page.locator("#risk-map canvas")).to_have_count(1)
        regions = page.locator("#risk-map-regions li")
        expect(regions).to_have_count(2)
        expect(page.locator("#risk-map-regions")).to_contain_text("contains areas of High risk")

        # Where Gaocheng is drawn on the canvas, by ECharts' own projection; click there.
        x, y = page.evaluate(
            "([lon, lat]) => echarts.getInstanceByDom(document.getElementById('risk-map'))"
            ".convertToPixel({seriesIndex: 0}, [lon, lat])",
            risk_city.gaocheng_centre,
        )
        box = chart.bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        expect(chart).to_have_attribute("data-region", "130109")
        expect(page.locator("#risk-map-path li")).to_have_text(["石家庄市", "藁城区"])
        expect(page.locator("#risk-map-regions")).to_contain_text("增村镇 High risk")

        page.locator("#risk-map-path").get_by_role("button", name="石家庄市").click()
        expect(chart).to_have_attribute("data-region", "130100")
        assert errors == []


def test_the_city_office_confirms_a_proposal(risk_city, live_server, city_office):
    # The rule's proposals: Chang'an medium (two cases in one community), and Zengcun low
    # (no case there, yet high in force).
    proposals = {a.region_id: a for a in risk.propose_suggestions(city_office)}
    assert {code: a.level for code, a in proposals.items()} == {
        "130102": "medium",
        "130109104": "low",
    }
    proposal = proposals["130102"]
    with chromium() as browser:
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, live_server.url, "city_office")
        page.goto(f"{live_server.url}/risk/")
        row = page.locator(f"#proposals tr[data-area='{proposal.pk}']")
        expect(row).to_contain_text("2 new cases in the last 14 days")
        row.get_by_role("button", name="Confirm").click()
        expect(page.locator(".messages")).to_contain_text("长安区 is in force.")
        expect(page.locator(f"#in-force tr[data-area='{proposal.pk}']")).to_contain_text(
            "Medium risk"
        )
        expect(page.locator("#proposals tr[data-area]")).to_have_count(1)
    proposal.refresh_from_db()
    assert proposal.status == RiskArea.Status.IN_FORCE
