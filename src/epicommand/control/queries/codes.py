"""Scoped reads of key-area control: every list starts from `visible_to(who)`, pages run by
key, lists carry masked values only."""

# Health codes -------------------------------------------------------------------------------
# The staff lookup (list and detail, web and API) and the words a code's reasons are shown
# in. Codes, facts and the colour history are scoped by the person's region of residence.

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from epicommand.core import policy
from epicommand.people.models import Person
from epicommand.people.queries import parse_person_cursor, search_persons

from ..models import Colour, ColourChange, FactKind, HealthCode, HealthFact

CODE_PAGE_SIZE = 50
_CODE_KEY = '"control_healthcode"."region_id", "control_healthcode"."person_id"'
# What ?colour= may ask for; no colour means the codes that restrict (red and yellow).
CODE_COLOURS = (Colour.RED, Colour.YELLOW, Colour.GREEN)
FACTS_SHOWN = 200
HISTORY_SHOWN = 100


def code_page(
    who,
    *,
    colour: str | None = None,
    region_code: str | None = None,
    after: str | None = None,
    limit: int = CODE_PAGE_SIZE,
) -> tuple[list[HealthCode], str | None]:
    """Stored codes visible to `who`, red and yellow unless `colour` says which, in
    (region, person) order: the code_region_colour index serves the region range and keeps
    the region order, so a page is a short range read on both databases."""
    qs = HealthCode.objects.all()
    if cursor := parse_person_cursor(after):
        # Before the scope's bounds, as in people.queries: SQLite starts its range scan at
        # the first lower bound on region_id it is given.
        qs = qs.extra(
            where=[f"({_CODE_KEY}) > (%s, %s)"],
            params=list(cursor),
        )
    qs = qs.visible_to(who).select_related("person", "region")
    if region_code:
        qs = qs.in_region(region_code)
    if colour in CODE_COLOURS:
        qs = qs.filter(colour=colour)
    else:
        qs = qs.filter(colour__in=(Colour.RED, Colour.YELLOW))
    rows = list(qs.order_by("region_id", "person_id")[: limit + 1])
    more = len(rows) > limit
    return rows[:limit], _code_cursor(rows[limit - 1]) if more else None


def _code_cursor(code: HealthCode) -> str:
    return f"{code.region_id}-{code.person_id}"


def search_codes(
    who,
    query: str,
    *,
    colour: str | None = None,
    region_code: str | None = None,
    after: str | None = None,
    limit: int = CODE_PAGE_SIZE,
) -> tuple[list[HealthCode], str | None]:
    """Persons matching an ID number, a phone or the start of a name (people.queries
    search_persons, so scoped the same way) with their codes, green for those without one.
    A colour narrows the page found, so a page may hold fewer rows than `limit`."""
    persons, next_after = search_persons(
        who, query, after=after, limit=limit, region_code=region_code
    )
    stored = {
        code.person_id: code
        for code in HealthCode.objects.filter(person_id__in=[p.pk for p in persons])
    }
    rows = []
    for person in persons:
        code = stored.get(person.pk) or _green(person)
        code.person = person  # the person as found, with its region, no second query
        code.region = person.region
        if colour not in CODE_COLOURS or code.colour == colour:
            rows.append(code)
    return rows, next_after


def _green(person: Person) -> HealthCode:
    return HealthCode(
        person=person,
        region_id=person.region_id,
        colour=Colour.GREEN,
        reasons=[],
        version=0,
        changed_at=None,
        computed_at=None,
    )


def visible_person(who, person_id: int) -> Person:
    """The person whose code `who` may read, or 404: scoped through the person, whose region
    of residence is the code's scope."""
    persons = Person.objects.visible_to(who).select_related("region")
    return get_object_or_404(persons, pk=person_id)


@dataclass(frozen=True)
class CodeRecord:
    """Everything the staff detail shows about a person's code."""

    person: Person
    code: HealthCode
    reasons: list[dict]
    facts: list[HealthFact]
    history: list[ColourChange]


def code_record(person: Person, code: HealthCode) -> CodeRecord:
    """The code of a person already found through `visible_person` (as
    services.healthcode.current reads it), with its facts (newest first) and its colour
    history. The facts and history are the person's: they travel with the person, so they
    are read by person, not by the region they were written in."""
    facts = list(
        HealthFact.objects.filter(person_id=person.pk).order_by("-started_at", "-id")[:FACTS_SHOWN]
    )
    history = list(
        ColourChange.objects.filter(person_id=person.pk).order_by("-at", "-id")[:HISTORY_SHOWN]
    )
    return CodeRecord(person, code, explain(code.reasons), facts, history)


# Reasons in plain language ----------------------------------------------------------------


def explain(reasons: list[dict], rules=None) -> list[dict]:
    """Each stored reason with its words: "Was in a high-risk area (增村镇) — red until
    January 19 14:30, then yellow until January 26 14:30". The phases after the current one
    come from the active edition's rule for the kind."""
    rules = rules if rules is not None else policy.active().colour_rules
    explained = []
    for reason in reasons:
        until = _as_datetime(reason.get("until"))
        kind, colour = reason.get("kind", ""), reason.get("colour", "")
        rule = rules.get(kind)
        phases = _later_runs(rule, colour, until) if rule and until else []
        explained.append(
            {
                **reason,
                "kind_label": _label(FactKind, kind),
                "colour_label": _label(Colour, colour),
                "until_at": until,
                "then": [{"colour": c, "until": end.isoformat()} for c, end in phases],
                "text": _sentence(kind, colour, reason.get("detail", ""), until, phases),
            }
        )
    return explained


def _sentence(kind, colour, detail, until, phases) -> str:
    what = _label(FactKind, kind)
    if detail:
        what = _("%(what)s (%(detail)s)") % {"what": what, "detail": detail}
    colour_word = _label(Colour, colour).lower()
    if until is None:
        how = _("%(colour)s while it lasts") % {"colour": colour_word}
    else:
        how = _("%(colour)s until %(until)s") % {"colour": colour_word, "until": when(until)}
    for later, end in phases:
        how += _(", then %(colour)s until %(until)s") % {
            "colour": _label(Colour, later).lower(),
            "until": when(end),
        }
    return _("%(what)s — %(how)s") % {"what": what, "how": how}


def _later_runs(rule, colour: str, until: datetime) -> list[tuple[str, datetime]]:
    """The coloured runs that follow the reason's own in the rule, with their ends. The
    reason's run is the first of the rule's runs (its open phase merged with the phases
    of the same colour after it) in the reason's colour."""
    runs: list[list] = []
    for phase_colour, days in ((rule.while_open, 0), *rule.after):
        if runs and runs[-1][0] == phase_colour:
            runs[-1][1] += days
        else:
            runs.append([phase_colour, days])
    index = next((i for i, (c, _days) in enumerate(runs) if c == colour), None)
    if index is None:
        return []
    later, end = [], until
    for run_colour, days in runs[index + 1 :]:
        end = end + timedelta(days=days)
        if run_colour != Colour.GREEN:
            later.append((run_colour, end))
    return later


def when(moment: datetime) -> str:
    """A moment as a resident reads it: month, day and time, Beijing time."""
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'MONTH_DAY_FORMAT')} {local:%H:%M}"


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return parse_datetime(value) if value else None
