"""In a real browser: a case is registered, one of its contacts becomes a case too, and the
chain page draws the new cluster's two cases; clicking the first case brings in its other
contacts."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from epicommand.tracing.models import Case
from epicommand.tracing.services.cases import register_case
from epicommand.tracing.services.contacts import add_contact
from tests.browser import chromium
from tests.conftest import PASSWORD

from .clusters_world import NOW, make_person

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_be_visible()
    return page


def click_case(page, case_id: int) -> None:
    """Click the case's node where ECharts drew it on the canvas."""
    point = page.evaluate(
        """(id) => {
          const chart = echarts.getInstanceByDom(document.getElementById("chain"));
          const data = chart.getModel().getSeriesByIndex(0).getData();
          const index = chart.getOption().series[0].data.findIndex(n => n.id === "c" + id);
          return chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(index));
        }""",
        case_id,
    )
    page.locator("#chain canvas").first.click(position={"x": point[0], "y": point[1]})


def test_a_contact_who_becomes_a_case_grows_a_cluster_and_contacts_expand(
    gaocheng_epi, city, live_server
):
    first_person, second_person = make_person(city.xgz, "张伟"), make_person(city.xgz, "王芳")
    others = [make_person(city.xgz, name) for name in ("李强", "赵敏")]
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
    for person in [second_person, *others]:
        add_contact(
            gaocheng_epi,
            first,
            person,
            degree="general",
            setting="meal",
            last_exposure_at=reported - timedelta(hours=20),
            now=reported,
        )
    assert Case.objects.get(pk=first.pk).cluster_id is None  # a sporadic case so far
    second = register_case(
        gaocheng_epi,
        second_person,
        classification="asymptomatic",
        detection_route="priority_test",
        sampling_date=date(2026, 11, 21),
        reported_at=NOW,
        now=NOW,
    )
    cluster_id = Case.objects.get(pk=second.pk).cluster_id
    assert cluster_id and Case.objects.get(pk=first.pk).cluster_id == cluster_id

    with chromium() as browser:
        page = logged_in(browser, live_server, "gaocheng_epi")
        page.goto(f"{live_server.url}/clusters/")
        page.get_by_role("link", name="小果庄村 cluster (2)").click()
        chain = page.locator("#chain")
        expect(chain).to_have_attribute("data-nodes", "2")
        expect(chain).to_have_attribute("data-drawn", "2")
        click_case(page, first.pk)
        expect(page.locator("#chain-node h2")).to_contain_text(f"张伟 · Case {first.pk}")
        expect(chain).to_have_attribute("data-nodes", "4")
