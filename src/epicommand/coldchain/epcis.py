"""A batch's events as a GS1 EPCIS 2.0 JSON document (EPCISDocument of ObjectEvents): what
(the batch as an EPC class with a quantity), when (eventTime, recordTime), where (readPoint
and bizLocation, with the source and destination of a shipment), why (bizStep and
disposition from the CBV). Locations are the enterprises' credit codes as URNs; no person
appears."""

from django.utils import timezone

from .models import Batch, ChainEvent

CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
CBV = "https://ref.gs1.org/cbv/"


def batch_class(batch: Batch) -> str:
    """The batch as an EPC class: this platform's URN, first stop and batch number."""
    return f"urn:epicommand:coldchain:batch:{batch.first_stop.credit_code}.{batch.pk}"


def location(enterprise) -> str:
    return f"urn:epicommand:coldchain:enterprise:{enterprise.credit_code}"


def _event(event: ChainEvent, what: str) -> dict:
    body = {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{event.event_id}",
        "eventTime": event.event_time.isoformat(),
        "eventTimeZoneOffset": "+08:00",
        "recordTime": event.record_time.isoformat(),
        "action": "ADD" if event.biz_step == ChainEvent.Step.COMMISSIONING else "OBSERVE",
        "bizStep": event.biz_step,
        "disposition": event.disposition,
        "readPoint": {"id": location(event.enterprise)},
        "bizLocation": {"id": location(event.enterprise)},
        "quantityList": [{"epcClass": what, "quantity": event.quantity, "uom": "XPK"}],
    }
    if event.source_id:
        body["sourceList"] = [{"type": "owning_party", "source": location(event.source)}]
    if event.destination_id:
        body["destinationList"] = [
            {"type": "owning_party", "destination": location(event.destination)}
        ]
    return body


def document(batch: Batch, events) -> dict:
    what = batch_class(batch)
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": [_event(event, what) for event in events]},
    }
