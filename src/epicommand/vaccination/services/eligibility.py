"""Who may be vaccinated (policy: age range) and a person's key group and employer."""

from datetime import date

from django.utils.translation import gettext as _

from epicommand.core import policy

from ..models import RosterEntry


def age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_problem(person, day: date) -> str:
    """Why the person may not be vaccinated on `day` for their age, or ""."""
    rules = policy.active().vaccination
    age = age_on(person.birth_date, day)
    if age is None:
        return _("the person's birth date is not on record")
    if not rules.min_age <= age <= rules.max_age:
        return _("aged %(age)d: the key groups are vaccinated from %(lo)d to %(hi)d") % {
            "age": age,
            "lo": rules.min_age,
            "hi": rules.max_age,
        }
    return ""


def roster_entry(person, unit=None) -> RosterEntry | None:
    """The person's entry on `unit`'s roster, or (no unit given) their earliest entry."""
    entries = RosterEntry.objects.filter(person=person).select_related("unit")
    if unit is not None:
        entries = entries.filter(unit=unit)
    return entries.order_by("listed_at", "pk").first()
