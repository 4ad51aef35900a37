"""Twice-daily monitoring, the tests a stay's plan requires, and the alerts they raise.

`record_check` takes one person's temperature and symptoms, `record_floor` a whole floor
at once (all or nothing). A fever (at or above the edition's threshold) or a respiratory
symptom raises an alert: a row on the alerts page, a notification to the site's responsible
unit and to the CDC of the site's county, and a FEVER health fact that documents it (the
person in the site is red already; the fact keeps the record when they leave). A later
normal check ends the fact again.

`record_sample` and `record_test_result` fill the tests the stay's plan created; the
testing module calls `record_test_result` when its results land. A positive result raises
an alert and, entered by a person, sends the stay to a designated hospital (from the
testing module the site's staff do that step); an invalid one asks for a re-sample the
next day. Under "double sample, double test" the release sample is tested with another
reagent than the site test of the same day.

Every function checks who may act, validates (ValidationError naming the field), writes
and leaves one audit event per change (one per floor for a floor)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import Unit
from epicommand.core.notifications import notify

from ..models import Alert, HealthCheck, Stay, StayTest
from ..queries.monitoring import CHECKED_STATUSES, FLOOR_LIMIT, session_at
from .releases import transfer_to_hospital

C = Capability
R = StayTest.Result
Symptom = HealthCheck.Symptom
SYMPTOMS = tuple(Symptom.values)
# The symptoms that raise an alert by themselves, without fever (DOMAIN "Health code":
# "temperature >= 37.3 °C or symptoms"). Fatigue or diarrhoea alone are noted, not alerted.
RESPIRATORY = frozenset(
    {Symptom.COUGH, Symptom.SORE_THROAT, Symptom.SHORTNESS_OF_BREATH, Symptom.LOSS_OF_SMELL}
)
# What a thermometer can read off a living person; anything else is a typing mistake.
MIN_TEMPERATURE, MAX_TEMPERATURE = Decimal("34.0"), Decimal("43.0")
TENTH = Decimal("0.1")
# A device clock a little ahead of the server's is not a check from the future.
CLOCK_SKEW = timedelta(minutes=5)
MAX_REAGENT = 60
RESULTS = (R.NEGATIVE, R.POSITIVE, R.INVALID)
CHECK_SOURCE = "check:"


# Who may act -------------------------------------------------------------------------------


# Validation --------------------------------------------------------------------------------


def clean_temperature(value, field_name: str, errors: dict) -> Decimal | None:
    """Degrees Celsius to one decimal, within 34.0–43.0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[field_name] = _("is required (°C)")
        return None
    if isinstance(value, bool):
        errors[field_name] = _("must be a number (°C)")
        return None
    try:
        degrees = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field_name] = _("must be a number (°C)")
        return None
    if not degrees.is_finite() or not MIN_TEMPERATURE <= degrees <= MAX_TEMPERATURE:
        errors[field_name] = _("must be between %(low)s and %(high)s °C") % {
            "low": MIN_TEMPERATURE,
            "high": MAX_TEMPERATURE,
        }
        return None
    return degrees.quantize(TENTH, rounding=ROUND_HALF_UP)


def clean_symptoms(value, field_name: str, errors: dict) -> list[str]:
    """Known symptom codes, each once, in the order of HealthCheck.Symptom."""
    if value is None or value == "":
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        errors[field_name] = _("must be a list of symptoms")
        return []
    unknown = [str(v)[:40] for v in value if not isinstance(v, str) or v not in SYMPTOMS]
    if unknown:
        errors[field_name] = _("unknown symptom %(s)s; known: %(known)s") % {
            "s": ", ".join(unknown[:5]),
            "known": ", ".join(SYMPTOMS),
        }
        return []
    return [s for s in SYMPTOMS if s in value]


def _clean_time(value, field_name: str, errors: dict, *, now: datetime, not_before=None):
    """A moment no later than now (give or take a device clock); naive is Beijing time."""
    if value is None:
        return now
    if not isinstance(value, datetime):
        errors[field_name] = _("must be a date and time")
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        errors[field_name] = _("must not be in the future")
    elif not_before is not None and value < not_before:
        errors[field_name] = _("is before the stay began (%(at)s)") % {
            "at": timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M")
        }
    return value


