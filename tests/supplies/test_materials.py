"""Medical materials: a delivery brings lots in; a place's request is approved, allocated
from lots earliest expiry first and confirmed on delivery; what is beyond stock, unknown or
expired is refused naming its field, and nothing of it is written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.supplies.models import Allocation, Lot, MaterialRequest, OrderLine
from epicommand.supplies.services import materials, requests

from .world import stock


def ask(depot, city, lines, who=None):
    return requests.submit_request(
        who or depot.sampler,
        place_kind="sampling_site",
        place_name="小果庄村采样点",
        region_code=city.xgz.code,
        lines=lines,
    )


def on_hand(warehouse, item):
    return sum(
        Lot.objects.filter(warehouse=warehouse, item__code=item).values_list("on_hand", flat=True)
    )


def test_a_request_is_approved_allocated_earliest_expiry_first_and_confirmed(depot, city):
    stock(
        depot.gaocheng_office,
        depot.gaocheng,
        [("swab", "S-LATE", 500, 300), ("swab", "S-SOON", 300, 30), ("n95_mask", "N-1", 100, 200)],
    )
    request = ask(
        depot, city, [{"item": "swab", "quantity": 400}, {"item": "n95_mask", "quantity": 50}]
    )
    assert request.warehouse == depot.gaocheng  # the village's district warehouse serves it
    requests.approve_request(depot.gaocheng_office, request, approved={"n95_mask": 20})
    allocations = requests.allocate(depot.gaocheng_office, request)
    taken = sorted((a.lot.lot_number, a.quantity) for a in allocations)
    assert taken == [("N-1", 20), ("S-LATE", 100), ("S-SOON", 300)]
    assert Lot.objects.get(lot_number="S-SOON").on_hand == 0
    assert on_hand(depot.gaocheng, "swab") == 400
    requests.confirm_delivery(depot.sampler, request)
    request.refresh_from_db()
    assert request.status == MaterialRequest.Status.DELIVERED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "materials.request",
        "materials.request.approve",
        "materials.request.allocate",
    } <= actions


def test_an_allocation_beyond_stock_is_refused_naming_the_line_and_nothing_is_taken(depot, city):
    stock(
        depot.gaocheng_office,
        depot.gaocheng,
        [("swab", "S-1", 100, 100), ("gloves", "G-1", 10, 100)],
    )
    request = ask(
        depot, city, [{"item": "swab", "quantity": 50}, {"item": "gloves", "quantity": 11}]
    )
    requests.approve_request(depot.gaocheng_office, request)
    with pytest.raises(ValidationError) as refused:
        requests.allocate(depot.gaocheng_office, request)
    assert "only 10 in stock" in refused.value.message_dict["lines[1].quantity"][0]
    assert on_hand(depot.gaocheng, "swab") == 100  # the line that fitted was not taken either
    assert not Allocation.objects.exists()
    request.refresh_from_db()
    assert request.status == MaterialRequest.Status.APPROVED


def test_expired_lots_are_never_allocated(depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("reagent", "R-1", 100, 5)])
    Lot.objects.filter(lot_number="R-1").update(expires_on=timezone.localdate() - timedelta(days=1))
    request = ask(depot, city, [{"item": "reagent", "quantity": 1}])
    requests.approve_request(depot.gaocheng_office, request)
    with pytest.raises(ValidationError) as refused:
        requests.allocate(depot.gaocheng_office, request)
    assert "lines[0].quantity" in refused.value.message_dict


def test_named_lots_are_allocated_and_an_unknown_lot_is_refused(depot, city):
    stock(
        depot.gaocheng_office, depot.gaocheng, [("swab", "S-A", 50, 30), ("swab", "S-B", 50, 300)]
    )
    later = Lot.objects.get(lot_number="S-B")
    request = ask(depot, city, [{"item": "swab", "quantity": 20}])
    requests.approve_request(depot.gaocheng_office, request)
    with pytest.raises(ValidationError) as refused:
        requests.allocate(
            depot.gaocheng_office,
            request,
            lots=[{"item": "swab", "lot_id": 999_999, "quantity": 20}],
        )
    assert "lots[0].lot_id" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        requests.allocate(
            depot.gaocheng_office,
            request,
            lots=[{"item": "swab", "lot_id": later.pk, "quantity": 60}],
        )
    assert "lots[0].quantity" in refused.value.message_dict
    requests.allocate(
        depot.gaocheng_office, request, lots=[{"item": "swab", "lot_id": later.pk, "quantity": 20}]
    )
    later.refresh_from_db()
    assert later.on_hand == 30


def test_a_request_is_allocated_once(depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 100)])
    request = ask(depot, city, [{"item": "swab", "quantity": 10}])
    requests.approve_request(depot.gaocheng_office, request)
    requests.allocate(depot.gaocheng_office, request)
    stale = MaterialRequest.objects.get(pk=request.pk)
    stale.status = MaterialRequest.Status.APPROVED  # a second clerk's page, opened before
    with pytest.raises(ValidationError) as refused:
        requests.allocate(depot.gaocheng_office, stale)
    assert "status" in refused.value.message_dict
    assert on_hand(depot.gaocheng, "swab") == 90


def test_unknown_items_and_bad_quantities_are_refused_naming_the_field(depot, city):
    with pytest.raises(ValidationError) as refused:
        ask(depot, city, [{"item": "ventilator", "quantity": 1}, {"item": "swab", "quantity": -3}])
    errors = refused.value.message_dict
    assert "lines[0].item" in errors and "lines[1].quantity" in errors
    assert not MaterialRequest.objects.exists()


def test_a_delivery_beyond_the_order_or_expired_or_off_order_is_refused_whole(depot, city):
    order = stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 100)])
    materials.place_order(
        depot.gaocheng_office,
        depot.gaocheng,
        number="PO-2",
        supplier="x",
        lines=[{"item": "gloves", "quantity": 10}],
    )
    second = order.warehouse.orders.get(number="PO-2")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        materials.receive_delivery(
            depot.gaocheng_office,
            second,
            lines=[
                {
                    "item": "gloves",
                    "lot_number": "G-1",
                    "quantity": 8,
                    "expires_on": today + timedelta(days=9),
                },
                {
                    "item": "gloves",
                    "lot_number": "G-2",
                    "quantity": 5,
                    "expires_on": today + timedelta(days=9),
                },
                {
                    "item": "swab",
                    "lot_number": "S-9",
                    "quantity": 1,
                    "expires_on": today + timedelta(days=9),
                },
                {"item": "gloves", "lot_number": "G-3", "quantity": 1, "expires_on": today},
                {"item": "mask", "lot_number": "M-1", "quantity": 1, "expires_on": "2030-01-01"},
            ],
        )
    errors = refused.value.message_dict
    assert set(errors) >= {
        "lines[1].quantity",
        "lines[2].item",
        "lines[3].expires_on",
        "lines[4].item",
    }
    assert not Lot.objects.filter(lot_number__startswith="G").exists()
    assert OrderLine.objects.get(order=second).delivered == 0


def test_another_districts_warehouse_may_not_be_worked(depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 100)])
    request = ask(depot, city, [{"item": "swab", "quantity": 10}])
    with pytest.raises(PermissionDenied):
        requests.approve_request(depot.changan_office, request)
    with pytest.raises(PermissionDenied):
        requests.submit_request(
            depot.changan_sampler,
            place_kind="sampling_site",
            place_name="x",
            region_code=city.xgz.code,
            lines=[{"item": "swab", "quantity": 1}],
        )
