"""Monitoring pages: the sites to monitor, a floor's twice-daily entry (everyone on the
floor at once, on a phone), one person's check, the tests due at a site with their sample
and result steps, and the alerts. Reads start from `visible_to(request.user)` (through
quarantine.queries.monitoring); every change goes through quarantine.services.monitoring."""

import re
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core.access import Capability
from epicommand.core.keyset import parse_cursor
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list

from ..forms.monitoring import AlertFilterForm, CheckForm, ResultForm, SampleForm
from ..models import HealthCheck
from ..queries import monitoring as queries
from ..services import monitoring as services

C = Capability
# Missing checks shown on the floor page; the API lists up to MISSING_SHOWN.
MISSING_ON_PAGE = 50
ITEM_KEY = re.compile(r"^items\[(\d+)\](?:\.(\w+))?$")


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def monitoring_sites(request):
    rows, next_after = queries.sites_in_scope(
        request.user, after=parse_cursor(request.GET.get("after"))
    )
    context = {"sites": rows, "next_after": next_after, "session": queries.session_at()}
    return render(request, "quarantine/monitoring_sites.html", context)


# A floor at once ---------------------------------------------------------------------------


def floor_url(site_id: int, building: str, floor: int, after: int | None = None) -> str:
    base = reverse("quarantine:monitoring_floor", args=[site_id])
    params = {"building": building, "floor": floor} | ({"after": after} if after else {})
    return f"{base}?{urlencode(params)}"


def _chosen_floor(data, floors: list[tuple[str, int]]) -> tuple[str, int] | None:
    """The floor asked for if the site has it, else the first one."""
    try:
        wanted = (data.get("building", ""), int(data.get("floor", "")))
    except (TypeError, ValueError):
        wanted = None
    if wanted in floors:
        return wanted
    return floors[0] if floors else None


def _read_sheet(post, sheet):
    """The rows a person filled in: items for the service, the stay of each item, what
    was typed (to show it again) and the errors found before the service."""
    items, item_stays, typed, errors = [], [], {}, {}
    for row in sheet:
        if row.check is not None:
            continue  # checked this session already; a re-check goes one by one
        pk = row.stay.pk
        temperature = post.get(f"t-{pk}", "").strip()
        symptoms = [s for s in post.getlist(f"s-{pk}") if s]
        typed[pk] = (temperature, symptoms)
        if not temperature and not symptoms:
            continue
        if not temperature:
            errors[pk] = [_("temperature: is required")]
            continue
        items.append({"stay_id": pk, "temperature": temperature, "symptoms": symptoms})
        item_stays.append(pk)
    return items, item_stays, typed, errors


def _errors_by_stay(exc: ValidationError, item_stays: list[int]):
    """items[3].temperature -> the 4th item's stay: "temperature: ..."; the rest stays
    for the page."""
    by_stay, general = {}, []
    for key, messages_ in exc.message_dict.items():
        match = ITEM_KEY.match(key)
        if match and int(match.group(1)) < len(item_stays):
            field = match.group(2) or ""
            stay_id = item_stays[int(match.group(1))]
            by_stay.setdefault(stay_id, []).extend(
                f"{field}: {m}" if field and field != "stay_id" else m for m in messages_
            )
        else:
            general.extend(f"{key}: {m}" for m in messages_)
    return by_stay, general


@require_http_methods(["GET", "POST"])
@capability_required(C.VIEW_QUARANTINE)
def monitoring_floor(request, site_id: int):
    site = queries.visible_site(request.user, site_id)
    floors = queries.floors_of(site)
    chosen = _chosen_floor(request.POST if request.method == "POST" else request.GET, floors)
    session = queries.session_at()
    data = request.POST if request.method == "POST" else request.GET
    after = parse_cursor(data.get("after"))
    typed, row_errors, general, status = {}, {}, [], 200
    if request.method == "POST":
        if not request.user.can(C.WORK_QUARANTINE):
            raise PermissionDenied(C.WORK_QUARANTINE)
        if chosen is None:
            return redirect("quarantine:monitoring_floor", site_id=site.pk)
        sheet, next_after = queries.floor_sheet(
            site, *chosen, session, after=after, limit=queries.SHEET_PAGE
        )
        items, item_stays, typed, row_errors = _read_sheet(request.POST, sheet)
        if not items and not row_errors:
            general = [_("Enter at least one person's temperature.")]
        elif not row_errors:
            try:
                result = services.record_floor(request.user, site, *chosen, items)
            except ValidationError as exc:
                row_errors, general = _errors_by_stay(exc, item_stays)
            else:
                _say_recorded(request, result)
                # On along the corridor: the next part of the floor, or this part again.
                return redirect(floor_url(site.pk, *chosen, next_after or after))
        status = 400
    sheet, next_after = [], None
    if chosen:
        sheet, next_after = queries.floor_sheet(
            site, *chosen, session, after=after, limit=queries.SHEET_PAGE
        )
    missing, more_missing = queries.missing_checks(site, session, limit=MISSING_ON_PAGE)
    labels = dict(HealthCheck.Symptom.choices)
    context = {
        "site": site,
        "floors": floors,
        "chosen": chosen,
        "session": session,
        "rows": [
            {
                "room": row.room,
                "stay": row.stay,
                "check": row.check,
                "alerting": row.check is not None
                and services.check_alert_kind(row.check.temperature, row.check.symptoms),
                "symptom_labels": ", ".join(
                    str(labels[s]) for s in row.check.symptoms if s in labels
                )
                if row.check is not None
                else "",
                "typed": typed.get(row.stay.pk, ("", [])),
                "errors": row_errors.get(row.stay.pk, []),
            }
            for row in sheet
        ],
        "symptoms": HealthCheck.Symptom.choices,
        "after": after,
        "next_after": next_after,
        "general_errors": general,
        "missing": missing,
        "more_missing": more_missing,
        "may_record": request.user.can(C.WORK_QUARANTINE),
    }
    return render(request, "quarantine/monitoring_floor.html", context, status=status)


