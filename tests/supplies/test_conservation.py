"""Stock is conserved and never negative, whatever the sequence of deliveries, requests
and allocations: for every lot, received = on hand + allocated from it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epicommand.supplies.models import Allocation, Delivery, Lot, MaterialRequest, PurchaseOrder
from epicommand.supplies.services import requests

from .world import stock

ITEMS = ("swab", "sampling_tube")
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("deliver"), st.sampled_from(ITEMS), st.integers(1, 60), st.integers(1, 90)
        ),
        st.tuples(st.just("ask"), st.sampled_from(ITEMS), st.integers(1, 120), st.booleans()),
    ),
    min_size=1,
    max_size=12,
)


def conserved():
    for lot in Lot.objects.all():
        taken = Allocation.objects.filter(lot=lot).aggregate(n=Sum("quantity"))["n"] or 0
        assert lot.on_hand >= 0
        assert lot.received == lot.on_hand + taken


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_no_sequence_of_deliveries_and_allocations_makes_stock_negative(depot, city, operations):
    Allocation.objects.all().delete()
    MaterialRequest.objects.all().delete()
    Lot.objects.all().delete()
    Delivery.objects.all().delete()
    PurchaseOrder.objects.all().delete()
    for n, (kind, item, quantity, extra) in enumerate(operations):
        if kind == "deliver":
            stock(
                depot.gaocheng_office,
                depot.gaocheng,
                [(item, f"L{n}", quantity, extra)],
                number=f"PO{n}",
            )
            continue
        before = dict(Lot.objects.values_list("pk", "on_hand"))
        available = sum(Lot.objects.filter(item__code=item).values_list("on_hand", flat=True))
        request = requests.submit_request(
            depot.sampler,
            place_kind="sampling_site",
            place_name="采样点",
            region_code=city.xgz.code,
            lines=[{"item": item, "quantity": quantity}],
        )
        requests.approve_request(depot.gaocheng_office, request)
        if quantity > available:
            with pytest.raises(ValidationError):
                requests.allocate(depot.gaocheng_office, request)
            assert dict(Lot.objects.values_list("pk", "on_hand")) == before
        else:
            requests.allocate(depot.gaocheng_office, request)
            after = sum(Lot.objects.filter(item__code=item).values_list("on_hand", flat=True))
            assert after == available - quantity
        conserved()


def test_the_database_refuses_a_negative_stock(depot):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 5, 10)])
    from django.db import IntegrityError, transaction
    from django.db.models import F

    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.update(on_hand=F("on_hand") - 6)
    assert Lot.objects.get().on_hand == 5


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_allocating_at_once_never_take_more_than_the_lot_holds(depot, city):
    """Two threads allocate 60 each from a lot of 100: one wins, the other is refused."""
    import threading

    from django.db import connections

    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 100)])
    made = []
    for _ in range(2):
        r = requests.submit_request(
            depot.sampler,
            place_kind="lab",
            place_name="藁城区疾控实验室",
            region_code=city.xgz.code,
            lines=[{"item": "swab", "quantity": 60}],
        )
        requests.approve_request(depot.gaocheng_office, r)
        made.append(r)
    outcomes, barrier = [], threading.Barrier(2)

    def work(r):
        barrier.wait()
        try:
            requests.allocate(depot.gaocheng_office, r)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(r,)) for r in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Lot.objects.get().on_hand == 40
    conserved()


assert connection  # the skip condition reads it
