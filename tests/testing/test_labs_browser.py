"""In a real browser: a lab user receives a box and uploads a results file, a real CSV
then a real XLSX written with openpyxl, and sees the tubes resulted."""

from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from epicommand.testing.models import Tube
from epicommand.testing.services.labs import seal_box
from tests.browser import chromium
from tests.conftest import PASSWORD

from .labs_world import *  # noqa: F403
from .labs_world import closed_tubes, residents

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lab_user_uploads_results_files_and_sees_the_tubes_resulted(
    city, zengcun_site, gaocheng_sampler, gaocheng_lab, gaocheng_lab_staff, live_server, tmp_path
):
    tubes = closed_tubes(zengcun_site, residents(city.xgz, 30))
    seal_box(gaocheng_sampler, zengcun_site, "BOX-BR-1", [t.barcode for t in tubes])
    csv_path = tmp_path / "results.csv"
    tested = f"{timezone.localtime() - timedelta(hours=2):%Y-%m-%d %H:%M}"
    csv_path.write_text(
        "tube,result,ct_orf1ab,ct_n,ct_e,reagent,tested_at\n"
        f"{tubes[0].barcode},negative,,,,达安基因,{tested}\n"
        f"{tubes[1].barcode},negative,,,,达安基因,{tested}\n",
        encoding="utf-8",
    )
    book = openpyxl.Workbook()
    book.active.append(["tube", "result", "ct_orf1ab", "ct_n", "ct_e", "reagent", "tested_at"])
    book.active.append([tubes[2].barcode, "positive", 27.5, 29.1, None, "之江生物", None])
    xlsx_path = tmp_path / "results.xlsx"
    book.save(xlsx_path)
    with chromium() as browser:
        context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "gaocheng_lab")
        page.fill("#id_password", PASSWORD)
        page.locator("#id_password").press("Enter")
        page.goto(f"{live_server.url}/testing/labs/{gaocheng_lab.pk}/")
        page.locator("#receive input[name=barcode]").fill("BOX-BR-1")
        page.locator("#receive button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("Box BOX-BR-1 received: 3 tubes.")
        expect(page.locator("#backlog")).to_have_text("3")
        page.locator("#upload input[type=file]").set_input_files(str(csv_path))
        page.locator("#upload button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("2 tubes resulted: 2 negative")
        expect(page.locator("#backlog")).to_have_text("1")
        page.locator("#upload input[type=file]").set_input_files(str(xlsx_path))
        page.locator("#upload button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("1 positive pools")
        expect(page.locator("#backlog")).to_have_text("0")
    results = dict(Tube.objects.filter(pk__in=[t.pk for t in tubes]).values_list("pk", "result"))
    assert [results[t.pk] for t in tubes] == ["negative", "negative", "positive"]
