"""people.lookup, the one way to find a person by document: scoped by default (another
district's person reads as not registered), named and audited outside the jurisdiction."""

from datetime import date

import pytest

from epicommand.core.models import AuditEvent
from epicommand.people import lookup
from epicommand.people.models import Person

pytestmark = pytest.mark.django_db
OUTSIDE = "person.find_outside_jurisdiction"


@pytest.fixture
def gaocheng_visitor(city):
    """A foreigner living in Gaocheng, known by passport."""
    return Person.objects.create(
        name="John Smith",
        sex="M",
        birth_date=date(1979, 4, 2),
        passport_number="E12345678",
        nationality="GBR",
        phone="13600001111",
        region=city.xgz,
    )


def test_a_person_in_scope_is_found_by_id_or_passport_number_as_typed(
    gaocheng_epi, gaocheng_person, gaocheng_visitor
):
    typed = f"  {gaocheng_person.id_number.lower()} "
    assert lookup.find_by_document(gaocheng_epi, typed) == gaocheng_person
    assert lookup.find_by_document(gaocheng_epi, " e12345678") == gaocheng_visitor


def test_another_districts_person_reads_as_not_registered(changan_epi, gaocheng_person):
    assert lookup.find_by_document(changan_epi, gaocheng_person.id_number) is None
    assert lookup.find_by_document(changan_epi, "130109198501019999") is None
    assert not AuditEvent.objects.filter(action=OUTSIDE).exists()


@pytest.mark.parametrize("document", ["", "   ", None, "X" * 21, "1301\x0009198005171238"])
def test_nothing_that_is_not_a_document_finds_anybody(city_office, gaocheng_person, document):
    assert lookup.find_by_document(city_office, document) is None
    assert (
        lookup.find_outside_jurisdiction(city_office, document, purpose=lookup.Purpose.FEVER_CLINIC)
        is None
    )


def test_a_named_purpose_finds_a_person_outside_and_audits_it(changan_epi, gaocheng_person):
    found = lookup.find_outside_jurisdiction(
        changan_epi, gaocheng_person.id_number, purpose=lookup.Purpose.CONTACT_NAMING
    )
    assert found == gaocheng_person
    event = AuditEvent.objects.get(action=OUTSIDE)
    assert (event.actor, event.object_type, event.object_id) == (
        changan_epi,
        "people.person",
        str(gaocheng_person.pk),
    )
    assert (event.region_id, event.reason) == (gaocheng_person.region_id, "contact naming")


def test_a_person_in_scope_found_for_a_purpose_is_not_an_outside_event(
    gaocheng_epi, gaocheng_person
):
    found = lookup.find_outside_jurisdiction(
        gaocheng_epi, gaocheng_person.id_number, purpose=lookup.Purpose.FEVER_CLINIC
    )
    assert found == gaocheng_person
    assert not AuditEvent.objects.filter(action=OUTSIDE).exists()


def test_an_unknown_number_found_for_a_purpose_is_none(changan_epi, gaocheng_person):
    found = lookup.find_outside_jurisdiction(
        changan_epi, "130109198501019999", purpose=lookup.Purpose.QUARANTINE_ADMISSION
    )
    assert found is None
    assert not AuditEvent.objects.filter(action=OUTSIDE).exists()


def test_batch_intake_matches_numbers_anywhere_for_its_purposes_only(
    gaocheng_person, changan_person
):
    numbers = [gaocheng_person.id_number, changan_person.id_number, "130109198501019999"]
    rows = lookup.holders_anywhere("id_number", numbers, purpose=lookup.Purpose.VENUE_SCAN)
    assert set(rows) == {gaocheng_person, changan_person}
    with pytest.raises(ValueError):
        lookup.holders_anywhere("id_number", numbers, purpose=lookup.Purpose.CONTACT_NAMING)
    with pytest.raises(ValueError):
        lookup.holders_anywhere("phone", numbers, purpose=lookup.Purpose.VENUE_SCAN)


def test_a_resident_is_the_one_holder_of_the_document_with_that_phone(
    gaocheng_person, gaocheng_visitor
):
    assert lookup.find_resident(gaocheng_person.id_number, "13812345678") == gaocheng_person
    assert lookup.find_resident("E12345678", "13600001111") == gaocheng_visitor
    assert lookup.find_resident(gaocheng_person.id_number, "13600001111") is None
