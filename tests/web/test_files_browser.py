"""In a real browser: a county epidemiologist exports more persons than the policy lets a
page stream; the export is written in the background, its page shows it done with a
download link, the file downloads (a name typed as a formula written as text), and the
same link is not found for a user of another county."""

import pytest
from playwright.sync_api import expect

from epicommand.core.models import AuditEvent
from epicommand.people.models import Person
from tests.browser import chromium
from tests.web.test_xss_browser import logged_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_big_export_is_downloaded_from_its_page_by_its_owner_only(
    gaocheng_epi, changan_epi, gaocheng_person, city, data_rules, var_dir, live_server
):
    data_rules(export_inline_rows=1)
    Person.objects.create(
        name="=HYPERLINK(1)",
        sex="F",
        birth_date=gaocheng_person.birth_date,
        id_number="11010519491231002X",
        region=city.xgz,
    )
    with chromium() as browser:
        page = logged_in(browser, live_server, "gaocheng_epi")
        page.goto(f"{live_server.url}/persons/")
        page.get_by_role("link", name="Export as CSV").click()
        expect(page.locator("#file-state")).to_contain_text("Done")
        expect(page.locator("#file-state")).to_contain_text("2 of 2 rows")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download").click()
        text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
        assert "'=HYPERLINK(1)" in text and "张伟" in text
        link = page.url + "download"

        other = logged_in(browser, live_server, "changan_epi")
        answer = other.goto(link)
        assert answer.status == 404
    assert AuditEvent.objects.filter(action="file.download").count() == 1
