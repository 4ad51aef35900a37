"""A Gaocheng case whose contact lives in Chang'an, and the users on both sides.

Cases and contacts are made as rows here (the referral tests do not depend on how cases
and contacts are registered); `refer` calls the service the contact intake calls."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from epicommand.core.models import Role, Unit
from epicommand.tracing.models import Case, Contact, Degree, FoundBy, Setting
from epicommand.tracing.services import referrals

SENT_AT = datetime(2021, 1, 8, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


def make_case(person, *, at=SENT_AT) -> Case:
    return Case.objects.create(
        person=person,
        region_id=person.region_id,
        classification="mild",
        detection_route="mass_testing",
        reported_at=at,
    )


def make_contact(case, person, *, degree=Degree.CLOSE, at=SENT_AT) -> Contact:
    return Contact.objects.create(
        person=person,
        region_id=person.region_id,
        case=case,
        degree=degree,
        setting=Setting.MEAL,
        found_by=FoundBy.INTERVIEW,
        last_exposure_at=at - timedelta(days=1),
        identified_at=at,
        control_deadline=at + timedelta(hours=24),
    )


@dataclass
class ReferralWorld:
    city: object
    case: Case
    contact: Contact
    gaocheng_epi: object
    changan_epi: object
    changan_office: object
    city_office: object

    def refer(self, *, now=SENT_AT):
        return referrals.refer_contact(self.gaocheng_epi, self.contact, now=now)


def referral_world(
    city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
) -> ReferralWorld:
    changan_office_unit = Unit.objects.create(
        name="长安区疫情防控指挥部办公室", kind=Unit.Kind.COMMAND_OFFICE, region=city.changan
    )
    case = make_case(gaocheng_person)
    return ReferralWorld(
        city=city,
        case=case,
        contact=make_contact(case, changan_person),
        gaocheng_epi=gaocheng_epi,
        changan_epi=changan_epi,
        changan_office=make_user(
            "changan_office", Role.COUNTY_OFFICE, city.changan, changan_office_unit
        ),
        city_office=city_office,
    )
