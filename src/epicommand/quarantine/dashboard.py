"""Quarantine's figures on the command dashboard (the "quarantine" panel) and how `recount`
rebuilds their counters from the tables. Loaded by QuarantineConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from epicommand.core import recount
from epicommand.core.dashboard import Figure, Kind, list_url, register
from epicommand.core.recount import Counted

from .models import Room, Stay

IN_SITE_STATUSES = (Stay.Status.IN_TRANSFER, Stay.Status.IN_SITE)


def _in_site():
    # In transfer counts: the person is under control (and red) from the pickup.
    return Stay.objects.filter(status__in=IN_SITE_STATUSES)


def _at_home():
    return Stay.objects.filter(status=Stay.Status.HOME_MONITORING)


def _free_rooms():
    # Rooms of a site taken out of use are not free to assign.
    return Room.objects.filter(status=Room.Status.FREE, site__is_active=True)


recount.register(
    Counted("stays_in_site", _in_site),
    Counted("stays_home", _at_home),
    Counted("rooms_free", _free_rooms),
)


def _stays(region: str, day, **params) -> str:
    return list_url("quarantine:stay_list", "/quarantine/stays/", region=region, **params)


register(
    Figure(
        "stays_in_site",
        _("Persons in centralized quarantine"),
        "stays_in_site",
        Kind.STOCK,
        lambda region, day: _stays(region, day, status="centralized"),
        "quarantine",
        "quarantine",
    )
)
register(
    Figure(
        "rooms_free",
        _("Free quarantine rooms"),
        "rooms_free",
        Kind.STOCK,
        lambda region, day: list_url("quarantine:occupancy", "/quarantine/occupancy/"),
        "quarantine",
        "quarantine",
    )
)
register(
    Figure(
        "stays_home",
        _("Under home health monitoring"),
        "stays_home",
        Kind.STOCK,
        lambda region, day: _stays(region, day, status="home_monitoring"),
        "quarantine",
        "quarantine",
    )
)
