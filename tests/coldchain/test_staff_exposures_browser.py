"""In a real browser: after a positive cold-chain sample, Chang'an's epidemiologist opens
*Exposures* from the menu, finds the Chang'an resident who works at a reached holder (and
not the Gaocheng one) and marks them investigated."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.coldchain.models import EnterpriseStaff
from epicommand.coldchain.services import movements, positives
from epicommand.tracing.models import Exposure
from tests.browser import chromium
from tests.conftest import PASSWORD

from .chain_world import coded_batch

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_county_epidemiologist_investigates_the_exposed_staff(
    chain, city_office, changan_epi, changan_person, gaocheng_person, live_server
):
    _batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=10
    )
    for place, person in ((chain.store, changan_person), (chain.importer, gaocheng_person)):
        EnterpriseStaff.objects.create(enterprise=place, person=person, region=place.region)
    positives.record_positive_sample(
        city_office,
        kind="product",
        enterprise_id=chain.importer.pk,
        trace_code=code,
        sampled_at=timezone.now() - timedelta(hours=1),
        lab_report="LAB-B",
    )
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", changan_epi.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()
        page.get_by_role("link", name="暴露人员").click()
        rows = page.locator("#exposures tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(changan_person.name)
        expect(rows).to_contain_text(chain.store.name)
        expect(page.locator("#results")).not_to_contain_text(gaocheng_person.name)
        rows.get_by_role("button", name="标记为已调查").click()
        expect(page.locator("#results")).not_to_contain_text(changan_person.name)
    assert Exposure.objects.get(person=changan_person).status == Exposure.Status.INVESTIGATED
