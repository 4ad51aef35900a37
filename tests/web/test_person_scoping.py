"""DESIGN rule 1 through the web UI: a county user never reaches another county's person,
through the detail page, the edit page, the search or the CSV export; the city office does."""

from tests.conftest import login


def _export(client, **params) -> str:
    response = client.get("/persons/export.csv", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_a_gaocheng_epidemiologist_gets_404_for_a_changan_persons_detail_page(
    gaocheng_epi, changan_person
):
    response = login(gaocheng_epi).get(f"/persons/{changan_person.pk}/")
    assert response.status_code == 404
    assert changan_person.name not in response.content.decode()


def test_a_gaocheng_epidemiologist_gets_404_for_a_changan_persons_edit_page(
    gaocheng_epi, changan_person
):
    client = login(gaocheng_epi)
    assert client.get(f"/persons/{changan_person.pk}/edit/").status_code == 404
    assert client.post(f"/persons/{changan_person.pk}/edit/", {"name": "x"}).status_code == 404


def test_searching_a_changan_id_number_from_gaocheng_finds_nothing(
    gaocheng_epi, gaocheng_person, changan_person
):
    response = login(gaocheng_epi).get("/persons/", {"q": changan_person.id_number})
    assert response.context["persons"] == []
    assert changan_person.name not in response.content.decode()


def test_the_gaocheng_list_holds_only_gaocheng_persons(
    gaocheng_epi, gaocheng_person, changan_person
):
    response = login(gaocheng_epi).get("/persons/")
    assert response.context["persons"] == [gaocheng_person]


def test_the_csv_export_from_gaocheng_leaves_out_changan(
    gaocheng_epi, gaocheng_person, changan_person
):
    body = _export(login(gaocheng_epi))
    assert gaocheng_person.id_number in body
    assert changan_person.id_number not in body
    assert changan_person.name not in body


def test_the_city_office_sees_persons_of_both_counties(
    city_office, gaocheng_person, changan_person
):
    client = login(city_office)
    # Lists run in region order: Chang'an (130102) before Gaocheng (130109).
    assert client.get("/persons/").context["persons"] == [changan_person, gaocheng_person]
    for person in (gaocheng_person, changan_person):
        assert client.get(f"/persons/{person.pk}/").status_code == 200
        assert client.get("/persons/", {"q": person.id_number}).context["persons"] == [person]
    body = _export(client)
    assert gaocheng_person.id_number in body and changan_person.id_number in body
