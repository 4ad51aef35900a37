"""Referrals between counties: a Gaocheng epidemiologist's contact living in Chang'an goes
to Chang'an's inbox, is acknowledged there, or escalates to the city office when the
policy's hours pass without an answer. Time is made to pass by calling with a later now."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core.counters import latest_values
from epicommand.core.models import AuditEvent, Notification
from epicommand.core.policy import active
from epicommand.people.models import Person
from epicommand.tracing.models import Contact, Referral
from epicommand.tracing.queries import referrals as queries
from epicommand.tracing.services import referrals
from epicommand.tracing.services.contacts import add_contact

from .referrals_world import SENT_AT, make_case, make_contact, referral_world  # noqa: F401


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    return referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )


S = Referral.Status


def _open(code: str, day) -> int:
    return latest_values([code], ["referrals_open"], day).get((code, "referrals_open"), 0)


def test_a_contact_living_in_another_county_is_referred_to_that_county(world, changan_person):
    referral = world.refer()
    assert referral.region_id == "130102"
    assert referral.from_region_id == "130109"
    assert not referral.is_external
    assert (referral.name, referral.id_number, referral.phone, referral.address) == (
        changan_person.name,
        changan_person.id_number,
        changan_person.phone,
        changan_person.address,
    )
    assert referral.degree == world.contact.degree
    assert referral.last_exposure_at == world.contact.last_exposure_at
    assert referral.status == S.SENT
    hours = active().referral_ack_hours
    assert referral.ack_deadline == SENT_AT + timedelta(hours=hours)
    assert referral.sent_by == world.gaocheng_epi
    event = AuditEvent.objects.get(action="referral.send")
    assert (event.actor, event.object_id, event.region_id) == (
        world.gaocheng_epi,
        str(referral.pk),
        "130102",
    )
    assert _open("130102", SENT_AT.date()) == 1
    assert _open("130100", SENT_AT.date()) == 1


def test_referring_the_same_contact_again_changes_nothing(world):
    first = world.refer()
    assert world.refer() == first
    assert Referral.objects.count() == 1
    assert _open("130102", SENT_AT.date()) == 1


def test_no_referral_when_the_actor_covers_the_contact(world, gaocheng_person, changan_person):
    own = make_contact(
        world.case,
        gaocheng_person.__class__.objects.create(
            name="王芳",
            sex="F",
            birth_date=changan_person.birth_date,
            id_number="130109199211030028",
            region=world.city.xgz,
        ),
    )
    assert referrals.refer_contact(world.gaocheng_epi, own) is None
    assert referrals.refer_contact(world.city_office, world.contact) is None
    assert not Referral.objects.exists()


def test_a_contact_the_platform_found_is_referred_from_the_case_county(world):
    referral = referrals.refer_contact(None, world.contact, now=SENT_AT)
    assert (referral.from_region_id, referral.region_id, referral.sent_by) == (
        "130109",
        "130102",
        None,
    )


def test_changan_sees_it_in_the_inbox_and_gaocheng_among_what_it_sent(world):
    referral = world.refer()
    rows, _ = queries.referral_page(world.changan_epi, direction="incoming")
    assert rows == [referral]
    assert queries.open_incoming_count(world.changan_epi) == 1
    assert queries.open_incoming_count(world.gaocheng_epi) == 0
    assert queries.referral_page(world.gaocheng_epi, direction="incoming")[0] == []
    assert queries.referral_page(world.gaocheng_epi, direction="outgoing")[0] == [referral]
    assert queries.referral_page(world.changan_epi, direction="outgoing")[0] == []
    # The contact itself is Chang'an's record: Gaocheng sees it only through the referral.
    assert list(Contact.objects.visible_to(world.changan_epi)) == [world.contact]
    assert not Contact.objects.visible_to(world.gaocheng_epi).exists()


def test_the_receiving_county_acknowledges(world):
    referral = world.refer()
    later = SENT_AT + timedelta(minutes=40)
    referrals.acknowledge(world.changan_office, referral, now=later)
    referral.refresh_from_db()
    assert referral.status == S.ACKNOWLEDGED
    assert (referral.acknowledged_at, referral.acknowledged_by) == (later, "changan_office")
    assert AuditEvent.objects.filter(action="referral.acknowledge", actor=world.changan_office)
    assert _open("130102", SENT_AT.date()) == 0
    assert queries.open_incoming_count(world.changan_epi) == 0


def test_the_sender_cannot_acknowledge_for_the_receiver(world):
    referral = world.refer()
    with pytest.raises(PermissionDenied):
        referrals.acknowledge(world.gaocheng_epi, referral)
    assert Referral.objects.get().status == S.SENT


def test_a_second_acknowledgement_is_refused_naming_the_first(world):
    referral = world.refer()
    referrals.acknowledge(world.changan_epi, referral)
    with pytest.raises(ValidationError) as caught:
        referrals.acknowledge(world.changan_office, referral)
    assert caught.value.message_dict["status"] == ["already acknowledged by changan_epi"]


def test_an_unacknowledged_referral_escalates_to_the_city_office_when_time_passes(world):
    referral = world.refer()
    deadline = referral.ack_deadline
    assert referrals.escalate_overdue(now=deadline - timedelta(minutes=1)) == 0
    assert referrals.escalate_overdue(now=deadline + timedelta(minutes=1)) == 1
    referral.refresh_from_db()
    assert referral.status == S.ESCALATED
    assert referral.escalated_at == deadline + timedelta(minutes=1)
    (note,) = Notification.objects.all()
    assert note.unit == world.city.office
    assert referral.name in note.message and "长安区" in note.message
    assert note.url == f"/referrals/{referral.pk}/"
    assert AuditEvent.objects.filter(action="referral.escalate", object_id=str(referral.pk))
    # Once is enough; the city office sees it among the escalated ones.
    assert referrals.escalate_overdue(now=deadline + timedelta(hours=5)) == 0
    assert queries.referral_page(world.city_office, direction="escalated")[0] == [referral]
    assert queries.referral_page(world.gaocheng_epi, direction="escalated")[0] == []
    # Still open: Chang'an can acknowledge it late.
    referrals.acknowledge(world.changan_office, referral)
    assert _open("130102", timezone.localdate()) == 0


def test_many_escalations_into_one_county_make_one_notice(world):
    neighbour = Person.objects.create(
        name="李强",
        sex="M",
        birth_date=date(1990, 1, 1),
        passport_number="E12345678",
        nationality="CHN",
        region=world.city.community,
    )
    first = world.refer()
    second = referrals.refer_contact(
        world.gaocheng_epi, make_contact(world.case, neighbour), now=SENT_AT
    )
    assert referrals.escalate_overdue(now=SENT_AT + timedelta(days=1)) == 2
    (note,) = Notification.objects.all()
    assert note.message.startswith("2 referrals to 长安区 not acknowledged in time")
    assert note.url == "/referrals/?tab=escalated"
    assert {first.pk, second.pk} == set(
        Referral.objects.filter(status=S.ESCALATED).values_list("pk", flat=True)
    )


def test_a_referral_acknowledged_in_time_does_not_escalate(world):
    referral = world.refer()
    referrals.acknowledge(world.changan_office, referral, now=SENT_AT + timedelta(hours=1))
    assert referrals.escalate_overdue(now=SENT_AT + timedelta(days=2)) == 0
    assert Referral.objects.get().status == S.ACKNOWLEDGED
    assert not Notification.objects.exists()


# Outside the city -------------------------------------------------------------------------


def _outside(world, **changes):
    data = dict(
        name="赵强",
        destination_code="110105",
        degree="close",
        last_exposure_at=SENT_AT - timedelta(hours=20),
        id_number="110105198803070010",
        phone="13600001111",
        address="北京市朝阳区",
        now=SENT_AT,
    )
    return referrals.refer_outside(world.gaocheng_epi, world.case, **{**data, **changes})


def test_a_contact_outside_the_city_is_kept_by_the_sender_and_named_by_destination(world):
    referral = _outside(world)
    assert referral.is_external
    assert (referral.region_id, referral.from_region_id) == ("130109", "130109")
    assert (referral.destination_code, referral.destination) == ("110105", "北京市 110105")
    assert referral.next_attempt_at is None  # no webhook configured: export only
    assert queries.referral_page(world.gaocheng_epi, direction="outgoing")[0] == [referral]
    assert queries.referral_page(world.gaocheng_epi, direction="incoming")[0] == []
    assert queries.referral_page(world.changan_epi, direction="outgoing")[0] == []
    assert _outside(world) == referral  # the same person again: the first one


def test_the_sender_records_the_outside_answer_by_hand(world):
    referral = _outside(world)
    referrals.acknowledge(world.gaocheng_epi, referral)
    assert Referral.objects.get().acknowledged_by == "gaocheng_epi"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("990101", "unknown region code 990101"),
        ("110000", "unknown region code 110000"),
        ("11010", "must be an administrative code of 6 digits (a county), 9 or 12 (below one)"),
        ("13010", "must be an administrative code of 6 digits (a county), 9 or 12 (below one)"),
    ],
)
def test_an_unknown_destination_is_refused_naming_the_field(world, code, message):
    with pytest.raises(ValidationError) as caught:
        _outside(world, destination_code=code)
    assert caught.value.message_dict == {"destination_code": [message]}
    assert not Referral.objects.exists()


def test_a_destination_inside_the_city_is_refused_saying_refer_within_it(world):
    with pytest.raises(ValidationError) as caught:
        _outside(world, destination_code="130102")
    (message,) = caught.value.message_dict["destination_code"]
    assert "130102 is inside our city" in message
    assert "add them as a contact" in message


def test_bad_fields_are_all_named_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as caught:
        _outside(
            world,
            name=" ",
            degree="cousin",
            id_number="110105198803070011",
            phone="call me",
            last_exposure_at=SENT_AT + timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {
        "name",
        "degree",
        "id_number",
        "phone",
        "last_exposure_at",
    }
    assert caught.value.message_dict["id_number"] == ["check digit does not match"]
    assert not Referral.objects.exists()


def test_a_case_outside_the_actors_jurisdiction_is_refused(world):
    with pytest.raises(PermissionDenied):
        referrals.refer_outside(
            world.changan_epi,
            world.case,
            name="赵强",
            destination_code="110105",
            degree="close",
            last_exposure_at=SENT_AT,
            now=SENT_AT,
        )


def test_adding_a_contact_living_in_changan_refers_it_there(
    city, gaocheng_epi, changan_epi, gaocheng_person, changan_person
):
    """The whole way: the contact intake a Gaocheng epidemiologist uses calls the referral."""
    case = make_case(gaocheng_person)
    contact = add_contact(
        gaocheng_epi,
        case,
        changan_person,
        degree="close",
        setting="meal",
        last_exposure_at=SENT_AT - timedelta(hours=3),
        now=SENT_AT,
    )
    (referral,) = Referral.objects.all()
    assert (referral.contact, referral.region_id, referral.from_region_id) == (
        contact,
        "130102",
        "130109",
    )
    assert queries.referral_page(changan_epi, direction="incoming")[0] == [referral]
    assert queries.open_incoming_count(changan_epi) == 1
    assert not Contact.objects.visible_to(gaocheng_epi).filter(pk=contact.pk).exists()
