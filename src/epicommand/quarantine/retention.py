"""What quarantine anonymises once a stay is closed (core.retention): a stay released
more than the policy's `closed_record_days` ago loses its pickup address and vehicle
(where and how the person was fetched). The stay itself stays: who was quarantined
where, and when, is the outbreak's record; its counters are stocks of open stays and
do not move."""

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epicommand.core import retention
from epicommand.core.policy import active

from .models import Stay


@retention.rule(
    "quarantine.stay",
    _("released stays' pickup addresses and vehicles"),
    lambda: active().data.closed_record_days,
    anonymises=True,
)
def anonymise_released_stays(before: datetime) -> int:
    details = ~Q(pickup_address="") | ~Q(vehicle="")
    released = Stay.objects.filter(details, status=Stay.Status.RELEASED, released_at__lt=before)
    return released.update(pickup_address="", vehicle="")
