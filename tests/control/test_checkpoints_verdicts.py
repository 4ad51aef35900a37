"""The verdict a checkpoint gives and what a passage changes: green passes, yellow is
restricted, red is denied; a fever is denied, turns the code yellow at once and puts the
person on the priority-testing list; in a lockdown a vehicle needs a valid permit carrying
no more people than it allows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from epicommand.control import codes
from epicommand.control.models import Colour, FactKind, HealthCode, HealthFact, Passage, Verdict
from epicommand.control.services import checkpoints as services
from epicommand.control.services import healthcode
from epicommand.control.services import risk as risk_services
from epicommand.core import policy
from epicommand.core.models import AuditEvent
from epicommand.testing.models import PriorityTest

from .checkpoint_world import checkpoint_world


@pytest.fixture
def world(city, make_user, city_office):
    return checkpoint_world(city, make_user, city_office)


def colour(person, kind):
    healthcode.record_fact(
        person, kind, started_at=timezone.now(), source="test", source_key=f"t:{person.pk}"
    )


def test_a_green_passer_passes_with_nothing_to_say(world, gaocheng_person):
    result = world.passage(gaocheng_person)
    assert (result.verdict, result.reasons) == (Verdict.PASS, ())
    stored = Passage.objects.get()
    assert (stored.verdict, stored.colour, stored.region_id) == ("pass", "green", "130109104")
    assert stored.temperature == Decimal("36.5")


def test_a_yellow_passer_is_restricted(world, gaocheng_person):
    colour(gaocheng_person, FactKind.SECONDARY_CONTACT)
    result = world.passage(gaocheng_person)
    assert (result.verdict, result.reasons) == (Verdict.RESTRICTED, ("health code yellow",))


def test_a_red_passer_is_denied(world, gaocheng_person):
    colour(gaocheng_person, FactKind.CLOSE_CONTACT)
    result = world.passage(gaocheng_person)
    assert (result.verdict, result.reasons) == (Verdict.DENY, ("health code red",))


def test_a_fever_denies_turns_the_code_yellow_and_lists_the_person_for_testing(
    world, gaocheng_person
):
    result = world.passage(gaocheng_person, "37.8")
    assert result.verdict == Verdict.DENY
    assert result.reasons == ("fever 37.8 °C",)
    code = HealthCode.objects.get(person=gaocheng_person)
    assert code.colour == Colour.YELLOW
    fact = HealthFact.objects.get(person=gaocheng_person)
    assert (fact.kind, fact.ended_at) == (FactKind.FEVER, None)
    assert fact.source_key == f"passage:{result.passage.client_id}"
    entry = PriorityTest.objects.get()
    assert (entry.person, entry.reason, entry.region_id) == (
        gaocheng_person,
        PriorityTest.Reason.CHECKPOINT_FEVER,
        gaocheng_person.region_id,
    )
    hours = policy.active().priority_test_hours
    assert entry.deadline - entry.listed_at == timedelta(hours=hours)
    assert "37.8" in entry.detail


def test_the_threshold_itself_is_a_fever_and_a_tenth_below_is_not(world, gaocheng_person):
    threshold = Decimal(str(policy.active().fever_threshold_c))
    below = world.passage(gaocheng_person, str(threshold - Decimal("0.1")))
    assert below.verdict == Verdict.PASS
    at = world.passage(gaocheng_person, str(threshold))
    assert at.verdict == Verdict.DENY


def test_a_second_fever_before_sampling_adds_no_second_line_to_the_list(world, gaocheng_person):
    world.passage(gaocheng_person, "38.1")
    world.passage(gaocheng_person, "38.3", direction="in")
    assert PriorityTest.objects.count() == 1
    assert HealthFact.objects.filter(kind=FactKind.FEVER).count() == 2


def test_a_red_passer_with_fever_hears_both_reasons(world, gaocheng_person):
    colour(gaocheng_person, FactKind.CLOSE_CONTACT)
    result = world.passage(gaocheng_person, "38.0")
    assert result.verdict == Verdict.DENY
    assert result.reasons == ("health code red", "fever 38.0 °C")


def test_a_passage_is_audited(world, gaocheng_person):
    result = world.passage(gaocheng_person, "37.9")
    event = AuditEvent.objects.get(action="passage.record")
    assert (event.actor, event.object_id, event.region_id) == (
        world.officer,
        str(result.passage.pk),
        world.checkpoint.region_id,
    )
    assert "fever 37.9" in event.reason


def test_the_same_client_id_twice_records_once(world, gaocheng_person):
    first = world.passage(gaocheng_person, "38.2", client_id="dev1-000001")
    again = world.passage(gaocheng_person, "36.0", client_id="dev1-000001")
    assert again.replayed and again.verdict == first.verdict == Verdict.DENY
    assert Passage.objects.count() == 1
    assert PriorityTest.objects.count() == 1


# Health codes shown -----------------------------------------------------------------------


def test_a_health_code_identifies_the_passer(world, gaocheng_person):
    token = codes.issue(gaocheng_person)
    result = services.record_passage(
        world.officer, world.checkpoint, health_code=token, temperature="36.4", direction="in"
    )
    assert result.verdict == Verdict.PASS
    assert result.passers[0].person == gaocheng_person


def test_a_code_shown_before_the_colour_changed_is_judged_by_the_current_colour(
    world, gaocheng_person
):
    token = codes.issue(gaocheng_person)  # green
    colour(gaocheng_person, FactKind.CLOSE_CONTACT)
    result = services.record_passage(
        world.officer, world.checkpoint, health_code=token, direction="in"
    )
    assert result.verdict == Verdict.DENY
    assert result.reasons[0].startswith("the code shown is out of date")
    assert "health code red" in result.reasons


def test_a_forged_or_expired_code_is_refused_and_nothing_recorded(world, gaocheng_person):
    token = codes.issue(gaocheng_person, now=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError) as expired:
        services.record_passage(world.officer, world.checkpoint, health_code=token, direction="in")
    assert "expired" in expired.value.message_dict["health_code"][0]
    fresh = codes.issue(gaocheng_person)
    forged = fresh[:20] + ("A" if fresh[20] != "A" else "B") + fresh[21:]
    with pytest.raises(ValidationError) as bad:
        services.record_passage(world.officer, world.checkpoint, health_code=forged, direction="in")
    assert "health_code" in bad.value.message_dict
    assert not Passage.objects.exists()


def test_an_unknown_person_or_a_bad_temperature_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as unknown:
        services.record_passage(
            world.officer, world.checkpoint, id_number="130109198001011235", direction="in"
        )
    assert unknown.value.message_dict == {"id_number": ["no person registered with this ID number"]}
    person = world.person()
    for temperature in ("33.9", "43.1", "hot"):
        with pytest.raises(ValidationError) as bad:
            world.passage(person, temperature)
        assert list(bad.value.message_dict) == ["temperature"]
    for when in (timezone.now() + timedelta(minutes=6), timezone.now() - timedelta(days=31)):
        with pytest.raises(ValidationError) as late:
            world.passage(person, passed_at=when)
        assert list(late.value.message_dict) == ["passed_at"]
    assert not Passage.objects.exists()


# Risk areas ---------------------------------------------------------------------------------


def test_passing_a_checkpoint_in_a_high_risk_area_is_a_visit_to_it(
    world, gaocheng_person, changan_person
):
    area = risk_services.designate(
        world.gaocheng_office,
        level="high",
        regions=[world.city.zengcun.code],
        reason="聚集性疫情",
        confirm=True,
    )
    result = world.passage(changan_person)
    assert result.verdict == Verdict.PASS  # judged by the colour before the visit
    visit = HealthFact.objects.get(person=changan_person)
    assert (visit.kind, visit.source_key) == (
        FactKind.HIGH_RISK_VISIT,
        f"visit:{area.pk}:{changan_person.pk}:{timezone.localdate(visit.started_at)}",
    )
    assert HealthCode.objects.get(person=changan_person).colour == Colour.RED
    assert "G307" in visit.detail


def test_a_resident_of_the_risk_area_passing_its_checkpoint_is_no_visitor(world, gaocheng_person):
    risk_services.designate(
        world.gaocheng_office,
        level="high",
        regions=[world.city.zengcun.code],
        reason="聚集性疫情",
        confirm=True,
    )
    world.passage(gaocheng_person)
    kinds = set(HealthFact.objects.filter(person=gaocheng_person).values_list("kind", flat=True))
    assert kinds == {FactKind.HIGH_RISK_RESIDENT}


# Lockdowns and permits ------------------------------------------------------------------------


@pytest.fixture
def lockdown(world):
    return services.declare_lockdown(
        world.gaocheng_office, region_id=world.city.gaocheng.code, reason="全域封控"
    )


def permit(world, plate="冀A12345", **fields):
    now = timezone.now()
    fields.setdefault("valid_from", now - timedelta(hours=1))
    fields.setdefault("valid_until", now + timedelta(days=1))
    return services.issue_permit(
        world.gaocheng_office, plate=plate, holder="市蔬菜公司", purpose="蔬菜配送", **fields
    )


def test_in_a_lockdown_a_vehicle_without_a_permit_is_denied(world, lockdown, gaocheng_person):
    result = world.passage(gaocheng_person, plate="冀A12345")
    assert result.verdict == Verdict.DENY
    assert result.reasons == ("藁城区 is under lockdown: a vehicle needs a permit",)


def test_in_a_lockdown_a_person_on_foot_needs_no_permit(world, lockdown, gaocheng_person):
    assert world.passage(gaocheng_person).verdict == Verdict.PASS


def test_a_valid_permit_lets_the_vehicle_through(world, lockdown, gaocheng_person):
    issued = permit(world)
    assert issued.max_passengers == policy.active().permit_max_passengers == 2
    result = world.passage(
        gaocheng_person, plate="冀A·12345", vehicle_people=2, permit_number=issued.number
    )
    assert (result.verdict, result.reasons) == (Verdict.PASS, ())
    stored = result.passage
    assert (stored.plate, stored.vehicle_people, stored.permit) == ("冀A12345", 2, issued)


def test_an_expired_permit_is_denied(world, lockdown, gaocheng_person):
    now = timezone.now()
    issued = permit(world, valid_from=now - timedelta(days=2), valid_until=now + timedelta(hours=1))
    result = world.passage(
        gaocheng_person,
        plate="冀A12345",
        permit_number=issued.number,
        passed_at=now + timedelta(hours=1, minutes=1),
        now=now + timedelta(hours=1, minutes=2),
    )
    assert result.verdict == Verdict.DENY
    assert result.reasons[0].startswith(f"permit {issued.number} expired at ")


def test_too_many_people_for_the_permit_are_denied(world, lockdown, gaocheng_person):
    issued = permit(world)
    result = world.passage(
        gaocheng_person, plate="冀A12345", vehicle_people=3, permit_number=issued.number
    )
    assert result.verdict == Verdict.DENY
    assert result.reasons == ("3 people in the vehicle, the permit allows at most 2",)


def test_a_permit_for_another_plate_or_revoked_is_denied(world, lockdown, gaocheng_person):
    issued = permit(world, plate="冀A99999")
    other = world.passage(gaocheng_person, plate="冀A12345", permit_number=issued.number)
    assert other.reasons == (f"permit {issued.number} is for 冀A99999, not 冀A12345",)
    services.revoke_permit(world.gaocheng_office, issued, reason="挪用")
    revoked = world.passage(gaocheng_person, plate="冀A99999", permit_number=issued.number)
    assert revoked.reasons == (f"permit {issued.number} was revoked",)
    unknown = world.passage(gaocheng_person, plate="冀A99999", permit_number="NOPE")
    assert unknown.reasons == ("no permit numbered NOPE",)


def test_a_lifted_lockdown_needs_no_permit(world, lockdown, gaocheng_person):
    services.lift_lockdown(world.gaocheng_office, lockdown, reason="解封")
    assert world.passage(gaocheng_person, plate="冀A12345").verdict == Verdict.PASS


def test_a_city_wide_lockdown_covers_the_county_checkpoint(world, gaocheng_person):
    services.declare_lockdown(world.office, region_id=world.city.sjz.code, reason="全市封控")
    assert world.passage(gaocheng_person, plate="冀A12345").verdict == Verdict.DENY


def test_a_vehicle_is_judged_as_the_worst_of_its_people_and_its_permit(
    world, lockdown, gaocheng_person, changan_person
):
    issued = permit(world)
    colour(changan_person, FactKind.SECONDARY_CONTACT)
    result = services.record_vehicle(
        world.officer,
        world.checkpoint,
        driver=services.PasserIn(id_number=gaocheng_person.id_number, temperature="36.6"),
        passengers=[services.PasserIn(id_number=changan_person.id_number, temperature="36.8")],
        plate="冀A12345",
        direction="out",
        permit_number=issued.number,
        client_id="cam-7",
    )
    assert result.verdict == Verdict.RESTRICTED
    passages = Passage.objects.order_by("id")
    assert [p.client_id for p in passages] == ["cam-7", "cam-7#1"]
    assert {p.verdict for p in passages} == {"restricted"}
    assert {(p.plate, p.vehicle_people) for p in passages} == {("冀A12345", 2)}
    assert [p.judgement.verdict for p in result.passers] == ["pass", "restricted"]
    assert "another person in the vehicle: Restricted" in passages[0].reasons


def test_three_in_a_vehicle_on_a_permit_for_two_are_all_turned_back(world, lockdown):
    issued = permit(world)
    people = [world.person(name=f"乘客{n}") for n in range(3)]
    result = services.record_vehicle(
        world.officer,
        world.checkpoint,
        driver=services.PasserIn(id_number=people[0].id_number),
        passengers=[services.PasserIn(id_number=p.id_number) for p in people[1:]],
        plate="冀A12345",
        direction="in",
        permit_number=issued.number,
    )
    assert result.verdict == Verdict.DENY
    assert Passage.objects.filter(verdict="deny").count() == 3


@override_settings(PROTOCOL_EDITION="9")
def test_the_edition_sets_the_permits_people(world):
    assert permit(world).max_passengers == policy.EDITIONS["9"].permit_max_passengers
