"""Remote coordinated control: a contact who lives outside the investigating user's scope is
handed to whoever must control them.

Inside the city, a referral goes to the county that owns the contact (its inbox, counted
in the navigation); the contact row is already theirs by region, so acknowledging is all
the receiving county does here. Outside the city, the referral names the destination's
administrative code, is exported (CSV, JSON: tracing.services.referral_exports) and POSTed
to the configured webhook (settings.REFERRAL_WEBHOOK_URL, signed with
REFERRAL_WEBHOOK_SECRET), retried with exponential backoff until the receiver answers 2xx.
Either kind not acknowledged within the policy's `referral_ack_hours` escalates to the city
command office.

Every change validates, writes, audits and keeps the `referrals_open` counter (by the
referral's region) in one transaction."""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections import Counter as Tally
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert, chunks, many, naive_utc
from epicommand.core.idnumbers import PROVINCE_CODES, parse_id_number
from epicommand.core.models import ApiToken, Unit
from epicommand.core.notifications import notify
from epicommand.people.models import Person

from ..models import Case, Contact, Degree, Referral

C = Capability
S = Referral.Status
OPEN_STATUSES = (S.SENT, S.ESCALATED)
CLOCK_SKEW = timedelta(minutes=5)
WEBHOOK_TIMEOUT_SECONDS = 5
SIGNATURE_HEADER = "X-EpiCommand-Signature"
MAX_BACKOFF_MINUTES = 60
# A claimed delivery is left alone this long, so two workers never POST the same referral
# at once; a worker that dies mid-POST leaves it due again after the lease.
DELIVERY_LEASE = timedelta(minutes=2)

# GB/T 2260 province-level divisions, for naming an outside destination by its code.
PROVINCE_NAMES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}
assert set(PROVINCE_NAMES) == PROVINCE_CODES


def inbox_url() -> str:
    return reverse("tracing:referral_inbox")


def referral_url(referral: Referral) -> str:
    return reverse("tracing:referral_detail", args=[referral.pk])


# Who acts ---------------------------------------------------------------------------------


def _scope_code(actor, case: Case) -> str:
    """The region the referral is sent from: the actor's scope region, or the case's
    county when the platform itself found the contact (a household rule run)."""
    if actor is None:
        return case.region_id[: counters.CITY_CODE_LENGTH]
    if isinstance(actor, ApiToken):
        return actor.region_id
    if not actor.scope_region_id:
        raise PermissionDenied(_("your account has no jurisdiction"))
    return actor.scope_region_id


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, ApiToken):
        return f"token:{actor.key_prefix}"
    return actor.get_username()


def _user_or_none(actor):
    return None if actor is None or isinstance(actor, ApiToken) else actor


# Inside the city -------------------------------------------------------------------------


def refer_contact(actor, contact: Contact, *, now: datetime | None = None) -> Referral | None:
    """Refer a contact living outside the actor's scope to the county that owns them.
    None when the actor covers the contact's region (they control the contact
    themselves). One referral per contact: a second call returns the first."""
    referred = refer_contacts(actor, [contact], now=now).get(contact.pk)
    return None if referred is None else Referral.objects.get(pk=referred.pk)


def refer_contacts(actor, contacts, *, now: datetime | None = None) -> dict[int, Referral]:
    """`refer_contact` for many contacts at once (a case's household and a workplace of
    colleagues are found together): {contact id: its referral} for those referred, whether
    now or before, read with the fields the audit and counters need. Reads and writes a
    constant number of queries, the new referrals through the bulk path (a lab's batch of
    suspected cases refers tens of thousands of contacts). The contacts come with their
    case loaded; their persons are read here."""
    now = now or timezone.now()
    outside = []
    for contact in contacts:
        if actor is not None and covers(actor, contact.region_id):
            continue
        from_code = _scope_code(actor, contact.case)
        if not contact.region_id.startswith(from_code):  # else the platform's own county
            outside.append((contact, from_code))
    if not outside:
        return {}
    with transaction.atomic():
        # The lock makes two concurrent calls for one contact write one referral.
        ids = [contact.pk for contact, _from in outside]
        for chunk in chunks(ids):
            list(Contact.objects.select_for_update().filter(pk__in=many(chunk)).values_list("pk"))
        referred = _referrals_of(ids)
        new = [(c, code) for c, code in outside if c.pk not in referred]
        _insert(actor, new, now)
        sent = _referrals_of([c.pk for c, _code in new])
        audit.record_many(actor, "referral.send", sent.values(), reason=_sent_from)
        referred |= sent
        counties = Tally(r.region_id for r in sent.values())
        for county_code, n in sorted(counties.items()):
            counters.bump("referrals_open", county_code, n, day=timezone.localdate(now))
    return referred