def _clean_reagent(value, errors: dict) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors["reagent"] = _("must be text")
        return ""
    value = value.strip()
    if len(value) > MAX_REAGENT:
        errors["reagent"] = _("is longer than %(n)d characters") % {"n": MAX_REAGENT}
    elif "\x00" in value:
        errors["reagent"] = _("contains a NUL character")
    return value


# Alerts ------------------------------------------------------------------------------------


def county_code(region_code: str) -> str:
    """A region's county (6 digits): codes nest, county, township, village."""
    return region_code[:6]


def alert_units(stay: Stay) -> list[Unit]:
    """Who hears of an alert: the site's responsible unit (its manager's) and the CDC of
    the county the site is in (the epidemiologists)."""
    units = [stay.site.unit] if stay.site_id else []
    cdc = Unit.objects.filter(kind=Unit.Kind.CDC, region_id=county_code(stay.region_id)).first()
    if cdc is not None and all(u.pk != cdc.pk for u in units):
        units.append(cdc)
    return units


def stay_url(stay: Stay) -> str:
    """The stay's page (quarantine.views.stays), or its alerts until that page exists."""
    try:
        return reverse("quarantine:stay_detail", args=[stay.pk])
    except NoReverseMatch:
        return f"{reverse('quarantine:alert_list')}?stay={stay.pk}"


def check_alert_kind(temperature: Decimal, symptoms) -> str | None:
    threshold = Decimal(str(policy.active().fever_threshold_c))
    if temperature >= threshold:
        return Alert.Kind.FEVER
    if RESPIRATORY.intersection(symptoms):
        return Alert.Kind.SYMPTOMS
    return None


def describe_check(check: HealthCheck) -> str:
    labels = [str(Symptom(s).label) for s in check.symptoms if s in SYMPTOMS]
    return ", ".join([f"{check.temperature} °C", *labels])[:200]


def _where(stay: Stay) -> str:
    if stay.site_id is None:
        return _("at home")
    room = f" {stay.room}" if stay.room_id else ""
    return f"{stay.site.name}{room}"


def raise_alert(stay: Stay, kind: str, *, at: datetime, detail: str, check=None, test=None):
    """The alert row and a notification to each unit that must know, linking the stay."""
    alert = Alert.objects.create(
        stay=stay,
        site_id=stay.site_id,
        region_id=stay.region_id,
        kind=kind,
        at=at,
        detail=detail[:200],
        check_record=check,
        test=test,
    )
    message = _("%(kind)s: %(name)s, %(where)s (%(detail)s)") % {
        "kind": Alert.Kind(kind).label,
        "name": stay.person.name,
        "where": _where(stay),
        "detail": detail,
    }
    url = stay_url(stay)
    for unit in alert_units(stay):
        notify(unit, message, url)
    return alert


# Checks ------------------------------------------------------------------------------------


def record_check(
    actor,
    stay: Stay,
    *,
    temperature,
    symptoms=(),
    checked_at: datetime | None = None,
    now: datetime | None = None,
) -> HealthCheck:
    """One person's check. The returned check carries `alert` (the Alert raised, or None)."""
    now = now or timezone.now()
    # A check names the person who took it (HealthCheck.recorded_by).
    require(actor, C.WORK_QUARANTINE, region=stay.region_id, person=True)
    errors: dict = {}
    if stay.status not in CHECKED_STATUSES:
        errors["stay"] = _("is %(status)s: checks are taken in the site or at home monitoring") % {
            "status": stay.get_status_display()
        }
    degrees = clean_temperature(temperature, "temperature", errors)
    found = clean_symptoms(symptoms, "symptoms", errors)
    at = _clean_time(checked_at, "checked_at", errors, now=now, not_before=stay.started_at)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        check = HealthCheck.objects.create(
            stay=stay,
            region_id=stay.region_id,
            checked_at=at,
            temperature=degrees,
            symptoms=found,
            recorded_by=actor,
        )
        check.stay = stay
        audit.record(actor, "health_check.record", check, reason=describe_check(check))
        _after_checks([check], now=now)
    return check


