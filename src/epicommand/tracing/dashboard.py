"""Tracing's figures on the command dashboard (the "cases", "epidemic_curve" and "contacts"
panels: the page draws each flow figure's last days, so cases by report day and by onset day
are the epidemic curve) and how `recount` rebuilds their counters from the tables. Loaded by
TracingConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.recount import Counted

from .models import OPEN_CONTACT_STATUSES, Case, Contact, Referral

# Sent or escalated: nobody has acknowledged it yet.
OPEN_REFERRAL_STATUSES = (Referral.Status.SENT, Referral.Status.ESCALATED)


def _open_contacts():
    return Contact.objects.filter(status__in=OPEN_CONTACT_STATUSES)


def _open_referrals():
    return Referral.objects.filter(status__in=OPEN_REFERRAL_STATUSES)


recount.register(
    Counted("cases_reported", lambda: Case.objects.all(), "reported_at"),
    Counted("cases_by_onset", lambda: Case.objects.all(), "onset_date"),
    Counted("contacts_open", _open_contacts),
    Counted("referrals_open", _open_referrals),
)


register(
    Figure(
        "cases_reported",
        _("Cases reported today"),
        "cases_reported",
        Kind.FLOW,
        lambda region, day: list_url(
            "tracing:case_list", "/cases/", region=region, reported=day.isoformat()
        ),
        "cases",
        "tracing",
    )
)
register(
    Figure(
        "cases_by_onset",
        _("Cases with onset on the day"),
        "cases_by_onset",
        Kind.FLOW,
        lambda region, day: list_url(
            "tracing:case_list", "/cases/", region=region, onset=day.isoformat()
        ),
        "epidemic_curve",
        "tracing",
    )
)
register(
    Figure(
        "contacts_open",
        _("Contacts not yet under control"),
        "contacts_open",
        Kind.STOCK,
        lambda region, day: list_url("tracing:contact_list", "/contacts/", region=region, open=1),
        "contacts",
        "tracing",
    )
)
register(
    Figure(
        "referrals_open",
        _("Referrals awaiting acknowledgement"),
        "referrals_open",
        Kind.STOCK,
        lambda region, day: list_url("tracing:referral_inbox", "/referrals/", region=region),
        "contacts",
        "tracing",
    )
)