def _referrals_of(contact_ids: list[int]) -> dict[int, Referral]:
    """{contact id: its referral inside the city}, the latest if ever more than one."""
    found = {}
    for chunk in chunks(contact_ids):
        for referral in (
            Referral.objects.filter(contact_id__in=many(chunk), is_external=False)
            .only("contact_id", "region_id", "from_region_id", "degree")
            .order_by("id")
        ):
            found[referral.contact_id] = referral
    return found


REFERRAL_COLUMNS = (
    "contact_id",
    "case_id",
    "region_id",
    "from_region_id",
    "is_external",
    "destination_code",
    "destination",
    "name",
    "id_number",
    "phone",
    "address",
    "degree",
    "last_exposure_at",
    "status",
    "sent_at",
    "ack_deadline",
    "acknowledged_by",
    "delivery_attempts",
    "last_error",
    "sent_by_id",
)


def _insert(actor, new: list[tuple[Contact, str]], now: datetime) -> None:
    """The referrals as rows, each copying its person's name, number, phone and address
    (the receiving county reads them without reaching into our register)."""
    persons = {}
    for chunk in chunks(sorted({c.person_id for c, _code in new})):
        persons |= {
            pk: rest
            for pk, *rest in Person.objects.filter(pk__in=many(chunk)).values_list(
                "pk", "name", "id_number", "passport_number", "phone", "address"
            )
        }
    sent_at, deadline = naive_utc(now), naive_utc(now + _ack_hours())
    sender = getattr(_user_or_none(actor), "pk", None)
    rows = []
    for contact, from_code in new:
        name, id_number, passport, phone, address = persons[contact.person_id]
        county = contact.region_id[: counters.CITY_CODE_LENGTH]  # the owning county
        rows.append(
            (contact.pk, contact.case_id, county, from_code, False, "", "", name)
            + (id_number or passport, phone, address, str(contact.degree))
            + (naive_utc(contact.last_exposure_at), S.SENT.value, sent_at, deadline)
            + ("", 0, "", sender)
        )
    bulk_insert(Referral._meta.db_table, REFERRAL_COLUMNS, rows)


def _ack_hours() -> timedelta:
    return timedelta(hours=policy.active().referral_ack_hours)


def _sent_from(referral: Referral) -> str:
    return _sent_text(get_language(), referral.degree) % {"source": referral.from_region_id}


@lru_cache(maxsize=64)
def _sent_text(language: str | None, degree: str) -> str:
    """Translated once per degree, not per referral (a batch of cases refers thousands)."""
    label = str(Degree(degree).label).replace("%", "%%")
    return _("%(degree)s referred from %(source)s").replace("%(degree)s", label)


# Outside the city ------------------------------------------------------------------------


def destination_error(code: str, city_prefix: str) -> str | None:
    """Why `code` is no administrative region outside our city, or None when it is one."""
    if not (code.isdigit() and len(code) in (6, 9, 12)):
        return _("must be an administrative code of 6 digits (a county), 9 or 12 (below one)")
    if code[:2] not in PROVINCE_CODES or code[2:4] == "00":
        return _("unknown region code %(c)s") % {"c": code}
    if code.startswith(city_prefix):
        return _(
            "%(c)s is inside our city: register the person here and add them as a contact, "
            "and the county that owns them is referred automatically"
        ) % {"c": code}
    return None


def destination_name(code: str) -> str:
    return f"{PROVINCE_NAMES[code[:2]]} {code}"