@dataclass
class FloorResult:
    recorded: list[HealthCheck]
    skipped: list[int]  # stays already checked this session: a retried floor adds nothing
    alerts: list[Alert] = field(default_factory=list)


def record_floor(
    actor,
    site,
    building: str,
    floor: int,
    rows,
    *,
    checked_at: datetime | None = None,
    now: datetime | None = None,
) -> FloorResult:
    """A whole floor's checks at once. `rows` are {"stay_id", "temperature", "symptoms"};
    any bad row refuses the lot, each error naming `items[i].<field>`. A person already
    checked this session is skipped and listed, so a retried submission adds nothing."""
    now = now or timezone.now()
    # A check names the person who took it (HealthCheck.recorded_by).
    require(actor, C.WORK_QUARANTINE, region=site.region_id, person=True)
    errors: dict = {}
    rows = list(rows) if isinstance(rows, list | tuple) else None
    if not rows:
        raise ValidationError({"items": _("enter at least one person's temperature")})
    if len(rows) > FLOOR_LIMIT:
        raise ValidationError({"items": _("at most %(n)d persons at once") % {"n": FLOOR_LIMIT}})
    at = _clean_time(checked_at, "checked_at", errors, now=now)
    wanted = []
    for index, row in enumerate(rows):
        prefix = f"items[{index}]"
        if not isinstance(row, dict):
            errors[prefix] = _("must be an object")
            wanted.append(None)
            continue
        stay_id = row.get("stay_id")
        if isinstance(stay_id, bool) or not isinstance(stay_id, int) or not 0 < stay_id < 2**63:
            errors[f"{prefix}.stay_id"] = _("must be a stay id")
            stay_id = None
        degrees = clean_temperature(row.get("temperature"), f"{prefix}.temperature", errors)
        found = clean_symptoms(row.get("symptoms"), f"{prefix}.symptoms", errors)
        wanted.append((stay_id, degrees, found))
    stays = Stay.objects.select_related("person", "room", "site").in_bulk(
        [w[0] for w in wanted if w and w[0]]
    )
    seen: set[int] = set()
    for index, item in enumerate(wanted):
        if not item or item[0] is None:
            continue
        key = f"items[{index}].stay_id"
        stay = stays.get(item[0])
        if item[0] in seen:
            errors[key] = _("is given twice")
        elif (
            stay is None
            or stay.site_id != site.pk
            or stay.room is None
            or (stay.room.building, stay.room.floor) != (building, floor)
        ):
            errors[key] = _("no one of this stay is on this floor of the site")
        elif stay.status != Stay.Status.IN_SITE:
            errors[key] = _("is %(status)s, not in the site") % {
                "status": stay.get_status_display()
            }
        elif at is not None and at < stay.started_at:
            errors[key] = _("the check is before the stay began")
        seen.add(item[0])
    if errors:
        raise ValidationError(errors)
    session = session_at(at)
    already = set(
        HealthCheck.objects.filter(
            stay_id__in=seen, checked_at__gte=session.start, checked_at__lt=session.end
        ).values_list("stay_id", flat=True)
    )
    with transaction.atomic():
        checks = HealthCheck.objects.bulk_create(
            [
                HealthCheck(
                    stay=stays[stay_id],
                    region_id=stays[stay_id].region_id,
                    checked_at=at,
                    temperature=degrees,
                    symptoms=found,
                    recorded_by=actor,
                )
                for stay_id, degrees, found in wanted
                if stay_id not in already
            ]
        )
        audit.record(
            actor,
            "health_check.record_floor",
            site,
            reason=_("building %(b)s floor %(f)s, %(s)s: %(n)d checks, %(k)d already checked")
            % {
                "b": building or "-",
                "f": floor,
                "s": session.label,
                "n": len(checks),
                "k": len(already),
            },
        )
        alerts = _after_checks(checks, now=now)
    return FloorResult(checks, sorted(already), alerts)


