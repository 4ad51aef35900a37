"""What tracing anonymises once a contact is closed (core.retention): a contact released
from control more than the policy's `closed_record_days` ago loses its free-text note
(what the investigator wrote about them). The contact itself stays: the chains and the
clusters are built from the links; its counters (contacts found, contacts open) do not
move."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from epicommand.core import retention
from epicommand.core.policy import active

from .models import Contact


@retention.rule(
    "tracing.contact",
    _("released contacts' notes"),
    lambda: active().data.closed_record_days,
    anonymises=True,
)
def anonymise_released_contacts(before: datetime) -> int:
    released = Contact.objects.filter(status=Contact.Status.RELEASED, released_at__lt=before)
    return released.exclude(note="").update(note="")
