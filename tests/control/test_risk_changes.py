"""Confirming, replacing, dismissing and lifting risk areas: what comes into force when, who
may do it, the audit trail, and the health codes of exactly the residents and recent
visitors of the area."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.control.levels import levels_in_force
from epicommand.control.models import Colour, FactKind, HealthCode, HealthFact, RiskArea
from epicommand.control.services import healthcode, risk
from epicommand.core import followups
from epicommand.core.models import AuditEvent, FollowUp, Role
from tests.followups import committed

from .risk_setup import checkpoint, passage, persons, scan, venue, village

S = RiskArea.Status
DAY = timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture
def changan_office(make_user, city):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan)


def designate_xgz(actor, level="high", *, confirm=False, now=None, city=None):
    with committed():
        return risk.designate(
            actor,
            level=level,
            regions=["130109104201"],
            reason="确诊病例住址",
            confirm=confirm,
            now=now,
        )


def test_confirming_puts_a_proposal_in_force_and_audits_it(gaocheng_office, city, now):
    area = designate_xgz(gaocheng_office)
    assert area.status == S.PROPOSED
    assert levels_in_force().level_of("130109104201") == "low"
    with committed():
        risk.confirm(gaocheng_office, area, now=now)
    area.refresh_from_db()
    assert (area.status, area.in_force_from, area.confirmed_by) == (
        S.IN_FORCE,
        now,
        gaocheng_office,
    )
    assert area.region_id == "130109104201"
    assert levels_in_force().level_of("130109104201") == "high"
    actions = list(
        AuditEvent.objects.filter(object_type="control.riskarea", object_id=str(area.pk))
        .order_by("id")
        .values_list("action", "actor_name", "region_id")
    )
    assert actions == [
        ("risk_area.designate", "gaocheng_office", "130109104201"),
        ("risk_area.confirm", "gaocheng_office", "130109104201"),
    ]


def test_confirming_replaces_the_area_in_force_over_the_same_regions(gaocheng_office, city, now):
    high = designate_xgz(gaocheng_office, confirm=True, now=now - 3 * DAY)
    medium = designate_xgz(gaocheng_office, "medium", confirm=True, now=now)
    high.refresh_from_db()
    assert (high.status, high.lifted_at) == (S.LIFTED, now)
    assert medium.status == S.IN_FORCE
    assert levels_in_force().level_of("130109104201") == "medium"
    replace = AuditEvent.objects.get(action="risk_area.replace")
    assert replace.object_id == str(high.pk)
    assert f"replaced by risk area {medium.pk}" in replace.reason


def test_an_area_over_more_regions_is_not_replaced_by_one_over_fewer(gaocheng_office, city, now):
    east = village(city.zengcun, "130109104202", "东村")
    with committed():
        both = risk.designate(
            gaocheng_office,
            level="high",
            regions=[city.xgz.code, east.code],
            reason="两村",
            confirm=True,
            now=now - DAY,
        )
    assert both.region_id == "130109104"  # the smallest region holding both
    designate_xgz(gaocheng_office, "medium", confirm=True, now=now)
    both.refresh_from_db()
    assert both.status == S.IN_FORCE


def test_only_a_proposal_can_be_confirmed_or_dismissed(gaocheng_office, city, now):
    area = designate_xgz(gaocheng_office, confirm=True, now=now)
    with pytest.raises(ValidationError) as refused:
        with committed():
            risk.confirm(gaocheng_office, area, now=now)
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError):
        risk.dismiss(gaocheng_office, area)


def test_dismissing_keeps_the_proposal_in_the_history(gaocheng_office, city):
    area = designate_xgz(gaocheng_office)
    risk.dismiss(gaocheng_office, area, reason="核实后不需要")
    area.refresh_from_db()
    assert area.status == S.DISMISSED
    event = AuditEvent.objects.get(action="risk_area.dismiss")
    assert event.reason == "核实后不需要"


def test_a_changan_office_may_not_confirm_a_gaocheng_area(gaocheng_office, changan_office, city):
    area = designate_xgz(gaocheng_office)
    with pytest.raises(PermissionDenied):
        with committed():
            risk.confirm(changan_office, area)
    with pytest.raises(PermissionDenied):
        risk.dismiss(changan_office, area)
    area.refresh_from_db()
    assert area.status == S.PROPOSED


def test_an_epidemiologist_may_not_designate_or_confirm(gaocheng_epi, gaocheng_office, city):
    with pytest.raises(PermissionDenied):
        designate_xgz(gaocheng_epi)
    area = designate_xgz(gaocheng_office)
    with pytest.raises(PermissionDenied):
        with committed():
            risk.confirm(gaocheng_epi, area)


def test_a_designation_names_regions_in_the_offices_jurisdiction_only(changan_office, city):
    with pytest.raises(ValidationError) as refused:
        risk.designate(changan_office, level="high", regions=["130109104201"], reason="x")
    assert "outside your jurisdiction" in refused.value.message_dict["regions"][0]
    with pytest.raises(ValidationError) as refused:
        risk.designate(changan_office, level="severe", regions=["130102999999"], reason="")
    assert set(refused.value.message_dict) == {"level", "reason", "regions"}


# Health codes ---------------------------------------------------------------------------------


@pytest.fixture
def neighbourhood(city):
    """Residents of Xiaoguozhuang, a Chang'an visitor to its market and one through its
    checkpoint, someone who visited too long ago, and people who never went there."""
    market = venue(city.xgz)
    gate = checkpoint(city.zengcun)  # a checkpoint of Zengcun town, not of the village
    elsewhere = venue(city.community, "建北超市")
    residents = persons(city.xgz, 3)
    shopper, driver, long_ago, stranger = persons(city.community, 4)
    return type(
        "Neighbourhood",
        (),
        dict(
            market=market,
            gate=gate,
            elsewhere=elsewhere,
            residents=residents,
            shopper=shopper,
            driver=driver,
            long_ago=long_ago,
            stranger=stranger,
        ),
    )


def test_designating_turns_residents_and_recent_visitors_red_and_nobody_else(
    gaocheng_office, city, neighbourhood, now
):
    n = neighbourhood
    first, last = now - 5 * DAY, now - 2 * DAY
    scan(n.shopper, n.market, first)
    scan(n.shopper, n.market, last)
    scan(n.residents[0], n.market, last)  # a resident at home is no visitor
    scan(n.long_ago, n.market, now - 20 * DAY)  # outside the 14-day window
    scan(n.stranger, n.elsewhere, last)
    with committed():
        area = risk.designate(
            gaocheng_office,
            level="high",
            regions=["130109104"],
            reason="增村镇",
            confirm=True,
            now=now,
        )
    passage(n.driver, n.gate, now - 3 * DAY)  # recorded late, but made before: not counted
    everyone = [p.pk for p in (*n.residents, n.shopper, n.driver, n.long_ago, n.stranger)]
    colours = healthcode.colours_of(everyone)
    assert [colours[p.pk] for p in n.residents] == [Colour.RED] * 3
    assert colours[n.shopper.pk] == Colour.RED
    assert {colours[p.pk] for p in (n.driver, n.long_ago, n.stranger)} == {Colour.GREEN}
    visit = HealthFact.objects.get(person=n.shopper)
    assert (visit.kind, visit.started_at, visit.ended_at) == (FactKind.HIGH_RISK_VISIT, last, last)
    assert visit.source_key == f"visit:{area.pk}:{n.shopper.pk}:{timezone.localdate(last)}"
    resident = HealthFact.objects.get(person=n.residents[0])
    assert (resident.kind, resident.started_at, resident.ended_at) == (
        FactKind.HIGH_RISK_RESIDENT,
        now,
        None,
    )
    assert resident.source_key == f"resident:{area.pk}:{n.residents[0].pk}"
    assert HealthCode.objects.count() == 4
    assert (area.codes_queued.residents, area.codes_queued.visitors) == (3, 1)
    confirm_event = AuditEvent.objects.get(action="risk_area.confirm")
    assert confirm_event.reason == (
        "3 residents and 1 visitors given the area's level; "
        "health codes of 4 persons queued for recomputing"
    )


def test_the_codes_are_queued_for_recomputing_and_recomputed_once_the_change_commits(
    gaocheng_office, city, neighbourhood, now, django_capture_on_commit_callbacks
):
    n = neighbourhood
    scan(n.shopper, n.market, now - 2 * DAY)
    with django_capture_on_commit_callbacks() as waiting:
        area = risk.designate(
            gaocheng_office, level="high", regions=["130109104"], reason="增村镇", confirm=True,
            now=now,
        )  # fmt: skip
        assert not HealthCode.objects.exists()
    queued = followups.latest_for(area)
    assert (queued.kind, queued.state, queued.persons) == ("risk_area.codes", "pending", 4)
    assert str(area.codes_queued) == (
        "3 residents and 1 visitors given the area's level; "
        "health codes of 4 persons queued for recomputing"
    )
    waiting[0]()  # the commit
    assert followups.latest_for(area).state == FollowUp.State.DONE
    assert HealthCode.objects.count() == 4
    with committed():
        lifted = risk.lift(gaocheng_office, area, now=now + DAY)
    assert lifted.codes_queued.persons == 3  # the residents; the visit runs its course
    assert followups.latest_for(lifted).persons == 3


def test_a_checkpoint_passage_in_the_area_makes_a_visitor(
    gaocheng_office, city, neighbourhood, now
):
    n = neighbourhood
    passage(n.driver, n.gate, now - 3 * DAY)
    with committed():
        risk.designate(
            gaocheng_office,
            level="medium",
            regions=["130109104"],
            reason="增村镇",
            confirm=True,
            now=now,
        )
    fact = HealthFact.objects.get(person=n.driver)
    assert (fact.kind, fact.ended_at) == (FactKind.MEDIUM_RISK_VISIT, now - 3 * DAY)
    assert healthcode.colours_of([n.driver.pk]) == {n.driver.pk: Colour.YELLOW}
    assert healthcode.colours_of([n.residents[0].pk]) == {n.residents[0].pk: Colour.YELLOW}


def test_lifting_ends_the_resident_facts_and_the_visits_run_their_course(
    gaocheng_office, city, neighbourhood, now
):
    n = neighbourhood
    scan(n.shopper, n.market, now - 2 * DAY)
    area = designate_xgz(gaocheng_office, confirm=True, now=now - DAY)
    with committed():
        risk.lift(gaocheng_office, area, reason="连续无新增", now=now)
    area.refresh_from_db()
    assert (area.status, area.lifted_at) == (S.LIFTED, now)
    facts = HealthFact.objects.filter(kind=FactKind.HIGH_RISK_RESIDENT)
    assert {f.ended_at for f in facts} == {now}
    colours = healthcode.colours_of([p.pk for p in n.residents] + [n.shopper.pk])
    assert [colours[p.pk] for p in n.residents] == [Colour.GREEN] * 3
    assert colours[n.shopper.pk] == Colour.RED  # a visit stays red for 14 days after it
    lift_event = AuditEvent.objects.get(action="risk_area.lift")
    assert lift_event.reason == (
        "连续无新增; resident facts ended for 3 persons; "
        "health codes of 3 persons queued for recomputing"
    )


def test_lifting_one_area_leaves_an_overlapping_area_in_force(
    gaocheng_office, city, neighbourhood, now
):
    n = neighbourhood
    with committed():
        town = risk.designate(
            gaocheng_office, level="high", regions=["130109104"], reason="镇", confirm=True, now=now
        )
    village_area = designate_xgz(gaocheng_office, confirm=True, now=now)
    assert town.status == S.IN_FORCE  # a village area does not replace its town's
    with committed():
        risk.lift(gaocheng_office, village_area, now=now)
    colours = healthcode.colours_of([p.pk for p in n.residents])
    assert set(colours.values()) == {Colour.RED}


def test_replacing_high_by_medium_turns_residents_yellow(gaocheng_office, city, neighbourhood, now):
    n = neighbourhood
    designate_xgz(gaocheng_office, confirm=True, now=now - DAY)
    designate_xgz(gaocheng_office, "medium", confirm=True, now=now)
    colours = healthcode.colours_of([p.pk for p in n.residents])
    assert set(colours.values()) == {Colour.YELLOW}


def test_a_low_designation_records_the_level_and_no_facts(
    gaocheng_office, city, neighbourhood, now
):
    area = designate_xgz(gaocheng_office, "low", confirm=True, now=now)
    assert area.status == S.IN_FORCE
    assert not HealthFact.objects.exists()
    assert not HealthCode.objects.exists()
