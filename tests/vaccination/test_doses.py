"""The site desk records a dose: product, lot, site, dose number, time and vaccinator; the
lot's stock, the series, the booking and the coverage tally follow. Refusals name the
field and write nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epicommand.core.models import AuditEvent
from epicommand.vaccination.models import Booking, Coverage, Dose, RosterEntry, Series, StockLot
from epicommand.vaccination.services import bookings, doses

from .conftest import NO, make_person, slot_at

pytestmark = pytest.mark.django_db


def give(world, person, product="bbibp", lot="L1", **kw):
    return doses.record_dose(
        world.vaccinator,
        world.site,
        document=person.id_number,
        product=product,
        lot=lot,
        screening=kw.pop("screening", NO),
        **kw,
    )


def test_a_first_dose_records_what_where_when_and_who(world, city):
    person = make_person(city.xgz, 1)
    dose = give(world, person)
    assert (dose.product, dose.lot, dose.site, dose.dose_number) == ("bbibp", "L1", world.site, 1)
    assert dose.vaccinator == world.vaccinator and dose.given_at
    assert StockLot.objects.get(site=world.site, product="bbibp").used == 1
    series = Series.objects.get(person=person)
    assert (series.doses_given, series.complete) == (1, False)
    assert (series.next_by - series.next_from).days == 56 - 21
    assert AuditEvent.objects.filter(action="vaccination.dose", object_id=str(dose.pk)).exists()


def test_a_person_of_another_county_is_served_and_the_lookup_audited(world, city):
    person = make_person(city.community, 2)
    give(world, person)
    assert AuditEvent.objects.filter(
        action="person.find_outside_jurisdiction", object_id=str(person.pk)
    ).exists()


def test_a_yes_on_the_checklist_defers_the_dose(world, city):
    person = make_person(city.xgz, 3)
    with pytest.raises(ValidationError) as refused:
        give(world, person, screening={**NO, "fever": True})
    assert "screening" in refused.value.message_dict
    assert not Dose.objects.exists()


def test_an_unanswered_question_is_refused(world, city):
    person = make_person(city.xgz, 4)
    with pytest.raises(ValidationError) as refused:
        give(world, person, screening={"fever": False})
    assert "allergy" in refused.value.message_dict["screening"][0]


def test_outside_the_age_range_is_refused(world, city):
    from datetime import date

    old = make_person(city.xgz, 5, born=date(1950, 1, 1))
    with pytest.raises(ValidationError) as refused:
        give(world, old)
    assert "document" in refused.value.message_dict
    assert not Dose.objects.exists()


def test_a_lot_not_on_hand_is_refused_and_nothing_is_written(world, city):
    person = make_person(city.xgz, 6)
    with pytest.raises(ValidationError) as refused:
        give(world, person, lot="NOPE")
    assert "lot" in refused.value.message_dict
    assert not Dose.objects.exists() and not Series.objects.exists()
    assert not Coverage.objects.exists()


def test_an_unknown_document_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        doses.record_dose(
            world.vaccinator,
            world.site,
            document="130109198001010000",
            product="bbibp",
            lot="L1",
            screening=NO,
        )
    assert "document" in refused.value.message_dict


def test_another_countys_vaccinator_may_not_record_at_the_site(world, city):
    person = make_person(city.xgz, 7)
    with pytest.raises(PermissionDenied):
        doses.record_dose(
            world.changan_vaccinator,
            world.site,
            document=person.id_number,
            product="bbibp",
            lot="L1",
            screening=NO,
        )


def test_the_booking_is_used_and_the_employer_counted(world, city):
    person = make_person(city.xgz, 8)
    RosterEntry.objects.create(
        unit=world.police, person=person, group="police_fire_community", region=city.gaocheng
    )
    booking = bookings.book_for_staff(world.officer, slot_at(world.site), person)
    dose = give(world, person)
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.VACCINATED
    assert (dose.unit, dose.group) == (world.police, "police_fire_community")
    tally = Coverage.objects.get(unit_key=world.police.pk, group="police_fire_community")
    assert (tally.begun, tally.complete) == (1, 0)


def test_a_one_dose_product_completes_the_series(world, city):
    person = make_person(city.xgz, 9)
    give(world, person, product="ad5")
    series = Series.objects.get(person=person)
    assert series.complete and series.next_by is None
    with pytest.raises(ValidationError) as refused:
        give(world, person, product="ad5")
    assert "document" in refused.value.message_dict


def test_the_dashboard_counts_the_dose_as_a_recount_would(world, city):
    from epicommand.core.models import Counter
    from epicommand.core.recount import differences

    give(world, make_person(city.xgz, 10))
    assert Counter.objects.get(metric="vaccination_doses", region_id="130109").value == 1
    assert [d for d in differences() if d.metric == "vaccination_doses"] == []
