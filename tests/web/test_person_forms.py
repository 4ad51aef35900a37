"""Registering and changing a person through the forms: the services decide, and their
errors come back on the field they name."""

from epicommand.core.models import AuditEvent
from epicommand.people.models import Person
from tests.conftest import login

NEW = {
    "name": "赵敏",
    "id_number": "130109199001011231",
    "nationality": "CHN",
    "phone": "13700001111",
    "address": "小果庄村 3 号",
    "region_id": "130109104201",
}


def test_registering_a_person_derives_sex_and_birth_date_from_the_id_number(gaocheng_epi):
    response = login(gaocheng_epi).post("/persons/new/", NEW)
    person = Person.objects.get(id_number=NEW["id_number"])
    assert response.status_code == 302
    assert response["Location"] == f"/persons/{person.pk}/"
    assert (person.sex, person.birth_date.isoformat()) == ("M", "1990-01-01")
    assert AuditEvent.objects.filter(action="person.create", actor=gaocheng_epi).count() == 1


def test_a_bad_id_number_is_reported_on_its_field_and_nothing_is_saved(gaocheng_epi):
    response = login(gaocheng_epi).post("/persons/new/", {**NEW, "id_number": "130109199001011230"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["id_number"]
    assert not Person.objects.exists()


def test_a_region_outside_the_jurisdiction_is_refused(gaocheng_epi):
    response = login(gaocheng_epi).post("/persons/new/", {**NEW, "region_id": "130102001001"})
    assert response.status_code == 400
    assert "region_id" in response.context["form"].errors
    assert not Person.objects.exists()


def test_an_id_number_already_registered_is_reported_on_its_field(gaocheng_epi, gaocheng_person):
    response = login(gaocheng_epi).post(
        "/persons/new/", {**NEW, "id_number": gaocheng_person.id_number}
    )
    assert response.status_code == 400
    assert "id_number" in response.context["form"].errors


def test_editing_a_person_goes_through_the_service_and_is_audited(gaocheng_epi, gaocheng_person):
    client = login(gaocheng_epi)
    form = client.get(f"/persons/{gaocheng_person.pk}/edit/").context["form"]
    data = {name: value or "" for name, value in form.initial.items()}
    data.update(phone="13900002222", reason="本人来电更正")
    response = client.post(f"/persons/{gaocheng_person.pk}/edit/", data)
    assert response.status_code == 302
    gaocheng_person.refresh_from_db()
    assert gaocheng_person.phone == "13900002222"
    event = AuditEvent.objects.get(action="person.update")
    assert (event.actor, event.reason) == (gaocheng_epi, "本人来电更正")


def test_roles_without_person_edit_cannot_open_the_forms(supervisor, gaocheng_person):
    client = login(supervisor)
    assert client.get("/persons/new/").status_code == 403
    assert client.get(f"/persons/{gaocheng_person.pk}/edit/").status_code == 403
    assert client.post("/persons/new/", NEW).status_code == 403
    assert not Person.objects.filter(id_number=NEW["id_number"]).exists()


def test_every_mistake_is_shown_at_once(gaocheng_epi):
    response = login(gaocheng_epi).post(
        "/persons/new/",
        {**NEW, "id_number": "130109199001011230", "phone": "abc", "region_id": "130102001001"},
    )
    assert sorted(response.context["form"].errors) == ["id_number", "phone", "region_id"]
