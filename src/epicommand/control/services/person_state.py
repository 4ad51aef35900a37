"""A person's epidemic state, and the one place its transitions are checked.

A person's state (case, contact, in centralized quarantine, at home, released) is what
their open health facts say (control.models.HealthFact). The modules that record those
facts announce each change of state here, inside their own transaction:

    person_state.refuse_conflicts(Transition.HOME_QUARANTINE_STARTED, member_ids)
    ... the module writes its own record and its facts ...
    person_state.happened(Transition.ADMITTED_TO_SITE, [person.pk], at=now)

`TRANSITIONS` says, for each transition, which open facts refuse it (named to the user,
"already in centralized quarantine: quarantine stay 12, Site A") and which facts it ends.
The other modules' own records that follow from the state (a contact's status, a
priority-testing entry) change through their own services, registered here with
`react(transition, function)` at their `AppConfig.ready`: the reactions run in the same
transaction, so the code, the facts and those records never disagree after a commit.
(After-commit work stays with core.followups.)"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core.bulk import chunks, many

from ..models import FactKind, HealthFact
from . import healthcode

K = FactKind


class Transition(StrEnum):
    BECAME_CASE = "became_case"
    ADMITTED_TO_SITE = "admitted_to_site"
    QUARANTINED_AT_HOME = "quarantined_at_home"
    LEFT_SITE_FOR_HOME = "left_site_for_home"
    RELEASED_FROM_QUARANTINE = "released_from_quarantine"
    HOME_QUARANTINE_STARTED = "home_quarantine_started"
    POOL_RESOLVED = "pool_resolved"
    CASE_CLOSED = "case_closed"


@dataclass(frozen=True)
class Rule:
    # Open facts that make the transition a contradiction, with the field it is refused on.
    refused_by: tuple[FactKind, ...] = ()
    # Facts the transition ends (the module that records the transition records its own
    # new fact: the stay, the case, the household control).
    ends: tuple[FactKind, ...] = ()


CONTACT_FACTS = (K.CLOSE_CONTACT, K.SECONDARY_CONTACT)
TRANSITIONS: dict[Transition, Rule] = {
    Transition.BECAME_CASE: Rule(),
    # A household kept at home and a member in a site at once is a contradiction.
    Transition.ADMITTED_TO_SITE: Rule(refused_by=(K.HOME_MONITORING,)),
    Transition.QUARANTINED_AT_HOME: Rule(refused_by=(K.CENTRALIZED_QUARANTINE,)),
    # Red until the release from the site, yellow at home: the exposure is served.
    Transition.LEFT_SITE_FOR_HOME: Rule(ends=CONTACT_FACTS),
    Transition.RELEASED_FROM_QUARANTINE: Rule(ends=CONTACT_FACTS),
    Transition.HOME_QUARANTINE_STARTED: Rule(refused_by=(K.CENTRALIZED_QUARANTINE,)),
    Transition.POOL_RESOLVED: Rule(ends=(K.POSITIVE_POOL,)),
    # Discharged or ruled out: every case fact ends, the case's own and the one a transfer
    # to hospital from a quarantine site recorded while the case was being registered.
    Transition.CASE_CLOSED: Rule(ends=(K.CASE,)),
}

# The open facts that put a person under control, and the transition that put them there:
# a contact named while one is open is under control from the moment it is named.
UNDER_CONTROL: dict[FactKind, Transition] = {
    K.CASE: Transition.BECAME_CASE,
    K.CENTRALIZED_QUARANTINE: Transition.ADMITTED_TO_SITE,
    K.HOME_MONITORING: Transition.QUARANTINED_AT_HOME,
}

# What a refusal calls the conflicting state, in the user's language.
CONFLICT_WORDS = {
    K.CENTRALIZED_QUARANTINE: lambda: _("already in centralized quarantine"),
    K.HOME_MONITORING: lambda: _("already under home monitoring or home quarantine"),
}

Reaction = Callable[[list[int], datetime, datetime], None]
_reactions: dict[Transition, list[Reaction]] = defaultdict(list)


def react(transition: Transition, reaction: Reaction) -> None:
    """Register what another module's records do when `transition` happens:
    `reaction(person_ids, at, now)`, run inside the transaction of the change. Called from
    an `AppConfig.ready`, so the changing service never imports the reacting module."""
    if reaction not in _reactions[transition]:
        _reactions[transition].append(reaction)


def conflicts(transition: Transition, person_ids: Iterable[int]) -> dict[int, str]:
    """{person id: why the transition contradicts their state} for those it does."""
    kinds = TRANSITIONS[transition].refused_by
    found: dict[int, str] = {}
    if not kinds:
        return found
    for chunk in chunks(list(person_ids)):
        rows = HealthFact.objects.filter(
            person_id__in=many(chunk), kind__in=kinds, ended_at__isnull=True
        ).values_list("person_id", "kind", "source", "detail")
        for person_id, kind, source, detail in rows.order_by("person_id", "started_at"):
            where = f"{source}, {detail}" if detail else source
            found.setdefault(person_id, f"{CONFLICT_WORDS[kind]()} ({where})")
    return found


def refuse_conflicts(
    transition: Transition, person_ids: Iterable[int], *, field: str, names=None
) -> None:
    """Refuse the transition (ValidationError on `field`) when it contradicts a person's
    state; `names` ({person id: name}) says who, for a household of several."""
    found = conflicts(transition, person_ids)
    if not found:
        return
    names = names or {}
    messages = [
        f"{names[pid]}: {why}" if pid in names else why for pid, why in sorted(found.items())
    ]
    raise ValidationError({field: messages})


def happened(
    transition: Transition,
    person_ids: Iterable[int],
    *,
    at: datetime,
    now: datetime | None = None,
) -> None:
    """The transition happened to these persons at `at`: end the facts it ends, then let
    the registered modules bring their records along. Call inside the change's
    transaction, after recording the new fact."""
    now = now or timezone.now()
    person_ids = sorted(set(person_ids))
    for kind in TRANSITIONS[transition].ends:
        healthcode.end_facts(person_ids, kind, at=at, now=now)
    for reaction in _reactions[transition]:
        reaction(person_ids, at, now)


def under_control(person_ids: Iterable[int]) -> dict[int, set[Transition]]:
    """{person id: the transitions their open facts say happened} for the persons under
    control now (an open case, in a site or in transfer, kept at home)."""
    found: dict[int, set[Transition]] = defaultdict(set)
    for chunk in chunks(sorted(set(person_ids))):
        rows = HealthFact.objects.filter(
            person_id__in=many(chunk), kind__in=list(UNDER_CONTROL), ended_at__isnull=True
        ).values_list("person_id", "kind")
        for person_id, kind in rows:
            found[person_id].add(UNDER_CONTROL[kind])
    return dict(found)


def caught_up(person_ids: Iterable[int], *, now: datetime | None = None) -> set[int]:
    """Bring new records of persons already under control along, as if the transition
    that put them there happened now (a contact named while in a site is controlled at
    once; a case named as a contact is not listed for testing). Call inside the
    transaction that wrote the records; returns the persons under control."""
    now = now or timezone.now()
    standing = under_control(person_ids)
    by_transition: dict[Transition, list[int]] = defaultdict(list)
    for person_id, transitions in sorted(standing.items()):
        for transition in transitions:
            by_transition[transition].append(person_id)
    for transition in Transition:  # in a fixed order: a case first
        if transition in by_transition:
            for reaction in _reactions[transition]:
                reaction(by_transition[transition], now, now)
    return set(standing)
