"""A positive sample traces forward to every downstream holder and back to the first stop
in one recursive query: checked against a brute-force walk on random networks; the record
of a positive seals the stock downstream, lists the holders' staff for testing and gives
each county with holders a task for its command office."""

import uuid
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epicommand.coldchain import queries
from epicommand.coldchain.models import Batch, ChainEvent, Enterprise, EnterpriseStaff, Holding
from epicommand.coldchain.services import movements, positives
from epicommand.command.models import Task
from epicommand.testing.models import PriorityTest

from .chain_world import coded_batch

NETWORK = st.lists(
    st.tuples(
        st.integers(0, 2),  # batch
        st.integers(0, 7),  # from
        st.integers(0, 7),  # to
        st.integers(1, 9),  # packages
    ),
    max_size=30,
)


def brute_force(shipments, start, batch):
    """Every (holder, batch) reachable from `start` by following shipments, and every one
    from which `start` is reachable, by plain breadth-first walks."""
    down, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        for b, src, dst, _q in shipments:
            if b == batch and src == node and dst not in down:
                down.add(dst)
                frontier.append(dst)
    up, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        for b, src, dst, _q in shipments:
            if b == batch and dst == node and src not in up:
                up.add(src)
                frontier.append(src)
    return down, up - {start}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shipments=NETWORK, start=st.integers(0, 7), batch_index=st.integers(0, 2))
def test_the_trace_equals_a_brute_force_walk_on_random_networks(
    chain, shipments, start, batch_index
):
    ChainEvent.objects.all().delete()
    Holding.objects.all().delete()
    Batch.objects.all().delete()
    Enterprise.objects.filter(credit_code__startswith="9113999").delete()
    nodes = [
        Enterprise.objects.create(
            name=f"n{i}",
            credit_code=f"9113999900000{i:04d}A",
            kind=Enterprise.Kind.WHOLESALER,
            region=chain.importer.region,
            address="x",
        )
        for i in range(8)
    ]
    lots = [
        Batch.objects.create(
            first_stop=chain.importer,
            region=chain.importer.region,
            product="p",
            specification="s",
            origin_country="c",
            batch_number=f"b{i}",
            container_number="c",
            seal_number="s",
            customs_declaration="d",
            quantity=100,
            weight_kg=1,
        )
        for i in range(3)
    ]
    now = timezone.now()
    shipments = [s for s in shipments if s[1] != s[2]]
    ChainEvent.objects.bulk_create(
        ChainEvent(
            event_id=uuid.uuid4(),
            biz_step="shipping",
            disposition="in_transit",
            event_time=now,
            batch=lots[b],
            quantity=q,
            enterprise=nodes[src],
            destination=nodes[dst],
            region=chain.importer.region,
        )
        for b, src, dst, q in shipments
    )
    Holding.objects.create(
        batch=lots[batch_index], enterprise=nodes[start], region=chain.importer.region
    )
    with CaptureQueriesContext(connection) as ran:
        reached = queries.trace(nodes[start].pk, batch_id=lots[batch_index].pk)
    assert len(ran) == 1
    down, up = brute_force(shipments, start, batch_index)
    index = {n.pk: i for i, n in enumerate(nodes)}
    assert {index[r.enterprise_id] for r in reached if r.direction == "down"} == down
    assert {index[r.enterprise_id] for r in reached if r.direction == "up"} == up
    shipped_in = defaultdict(int)
    for b, _src, dst, q in shipments:
        if b == batch_index:
            shipped_in[dst] += q
    assert {index[r.enterprise_id]: r.shipped_in for r in reached if r.direction == "down"} == {
        n: shipped_in[n] for n in down
    }


def _network(chain):
    """importer -> store -> market, store -> shop (Chang'an); staff at the store and the
    market."""
    batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=60
    )
    movements.receive(chain.store_user, code, quantity=60)
    movements.dispatch(chain.store_user, code, to_credit_code=chain.market.credit_code, quantity=20)
    movements.receive(chain.market_user, code, quantity=20)
    movements.dispatch(chain.store_user, code, to_credit_code=chain.shop.credit_code, quantity=10)
    movements.sell(chain.market_user, code, quantity=5)
    return batch, code


def test_an_environment_sample_at_the_store_seals_downstream_and_lists_staff(
    chain, city_office, gaocheng_person
):
    batch, code = _network(chain)
    EnterpriseStaff.objects.create(
        enterprise=chain.market, person=gaocheng_person, region=chain.market.region
    )
    result = positives.record_positive_sample(
        city_office,
        kind="environment",
        enterprise_id=chain.store.pk,
        sampled_at=timezone.now() - timedelta(hours=2),
        lab_report="LAB-1",
    )
    down = {r.enterprise_id for r in result.reached if r.direction == "down"}
    up = {r.enterprise_id for r in result.reached if r.direction == "up"}
    assert down == {chain.store.pk, chain.market.pk, chain.shop.pk}
    assert up == {chain.importer.pk}
    held = dict(Holding.objects.filter(batch=batch).values_list("enterprise_id", "on_hand"))
    assert held[chain.store.pk] == 0 and held[chain.market.pk] == 0
    assert held[chain.importer.pk] == 40  # upstream stock is not sealed by this sample
    assert result.sample.packages_sealed == 30 + 15
    # The shop's 10 packages were on the way: they arrive sealed.
    movements.receive(chain.shop_user, code, quantity=10)
    shop = Holding.objects.get(batch=batch, enterprise=chain.shop)
    assert (shop.on_hand, shop.sealed) == (0, 10)
    with pytest.raises(ValidationError):
        movements.sell(chain.market_user, code, quantity=1)
    assert PriorityTest.objects.get(person=gaocheng_person).reason == "cold_chain"
    counties = sorted(Task.objects.values_list("region_id", flat=True))
    assert counties == [chain.store.region_id[:6], chain.importer.region_id[:6]]


def test_a_county_office_may_not_record_a_cross_county_positive(chain, make_user, offices, city):
    from epicommand.core.models import Role

    county = make_user("gc_office", Role.COUNTY_OFFICE, city.gaocheng, offices[city.gaocheng.code])
    _network(chain)
    with pytest.raises(PermissionDenied):
        positives.record_positive_sample(
            county,
            kind="environment",
            enterprise_id=chain.market.pk,
            sampled_at=timezone.now(),
            lab_report="LAB-2",
        )


def test_a_product_sample_needs_a_batch_the_place_held(chain, city_office):
    _batch, code = _network(chain)
    with pytest.raises(ValidationError) as refused:
        positives.record_positive_sample(
            city_office,
            kind="product",
            enterprise_id=chain.wholesaler.pk,
            trace_code=code,
            sampled_at=timezone.now(),
            lab_report="LAB-3",
        )
    assert "trace_code" in refused.value.message_dict
