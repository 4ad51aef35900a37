"""In a real browser: a cold store opens the batch dispatched to it, records the receipt,
and a consumer scanning the label's address sees the cold store on the public page."""

import pytest
from playwright.sync_api import expect

from epicommand.coldchain.models import Holding
from epicommand.coldchain.services import movements
from tests.browser import chromium
from tests.conftest import PASSWORD

from .chain_world import coded_batch

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cold_store_records_receipt_and_the_public_page_shows_it(chain, live_server):
    batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=12
    )
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", chain.store_user.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()
        page.goto(f"{live_server.url}/cold-chain/")
        page.locator("#batches a", has_text=batch.product).click()
        expect(page.locator("#label svg")).to_be_visible()
        page.fill("#id_r-quantity", "12")
        page.locator("#receipt-form button[type=submit]").click()
        expect(page.locator("#holders")).to_contain_text(chain.store.name)

        consumer = browser.new_context(locale="zh-CN").new_page()
        consumer.goto(f"{live_server.url}/t/{code}/")
        expect(consumer.locator("#chain")).to_contain_text(chain.store.name)
        expect(consumer.locator("#chain")).to_contain_text("收货")
    assert Holding.objects.get(batch=batch, enterprise=chain.store).on_hand == 12