def _after_checks(checks: list[HealthCheck], *, now: datetime) -> list[Alert]:
    """Alerts and FEVER facts for the abnormal checks; a normal check ends the FEVER facts
    earlier checks recorded for the person. Each check gets `alert` (or None)."""
    alerts, facts, normal = [], [], {}
    for check in checks:
        stay = check.stay
        kind = check_alert_kind(check.temperature, check.symptoms)
        check.alert = None
        if kind is None:
            normal[stay.person_id] = check.checked_at
            continue
        detail = describe_check(check)
        check.alert = raise_alert(stay, kind, at=check.checked_at, detail=detail, check=check)
        alerts.append(check.alert)
        facts.append(
            healthcode.NewFact(
                stay.person_id,
                stay.person.region_id,
                FactKind.FEVER,
                check.checked_at,
                None,
                f"quarantine check {check.pk}"[:100],
                f"{CHECK_SOURCE}{check.pk}",
                f"{detail}, {_where(stay)}"[:200],
            )
        )
    if facts:
        healthcode.record_facts(facts, now=now)
    if normal:
        _end_check_fevers(normal, now=now)
    return alerts


def _end_check_fevers(normal: dict[int, datetime], *, now: datetime) -> None:
    """Temperature normal again: the FEVER facts earlier checks recorded end (a fever seen
    at a checkpoint is the checkpoint's to end)."""
    open_facts = HealthFact.objects.filter(
        person_id__in=list(normal),
        kind=FactKind.FEVER,
        ended_at__isnull=True,
        source_key__startswith=CHECK_SOURCE,
    ).values_list("person_id", "source_key", "started_at")
    for person_id, source_key, started_at in open_facts:
        at = max(normal[person_id], started_at)
        healthcode.end_facts([person_id], FactKind.FEVER, at=at, source_key=source_key, now=now)


# Required tests ----------------------------------------------------------------------------


def _locked_test(stay_test: StayTest) -> StayTest:
    """The test's current row, locked until the transaction ends (PostgreSQL; SQLite's
    IMMEDIATE transactions already serialize writers), with its stay."""
    test = StayTest.objects.select_for_update().get(pk=stay_test.pk)
    test.stay = Stay.objects.select_related("person", "site", "site__unit", "room").get(
        pk=test.stay_id
    )
    return test


def _check_reagent_pair(test: StayTest, reagent: str, errors: dict) -> None:
    """ "Double sample, double test": the release sample and the site sample of the same
    day are tested with different reagents."""
    partner_phase = {
        StayTest.Phase.RELEASE: StayTest.Phase.SITE,
        StayTest.Phase.SITE: StayTest.Phase.RELEASE,
    }.get(test.phase)
    if partner_phase is None or not reagent:
        return
    partner = (
        StayTest.objects.filter(stay_id=test.stay_id, phase=partner_phase, due_on=test.due_on)
        .exclude(reagent="")
        .exclude(pk=test.pk)
        .first()
    )
    if partner is not None and partner.reagent.casefold() == reagent.casefold():
        errors["reagent"] = _(
            "must differ from the reagent of the day-%(day)d %(phase)s test (%(reagent)s): "
            "the release needs two samples tested with different reagents"
        ) % {"day": partner.day, "phase": partner.get_phase_display(), "reagent": partner.reagent}


def record_sample(
    actor,
    stay_test: StayTest,
    sampled_at: datetime | None = None,
    reagent: str = "",
    *,
    now: datetime | None = None,
) -> StayTest:
    """The sample of a required test was taken (the reagent if the site knows it)."""
    now = now or timezone.now()
    require(actor, C.WORK_QUARANTINE, region=stay_test.region_id)
    errors: dict = {}
    reagent = _clean_reagent(reagent, errors)
    with transaction.atomic():
        test = _locked_test(stay_test)
        stay = test.stay
        if stay.status not in CHECKED_STATUSES:
            errors["stay"] = _("is %(status)s: no more samples are taken") % {
                "status": stay.get_status_display()
            }
        elif test.result != R.PENDING:
            errors["result"] = _("this test is already %(state)s") % {
                "state": test.get_result_display()
            }
        at = _clean_time(sampled_at, "sampled_at", errors, now=now, not_before=stay.started_at)
        _check_reagent_pair(test, reagent, errors)
        if errors:
            raise ValidationError(errors)
        test.result, test.sampled_at = R.SAMPLED, at
        test.reagent = reagent or test.reagent
        test.save(update_fields=["result", "sampled_at", "reagent"])
        audit.record(actor, "stay_test.sample", test, reason=_describe_test(test))
    return test


