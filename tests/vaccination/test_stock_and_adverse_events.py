"""Vaccine stock per site by lot (received, used, wasted; never negative) and adverse
events following immunization, reported at the site and followed until closed."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from epicommand.core.models import Role
from epicommand.vaccination.models import AdverseEvent, StockLot
from epicommand.vaccination.services import adverse, doses, sites

from .conftest import NO, make_person

pytestmark = pytest.mark.django_db


def test_stock_is_received_used_and_wasted_by_lot(world, city):
    lot = sites.receive_stock(world.vaccinator, world.site, product="coronavac", lot="c9", doses=3)
    assert (lot.lot, lot.received) == ("C9", 3)
    doses.record_dose(
        world.vaccinator, world.site, document=make_person(city.xgz, 1).id_number,
        product="coronavac", lot="C9", screening=NO,
    )  # fmt: skip
    sites.waste_stock(world.vaccinator, world.site, product="coronavac", lot="C9", doses=2)
    lot.refresh_from_db()
    assert (lot.received, lot.used, lot.wasted, lot.on_hand) == (3, 1, 2, 0)
    with pytest.raises(ValidationError) as refused:
        sites.waste_stock(world.vaccinator, world.site, product="coronavac", lot="C9", doses=1)
    assert "doses" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        doses.record_dose(
            world.vaccinator, world.site, document=make_person(city.xgz, 2).id_number,
            product="coronavac", lot="C9", screening=NO,
        )  # fmt: skip
    assert "lot" in refused.value.message_dict


def test_the_database_refuses_a_negative_stock(world):
    lot = StockLot.objects.get(site=world.site, product="bbibp")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLot.objects.filter(pk=lot.pk).update(used=lot.received + 1)


def test_another_countys_staff_cannot_touch_the_stock(world):
    with pytest.raises(PermissionDenied):
        sites.receive_stock(world.changan_vaccinator, world.site, product="bbibp", lot="X", doses=5)


def test_an_adverse_event_is_reported_followed_and_closed(world, city, gaocheng_epi, changan_epi):
    dose = doses.record_dose(
        world.vaccinator, world.site, document=make_person(city.xgz, 3).id_number,
        product="bbibp", lot="L1", screening=NO,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        adverse.report(
            world.vaccinator, dose, severity="mild", symptoms="低热",
            onset_at=dose.given_at - timedelta(hours=1),
        )  # fmt: skip
    assert "onset_at" in refused.value.message_dict
    event = adverse.report(
        world.vaccinator, dose, severity="serious", symptoms="皮疹",
        onset_at=timezone.now(),
    )  # fmt: skip
    assert event.state == AdverseEvent.State.REPORTED
    with pytest.raises(PermissionDenied):
        adverse.follow(changan_epi, event, note="电话随访")
    adverse.follow(gaocheng_epi, event, note="电话随访，已就医")
    with pytest.raises(ValidationError) as refused:
        adverse.follow(gaocheng_epi, event, note="痊愈", close=True)
    assert "outcome" in refused.value.message_dict
    event = adverse.follow(gaocheng_epi, event, note="已痊愈", outcome="痊愈", close=True)
    assert event.state == AdverseEvent.State.CLOSED and event.closed_at
    assert "电话随访" in event.notes


def test_a_vaccinator_role_reads_but_does_not_follow(world, make_user, city):
    assert Role.VACCINATOR in {world.vaccinator.role}
    assert not world.vaccinator.can("vaccination.aefi")
