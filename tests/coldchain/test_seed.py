"""The demo network: coded batches whose holdings add up, and the demo's positive
environment sample at a wholesale market traced forward through the real service."""

import random

from django.db.models import Count, F, Sum
from django.utils import timezone

from epicommand.coldchain.models import Batch, ChainEvent, Enterprise, Holding
from epicommand.coldchain.services import positives
from epicommand.simulation.coldchain_network import Plan, build_network


def test_a_seeded_network_conserves_every_package_and_traces_from_a_market(city, city_office):
    plan = Plan(importers=2, cold_stores=3, markets=3, retailers=20, batches=40, market_hops=2)
    network = build_network(random.Random(7), plan)
    assert network.batches == 40 and Batch.objects.filter(coded_at__isnull=False).count() == 40
    for batch in Batch.objects.all():
        lines = Holding.objects.filter(batch=batch)
        assert not lines.filter(on_hand__lt=0).exists()
        held = lines.aggregate(n=Sum(F("on_hand") + F("sold")))["n"]
        shipped = ChainEvent.objects.filter(batch=batch, biz_step="shipping").aggregate(
            n=Sum("quantity")
        )["n"]
        received = ChainEvent.objects.filter(batch=batch, biz_step="receiving").aggregate(
            n=Sum("quantity")
        )["n"]
        assert shipped == received and held == batch.quantity
    market = Enterprise.objects.filter(kind=Enterprise.Kind.WHOLESALER).first()
    result = positives.record_positive_sample(
        city_office, kind="environment", enterprise_id=market.pk,
        sampled_at=timezone.now(), lab_report="DEMO",
    )  # fmt: skip
    down = [r for r in result.reached if r.direction == "down"]
    assert down and result.sample.packages_sealed == sum(r.on_hand for r in down)
    for r in down:
        line = Holding.objects.get(enterprise_id=r.enterprise_id, batch_id=r.batch_id)
        assert line.on_hand == 0 and line.sealed == r.on_hand and line.sealed_at
    kinds = set(
        Enterprise.objects.filter(pk__in={r.enterprise_id for r in down}).values_list(
            "kind", flat=True
        )
    )
    assert Enterprise.Kind.RETAILER in kinds
    up = {r.enterprise_id for r in result.reached if r.direction == "up"}
    assert Batch.objects.filter(first_stop_id__in=up).exists()  # back to the first stop


def test_the_demo_command_seeds_the_issue_network_and_one_traced_positive(city, city_office):
    from io import StringIO

    from django.core.management import call_command

    from epicommand.coldchain.models import PositiveSample

    out = StringIO()
    call_command("seed_coldchain", stdout=out)
    kinds = dict(
        Enterprise.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    assert kinds["first_stop"] == 3 and kinds["retailer"] == 200
    assert kinds["cold_store"] + kinds["wholesaler"] == 20
    assert Batch.objects.filter(coded_at__isnull=False).count() == 2000
    sample = PositiveSample.objects.get()
    assert sample.kind == "environment" and sample.packages_sealed > 0
    assert "Positive environment sample" in out.getvalue()
    call_command("seed_coldchain", "--if-empty", stdout=StringIO())  # a second run: nothing
    assert PositiveSample.objects.count() == 1