def record_test_result(
    stay_test: StayTest,
    result: str,
    *,
    reagent: str = "",
    at: datetime | None = None,
    actor=None,
    now: datetime | None = None,
) -> StayTest:
    """A required test's result: from the testing module (no actor: the platform), or
    entered at the site. Recording the same result again changes nothing. The returned
    test carries `alert`, `resample` and `transfer` (what followed, or None)."""
    now = now or timezone.now()
    require(actor, C.WORK_QUARANTINE, region=stay_test.region_id, platform=True)
    errors: dict = {}
    if result not in RESULTS:
        raise ValidationError({"result": _("must be negative, positive or invalid")})
    reagent = _clean_reagent(reagent, errors)
    with transaction.atomic():
        test = _locked_test(stay_test)
        test.alert = test.resample = test.transfer = None
        if test.result in RESULTS:
            if test.result == result and reagent in ("", test.reagent):
                return test  # a retried delivery
            raise ValidationError(
                {"result": _("was already recorded as %(r)s") % {"r": test.get_result_display()}}
            )
        reagent = reagent or test.reagent
        needs_reagent = test.phase == StayTest.Phase.RELEASE and result != R.INVALID
        if needs_reagent and not reagent and "reagent" not in errors:
            errors["reagent"] = _(
                "is required for the release test: it must differ from the site test's"
            )
        _check_reagent_pair(test, reagent, errors)
        at = _clean_time(at, "at", errors, now=now, not_before=test.stay.started_at)
        if errors:
            raise ValidationError(errors)
        test.result, test.resulted_at, test.reagent = result, at, reagent
        test.sampled_at = test.sampled_at or at
        test.save(update_fields=["result", "resulted_at", "reagent", "sampled_at"])
        audit.record(actor, "stay_test.result", test, reason=_describe_test(test))
        if result == R.INVALID:
            test.resample = _resample(test, at)
        elif result == R.POSITIVE:
            detail = _describe_test(test)
            test.alert = raise_alert(
                test.stay, Alert.Kind.POSITIVE, at=at, detail=detail, test=test
            )
            test.transfer = _send_to_hospital(actor, test.stay, at)
    return test


def _describe_test(test: StayTest) -> str:
    text = _("day %(day)d, %(phase)s: %(result)s") % {
        "day": test.day,
        "phase": test.get_phase_display(),
        "result": test.get_result_display(),
    }
    return f"{text} ({test.reagent})" if test.reagent else text


def _resample(test: StayTest, at: datetime) -> StayTest:
    """An invalid result: the same test again the next day."""
    due = max(timezone.localdate(at), test.due_on) + timedelta(days=1)
    start = timezone.localdate(test.stay.started_at)
    again, _created = StayTest.objects.get_or_create(
        stay_id=test.stay_id,
        phase=test.phase,
        due_on=due,
        result=R.PENDING,
        defaults={"region_id": test.region_id, "day": (due - start).days + 1},
    )
    return again


@dataclass(frozen=True)
class Transfer:
    done: bool
    note: str


def _send_to_hospital(actor, stay: Stay, at: datetime) -> Transfer:
    """A positive person goes to a designated hospital (quarantine.services.releases frees
    the room and turns the quarantine facts into a case). A result delivered by the
    platform itself (no actor) leaves that step to the site's staff, and says so."""
    if stay.status not in (*CHECKED_STATUSES, Stay.Status.IN_TRANSFER):
        return Transfer(False, _("the stay is %(s)s") % {"s": stay.get_status_display()})
    if actor is None:
        return Transfer(False, _("transfer the person to a designated hospital"))
    transfer_to_hospital(actor, stay, at=at, reason=_("positive required test"))
    return Transfer(True, _("sent to a designated hospital"))
