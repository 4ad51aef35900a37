"""A resident on their phone: opens /code/, identifies, sees their colour, and the QR on the
screen decodes to a token the platform verifies as theirs."""

import io
from datetime import timedelta

import pytest
import zxingcpp
from django.core.cache import cache
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from epicommand.control import codes
from epicommand.control.models import Colour, FactKind
from epicommand.control.services import healthcode
from tests.browser import chromium

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def red_resident(gaocheng_person, settings):
    cache.clear()
    settings.PROTOCOL_EDITION = "8"
    at = timezone.now() - timedelta(hours=1)
    healthcode.record_fact(
        gaocheng_person,
        FactKind.HIGH_RISK_VISIT,
        started_at=at,
        ended_at=at,
        source="scan 1",
        source_key="scan:1",
        detail="增村镇",
    )
    return gaocheng_person


# The data comes before live_server, and Playwright only runs inside the test.
def test_a_resident_identifies_and_shows_a_red_code_whose_qr_verifies(red_resident, live_server):
    with chromium() as browser:
        context = browser.new_context(
            locale="en-US", viewport={"width": 390, "height": 844}, device_scale_factor=2
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/code/")
        expect(page).to_have_url(f"{live_server.url}/code/identify/?next=%2Fcode%2F")

        page.fill("#id_document", red_resident.id_number)
        page.fill("#id_phone", "13900000000")
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".notice.bad")).to_contain_text("do not match")

        page.fill("#id_document", red_resident.id_number)
        page.fill("#id_phone", red_resident.phone)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/code/")
        expect(page.locator(".colour-name")).to_have_text("Red code")
        expect(page.locator(".holder")).to_contain_text("张*")
        expect(page.locator(".reasons")).to_contain_text("Was in a high-risk area (增村镇)")
        # Phone-sized: the QR fits the screen's width.
        box = page.locator("#qr svg").bounding_box()
        assert box["width"] <= 390 and box["width"] > 200
        shot = page.locator("#qr").screenshot()
        assert errors == []

    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    shown = codes.verify(found.text)
    assert (shown.person_id, shown.colour, shown.revoked) == (
        red_resident.pk,
        Colour.RED,
        False,
    )
