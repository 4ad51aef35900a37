"""Receipts, dispatches and sales: nobody dispatches or sells more than they hold, nobody
receives more than was sent to them, and a retailer sells only coded batches."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epicommand.coldchain.models import ChainEvent, Holding
from epicommand.coldchain.services import movements

from .chain_world import coded_batch


def on_hand(batch, enterprise):
    line = Holding.objects.filter(batch=batch, enterprise=enterprise).first()
    return line.on_hand if line else 0


def test_goods_move_down_the_chain_and_are_sold(chain):
    batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=60
    )
    movements.receive(chain.store_user, code, quantity=60)
    movements.dispatch(chain.store_user, code, to_credit_code=chain.market.credit_code, quantity=20)
    movements.receive(chain.market_user, code, quantity=20)
    movements.sell(chain.market_user, code, quantity=5)
    assert [on_hand(batch, e) for e in (chain.importer, chain.store, chain.market)] == [40, 40, 15]
    steps = list(ChainEvent.objects.filter(batch=batch).values_list("biz_step", flat=True))
    assert steps == [
        "commissioning",
        "shipping",
        "receiving",
        "shipping",
        "receiving",
        "retail_selling",
    ]


def test_dispatching_more_than_held_is_refused_and_nothing_written(chain):
    batch, code = coded_batch(chain.importer_user, quantity=10)
    with pytest.raises(ValidationError) as refused:
        movements.dispatch(
            chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=11
        )
    assert "quantity" in refused.value.message_dict
    assert on_hand(batch, chain.importer) == 10
    assert ChainEvent.objects.filter(biz_step="shipping").count() == 0


def test_receiving_more_than_was_sent_is_refused(chain):
    _batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=5
    )
    with pytest.raises(ValidationError) as refused:
        movements.receive(chain.store_user, code, quantity=6)
    assert "quantity" in refused.value.message_dict


def test_a_forged_code_is_refused_naming_the_trace_code(chain):
    with pytest.raises(ValidationError) as refused:
        movements.sell(chain.market_user, "CC1-deadbeef.notasignature", quantity=1)
    assert "trace_code" in refused.value.message_dict


def test_only_a_retailer_sells(chain):
    _batch, code = coded_batch(chain.importer_user)
    with pytest.raises(ValidationError) as refused:
        movements.sell(chain.importer_user, code, quantity=1)
    assert "enterprise" in refused.value.message_dict


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["dispatch", "receive", "sell"]),
        st.sampled_from(["importer", "store", "wholesaler", "market", "shop"]),
        st.sampled_from(["importer", "store", "wholesaler", "market", "shop"]),
        st.integers(min_value=1, max_value=40),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_no_sequence_of_receipts_and_dispatches_makes_stock_negative(chain, operations):
    Holding.objects.all().delete()
    ChainEvent.objects.all().delete()
    from epicommand.coldchain.models import Batch

    Batch.objects.all().delete()
    batch, code = coded_batch(chain.importer_user, quantity=50)
    for action, actor_key, other_key, quantity in operations:
        actor = getattr(chain, f"{actor_key}_user")
        try:
            if action == "dispatch":
                other = getattr(chain, other_key)
                movements.dispatch(actor, code, to_credit_code=other.credit_code, quantity=quantity)
            elif action == "receive":
                movements.receive(actor, code, quantity=quantity)
            else:
                movements.sell(actor, code, quantity=quantity)
        except ValidationError:
            pass  # refused whole: the invariant below must still hold
        lines = list(Holding.objects.filter(batch=batch))
        assert all(line.on_hand >= 0 for line in lines)
        shipped = sum(
            ChainEvent.objects.filter(batch=batch, biz_step="shipping").values_list(
                "quantity", flat=True
            )
        )
        received = sum(line.received for line in lines) - batch.quantity
        in_transit = shipped - received
        assert in_transit >= 0
        # Conservation: every package is on hand somewhere, on the way, or sold.
        assert sum(line.on_hand + line.sold for line in lines) + in_transit == batch.quantity
