"""Arrivals from checkpoint passages: a person entering through a checkpoint from a medium-
or high-risk region (the officer records where they come from and its risk level, see
control.services.passages) is an arrival by road, made here as the follow-up of the
passage (`passage.from_risk_region`, registered in tasks.py), after the passage commits.

The arrival lands on the list of the county the person lives in (their registered home is
where they go) with the fact of the region's risk level (arrivals.register_arrival: a
medium-risk region a `medium_risk_visit`, a high-risk one a `high_risk_visit` and the
closed loop). One arrival per person, day and region come from: the same passage done
again, or the person passing a second checkpoint on the same trip, changes nothing."""

from datetime import datetime

from django.utils import timezone

from epicommand.control.models import Passage

from ..models import Arrival, Mode, Source
from . import arrivals

RISK_OF_LEVEL = {"medium": "medium", "high": "high"}


def trip_key(passage: Passage) -> str:
    day = timezone.localdate(passage.passed_at)
    return f"checkpoint:{passage.person_id}:{day:%Y%m%d}:{passage.came_from}"[:100]


def arrive_from_passages(passage_ids: list[int], changed_at: datetime) -> list[Arrival]:
    """The arrival of each of these passages that came from a medium- or high-risk region,
    made by the platform (no one asked; the officer's passage is the source)."""
    passages = (
        Passage.objects.filter(pk__in=passage_ids, came_from_risk__in=list(RISK_OF_LEVEL))
        .select_related("person__household", "person__region")
        .order_by("passed_at", "pk")
    )
    return [_arrival_of(passage) for passage in passages]


def _arrival_of(passage: Passage) -> Arrival:
    person = passage.person
    document = person.id_number or person.passport_number
    return arrivals.register_arrival(
        None,
        source=Source.CHECKPOINT,
        key=trip_key(passage),
        person=person,
        mode=Mode.ROAD,
        document=document,
        name=person.name,
        nationality=person.nationality,
        origin=passage.came_from,
        risk=RISK_OF_LEVEL[passage.came_from_risk],
        destination_address=person.address or _home_of(person),
        region_code=person.region_id,
        arrived_at=passage.passed_at,
    )


def _home_of(person) -> str:
    """A person registered without an address goes home to their household, else their
    region: the county's list still names where to look."""
    if person.household_id and person.household.address:
        return person.household.address
    return person.region.name
