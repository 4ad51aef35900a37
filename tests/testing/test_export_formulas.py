"""The round report (XLSX) and the fever-clinic report (CSV) write names typed as
formulas as text: no cell of the workbook is a formula."""

from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import login

from .clinics_world import (  # noqa: F401  fixtures
    gaocheng_clinic_fixture,
    gaocheng_doctor_fixture,
    visit,
)
from .rounds_world import (  # noqa: F401  fixtures
    gaocheng_office_fixture,
    new_round,
    residents,
    villages_fixture,
)


def test_a_round_named_as_a_formula_is_exported_as_text(gaocheng_office, villages):
    residents(villages.xgz, 3)
    found = new_round(gaocheng_office, ["130109"])
    found.name = "=1+2"
    found.save(update_fields=["name"])
    response = login(gaocheng_office).get(f"/testing/rounds/{found.pk}/report.xlsx")
    book = load_workbook(BytesIO(response.content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert "'=1+2" in [c.value for c in cells]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []


def test_a_clinic_named_as_a_formula_is_exported_as_text(
    gaocheng_office, gaocheng_doctor, gaocheng_clinic, gaocheng_person
):
    gaocheng_clinic.name = "-2+3"
    gaocheng_clinic.save(update_fields=["name"])
    visit(gaocheng_doctor, gaocheng_clinic, gaocheng_person)
    day = timezone.localdate()
    csv = login(gaocheng_office).get(f"/testing/clinics/report.csv?day={day:%Y-%m-%d}")
    line = csv.content.decode("utf-8-sig").splitlines()[1]
    assert line.split(",")[1] == "'-2+3"
