"""The dashboard's checkpoint counters (passages, passages_denied, checkpoint_fevers) kept
by the services equal a recount from the table, per county and city and per day of the
passage, whichever way the passages came in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.control.models import Passage
from epicommand.control.services import checkpoints as services
from epicommand.core.dashboard import FIGURES, build_dashboard
from epicommand.core.models import Counter
from epicommand.core.recount import recount

from .checkpoint_world import checkpoint_world

METRICS = ("passages", "passages_denied", "checkpoint_fevers")


@pytest.fixture
def world(city, make_user, city_office, gaocheng_person, changan_person):
    w = checkpoint_world(city, make_user, city_office)
    now = timezone.now()
    w.passage(gaocheng_person, "38.0")
    w.passage(changan_person, "36.2", plate="冀A1")
    w.passage(changan_person, "37.5", passed_at=now - timedelta(days=2))
    w.passage(changan_person, "36.9", actor=w.changan_officer, checkpoint=w.changan_checkpoint)
    services.record_vehicle(
        w.officer,
        w.checkpoint,
        driver=services.PasserIn(person=w.person()),
        passengers=[services.PasserIn(person=w.person(), temperature="39.1")],
        plate="冀A2",
        direction="in",
    )
    services.record_passages(
        w.officer,
        [
            {
                "client_id": f"batch-{n}",
                "checkpoint_id": w.checkpoint.pk,
                "id_number": w.person().id_number,
                "temperature": 38.8 if n == 0 else 36.0,
                "direction": "out",
                "passed_at": now - timedelta(days=n),
            }
            for n in range(3)
        ],
    )
    return w


def kept() -> dict:
    return {
        (metric, region, day): value
        for metric, region, day, value in Counter.objects.filter(metric__in=METRICS).values_list(
            "metric", "region_id", "day", "value"
        )
    }


def test_the_counters_equal_a_recount(world):
    before = kept()
    assert before[("passages", "130100", timezone.localdate())] == 6
    recount()
    assert kept() == before


def test_the_counters_equal_a_direct_count_per_county(world):
    today = timezone.localdate()
    for county in ("130109", "130102"):
        passages = [
            p
            for p in Passage.objects.in_region(county)
            if timezone.localtime(p.passed_at).date() == today
        ]
        counted = kept()
        assert counted.get(("passages", county, today), 0) == len(passages)
        assert counted.get(("passages_denied", county, today), 0) == sum(
            p.verdict == "deny" for p in passages
        )
        assert counted.get(("checkpoint_fevers", county, today), 0) == sum(
            p.temperature is not None and p.temperature >= services.fever_threshold()
            for p in passages
        )


def test_the_dashboard_shows_the_checkpoint_panel(world, city_office):
    board = build_dashboard(city_office)
    assert {"passages", "passages_denied", "checkpoint_fevers"} <= set(board.focus.values)
    assert board.focus.values["checkpoint_fevers"] == 3
    assert all(p.key != "checkpoints" for p in board.awaiting)
    link = FIGURES["passages_denied"].url("130109", timezone.localdate())
    assert link.startswith("/checkpoints/passages/?region=130109&date_from=")
    assert link.endswith("&verdict=deny")
