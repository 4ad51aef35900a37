"""The interval between doses is policy per product: a dose before the minimum interval,
or of a product that may not continue the series, is refused naming the field; past the
maximum it is overdue and still given."""

import pytest
from django.core.exceptions import ValidationError

from epicommand.core.policy_vaccination import PRODUCTS
from epicommand.vaccination.models import Dose, Series, StockLot
from epicommand.vaccination.services import doses

from .conftest import NO, at_day, make_person

pytestmark = pytest.mark.django_db


def give(world, person, product, given_at=None):
    return doses.record_dose(
        world.vaccinator,
        world.site,
        document=person.id_number,
        product=product,
        lot="L1",
        screening=NO,
        given_at=given_at,
    )


@pytest.mark.parametrize(
    ("product", "too_soon", "soon_enough"),
    [(p.code, p.min_interval_days - 1, p.min_interval_days) for p in PRODUCTS if p.doses == 2],
)
def test_the_second_dose_waits_for_the_products_minimum(
    world, city, product, too_soon, soon_enough
):
    early = make_person(city.xgz, 1)
    give(world, early, product, at_day(too_soon))
    with pytest.raises(ValidationError) as refused:
        give(world, early, product)
    assert "given_at" in refused.value.message_dict
    assert Dose.objects.filter(person=early).count() == 1
    on_time = make_person(city.xgz, 2)
    give(world, on_time, product, at_day(soon_enough))
    assert give(world, on_time, product).dose_number == 2
    assert Series.objects.get(person=on_time).complete


def test_another_product_may_not_continue_a_series_unless_the_policy_allows(world, city):
    person = make_person(city.xgz, 3)
    give(world, person, "bbibp", at_day(30))
    with pytest.raises(ValidationError) as refused:
        give(world, person, "coronavac")
    assert "product" in refused.value.message_dict
    assert StockLot.objects.get(site=world.site, product="coronavac").used == 0
    # Sinopharm's two inactivated vaccines may continue each other's series.
    assert give(world, person, "wibp").dose_number == 2


def test_a_late_dose_is_still_given_and_closes_the_overdue(world, city):
    person = make_person(city.xgz, 4)
    give(world, person, "coronavac", at_day(70))
    series = Series.objects.get(person=person)
    from django.utils import timezone

    assert series.next_by < timezone.localdate()  # overdue
    give(world, person, "coronavac")
    assert Series.objects.get(person=person).complete
