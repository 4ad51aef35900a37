"""Supply requests of a household kept at home: requested -> assigned -> delivered ->
receipt confirmed, due within the edition's delivery hours, flagged as delayed on every
list while open past that time; each wrong step refused with its reason; the supply_open
counter follows and a recount agrees with it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core import counters, policy
from epicommand.core.models import AuditEvent
from epicommand.core.recount import recount
from epicommand.quarantine.models import SupplyRequest
from epicommand.quarantine.queries import households as queries
from epicommand.quarantine.services import households as services
from epicommand.quarantine.services import supplies

from .household_world import *  # noqa: F403  (fixtures)
from .household_world import until

S = SupplyRequest.Status


def supply_open(code="130109"):
    return counters.latest_values([code, "130100"], ["supply_open"], timezone.localdate())


@pytest.mark.parametrize("edition", ["8", "9"])
def test_the_flow_request_assign_deliver_confirm_with_the_due_time_from_policy(
    edition, settings, home_quarantine, family, gaocheng_worker, gaocheng_team
):
    settings.PROTOCOL_EDITION = edition
    hours = policy.active().medicine_delivery_hours
    now = timezone.now()
    supply = supplies.request_supplies(
        gaocheng_worker, family, kind="medicine", items="降压药 1 盒", now=now
    )
    assert (supply.status, supply.control, supply.region_id) == (
        S.REQUESTED,
        home_quarantine,
        "130109104201",
    )
    assert supply.due_at == now + timedelta(hours=hours)
    assert supply_open() == {("130109", "supply_open"): 1, ("130100", "supply_open"): 1}

    supplies.assign_request(gaocheng_worker, supply, team=gaocheng_team, volunteer="刘洋")
    supply.refresh_from_db()
    assert (supply.status, supply.team, supply.volunteer) == (S.ASSIGNED, gaocheng_team, "刘洋")
    assert supply.assigned_at is not None

    supplies.mark_delivered(gaocheng_worker, supply)
    supply.refresh_from_db()
    assert supply.status == S.DELIVERED and supply.delivered_at is not None
    assert supply_open() == {("130109", "supply_open"): 0, ("130100", "supply_open"): 0}

    supplies.confirm_receipt(gaocheng_worker, supply)
    supply.refresh_from_db()
    assert supply.status == S.CONFIRMED and supply.confirmed_at is not None
    actions = list(
        AuditEvent.objects.filter(object_type="quarantine.supplyrequest")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["supply.request", "supply.assign", "supply.deliver", "supply.confirm"]


def test_daily_necessities_are_due_later_than_medicine(home_quarantine, family, gaocheng_worker):
    now = timezone.now()
    necessities = supplies.request_supplies(
        gaocheng_worker, family, kind="necessities", items="大米 5 kg，鸡蛋 2 斤", now=now
    )
    edition = policy.active()
    assert necessities.due_at == now + timedelta(hours=edition.necessities_delivery_hours)
    assert edition.necessities_delivery_hours > edition.medicine_delivery_hours


def test_a_request_open_past_its_due_time_is_flagged_delayed_on_every_list(
    home_quarantine, family, gaocheng_worker, gaocheng_team
):
    hours = policy.active().medicine_delivery_hours
    earlier = timezone.now() - timedelta(hours=hours + 1)
    late = supplies.request_supplies(
        gaocheng_worker, family, kind="medicine", items="胰岛素", now=earlier
    )
    on_time = supplies.request_supplies(gaocheng_worker, family, kind="necessities", items="面粉")
    assert supplies.is_delayed(late) and not supplies.is_delayed(on_time)

    (row,), _ = queries.household_page(gaocheng_worker)
    assert [(s.pk, s.delayed) for s in row.open_requests] == [(late.pk, True), (on_time.pk, False)]
    assert row.delayed_requests == 1
    rows, _ = queries.supply_page(gaocheng_worker)
    assert {s.pk: s.delayed for s in rows} == {late.pk: True, on_time.pk: False}
    overdue, _ = queries.supply_page(gaocheng_worker, overdue=True)
    assert [s.pk for s in overdue] == [late.pk]
    (delayed_household,), _ = queries.household_page(gaocheng_worker, delayed_only=True)
    assert delayed_household.control == home_quarantine

    # Delivered: no longer delayed, though it was late.
    supplies.assign_request(gaocheng_worker, late, team=gaocheng_team, volunteer="刘洋")
    supplies.mark_delivered(gaocheng_worker, late)
    assert queries.supply_page(gaocheng_worker, overdue=True)[0] == []
    assert "(late)" in AuditEvent.objects.get(action="supply.deliver").reason


def test_delivery_marked_for_a_request_never_assigned_is_refused(
    home_quarantine, family, gaocheng_worker
):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="medicine", items="退烧药")
    with pytest.raises(ValidationError) as refused:
        supplies.mark_delivered(gaocheng_worker, supply)
    assert refused.value.message_dict["status"] == [
        "the request was never assigned to a volunteer: assign it before marking it delivered"
    ]
    supply.refresh_from_db()
    assert supply.status == S.REQUESTED


def test_receipt_confirmed_for_a_request_never_assigned_is_refused(
    home_quarantine, family, gaocheng_worker
):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="medicine", items="退烧药")
    with pytest.raises(ValidationError) as refused:
        supplies.confirm_receipt(gaocheng_worker, supply)
    assert refused.value.message_dict["status"] == [
        "a delivery cannot be confirmed for a request never assigned to a volunteer"
    ]
    assert supply_open()[("130109", "supply_open")] == 1


def test_confirming_twice_is_refused(home_quarantine, family, gaocheng_worker, gaocheng_team):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="other", items="尿不湿")
    supplies.assign_request(gaocheng_worker, supply, team=gaocheng_team, volunteer="刘洋")
    supplies.mark_delivered(gaocheng_worker, supply)
    supplies.confirm_receipt(gaocheng_worker, supply)
    with pytest.raises(ValidationError) as refused:
        supplies.confirm_receipt(gaocheng_worker, supply)
    (message,) = refused.value.message_dict["status"]
    assert message.startswith("receipt was already confirmed at ")
    assert AuditEvent.objects.filter(action="supply.confirm").count() == 1


def test_confirming_an_assigned_request_delivers_it_at_the_same_time(
    home_quarantine, family, gaocheng_worker, gaocheng_team
):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="necessities", items="盐")
    supplies.assign_request(gaocheng_worker, supply, team=gaocheng_team, volunteer="刘洋")
    supplies.confirm_receipt(gaocheng_worker, supply)
    supply.refresh_from_db()
    assert supply.status == S.CONFIRMED and supply.delivered_at == supply.confirmed_at
    assert supply_open()[("130109", "supply_open")] == 0


def test_a_request_for_a_household_not_at_home_is_refused(
    family, home_quarantine, changan_family, changan_worker, gaocheng_worker
):
    with pytest.raises(ValidationError) as refused:
        supplies.request_supplies(changan_worker, changan_family, kind="medicine", items="药")
    (message,) = refused.value.message_dict["household_id"]
    assert message.startswith("the household is not kept at home")
    services.end_household_control(gaocheng_worker, home_quarantine, reason="期满")
    with pytest.raises(ValidationError):
        supplies.request_supplies(gaocheng_worker, family, kind="medicine", items="药")
    assert not SupplyRequest.objects.exists()


@pytest.mark.parametrize(
    "kind, items, field",
    [("water", "水", "kind"), ("medicine", "", "items"), ("medicine", "x" * 1001, "items")],
)
def test_bad_requests_name_their_field(
    home_quarantine, family, gaocheng_worker, kind, items, field
):
    with pytest.raises(ValidationError) as refused:
        supplies.request_supplies(gaocheng_worker, family, kind=kind, items=items)
    assert set(refused.value.message_dict) == {field}


def test_delivered_requests_cannot_be_reassigned_or_cancelled(
    home_quarantine, family, gaocheng_worker, gaocheng_team
):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="medicine", items="药")
    supplies.assign_request(gaocheng_worker, supply, team=gaocheng_team, volunteer="刘洋")
    supplies.mark_delivered(gaocheng_worker, supply)
    with pytest.raises(ValidationError):
        supplies.assign_request(gaocheng_worker, supply, team=gaocheng_team, volunteer="陈晨")
    with pytest.raises(ValidationError):
        supplies.cancel_request(gaocheng_worker, supply, reason="不需要了")
    with pytest.raises(ValidationError):
        supplies.mark_delivered(gaocheng_worker, supply)


def test_a_team_of_another_area_cannot_take_the_request(
    home_quarantine, family, gaocheng_worker, changan_team
):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="medicine", items="药")
    with pytest.raises(ValidationError) as refused:
        supplies.assign_request(gaocheng_worker, supply, team=changan_team, volunteer="刘洋")
    assert set(refused.value.message_dict) == {"team_id"}


def test_another_district_may_not_act_on_the_request(
    home_quarantine, family, gaocheng_worker, changan_worker, changan_team
):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="medicine", items="药")
    with pytest.raises(PermissionDenied):
        supplies.cancel_request(changan_worker, supply, reason="x")
    with pytest.raises(PermissionDenied):
        supplies.mark_delivered(changan_worker, supply)


def test_cancelling_takes_the_request_off_the_counter(home_quarantine, family, gaocheng_worker):
    supply = supplies.request_supplies(gaocheng_worker, family, kind="medicine", items="药")
    supplies.cancel_request(gaocheng_worker, supply, reason="家属已送到")
    supply.refresh_from_db()
    assert supply.status == S.CANCELLED
    assert supply_open()[("130109", "supply_open")] == 0
    with pytest.raises(ValidationError):
        supplies.cancel_request(gaocheng_worker, supply, reason="再次")


def test_a_recount_gives_the_counter_the_services_kept(
    home_quarantine, family, gaocheng_worker, gaocheng_team, changan_family, changan_worker, city
):
    services.put_under_home_quarantine(
        changan_worker, changan_family, reason="密接", ends_on=until(5)
    )
    for items in ("药", "米", "面"):
        supplies.request_supplies(gaocheng_worker, family, kind="necessities", items=items)
    supplies.request_supplies(changan_worker, changan_family, kind="medicine", items="药")
    first = SupplyRequest.objects.filter(region_id="130109104201").order_by("pk").first()
    supplies.assign_request(gaocheng_worker, first, team=gaocheng_team, volunteer="刘洋")
    supplies.mark_delivered(gaocheng_worker, first)
    kept = counters.latest_values(
        ["130100", "130109", "130102"], ["supply_open"], timezone.localdate()
    )
    totals = recount()
    assert totals["supply_open"] == 3
    recounted = counters.latest_values(
        ["130100", "130109", "130102"], ["supply_open"], timezone.localdate()
    )
    assert (
        recounted
        == kept
        == {
            ("130100", "supply_open"): 3,
            ("130109", "supply_open"): 2,
            ("130102", "supply_open"): 1,
        }
    )
