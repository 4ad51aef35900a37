"""Setting a round up targets everyone residing in its regions (one progress row per
village), refuses bad input whole, and opens and closes in order; all audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core.models import AuditEvent, Role
from epicommand.testing.models import Round, RoundProgress
from epicommand.testing.services import rounds

from .rounds_world import (  # noqa: F401  fixtures
    changan_office_fixture,
    gaocheng_office_fixture,
    new_round,
    residents,
    villages_fixture,
)

pytestmark = pytest.mark.django_db


def test_a_round_targets_everyone_residing_per_village(city_office, villages):
    residents(villages.xgz, 7)
    residents(villages.dongli, 3)
    residents(villages.jianbei, 5)
    found = new_round(city_office, ["130109"])
    targets = dict(RoundProgress.objects.filter(round=found).values_list("region_id", "target"))
    assert targets == {"130109104201": 7, "130109104202": 3, "130109105201": 0}
    assert found.region_id == "130109"  # the narrowest region holding all it covers
    event = AuditEvent.objects.get(action="testing_round.create")
    assert event.object_id == str(found.pk) and "target 10" in event.reason


def test_a_region_inside_another_named_is_counted_once(city_office, villages):
    residents(villages.xgz, 4)
    found = new_round(city_office, ["130109104", "130109104201", "130102"])
    assert sorted(found.regions.values_list("code", flat=True)) == ["130102", "130109104"]
    assert found.region_id == "130100"
    total = sum(RoundProgress.objects.filter(round=found).values_list("target", flat=True))
    assert total == 4


def test_bad_input_is_refused_whole_naming_each_field(city_office, gaocheng_office, villages):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        rounds.create_round(
            gaocheng_office,
            name=" ",
            region_codes=["130109", "999999", "130102"],
            starts_at=now,
            ends_at=now - timedelta(hours=1),
        )
    errors = refused.value.message_dict
    assert errors["name"] == ["is required"]
    assert "unknown region code 999999" in errors["region_codes[1]"][0]
    assert errors["region_codes[2]"] == ["is outside your jurisdiction"]
    assert errors["ends_at"] == ["must be after the start"]
    with pytest.raises(ValidationError) as naive:
        rounds.create_round(
            city_office,
            name="x",
            region_codes=[],
            starts_at=now.replace(tzinfo=None),
            ends_at=now,
        )
    assert set(naive.value.message_dict) == {"region_codes", "starts_at"}
    assert not Round.objects.exists() and not RoundProgress.objects.exists()


def test_only_those_who_manage_testing_set_rounds_up(make_user, city, villages):
    epidemiologist = make_user("epi", Role.EPIDEMIOLOGIST, city.gaocheng)
    with pytest.raises(PermissionDenied):
        new_round(epidemiologist, ["130109"])


def test_a_round_opens_then_closes_and_never_backwards(gaocheng_office, changan_office, villages):
    found = new_round(gaocheng_office, ["130109"])
    with pytest.raises(PermissionDenied):
        rounds.open_round(changan_office, found)
    with pytest.raises(ValidationError) as early:
        rounds.close_round(gaocheng_office, found)
    assert "only a Sampling round can be closed" in early.value.message_dict["status"][0]
    assert rounds.open_round(gaocheng_office, found).status == Round.Status.OPEN
    assert rounds.close_round(gaocheng_office, found, reason="done").status == "closed"
    with pytest.raises(ValidationError):
        rounds.open_round(gaocheng_office, found)
    actions = list(
        AuditEvent.objects.filter(object_id=str(found.pk)).values_list("action", flat=True)
    )
    assert actions.count("testing_round.open") == 1 and actions.count("testing_round.close") == 1
