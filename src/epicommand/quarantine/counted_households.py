"""The supply_open counter, recounted from its table by core.recount.recount:
the supply requests not yet delivered (requested or assigned), by the household's region.
Imported once at startup (QuarantineConfig.ready())."""

from epicommand.core import recount
from epicommand.core.recount import Counted

from .models import OPEN_REQUEST_STATUSES, SupplyRequest


def _open_supply_requests():
    return SupplyRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)


recount.register(Counted("supply_open", _open_supply_requests))
