"""Staff health-code lookup: a list of codes filtered by colour and region (as the dashboard
links it) and a search by ID number, phone or name, masked, keyset-paginated and scoped;
a code's detail with its reasons, facts and history, scoped (404 outside) and audited."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from epicommand.control.models import FactKind
from epicommand.control.queries.codes import code_page
from epicommand.control.services import healthcode
from epicommand.core.models import AuditEvent, Role
from epicommand.people.models import Person
from tests.conftest import login

LIST = "/health-codes/"


def detail(person) -> str:
    return f"/health-codes/{person.pk}/"


def colour(person, kind, key, *, detail=""):
    at = timezone.now() - timedelta(hours=1)
    ended = at if kind in (FactKind.HIGH_RISK_VISIT, FactKind.MEDIUM_RISK_VISIT) else None
    healthcode.record_fact(
        person,
        kind,
        started_at=at,
        ended_at=ended,
        source=f"test {key}",
        source_key=key,
        detail=detail,
    )


@pytest.fixture
def coloured(gaocheng_person, changan_person):
    colour(gaocheng_person, FactKind.HIGH_RISK_VISIT, "scan:1", detail="增村镇")
    colour(changan_person, FactKind.FEVER, "fever:1", detail="37.8 °C")
    return gaocheng_person, changan_person


def names(response) -> list[str]:
    return [code.person.name for code in response.context["codes"]]


def test_the_list_shows_red_and_yellow_codes_of_the_jurisdiction_masked(coloured, city_office):
    gaocheng, changan = coloured
    response = login(city_office).get(LIST)
    assert response.status_code == 200
    assert names(response) == ["李娜", "张伟"]  # by region: Chang'an 130102 first
    html = response.content.decode()
    for person in coloured:
        assert person.masked_id in html and person.masked_phone in html
        assert person.id_number not in html and person.phone not in html


def test_a_district_epidemiologist_sees_only_the_codes_of_their_district(
    coloured, changan_epi, gaocheng_epi
):
    gaocheng, changan = coloured
    assert names(login(changan_epi).get(LIST)) == ["李娜"]
    assert names(login(gaocheng_epi).get(LIST)) == ["张伟"]
    # Searching the other district's person by ID number finds nothing either.
    search = login(changan_epi).get(LIST, {"q": gaocheng.id_number})
    assert names(search) == []
    assert names(login(changan_epi).get(LIST, {"colour": "red", "region": "130109"})) == []


def test_another_districts_code_is_not_found(coloured, changan_epi):
    gaocheng, _ = coloured
    assert login(changan_epi).get(detail(gaocheng)).status_code == 404
    assert login(changan_epi).get("/health-codes/999999/").status_code == 404
    assert not AuditEvent.objects.filter(action="healthcode.view").exists()


def test_the_dashboard_links_filter_by_colour_and_region(coloured, city_office):
    client = login(city_office)
    assert names(client.get(LIST, {"colour": "red", "region": "130109"})) == ["张伟"]
    assert names(client.get(LIST, {"colour": "yellow", "region": "130109"})) == []
    assert names(client.get(LIST, {"colour": "yellow", "region": "130102"})) == ["李娜"]
    # The city itself, as the dashboard's city-wide figure links it.
    assert names(client.get(LIST, {"colour": "red", "region": "130100"})) == ["张伟"]
    # Nonsense filters are ignored rather than failing.
    assert names(client.get(LIST, {"colour": "purple", "region": "x' OR 1=1"})) == [
        "李娜",
        "张伟",
    ]


def test_searching_finds_a_person_by_id_phone_or_name_with_green_for_no_record(
    coloured, city, city_office
):
    plain = Person.objects.create(
        name="张三",
        sex="M",
        birth_date=date(1990, 1, 1),
        id_number="130109199001010019",
        phone="13600000000",
        region=city.xgz,
    )
    client = login(city_office)
    assert names(client.get(LIST, {"q": "130109198005171238"})) == ["张伟"]
    assert names(client.get(LIST, {"q": "13987654321"})) == ["李娜"]
    found = client.get(LIST, {"q": "张"})
    assert sorted(names(found)) == ["张三", "张伟"]
    colours = {c.person.name: c.colour for c in found.context["codes"]}
    assert colours == {"张伟": "red", "张三": "green"}
    assert names(client.get(LIST, {"q": "张", "colour": "green"})) == [plain.name]


def test_htmx_gets_only_the_results(coloured, city_office):
    response = login(city_office).get(LIST, {"colour": "red"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<table>" in response.content.decode()
    assert "<h1>" not in response.content.decode()


def test_the_list_pages_by_key(city, city_office):
    persons = [
        Person.objects.create(
            name=f"王{i}",
            sex="F",
            birth_date=date(1990, 1, 1),
            passport_number=f"P{i:07d}",
            nationality="KOR",
            region=region,
        )
        for i, region in enumerate([city.xgz, city.community, city.xgz, city.community, city.xgz])
    ]
    for person in persons:
        colour(person, FactKind.CLOSE_CONTACT, f"contact:{person.pk}")
    seen, after = [], None
    while True:
        rows, after = code_page(city_office, limit=2, after=after)
        seen += [code.person_id for code in rows]
        if after is None:
            break
    expected = sorted(persons, key=lambda p: (p.region_id, p.pk))
    assert seen == [p.pk for p in expected]
    # The page link carries the filters and the cursor.
    response = login(city_office).get(LIST, {"colour": "red"})
    assert len(names(response)) == 5 and response.context["next_query"] == ""


def test_the_detail_shows_colour_reasons_facts_history_and_is_audited(coloured, gaocheng_epi):
    gaocheng, _ = coloured
    client = login(gaocheng_epi)
    response = client.get(detail(gaocheng), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Was in a high-risk area (增村镇) — red until" in html
    assert ", then yellow until" in html
    assert "test scan:1" in html  # the fact's source
    assert "增村镇" in html
    record = response.context["record"]
    assert [(c.colour_from, c.colour_to) for c in record.history] == [("green", "red")]
    assert [f.kind for f in record.facts] == [FactKind.HIGH_RISK_VISIT]
    assert response["Cache-Control"] == "no-store, private"
    (event,) = AuditEvent.objects.filter(action="healthcode.view")
    assert (event.actor, event.object_id, event.region_id) == (
        gaocheng_epi,
        str(gaocheng.pk),
        gaocheng.region_id,
    )
    client.get(detail(gaocheng))
    assert AuditEvent.objects.filter(action="healthcode.view").count() == 2  # every view


def test_the_detail_of_a_person_with_nothing_on_record_is_green(gaocheng_person, gaocheng_epi):
    response = login(gaocheng_epi).get(detail(gaocheng_person), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["record"].code.colour == "green"
    assert "The colour has never changed" in response.content.decode()


def test_roles_without_the_capability_are_refused(coloured, make_user, city):
    lab = make_user("lab", Role.LAB_STAFF, city.sjz)
    assert login(lab).get(LIST).status_code == 403
    assert login(lab).get(detail(coloured[0])).status_code == 403
    anonymous = Client().get(LIST)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_a_page_of_codes_costs_the_same_queries_for_few_rows_or_many(city, city_office):
    def page_queries() -> int:
        client = login(city_office)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    def add(n):
        for i in range(n):
            person = Person.objects.create(
                name=f"赵{i}",
                sex="F",
                birth_date=date(1990, 1, 1),
                passport_number=f"Q{Person.objects.count():07d}",
                nationality="KOR",
                region=city.xgz if i % 2 else city.community,
            )
            colour(person, FactKind.FEVER, f"fever:{person.pk}")

    add(1)
    few = page_queries()
    add(12)
    assert page_queries() == few  # no query per row
