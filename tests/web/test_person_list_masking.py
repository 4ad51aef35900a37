"""DESIGN rule 3: lists show ID and phone numbers masked; only the detail page shows them."""

from epicommand.people.models import Person
from epicommand.people.queries import PAGE_SIZE
from tests.conftest import login


def test_the_list_shows_masked_values_and_not_full_ones(gaocheng_epi, gaocheng_person):
    html = login(gaocheng_epi).get("/persons/").content.decode()
    assert gaocheng_person.masked_id in html  # 130109********1238
    assert gaocheng_person.masked_phone in html  # 138****5678
    assert gaocheng_person.id_number not in html
    assert gaocheng_person.phone not in html


def test_a_search_by_full_id_number_still_shows_it_masked(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get("/persons/", {"q": gaocheng_person.id_number})
    assert response.context["persons"] == [gaocheng_person]
    results = response.content.decode().split('id="results"', 1)[1]
    assert gaocheng_person.masked_id in results
    assert gaocheng_person.id_number not in results


def test_the_detail_page_shows_the_full_values(gaocheng_epi, gaocheng_person):
    html = login(gaocheng_epi).get(f"/persons/{gaocheng_person.pk}/").content.decode()
    assert gaocheng_person.id_number in html
    assert gaocheng_person.phone in html


def test_searching_by_phone_and_name_prefix_finds_the_person(gaocheng_epi, gaocheng_person):
    client = login(gaocheng_epi)
    assert client.get("/persons/", {"q": "13812345678"}).context["persons"] == [gaocheng_person]
    assert client.get("/persons/", {"q": "张"}).context["persons"] == [gaocheng_person]
    assert client.get("/persons/", {"q": "李"}).context["persons"] == []


def test_htmx_gets_only_the_results_table(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).get("/persons/", {"q": "张"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert gaocheng_person.masked_id in html


def test_the_list_pages_by_key(city_office, city):
    Person.objects.bulk_create(
        Person(
            name=f"测试{i:03d}",
            sex="M",
            birth_date="1990-01-01",
            passport_number=f"E{i:07d}",
            nationality="USA",
            region=city.xgz,
        )
        for i in range(PAGE_SIZE + 3)
    )
    client = login(city_office)
    first = client.get("/persons/")
    assert len(first.context["persons"]) == PAGE_SIZE
    after = first.context["next_after"]
    assert f"after={after}" in first.content.decode()
    second = client.get("/persons/", {"after": after})
    assert len(second.context["persons"]) == 3
    assert second.context["next_after"] is None
    assert client.get("/persons/", {"after": "not-a-number"}).status_code == 200


def test_the_page_and_its_htmx_fragment_are_cached_apart(gaocheng_epi):
    assert "HX-Request" in login(gaocheng_epi).get("/persons/")["Vary"]
