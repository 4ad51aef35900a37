"""Sampling-site pages: the list of sites in the user's jurisdiction, setting one up and
changing it (tables, hours, throughput). Communities are assigned from a round's page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.pages.access import capability_required
from epicommand.core.pages.forms import apply_errors
from epicommand.core.pages.paging import query_without_cursor, render_list
from epicommand.core.pages.regions import regions_in_scope

from ..queries import rounds as queries
from ..services import sites as services

C = Capability


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SamplingSiteForm(forms.Form):
    """Field names are those of services.sites.create_site."""

    name = forms.CharField(label=gettext_lazy("name"), max_length=150)
    region_id = forms.CharField(
        label=gettext_lazy("region"),
        max_length=12,
        help_text=gettext_lazy("Code of the county, township or village it stands in."),
        widget=forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric"}),
    )
    address = forms.CharField(label=gettext_lazy("address"), max_length=200)
    latitude = forms.FloatField(label=gettext_lazy("latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=gettext_lazy("longitude"), min_value=-180, max_value=180)
    tables = forms.IntegerField(
        label=gettext_lazy("sampling tables"), min_value=1, max_value=services.MAX_TABLES
    )
    opens_at = forms.TimeField(label=gettext_lazy("opens at"), widget=_time_input())
    closes_at = forms.TimeField(label=gettext_lazy("closes at"), widget=_time_input())
    per_table_hour = forms.IntegerField(
        label=gettext_lazy("people per table per hour"),
        min_value=1,
        max_value=services.MAX_PER_TABLE_HOUR,
        help_text=gettext_lazy("A table of two samplers takes about 60 people an hour."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("in use"), required=False, initial=True)

    @classmethod
    def initial_for(cls, site) -> dict:
        return {name: getattr(site, name) for name in cls.base_fields}


@require_safe
@capability_required(C.VIEW_TESTING)
def site_list(request):
    rows, next_after = queries.site_page(
        request.user, region=request.GET.get("region") or None, after=request.GET.get("after")
    )
    context = {"sites": rows, "next_after": next_after, "query": query_without_cursor(request)}
    return render_list(request, "testing/site_list.html", "testing/site_list_rows.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_TESTING)
def site_new(request):
    form = SamplingSiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.create_site(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Sampling site %(name)s set up.") % {"name": site.name})
            return redirect("testing:site_list")
    return _site_form(request, form, None)


@require_http_methods(["GET", "POST"])
@capability_required(C.MANAGE_TESTING)
def site_edit(request, site_id: int):
    site = queries.visible_site(request.user, site_id)
    form = SamplingSiteForm(request.POST or None, initial=SamplingSiteForm.initial_for(site))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_site(request.user, site, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Sampling site %(name)s saved.") % {"name": site.name})
            return redirect("testing:site_list")
    return _site_form(request, form, site)


def _site_form(request, form, site):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "site": site, "regions": regions_in_scope(request.user)}
    return render(request, "testing/site_form.html", context, status=status)


urlpatterns = [
    path("testing/sites/", site_list, name="site_list"),
    path("testing/sites/new/", site_new, name="site_new"),
    path("testing/sites/<int:site_id>/edit/", site_edit, name="site_edit"),
]