def _text(value, field: str, errors: dict, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        errors[field] = _("must be text")
        return ""
    if "\x00" in value:
        errors[field] = _("contains a NUL character")
    elif required and not value:
        errors[field] = _("is required")
    elif len(value) > limit:
        errors[field] = _("is longer than %(n)d characters") % {"n": limit}
    return value


def _clean_outside(case, data: dict, *, now: datetime) -> dict:
    errors: dict = {}
    clean = {
        "name": _text(data["name"], "name", errors, limit=100, required=True),
        "phone": _text(data["phone"], "phone", errors, limit=20),
        "address": _text(data["address"], "address", errors, limit=200),
        "id_number": _text(data["id_number"], "id_number", errors, limit=20).upper(),
        "destination_code": _text(data["destination_code"], "destination_code", errors, limit=12),
    }
    if clean["phone"] and not all(ch.isdigit() or ch in "+- " for ch in clean["phone"]):
        errors["phone"] = _("may hold digits, spaces, + and - only")
    if clean["id_number"] and "id_number" not in errors:
        try:
            parse_id_number(clean["id_number"])
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    if "destination_code" not in errors:
        problem = destination_error(clean["destination_code"], case.region_id[:4])
        if problem:
            errors["destination_code"] = problem
    if data["degree"] not in Degree.values:
        errors["degree"] = _("must be one of: %(d)s") % {"d": ", ".join(Degree.values)}
    exposed = data["last_exposure_at"]
    if not isinstance(exposed, datetime):
        errors["last_exposure_at"] = _("must be a date and time")
    else:
        if timezone.is_naive(exposed):
            exposed = timezone.make_aware(exposed)
        if exposed > now + CLOCK_SKEW:
            errors["last_exposure_at"] = _("must not be in the future")
    if errors:
        raise ValidationError(errors)
    return {**clean, "degree": data["degree"], "last_exposure_at": exposed}


def refer_outside(
    actor,
    case: Case,
    *,
    name: str,
    destination_code: str,
    degree: str,
    last_exposure_at: datetime,
    id_number: str = "",
    phone: str = "",
    address: str = "",
    now: datetime | None = None,
) -> Referral:
    """A contact of `case` who lives outside the city: kept in the sender's region for
    export and delivered to the webhook (when one is configured). The same person sent to
    the same destination for the same case while still open returns the first referral."""
    now = now or timezone.now()
    require(actor, C.INVESTIGATE, region=case.region_id, platform=True)
    clean = _clean_outside(
        case,
        {
            "name": name,
            "destination_code": destination_code,
            "degree": degree,
            "last_exposure_at": last_exposure_at,
            "id_number": id_number,
            "phone": phone,
            "address": address,
        },
        now=now,
    )
    from_code = _scope_code(actor, case)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = Referral.objects.filter(
            case=case,
            is_external=True,
            destination_code=clean["destination_code"],
            name=clean["name"],
            id_number=clean["id_number"],
            status__in=OPEN_STATUSES,
        ).first()
        if existing is not None:
            return existing
        referral = Referral.objects.create(
            case=case,
            region_id=from_code,
            from_region_id=from_code,
            is_external=True,
            destination=destination_name(clean["destination_code"]),
            sent_at=now,
            ack_deadline=now + _ack_hours(),
            # Due at once; `deliver_due` (the worker, every minute) posts it.
            next_attempt_at=now if webhook_url() else None,
            sent_by=_user_or_none(actor),
            **clean,
        )
        audit.record(
            actor,
            "referral.send",
            referral,
            reason=_("%(degree)s referred outside the city to %(dest)s")
            % {"degree": referral.get_degree_display(), "dest": referral.destination},
        )
        counters.bump("referrals_open", from_code, day=timezone.localdate(now))
    return referral


# Acknowledging and escalating -----------------------------------------------------------


def acknowledge(actor, referral: Referral, *, now: datetime | None = None) -> Referral:
    """The receiving side takes the contact over. Inside the city that is the county the
    referral was sent to; for one outside the city, the sender records the outside
    authority's answer (a phone call) when no webhook acknowledged it."""
    now = now or timezone.now()
    # Only the region the referral was sent to acknowledges it.
    require(actor, C.HANDLE_REFERRALS, region=referral.region_id)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in OPEN_STATUSES:
            raise ValidationError(
                {"status": _("already acknowledged by %(who)s") % {"who": referral.acknowledged_by}}
            )
        _mark_acknowledged(referral, by=_actor_label(actor), now=now)
        audit.record(actor, "referral.acknowledge", referral, reason=referral.name)
    return referral


def _mark_acknowledged(referral: Referral, *, by: str, now: datetime) -> None:
    referral.status = S.ACKNOWLEDGED
    referral.acknowledged_at, referral.acknowledged_by = now, by[:150]
    referral.next_attempt_at = None  # nothing more to deliver
    referral.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "next_attempt_at"])
    counters.bump("referrals_open", referral.region_id, -1, day=timezone.localdate(now))


def city_office_for(region_code: str) -> Unit | None:
    return Unit.objects.filter(
        kind=Unit.Kind.COMMAND_OFFICE, region_id=counters.city_of(region_code)
    ).first()


def escalate_overdue(now: datetime | None = None) -> int:
    """Referrals still awaiting acknowledgement past their deadline go to the city command
    office: an audit event each, and one notification per receiving region and run (a
    day of a big outbreak must not bury the office's other notices). Returns how many
    escalated."""
    now = now or timezone.now()
    due = Referral.objects.filter(status=S.SENT, ack_deadline__lt=now).order_by("ack_deadline")
    # Grouped by where they were sent: a county inside the city, or a place outside it.
    by_region: dict[tuple[str, str], list[Referral]] = {}
    for referral in due.select_related("region").iterator(chunk_size=500):
        with transaction.atomic():
            # Conditional: an acknowledgement that lands meanwhile wins.
            if not Referral.objects.filter(pk=referral.pk, status=S.SENT).update(
                status=S.ESCALATED, escalated_at=now
            ):
                continue
            audit.record(None, "referral.escalate", referral, reason=_("not acknowledged in time"))
        to = (referral.region_id, referral.destination_code if referral.is_external else "")
        by_region.setdefault(to, []).append(referral)
    for (region_code, _outside), escalated in sorted(by_region.items()):
        if (office := city_office_for(region_code)) is not None:
            notify(office, *_escalation_notice(escalated))
    return sum(len(found) for found in by_region.values())


