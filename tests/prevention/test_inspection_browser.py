"""In a real browser on a phone-sized screen: an inspector opens a market's unit page,
inspects it, fails "masks" with a photo (a renamed PDF is refused first), and the
rectification appears on the unit's page and on the rectifications board."""

import pytest
from playwright.sync_api import expect

from epicommand.prevention.models import Rectification
from tests.browser import chromium
from tests.conftest import PASSWORD

from .world import PDF, image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inspector_fails_an_item_with_a_photo_and_the_rectification_appears(world, live_server):
    unit = world.market_unit
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", world.gaocheng_inspector.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".who")).to_be_visible()
        page.goto(f"{live_server.url}/prevention/units/{unit.pk}/")
        page.locator("#inspect").click()

        form = page.locator("#inspection-form")
        for fieldset in form.locator("fieldset").all():
            fieldset.locator("input[value=passed]").check()
        masks = form.locator("fieldset[data-item=masks]")
        masks.locator("input[value=failed]").check()
        masks.locator("input[type=file]").set_input_files(
            {"name": "masks.jpg", "mimeType": "image/jpeg", "buffer": PDF}
        )
        form.locator("button[type=submit]").click()
        expect(page.locator("fieldset[data-item=masks] .errorlist")).to_be_visible()

        masks = page.locator("fieldset[data-item=masks]")
        for fieldset in page.locator("#inspection-form fieldset").all():
            fieldset.locator("input[value=passed]").check()
        masks.locator("input[value=failed]").check()
        masks.locator("input[type=file]").set_input_files(
            {"name": "masks.png", "mimeType": "image/png", "buffer": image_bytes()}
        )
        page.locator("#inspection-form button[type=submit]").click()

        expect(page.locator("#unit-rectifications tr[data-status=open]")).to_contain_text("masks")
        expect(page.locator("#unit-history")).to_contain_text("口罩")
        page.goto(f"{live_server.url}/prevention/rectifications/")
        expect(page.locator("#rectifications")).to_contain_text(unit.name)
    rectification = Rectification.objects.get(unit=unit)
    assert rectification.status == "open" and rectification.items == ["masks"]
    assert rectification.opened_by.photos.count() == 1
