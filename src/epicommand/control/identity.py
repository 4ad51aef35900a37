"""Who a resident is on the public pages (their own health code, the place-code scan page).

A backend proves it: settings.RESIDENT_IDENTITY_BACKEND names a class with a `form_class`
(the form the resident fills in) and `identify(request, data) -> Person | None` (the form's
cleaned data in, the one person it proves, or None). The demo's `IdNumberAndPhone` asks
for the national ID (or passport) number and the phone on record; a real identity provider
(an e-government login, a bank-card check) replaces it with its own class. Everything else
stays: the session remembers the person for RESIDENT_SESSION_MINUTES, failures are
throttled, and the answer to a failed attempt never says whether the number exists.

Other pages ask `resident_of(request)` and, when it is None, send the resident to
reverse("control:resident_identify") + "?next=" + their own URL.
"""

import time
from datetime import timedelta
from functools import lru_cache

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from epicommand.core import audit
from epicommand.people import lookup
from epicommand.people.models import Person

SESSION_PERSON = "resident_person_id"
SESSION_UNTIL = "resident_until"


def session_lifetime() -> timedelta:
    """How long an identification holds: fixed from the moment of identifying, so a phone
    left at a door (or passed on) stops showing its owner's code."""
    return timedelta(minutes=getattr(settings, "RESIDENT_SESSION_MINUTES", 30))


# Throttle: per browser session and per address. The address limit is higher, for many
# phones share one address behind a mobile carrier's NAT.
def max_failures_per_session() -> int:
    return getattr(settings, "RESIDENT_IDENTIFY_MAX_FAILURES", 5)


def max_failures_per_address() -> int:
    return getattr(settings, "RESIDENT_IDENTIFY_MAX_FAILURES_PER_ADDRESS", 20)


def throttle_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "RESIDENT_IDENTIFY_WINDOW_MINUTES", 15))


class ResidentIdentity:
    """What an identity backend provides. `identify` returns the one person the data
    proves, or None; it must not tell a missing number from a wrong phone."""

    form_class: type[forms.Form]
    # Shown in the audit log as how the resident proved who they are.
    method: str = ""

    def identify(self, request, data: dict) -> Person | None:
        raise NotImplementedError


class IdNumberAndPhoneForm(forms.Form):
    document = forms.CharField(
        label=_("ID card or passport number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        help_text=_("The number registered with your community."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_document(self):
        return "".join(self.cleaned_data["document"].split()).upper()

    def clean_phone(self):
        digits = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit())
        # "+86 138 1234 5678" is the same mainland number as 13812345678.
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        if not digits:
            raise forms.ValidationError(_("Enter the phone number's digits."))
        return digits


class IdNumberAndPhone(ResidentIdentity):
    """The demo: the ID card (or passport) number and the phone on record must both match
    one person."""

    form_class = IdNumberAndPhoneForm
    method = "ID number and phone"

    def identify(self, request, data: dict) -> Person | None:
        # No jurisdiction: residents prove who they are themselves (identify() audits it).
        return lookup.find_resident(data["document"], data["phone"])


def backend() -> ResidentIdentity:
    return _backend(settings.RESIDENT_IDENTITY_BACKEND)


@lru_cache(maxsize=4)
def _backend(path: str) -> ResidentIdentity:
    return import_string(path)()


# The session ---------------------------------------------------------------------------------


def remember(request, person: Person) -> None:
    # A new session key on identifying: a key planted before cannot ride on it.
    request.session.cycle_key()
    request.session[SESSION_PERSON] = person.pk
    request.session[SESSION_UNTIL] = time.time() + session_lifetime().total_seconds()


def resident_of(request) -> Person | None:
    """The resident this browser identified as, while the identification holds."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    person_id, until = session.get(SESSION_PERSON), session.get(SESSION_UNTIL)
    if person_id is None:
        return None
    if not isinstance(until, int | float) or until <= time.time():
        forget(request)
        return None
    person = Person.objects.select_related("region").filter(pk=person_id).first()
    if person is None:
        forget(request)
    return person


def identified_until(request) -> float | None:
    """Unix time the identification ends, for the page that says so."""
    return getattr(request, "session", {}).get(SESSION_UNTIL)


def forget(request) -> None:
    for key in (SESSION_PERSON, SESSION_UNTIL):
        request.session.pop(key, None)


# Identifying, throttled -------------------------------------------------------------------


class Throttled(Exception):
    """Too many failed attempts from this browser or address; `minutes` to wait at most."""

    def __init__(self, minutes: int):
        self.minutes = minutes
        super().__init__(minutes)


def identify(request, data: dict) -> Person | None:
    """Run the backend on the form's cleaned data: remember and return the person it
    proves, or count a failure and return None. Raises Throttled before asking the
    backend when this browser or address failed too often lately. Audited either way."""
    keys = _throttle_keys(request)
    if _is_throttled(keys):
        audit.record(
            None, "resident.identify", object_type="people.person", reason="refused: throttled"
        )
        raise Throttled(int(throttle_window().total_seconds() // 60))
    chosen = backend()
    person = chosen.identify(request, data)
    if person is None:
        _note_failure(keys)
        audit.record(
            None,
            "resident.identify",
            object_type="people.person",
            reason=f"failed: no single person matches ({chosen.method or 'backend'})",
        )
        return None
    remember(request, person)
    audit.record(
        None, "resident.identify", person, reason=f"identified ({chosen.method or 'backend'})"
    )
    return person


def _throttle_keys(request) -> dict[str, int]:
    if not request.session.session_key:
        request.session.save()  # an anonymous visitor gets a key to count against
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return {
        f"resident-identify:session:{request.session.session_key}": max_failures_per_session(),
        f"resident-identify:address:{address}": max_failures_per_address(),
    }


def _is_throttled(keys: dict[str, int]) -> bool:
    counts = cache.get_many(list(keys))
    return any(counts.get(key, 0) >= limit for key, limit in keys.items())


def _note_failure(keys: dict[str, int]) -> None:
    # The window runs from the first failure: add() starts it, incr() keeps its expiry.
    timeout = int(throttle_window().total_seconds())
    for key in keys:
        cache.add(key, 0, timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout)