def _escalation_notice(escalated: list[Referral]) -> tuple[str, str]:
    """The message and link of one region's escalations: the referral itself when alone,
    the inbox's escalated tab when many."""
    first = escalated[0]
    to = first.destination if first.is_external else first.region.name
    deadline = f"{timezone.localtime(first.ack_deadline):%m-%d %H:%M}"
    if len(escalated) == 1:
        message = _("Referral not acknowledged in time: %(name)s to %(to)s, due %(due)s") % {
            "name": first.name,
            "to": to,
            "due": deadline,
        }
        return message, referral_url(first)
    message = _("%(n)d referrals to %(to)s not acknowledged in time, the first due %(due)s") % {
        "n": len(escalated),
        "to": to,
        "due": deadline,
    }
    return message, f"{reverse('tracing:referral_inbox')}?tab=escalated"


# Webhook delivery (outside the city) -----------------------------------------------------


def webhook_url() -> str:
    return getattr(settings, "REFERRAL_WEBHOOK_URL", "")


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after the 1st, 2nd, 3rd failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def payload(referral: Referral) -> dict:
    """What the receiving authority gets: the person in full, the exposure, the sender."""
    return {
        "referral_id": referral.pk,
        "sent_at": referral.sent_at.isoformat(),
        "acknowledge_by": referral.ack_deadline.isoformat(),
        "from_region_code": referral.from_region_id,
        "from_region": referral.from_region.name,
        "destination_code": referral.destination_code,
        "destination": referral.destination,
        "name": referral.name,
        "id_number": referral.id_number,
        "phone": referral.phone,
        "address": referral.address,
        "degree": referral.degree,
        "last_exposure_at": referral.last_exposure_at.isoformat(),
        "case_id": referral.case_id,
    }


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver_due(now: datetime | None = None) -> int:
    """POST every external referral whose attempt is due; returns how many the receiver
    acknowledged. Without a webhook URL nothing is posted (the export is the way out)."""
    url = webhook_url()
    if not url:
        return 0
    now = now or timezone.now()
    due = Referral.objects.filter(
        is_external=True, status__in=OPEN_STATUSES, next_attempt_at__lte=now
    ).order_by("next_attempt_at")
    delivered = 0
    for referral in due.select_related("from_region").iterator(chunk_size=100):
        if _claim(referral, now) and _deliver(referral, url, now=now):
            delivered += 1
    return delivered


def _claim(referral: Referral, now: datetime) -> bool:
    """Only the worker whose conditional update moves the attempt time posts it."""
    return bool(
        Referral.objects.filter(
            pk=referral.pk, status__in=OPEN_STATUSES, next_attempt_at=referral.next_attempt_at
        ).update(next_attempt_at=now + DELIVERY_LEASE)
    )


def _post(url: str, body: bytes, referral_id: int) -> tuple[int | None, str]:
    """(HTTP status or None, error text)."""
    headers = {"Content-Type": "application/json", "X-EpiCommand-Referral": str(referral_id)}
    if secret := getattr(settings, "REFERRAL_WEBHOOK_SECRET", ""):
        headers[SIGNATURE_HEADER] = signature(body, secret)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc)) or exc.__class__.__name__


def _deliver(referral: Referral, url: str, *, now: datetime) -> bool:
    body = json.dumps(payload(referral), ensure_ascii=False).encode()
    status, error = _post(url, body, referral.pk)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in OPEN_STATUSES:
            return False  # acknowledged by hand while the POST was in flight
        if status is not None and 200 <= status < 300:
            referral.delivered_at, referral.last_error = now, ""
            referral.save(update_fields=["delivered_at", "last_error"])
            _mark_acknowledged(referral, by="webhook", now=now)
            # The person's full record left the platform: audited like an export.
            audit.record(None, "referral.deliver", referral, reason=f"HTTP {status} {url}")
            return True
        referral.delivery_attempts += 1
        referral.last_error = (error or f"HTTP {status}")[:300]
        referral.next_attempt_at = now + backoff(referral.delivery_attempts)
        referral.save(update_fields=["delivery_attempts", "last_error", "next_attempt_at"])
    return False


# Reading, audited -----------------------------------------------------------------------


def note_referral_viewed(actor, referral: Referral, *, channel: str = "web") -> None:
    """Someone read the referred person in full (ID number, phone, address)."""
    audit.record(actor, "referral.view", referral, reason=channel)
