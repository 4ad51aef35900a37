"""In a real browser: a cold store opens the batch dispatched to it, records the receipt,
and a consumer scanning the label's address sees the cold store on the public page; a first
stop attaches its three certificates on the batch page (a renamed file refused) and gets
the label."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.coldchain.models import Holding
from epicommand.coldchain.services import movements
from tests.browser import chromium
from tests.conftest import PASSWORD

from .chain_world import PDF, coded_batch, declare

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


def test_the_first_stop_attaches_three_certificates_and_gets_the_label(chain, live_server):
    batch = declare(chain.importer_user)
    today = timezone.localdate()
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", chain.importer_user.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()
        page.goto(f"{live_server.url}/cold-chain/batches/{batch.pk}/")
        expect(page.locator("#label")).to_have_count(0)
        page.select_option("#id_c-kind", "customs")
        page.fill("#id_c-number", "CIQ-1")
        page.fill("#id_c-issued_on", (today - timedelta(days=1)).isoformat())
        page.fill("#id_c-valid_until", (today + timedelta(days=30)).isoformat())
        page.set_input_files(
            "#id_c-file", {"name": "fake.pdf", "mimeType": "application/pdf", "buffer": b"MZ exe"}
        )
        page.locator("#certificate-form button[type=submit]").click()
        expect(page.locator("#certificate-form .errorlist")).to_be_visible()
        for kind in ("customs", "nucleic_acid", "disinfection"):
            page.select_option("#id_c-kind", kind)
            page.fill("#id_c-number", f"{kind}-1")
            page.fill("#id_c-issued_on", (today - timedelta(days=1)).isoformat())
            page.fill("#id_c-valid_until", (today + timedelta(days=30)).isoformat())
            page.set_input_files(
                "#id_c-file", {"name": "c.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            page.locator("#certificate-form button[type=submit]").click()
            expect(page.locator("#certificates")).to_contain_text(f"{kind}-1")
        expect(page.locator("#label svg")).to_be_visible()
        expect(page.locator("#certificate-form")).to_have_count(0)
    batch.refresh_from_db()
    assert batch.coded_at is not None
