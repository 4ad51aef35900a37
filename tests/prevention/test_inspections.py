"""The inspector's phone form as a service: each item passed or failed, a photo for each
failure (an image by its content); a failure opens a rectification with a deadline and the
unit's responsible person; a re-inspection that passes closes it. Bad input is refused
naming the item and nothing is written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.prevention.models import Inspection, InspectionPhoto, Rectification
from epicommand.prevention.services import inspections

from .world import PDF, all_passed, image_bytes, photo

pytestmark = pytest.mark.django_db


def _fail_masks(world, now=None, **photos):
    unit = world.market_unit
    return inspections.inspect_unit(
        world.gaocheng_inspector,
        unit,
        results=all_passed(unit, masks=False),
        photos=photos or {"masks": [photo("masks.jpg", "JPEG")]},
        now=now,
    )


def test_a_failed_item_opens_a_rectification_for_the_responsible_person(world):
    now = timezone.now()
    inspection = _fail_masks(world, now=now)

    rectification = Rectification.objects.get(unit=world.market_unit)
    assert rectification.status == "open"
    assert rectification.items == ["masks"]
    assert rectification.responsible_name == "王经理"
    assert rectification.deadline == now + timedelta(days=3)
    assert rectification.opened_by == inspection
    world.market_unit.refresh_from_db()
    assert world.market_unit.open_rectifications == 1
    assert world.market_unit.score == inspection.score < 100
    stored = InspectionPhoto.objects.get(inspection=inspection)
    assert (stored.item, stored.content_type, stored.width) == ("masks", "image/jpeg", 64)
    assert AuditEvent.objects.filter(action="prevention.rectification.open").count() == 1


def test_a_reinspection_that_passes_closes_the_rectification(world):
    _fail_masks(world)
    unit = world.market_unit
    again = inspections.inspect_unit(world.gaocheng_inspector, unit, results=all_passed(unit))

    rectification = Rectification.objects.get(unit=unit)
    assert (rectification.status, rectification.closed_by) == ("closed", again)
    unit.refresh_from_db()
    assert (unit.open_rectifications, unit.score) == (0, 100)


def test_a_reinspection_still_failing_keeps_the_first_deadline(world):
    first = timezone.now() - timedelta(days=1)
    _fail_masks(world, now=first)
    unit = world.market_unit
    inspections.inspect_unit(
        world.gaocheng_inspector,
        unit,
        results=all_passed(unit, ventilation=False),
        photos={"ventilation": [photo("v.png")]},
    )
    (rectification,) = Rectification.objects.filter(unit=unit)
    assert rectification.status == "open"
    assert rectification.items == ["ventilation"]
    assert rectification.deadline == first + timedelta(days=3)


@pytest.mark.parametrize(
    "upload",
    [
        photo("masks.jpg", "JPEG", content=PDF),  # a PDF renamed .jpg
        photo("masks.png", content=image_bytes()[:40]),  # a PNG cut short
        photo("masks.png", content=image_bytes(size=(2, 2))),  # too small to show anything
        photo("masks.png", content=b""),
    ],
)
def test_evidence_that_is_not_an_image_is_refused_and_nothing_is_written(world, upload):
    with pytest.raises(ValidationError) as refused:
        _fail_masks(world, masks=[upload])
    assert "photos.masks" in refused.value.message_dict
    assert not Inspection.objects.exists()
    assert not Rectification.objects.exists()


def test_a_failed_item_without_a_photo_and_an_unanswered_item_are_named(world):
    unit = world.market_unit
    results = all_passed(unit, masks=False)
    del results["ventilation"]
    results["casino_licence"] = True
    with pytest.raises(ValidationError) as refused:
        inspections.inspect_unit(world.gaocheng_inspector, unit, results=results, photos={})
    assert set(refused.value.message_dict) == {
        "photos.masks",
        "items.ventilation",
        "items.casino_licence",
    }
    assert not Inspection.objects.exists()


def test_an_inspector_of_another_county_may_not_inspect(world):
    unit = world.market_unit
    with pytest.raises(PermissionDenied):
        inspections.inspect_unit(world.changan_inspector, unit, results=all_passed(unit))
