from datetime import date

from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import Region
from epicommand.people.models import Person
from tests.conftest import login


def add_persons(city, count):
    other = Region.objects.create(code="130109104202", name="东里村", level=4, parent=city.zengcun)
    villages = [city.xgz, other, city.community]
    return [
        Person.objects.create(
            name=f"测试{i}",
            sex="M",
            birth_date=date(1980, 1, 1 + i),
            region=villages[i % 3],
            id_number=make_id_number(villages[i % 3].code[:6], date(1980, 1, 1 + i), i, "M"),
        )
        for i in range(count)
    ]


def test_paging_through_the_api_visits_every_person_in_scope_once(city, gaocheng_epi):
    persons = add_persons(city, 11)
    client, seen, after = login(gaocheng_epi), [], None
    while True:
        page = client.get("/api/v1/persons", {"limit": 2, **({"after": after} if after else {})})
        body = page.json()
        seen += [item["id"] for item in body["items"]]
        if not (after := body["next_after"]):
            break
    in_gaocheng = [p for p in persons if p.region_id.startswith("130109")]
    expected = sorted(in_gaocheng, key=lambda p: (p.region_id, p.pk))
    assert seen == [p.pk for p in expected]


def test_a_malformed_cursor_starts_from_the_first_page(city, gaocheng_epi):
    add_persons(city, 3)
    client = login(gaocheng_epi)
    first = client.get("/api/v1/persons").json()["items"]
    assert client.get("/api/v1/persons", {"after": "x-1; DROP"}).json()["items"] == first