def _say_recorded(request, result) -> None:
    messages.success(
        request,
        _("%(n)d checks recorded; %(k)d already checked this session.")
        % {"n": len(result.recorded), "k": len(result.skipped)},
    )
    for alert in result.alerts:
        messages.warning(
            request,
            _("Alert sent to the site's unit and the CDC: %(name)s, %(detail)s")
            % {"name": alert.stay.person.name, "detail": alert.detail},
        )


# One person --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(C.WORK_QUARANTINE)
def monitoring_check(request, stay_id: int):
    stay = queries.visible_stay(request.user, stay_id)
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.record_check(request.user, stay, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Check recorded for %(name)s: %(detail)s")
                % {"name": stay.person.name, "detail": services.describe_check(check)},
            )
            if check.alert is not None:
                messages.warning(request, _("Alert sent to the site's unit and the CDC."))
            if stay.room_id:
                return redirect(floor_url(stay.site_id, stay.room.building, stay.room.floor))
            return redirect("quarantine:alert_list")
    status = 400 if form.is_bound and form.errors else 200
    context = {"stay": stay, "form": form, "session": queries.session_at()}
    return render(request, "quarantine/monitoring_check.html", context, status=status)


# Tests due ---------------------------------------------------------------------------------


def _day(value) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return timezone.localdate()


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def tests_due(request, site_id: int):
    site = queries.visible_site(request.user, site_id)
    day = _day(request.GET.get("day"))
    rows, next_after = queries.tests_due(site, day, after=request.GET.get("after"))
    context = {
        "site": site,
        "day": day,
        "today": timezone.localdate(),
        "tests": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
        "may_record": request.user.can(C.WORK_QUARANTINE),
        "results": ResultForm.base_fields["result"].choices,
        "back": request.get_full_path(),
    }
    return render_list(
        request, "quarantine/tests_due.html", "quarantine/tests_due_rows.html", context
    )


def _back_to_tests(request, test):
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("quarantine:tests_due", site_id=test.stay.site_id)


def _form_errors(form) -> str:
    return "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())


@require_POST
@capability_required(C.WORK_QUARANTINE)
def test_sample(request, test_id: int):
    test = queries.visible_test(request.user, test_id)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to_tests(request, test)
    try:
        services.record_sample(
            request.user, test, form.cleaned_data["sampled_at"], form.cleaned_data["reagent"]
        )
    except ValidationError as exc:
        messages.error(request, _refusal(test, exc))
    else:
        messages.success(
            request,
            _("Sample taken: %(name)s, day %(day)d.")
            % {"name": test.stay.person.name, "day": test.day},
        )
    return _back_to_tests(request, test)


@require_POST
@capability_required(C.WORK_QUARANTINE)
def test_result(request, test_id: int):
    test = queries.visible_test(request.user, test_id)
    form = ResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back_to_tests(request, test)
    try:
        test = services.record_test_result(
            test,
            form.cleaned_data["result"],
            reagent=form.cleaned_data["reagent"],
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _refusal(test, exc))
        return _back_to_tests(request, test)
    messages.success(
        request,
        _("Result recorded: %(name)s, day %(day)d, %(result)s.")
        % {"name": test.stay.person.name, "day": test.day, "result": test.get_result_display()},
    )
    if test.alert is not None:
        messages.warning(
            request,
            _("Positive: alert sent to the site's unit and the CDC; %(note)s.")
            % {"note": test.transfer.note},
        )
    if test.resample is not None:
        messages.warning(
            request,
            _("Invalid: a new sample is due on %(day)s.")
            % {"day": test.resample.due_on.isoformat()},
        )
    return _back_to_tests(request, test)


def _refusal(test, exc: ValidationError) -> str:
    what = _("%(name)s, day %(day)d") % {"name": test.stay.person.name, "day": test.day}
    if hasattr(exc, "error_dict"):
        reasons = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
    else:
        reasons = "; ".join(exc.messages)
    return f"{what}: {reasons}"


# Alerts ------------------------------------------------------------------------------------


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def alert_list(request):
    form = AlertFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows, next_after = queries.alert_page(
        request.user,
        days=filters.get("days") or queries.ALERT_DAYS_DEFAULT,
        kind=filters.get("kind", ""),
        site_id=parse_cursor(request.GET.get("site")),
        stay_id=parse_cursor(request.GET.get("stay")),
        after=parse_cursor(request.GET.get("after")),
    )
    for row in rows:
        row.stay_link = services.stay_url(row.stay)
    context = {
        "form": form,
        "alerts": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return render_list(
        request, "quarantine/alert_list.html", "quarantine/alert_list_rows.html", context
    )


urlpatterns = [
    path("quarantine/monitoring/", monitoring_sites, name="monitoring_sites"),
    path("quarantine/sites/<int:site_id>/monitoring/", monitoring_floor, name="monitoring_floor"),
    path(
        "quarantine/monitoring/stays/<int:stay_id>/check/",
        monitoring_check,
        name="monitoring_check",
    ),
    path("quarantine/sites/<int:site_id>/tests/", tests_due, name="tests_due"),
    path("quarantine/monitoring/tests/<int:test_id>/sample/", test_sample, name="test_sample"),
    path("quarantine/monitoring/tests/<int:test_id>/result/", test_result, name="test_result"),
    path("quarantine/alerts/", alert_list, name="alert_list"),
]
