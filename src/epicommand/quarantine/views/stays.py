"""Stay pages: the list of stays with their days remaining (masked), assigning a stay from
the list (a site's first free room, or at home), and one stay's page with the person in
full (audited), its plan and required tests, and the steps of its course: confirm the
arrival, release from the site, end home monitoring, transfer to a designated hospital,
each refused with its reasons shown. Reads start from quarantine.queries (the site's
region or the person's); changes go through quarantine.services.stays and .releases."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from epicommand.core import audit
from epicommand.core.access import Capability, covers, require
from epicommand.core.masking import mask_name
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.people import lookup

from ..forms.sites import HospitalForm, StayFilterForm, StayForm
from ..models import Stay, StayTest
from ..queries import sites as queries
from ..services import releases
from ..services import stays as services

C = Capability


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def stay_list(request):
    sites = queries.site_choices(request.user)
    form = StayFilterForm(request.GET or None, sites=sites)
    rows, next_after = [], None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        filters = queries.StayFilter(
            status=data.get("status") or "active",
            site_id=data.get("site"),
            reason=data.get("reason") or "",
            region=data.get("region") or None,
            id_number=data.get("id_number") or "",
        )
        rows, next_after = queries.stay_page(request.user, filters, after=request.GET.get("after"))
    today = timezone.localdate()
    for stay in rows:
        stay.masked_name = mask_name(stay.person.name)
        stay.day = services.day_of_stay(stay, today)
        stay.remaining = services.days_remaining(stay, today)
    context = {
        "form": form,
        "stays": rows,
        "next_after": next_after,
        "query": query_without_cursor(request),
    }
    return _private(
        render_list(request, "quarantine/stay_list.html", "quarantine/stay_list_rows.html", context)
    )


@require_http_methods(["GET", "POST"])
@capability_required(C.WORK_QUARANTINE)
def stay_new(request):
    sites = [s for s in queries.site_choices(request.user)]
    form = StayForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Outside jurisdiction: a site receives people from across the city (audited;
        # answered masked).
        person = lookup.find_outside_jurisdiction(
            request.user, data["id_number"], purpose=lookup.Purpose.QUARANTINE_ADMISSION
        )
        site = queries.visible_site(request.user, data["site"]) if data["site"] else None
        if person is None:
            form.add_error("id_number", _("no person registered with this ID number"))
        else:
            try:
                stay = services.assign_stay(
                    request.user,
                    person,
                    reason=data["reason"],
                    site=site,
                    pickup_address=data["pickup_address"],
                    vehicle=data["vehicle"],
                    pickup_at=data["pickup_at"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                where = f"{stay.site.name} {stay.room}" if stay.site_id else _("home")
                messages.success(
                    request,
                    _("%(name)s assigned: %(where)s.")
                    % {"name": mask_name(person.name), "where": where},
                )
                return redirect("quarantine:stay_detail", stay.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "quarantine/stay_form.html", {"form": form}, status=status)


def _monitoring_links(stay: Stay) -> dict[str, str]:
    """The monitoring pages of the stay (its twice-daily check, its alerts), where the
    monitoring room has them."""
    links = {}
    try:
        links["check"] = reverse("quarantine:monitoring_check", args=[stay.pk])
    except NoReverseMatch:
        pass
    try:
        links["alerts"] = f"{reverse('quarantine:alert_list')}?stay={stay.pk}"
    except NoReverseMatch:
        pass
    return links


@require_safe
@capability_required(C.VIEW_QUARANTINE)
def stay_detail(request, stay_id: int):
    stay = queries.visible_stay(request.user, stay_id)
    audit.record(request.user, "quarantine_stay.view", stay, reason="web")
    today = timezone.localdate()
    if stay.status == Stay.Status.HOME_MONITORING:
        problems = releases.home_release_problems(stay, today)
    elif stay.status in (Stay.Status.IN_SITE, Stay.Status.IN_TRANSFER):
        problems = releases.release_problems(stay, today)
    else:
        problems = []
    may_act = request.user.can(C.WORK_QUARANTINE) and covers(request.user, stay.region_id)
    context = {
        "stay": stay,
        "person": lookup.as_seen_by(request.user, stay.person),
        "tests": list(StayTest.objects.filter(stay=stay).order_by("due_on", "phase", "id")),
        "problems": [message for _field, message in problems],
        "day": services.day_of_stay(stay, today),
        "remaining": services.days_remaining(stay, today),
        "may_act": may_act,
        "is_active": stay.status
        in (Stay.Status.IN_TRANSFER, Stay.Status.IN_SITE, Stay.Status.HOME_MONITORING),
        "hospital_form": HospitalForm(),
        "monitoring": _monitoring_links(stay),
    }
    return _private(render(request, "quarantine/stay_detail.html", context))


def _step(request, stay_id: int, action, done_message: str):
    stay = queries.visible_stay(request.user, stay_id)
    # A stay is changed by the district whose site keeps it.
    require(request.user, region=stay.region_id)
    try:
        action(stay)
    except ValidationError as exc:
        reasons = (
            [m for messages_ in exc.message_dict.values() for m in messages_]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        messages.error(request, _("Refused: %(r)s") % {"r": "; ".join(reasons)})
    else:
        messages.success(request, done_message)
    return redirect("quarantine:stay_detail", stay.pk)


@require_POST
@capability_required(C.WORK_QUARANTINE)
def stay_arrive(request, stay_id: int):
    return _step(
        request,
        stay_id,
        lambda stay: services.confirm_arrival(request.user, stay),
        _("Arrival confirmed."),
    )


@require_POST
@capability_required(C.WORK_QUARANTINE)
def stay_release(request, stay_id: int):
    return _step(
        request,
        stay_id,
        lambda stay: releases.release_from_site(request.user, stay),
        _("Released from the site."),
    )


@require_POST
@capability_required(C.WORK_QUARANTINE)
def stay_end_home(request, stay_id: int):
    return _step(
        request,
        stay_id,
        lambda stay: releases.end_home_monitoring(request.user, stay),
        _("Home health monitoring ended: released."),
    )


@require_POST
@capability_required(C.WORK_QUARANTINE)
def stay_hospital(request, stay_id: int):
    form = HospitalForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(
        request,
        stay_id,
        lambda stay: releases.transfer_to_hospital(request.user, stay, reason=reason),
        _("Transferred to a designated hospital; the room goes to cleaning."),
    )


urlpatterns = [
    path("quarantine/stays/", stay_list, name="stay_list"),
    path("quarantine/stays/new/", stay_new, name="stay_new"),
    path("quarantine/stays/<int:stay_id>/", stay_detail, name="stay_detail"),
    path("quarantine/stays/<int:stay_id>/arrive/", stay_arrive, name="stay_arrive"),
    path("quarantine/stays/<int:stay_id>/release/", stay_release, name="stay_release"),
    path("quarantine/stays/<int:stay_id>/end-home/", stay_end_home, name="stay_end_home"),
    path("quarantine/stays/<int:stay_id>/hospital/", stay_hospital, name="stay_hospital"),
]
