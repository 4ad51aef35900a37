"""The chain is changed through services: one first responsible person per region and per
unit (a second is refused with a reason, and the database refuses it too), team members come
and go, someone held to account stays, and only offices of the jurisdiction change it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from epicommand.command.models import AccountabilityRecord, ResponsiblePerson
from epicommand.command.services import chain as services
from epicommand.core.models import AuditEvent

FIRST = ResponsiblePerson.Duty.FIRST_RESPONSIBLE


def test_an_office_names_a_regions_first_responsible_person(city_office, city):
    person = services.set_first_responsible(
        city_office, region=city.gaocheng, name="王建国", post="藁城区委书记", phone="0311-88001234"
    )
    assert (person.region, person.unit, person.duty) == (city.gaocheng, None, FIRST)
    assert AuditEvent.objects.get(action="chain.set_first").region_id == city.gaocheng.code


def test_a_unit_row_carries_its_region_for_scoping(city_office, city):
    person = services.set_first_responsible(
        city_office, unit=city.gaocheng_cdc, name="赵敏", post="主任"
    )
    assert person.region == city.gaocheng


def test_a_second_first_responsible_person_is_refused_naming_the_first(city_office, city):
    services.set_first_responsible(city_office, unit=city.gaocheng_cdc, name="赵敏", post="主任")
    with pytest.raises(ValidationError) as refused:
        services.set_first_responsible(
            city_office, unit=city.gaocheng_cdc, name="钱伟", post="主任"
        )
    message = refused.value.message_dict["duty"][0]
    assert "赵敏 (主任) is already the first responsible person" in message
    assert "remove them first" in message


def test_the_database_holds_one_first_responsible_person_per_region_and_per_unit(city):
    ResponsiblePerson.objects.create(region=city.sjz, duty=FIRST, name="甲", post="书记")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsiblePerson.objects.create(region=city.sjz, duty=FIRST, name="乙", post="书记")
    ResponsiblePerson.objects.create(unit=city.office, duty=FIRST, name="丙", post="主任")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsiblePerson.objects.create(unit=city.office, duty=FIRST, name="丁", post="主任")


def test_a_regions_and_its_units_first_responsible_persons_are_distinct(city_office, city):
    services.set_first_responsible(city_office, region=city.sjz, name="李强", post="市委书记")
    office_head = services.set_first_responsible(
        city_office, unit=city.office, name="周华", post="主任"
    )
    assert office_head.region == city.sjz


def test_team_members_are_added_and_removed(city_office, city):
    member = services.add_team_member(
        city_office, region=city.gaocheng, name="苏新", post="藁城区长"
    )
    with pytest.raises(ValidationError) as refused:
        services.add_team_member(city_office, region=city.gaocheng, name="苏新", post="藁城区长")
    assert "already on this team" in refused.value.message_dict["name"][0]
    member_id = member.pk
    services.remove_from_chain(city_office, member)
    assert not ResponsiblePerson.objects.exists()
    assert AuditEvent.objects.filter(action="chain.remove", object_id=str(member_id)).exists()


def test_names_posts_and_phones_are_checked(city_office, city):
    with pytest.raises(ValidationError) as refused:
        services.add_team_member(
            city_office, region=city.gaocheng, name="", post=" ", phone="call me"
        )
    assert set(refused.value.message_dict) == {"name", "post", "phone"}


def test_someone_named_in_an_accountability_record_stays_on_the_chain(
    city_office, supervisor, city
):
    person = services.set_first_responsible(
        city_office, unit=city.gaocheng_cdc, name="赵敏", post="主任"
    )
    services.record_accountability(
        supervisor,
        kind=AccountabilityRecord.Kind.SLOWNESS,
        unit=city.gaocheng_cdc,
        responsible=person,
        description="密接排查超时",
    )
    with pytest.raises(ValidationError) as refused:
        services.remove_from_chain(city_office, person)
    assert "accountability record" in refused.value.message_dict["person"][0]
    assert ResponsiblePerson.objects.filter(pk=person.pk).exists()


def test_a_county_office_changes_only_its_own_county(make_user, city):
    from epicommand.core.models import Role

    office = make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)
    services.add_team_member(office, unit=city.gaocheng_cdc, name="孙丽", post="副主任")
    with pytest.raises(PermissionDenied):
        services.add_team_member(office, unit=city.changan_cdc, name="孙丽", post="副主任")
    with pytest.raises(PermissionDenied):
        services.set_first_responsible(office, region=city.sjz, name="某", post="市委书记")


def test_roles_that_do_not_issue_tasks_cannot_change_the_chain(supervisor, gaocheng_epi, city):
    for user in (supervisor, gaocheng_epi):
        with pytest.raises(PermissionDenied):
            services.add_team_member(user, region=city.gaocheng, name="某", post="某")
