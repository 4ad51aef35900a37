"""The supply_open counter, recounted from its table by command.services.summaries.recount:
the supply requests not yet delivered (requested or assigned), by the household's region.
Imported once at startup (QuarantineConfig.ready())."""

from epicommand.command.services.summaries import COUNTED, Counted

from .models import SupplyRequest
from .services.households import OPEN_REQUEST_STATUSES


def _open_supply_requests():
    return SupplyRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)


if not any(c.metric == "supply_open" for c in COUNTED):
    COUNTED.append(Counted("supply_open", _open_supply_requests))
