"""In a real browser: a community worker names a person `<img src=x onerror=...>` and gives a
visit such an address; the city office opens the chain view and the case map, and the
markup is shown as text in the charts' tooltips. Nothing runs: the escape helper makes it
text, and the Content-Security-Policy would refuse the handler if a script forgot to."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from epicommand.tracing.models import Case, Visit
from epicommand.tracing.services.cases import register_case
from epicommand.tracing.services.contacts import add_contact
from tests.browser import chromium
from tests.conftest import PASSWORD
from tests.tracing.clusters_world import NOW, make_person

pytestmark = pytest.mark.django_db(transaction=True)

# Each payload marks the page if it runs; the test reads the marks afterwards.
NAME = "<img src=x onerror=\"document.body.dataset.xss='name'\">"
ADDRESS = "<img src=x onerror=\"document.body.dataset.xss='address'\">"


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_be_visible()
    return page


def tooltip_of(page, chart_id: str, data_index: int, series_index: int = 0) -> str:
    """Shows the chart's tooltip for one item, as a hover would, and returns its text."""
    page.evaluate(
        """([id, index, series]) => {
          const chart = echarts.getInstanceByDom(document.getElementById(id));
          chart.dispatchAction({type: "showTip", seriesIndex: series, dataIndex: index});
        }""",
        [chart_id, data_index, series_index],
    )
    tip = page.locator(f"#{chart_id} > div").filter(has_not=page.locator("canvas")).last
    expect(tip).to_be_visible()
    return tip.inner_text()


def a_cluster_led_by(gaocheng_epi, city, name: str) -> Case:
    first_person, second_person = make_person(city.xgz, name), make_person(city.xgz, "王芳")
    reported = NOW - timedelta(days=1)
    first = register_case(
        gaocheng_epi,
        first_person,
        classification="mild",
        detection_route="fever_clinic",
        onset_date=date(2026, 11, 19),
        reported_at=reported,
        now=reported,
    )
    add_contact(
        gaocheng_epi,
        first,
        second_person,
        degree="close",
        setting="meal",
        last_exposure_at=reported - timedelta(hours=20),
        now=reported,
    )
    register_case(
        gaocheng_epi,
        second_person,
        classification="asymptomatic",
        detection_route="priority_test",
        sampling_date=date(2026, 11, 21),
        reported_at=NOW,
        now=NOW,
    )
    return Case.objects.get(pk=first.pk)


def test_a_name_or_address_written_as_markup_is_shown_as_text_and_never_runs(
    gaocheng_epi, city, live_server
):
    case = a_cluster_led_by(gaocheng_epi, city, NAME)
    Visit.objects.create(
        case=case,
        region_id=case.region_id,
        origin=Visit.Origin.INTERVIEW,
        status=Visit.Status.CONFIRMED,
        address=ADDRESS,
        latitude=38.02,
        longitude=114.85,
        started_at=NOW - timedelta(days=3),
        ended_at=NOW - timedelta(days=3, hours=-1),
    )
    with chromium() as browser:
        page = logged_in(browser, live_server, "gaocheng_epi")
        blocked = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else 0)

        page.goto(f"{live_server.url}/clusters/{case.cluster_id}/")
        expect(page.locator("#chain")).to_have_attribute("data-drawn", "2")
        nodes = page.evaluate(
            "echarts.getInstanceByDom(document.getElementById('chain'))"
            ".getOption().series[0].data.map(n => n.id)"
        )
        assert tooltip_of(page, "chain", nodes.index(f"c{case.pk}")) == NAME

        page.goto(f"{live_server.url}/cases/{case.pk}/")
        expect(page.locator("#case-map canvas")).to_have_count(1)
        confirmed = 1  # the map's second series
        assert ADDRESS in tooltip_of(page, "case-map", 0, confirmed)

        assert page.evaluate("document.body.dataset.xss") is None
        assert page.locator("img[src=x]").count() == 0
        assert blocked == []


def test_an_inline_handler_that_slipped_through_is_refused_by_the_policy(
    gaocheng_epi, city, live_server
):
    """The second line of defence: even markup a script did insert runs no handler."""
    with chromium() as browser:
        page = logged_in(browser, live_server, "gaocheng_epi")
        blocked = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else 0)
        page.evaluate(
            """html => new Promise(done => {
                 const box = document.createElement("div");
                 box.innerHTML = html;
                 box.querySelector("img").addEventListener("error", () => setTimeout(done));
                 document.body.appendChild(box);
               })""",
            NAME,
        )
        page.evaluate(
            """() => { const s = document.createElement("script");
                 s.textContent = "document.body.dataset.xss = 'script'";
                 document.body.appendChild(s); }"""
        )
        assert page.evaluate("document.body.dataset.xss") is None
        assert blocked  # the browser says what the policy refused
