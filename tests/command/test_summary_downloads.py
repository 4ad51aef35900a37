"""A daily summary downloads as an XLSX workbook and a PDF holding its figures."""

from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from epicommand.command.services.summaries import generate_daily_summaries
from tests.conftest import login

from .figures_city import generate


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


@pytest.fixture
def city_summary(command_city):
    return generate_daily_summaries(timezone.localdate())[0]


def test_the_xlsx_opens_and_holds_the_figures_by_county_and_the_overdue_tasks(
    command_city, city_summary
):
    response = login(command_city.office).get(
        f"/summaries/{city_summary.pk}/summary.xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "summary-130100-" in response["Content-Disposition"]
    book = openpyxl.load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Summary", "By county", "Overdue tasks"]
    figures = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=4, values_only=True)}
    totals = city_summary.figures["totals"]
    assert figures["Tasks assigned"] == totals["tasks_assigned"] == 3
    assert figures["Tasks overdue"] == totals["tasks_overdue"] == 2
    assert figures["Registered population"] == totals["persons"]
    counties = [row[0] for row in book["By county"].iter_rows(min_row=2, values_only=True)]
    assert {"藁城区", "长安区"} <= set(counties)
    overdue = list(book["Overdue tasks"].iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in overdue} == {"长安区疫情防控指挥部办公室", "市卫生健康委员会"}


def test_the_xlsx_speaks_chinese_by_default(command_city, city_summary):
    response = login(command_city.office).get(f"/summaries/{city_summary.pk}/summary.xlsx")
    book = openpyxl.load_workbook(BytesIO(response.content))
    assert "石家庄市" in book.worksheets[0]["A1"].value


def test_the_pdf_is_a_pdf_naming_the_region_and_its_counties(command_city, city_summary):
    response = login(command_city.office).get(f"/summaries/{city_summary.pk}/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    for name in ("石家庄市", "藁城区", "长安区", "市卫生健康委员会", "核查密接人员管控情况"):
        assert name in text


def test_a_county_pdf_without_overdue_tasks_says_so(command_city, city):
    summary = [s for s in generate_daily_summaries(timezone.localdate()) if s.region_id == "130109"]
    response = login(command_city.gaocheng_office).get(
        f"/summaries/{summary[0].pk}/summary.pdf", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "No task is overdue." in text
