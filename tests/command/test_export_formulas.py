"""The daily summary (XLSX) writes a unit's name typed as a formula as text."""

from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from epicommand.command.services.summaries import generate_daily_summaries
from epicommand.core.models import Unit
from tests.conftest import login

from .figures_city import generate


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


def test_a_unit_named_as_a_formula_is_exported_as_text(command_city):
    Unit.objects.filter(name="市卫生健康委员会").update(name="@SUM(1,2)")
    summary = generate_daily_summaries(timezone.localdate())[0]
    response = login(command_city.office).get(f"/summaries/{summary.pk}/summary.xlsx")
    book = openpyxl.load_workbook(BytesIO(response.content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert "'@SUM(1,2)" in [c.value for c in cells]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
