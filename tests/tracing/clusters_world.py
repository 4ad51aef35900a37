"""What the cluster tests share: persons in Zengcun and Chang'an, cases and contacts written
straight to the tables (the graph is what is under test, not the registration), and a
brute-force reference: breadth-first search over the same edges."""

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from epicommand.core.idnumbers import make_id_number
from epicommand.people.models import Person
from epicommand.places.models import Venue
from epicommand.tracing.models import Case, Cluster, Contact, InfectionLink, Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI)
ONSET = date(2026, 11, 18)
_sequence = count(5000)


def make_person(region, name="王芳"):
    n = next(_sequence)
    sex = "F" if n % 2 else "M"
    born = date(1950, 1, 1) + timedelta(days=n)  # a new birthday keeps the numbers unique
    return Person.objects.create(
        name=name,
        sex=sex,
        birth_date=born,
        id_number=make_id_number(region.code[:6], born, n % 400, sex),
        phone="13700002222",
        region=region,
    )


def make_case(person, *, onset: date | None = ONSET, sampling: date | None = None):
    return Case.objects.create(
        person=person,
        region_id=person.region_id,
        classification="mild" if onset else "asymptomatic",
        detection_route="mass_testing",
        onset_date=onset,
        sampling_date=sampling,
        reported_at=NOW,
        confirmed_at=NOW,
    )


def make_contact(case, person, *, degree="close", setting="household"):
    return Contact.objects.create(
        person=person,
        region_id=person.region_id,
        case=case,
        degree=degree,
        setting=setting,
        found_by="interview",
        last_exposure_at=NOW - timedelta(days=1),
        identified_at=NOW,
        control_deadline=NOW + timedelta(hours=24),
    )


def make_link(source, target):
    return InfectionLink.objects.create(
        source=source, target=target, region_id=target.region_id, confidence="probable"
    )


def make_venue(region, name="增村农贸市场", kind=Venue.Kind.MARKET):
    return Venue.objects.create(
        name=name, kind=kind, address=name, region=region, latitude=38.02, longitude=114.85
    )


def make_visit(case, venue, day: int = 17):
    start = datetime(2026, 11, day, 9, 0, tzinfo=SHANGHAI)
    return Visit.objects.create(
        case=case,
        region_id=case.region_id,
        origin=Visit.Origin.SCAN,
        status=Visit.Status.CONFIRMED,
        venue=venue,
        started_at=start,
        ended_at=start + timedelta(hours=1),
        source_key=f"scan:{case.pk}:{venue.pk}:{day}",
    )


# The reference ------------------------------------------------------------------------------


def reference_components() -> set[frozenset[int]]:
    """Clusters as a breadth-first search over the tables finds them (two cases or more)."""
    cases = dict(Case.objects.values_list("pk", "person_id"))
    case_of_person: dict[int, list[int]] = {}
    for pk, person in cases.items():
        case_of_person.setdefault(person, []).append(pk)
    neighbours: dict[int, set[int]] = {pk: set() for pk in cases}
    for source, target in InfectionLink.objects.values_list("source_id", "target_id"):
        neighbours[source].add(target)
        neighbours[target].add(source)
    for case_id, person_id in Contact.objects.values_list("case_id", "person_id"):
        for other in case_of_person.get(person_id, ()):
            if other != case_id:
                neighbours[case_id].add(other)
                neighbours[other].add(case_id)
    seen: set[int] = set()
    found = set()
    for start in cases:
        if start in seen:
            continue
        part, queue = {start}, [start]
        while queue:
            for n in neighbours[queue.pop()]:
                if n not in part:
                    part.add(n)
                    queue.append(n)
        seen |= part
        if len(part) > 1:
            found.add(frozenset(part))
    return found


def stored_components() -> set[frozenset[int]]:
    """Clusters as the Case.cluster column holds them."""
    parts: dict[int, set[int]] = {}
    for pk, cluster_id in Case.objects.filter(cluster__isnull=False).values_list(
        "pk", "cluster_id"
    ):
        parts.setdefault(cluster_id, set()).add(pk)
    return {frozenset(p) for p in parts.values()}


def stored_summaries() -> dict[frozenset[int], tuple]:
    """Each cluster's figures, keyed by its cases (ids of rows may differ between runs)."""
    members: dict[int, set[int]] = {}
    for pk, cluster_id in Case.objects.filter(cluster__isnull=False).values_list(
        "pk", "cluster_id"
    ):
        members.setdefault(cluster_id, set()).add(pk)
    return {
        frozenset(members.get(c.pk, ())): (
            c.region_id,
            c.cases_count,
            c.contacts_count,
            c.first_onset,
            c.last_onset,
            c.index_cases,
            c.shared_venues,
        )
        for c in Cluster.objects.all()
    }
