"""A dose at the site desk: the person found by document wherever they live, screened
against the policy's contraindications, their age and their series checked (the product
that began it, the minimum interval since the last dose), one dose of the lot taken from
the site's stock, and the series, the booking and the coverage tally moved on, all in one
transaction."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, policy
from epicommand.core.access import Capability, require
from epicommand.people import lookup

from ..models import Booking, Dose, Series, Site
from . import coverage, eligibility, sites


def find_person(actor, site: Site, document: str):
    """Whoever stands at the desk, from any county (audited by the look-up when outside
    the vaccinator's jurisdiction)."""
    require(actor, Capability.VACCINATE, region=site.region_id)
    return lookup.find_outside_jurisdiction(actor, document, purpose=lookup.Purpose.VACCINATION)


def next_dose(person) -> tuple[int, Series | None]:
    """The number of the person's next dose and their series so far (None before any)."""
    series = Series.objects.filter(person=person).first()
    return (series.doses_given + 1 if series else 1), series


def interval_problem(series: Series | None, product: str, day) -> dict:
    """Why `product` may not give the series' next dose on `day` ({field: reason}), or {}."""
    if series is None:
        return {}
    rules = policy.active().vaccination
    if series.complete:
        return {"document": _("this person's series is complete")}
    if not rules.may_continue(series.product, product):
        return {
            "product": _(
                "the series began with %(begun)s; the policy does not let %(product)s continue it"
            )
            % {"begun": series.product, "product": product}
        }
    if series.next_from and day < series.next_from:
        return {
            "given_at": _("too soon: dose %(n)d may be given from %(day)s (the minimum interval)")
            % {"n": series.doses_given + 1, "day": series.next_from.isoformat()}
        }
    return {}


def screening_problem(screening: dict) -> dict:
    """Every item of the checklist answered; any "yes" defers the dose."""
    rules = policy.active().vaccination
    missing = [code for code, _label in rules.contraindications if code not in (screening or {})]
    if missing:
        return {"screening": _("answer every question: %(items)s") % {"items": ", ".join(missing)}}
    found = [str(label) for code, label in rules.contraindications if screening.get(code)]
    if found:
        return {"screening": _("deferred: %(items)s") % {"items": "; ".join(found)}}
    return {}


def record_dose(
    actor, site: Site, *, document: str, product: str, lot: str, screening: dict, given_at=None
) -> Dose:
    require(actor, Capability.VACCINATE, region=site.region_id, person=True)
    given_at = given_at or timezone.now()
    lot = (lot or "").strip().upper()
    rules = policy.active().vaccination
    chosen = rules.product(product)
    errors = {}
    if chosen is None:
        errors["product"] = _("no such vaccine product")
    if not lot or len(lot) > sites.LOT:
        errors["lot"] = _("give the lot number")
    if given_at > timezone.now() + timedelta(minutes=5):
        errors["given_at"] = _("is in the future")
    errors |= screening_problem(screening)
    person = find_person(actor, site, document)
    if person is None:
        errors["document"] = _("no registered person holds this document")
    else:
        problem = eligibility.age_problem(person, timezone.localdate(given_at))
        if problem:
            errors["document"] = problem
    if errors:
        raise ValidationError(errors)
    day = timezone.localdate(given_at)
    with transaction.atomic():
        series = Series.objects.select_for_update().filter(person=person).first()
        errors = interval_problem(series, product, day)
        if errors:
            raise ValidationError(errors)
        if not sites.use_one(site, product, lot):
            raise ValidationError(
                {"lot": _("no doses of lot %(lot)s of this product on hand here") % {"lot": lot}}
            )
        booking = Booking.objects.filter(person=person, state=Booking.State.BOOKED).first()
        unit, group = _employer_and_group(person, series, booking)
        number = series.doses_given + 1 if series else 1
        try:
            with transaction.atomic():
                dose = Dose.objects.create(
                    person=person,
                    product=product,
                    lot=lot,
                    site=site,
                    dose_number=number,
                    given_at=given_at,
                    vaccinator=actor,
                    screening={k: bool(v) for k, v in screening.items()},
                    group=group,
                    unit=unit,
                    region_id=site.region_id,
                )
        except IntegrityError:  # the same dose recorded at another desk a moment ago
            raise ValidationError({"document": _("this dose was just recorded")}) from None
        series = _advance(series, person, chosen, dose, unit, group)
        if booking is not None:
            Booking.objects.filter(pk=booking.pk).update(state=Booking.State.VACCINATED)
        coverage.add(
            {
                (series.region_id, unit.pk if unit else 0, group or ""): (
                    0,
                    1 if number == 1 else 0,
                    1 if series.complete else 0,
                )
            }
        )
        counters.bump("vaccination_doses", site.region_id, day=day)
        audit.record(
            actor,
            "vaccination.dose",
            dose,
            reason=f"{product} {lot} dose {number} at {site.name}"[:500],
        )
    return dose


def _employer_and_group(person, series, booking):
    if series is not None:
        return series.unit, series.group
    if booking is not None and booking.unit_id:
        return booking.unit, booking.group
    entry = eligibility.roster_entry(person)
    if entry is not None:
        return entry.unit, entry.group
    return None, booking.group if booking else ""


def _advance(series, person, product, dose, unit, group) -> Series:
    """The series after this dose: its next dose's window, or complete."""
    day = timezone.localdate(dose.given_at)
    complete = dose.dose_number >= product.doses
    window = {
        "next_from": None if complete else day + timedelta(days=product.min_interval_days),
        "next_by": None if complete else day + timedelta(days=product.max_interval_days),
    }
    if series is None:
        return Series.objects.create(
            person=person,
            product=product.code,
            doses_given=dose.dose_number,
            doses_needed=product.doses,
            last_dose_at=dose.given_at,
            complete=complete,
            unit=unit,
            group=group or "",
            region_id=unit.region_id if unit else person.region_id,
            **window,
        )
    series.doses_given = dose.dose_number
    series.last_dose_at = dose.given_at
    series.complete = complete
    series.next_from, series.next_by = window["next_from"], window["next_by"]
    series.save(update_fields=["doses_given", "last_dose_at", "complete", "next_from", "next_by"])
    return series
