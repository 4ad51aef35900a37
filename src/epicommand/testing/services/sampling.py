"""Sampling: a person's swab registered into a tube.

`register_samples` takes a table's or a device's batch: each item names the person (by
person id, ID number or the health-code QR token they show), the tube's barcode, the time,
and the round it counts for. The batch is checked whole (any bad item and nothing is
written; every error named `items[3].tube`), then written in bulk (COPY on PostgreSQL).
An item whose client id is stored already is a replay: it changes nothing and says so.

The swabs fill pooled tubes (testing.services.pooled_tubes). A person sampled twice in one
round is refused unless the item says `resample: true` (a spoiled swab, a deliberate
repeat). Single tubes and closing a tube by hand are in testing.services.tubes.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control import codes as health_codes
from epicommand.core import audit, intake, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import chunks, many
from epicommand.people import lookup
from epicommand.people.models import Person

from ..barcodes import normalize, validate_tube_barcode
from ..models import Round, Sample, SamplingSite, Tube
from .pooled_tubes import SampleItem, TubePlan, plan_tubes, write_batch
from .tubes import sample_max_age, site_visible

__all__ = ["register_samples"]

MAX_BATCH = intake.MAX_ITEMS
REPLAYED = intake.REPLAYED
IDENTITY_FIELDS = ("person_id", "id_number", "health_code")


# A batch -----------------------------------------------------------------------------------


def register_samples(
    actor, items, *, site: SamplingSite | None = None, now=None
) -> intake.BatchResult:
    """Register a table's or device's batch at `site` (None: door to door, each tube in
    the first member's community) through core.intake (docs/api-guide.md "Device and lab
    batches"). Each item: `client_id`; exactly one of `person_id`, `id_number`,
    `health_code`; `tube` (barcode); `sampled_at` (default now); `round_id` (optional);
    `door_to_door` and `resample` (booleans, default false).

    Raises intake.BatchRefused (a ValidationError naming `items[3].tube`) listing every
    error if any item is bad, and writes nothing then. Otherwise writes the new items,
    fills and closes their tubes, counts them, and returns each item's outcome: its tube,
    the tube's swabs and size after the batch, and whether it closed."""
    require(actor, Capability.SAMPLE)
    if site is not None and not site_visible(actor, site):
        raise ValidationError({"site": _("no such sampling site in your jurisdiction")})
    return intake.run(SampleBatch(actor, site, now or timezone.now()), items)


class SampleBatch(intake.BatchApp):
    fields = (*IDENTITY_FIELDS, "tube", "sampled_at", "round_id", "door_to_door", "resample")

    def __init__(self, actor, site, now: datetime):
        super().__init__(now)
        self.actor, self.site = actor, site
        self.checked: dict[str, str | None] = {}  # {barcode: problem}: a tube's ten items once
        self.plans: dict[str, TubePlan] = {}

    def seen(self, client_ids):
        stored = _stored_samples(client_ids)
        tubes = _tube_states(set(stored.values()))
        return {cid: _tube_outcome(tubes[tube_id]) for cid, tube_id in stored.items()}

    def parse(self, index, client_id, item, errors):
        return _parse_item(index, client_id, item, self.now, self.checked, errors)

    def resolve(self, rows, errors):
        _resolve_persons(self.actor, rows, self.site, errors)
        rounds = _check_rounds(rows, errors)
        _check_twice_in_round(rows, errors)
        self.plans = plan_tubes(rows, self.site, rounds, errors)

    def write(self, rows, replayed):
        closed = write_batch(self.actor, rows, self.plans, self.site, self.now)
        _audit_outside(self.actor, rows)
        audit.record(
            self.actor,
            "sample.register_batch",
            object_type="testing.sample",
            object_id="",
            region_code=self.site.region_id if self.site else _region_of(self.actor),
            reason=_("%(new)d registered, %(old)d already registered, %(closed)d tubes closed")
            % {"new": len(rows), "old": replayed, "closed": len(closed)},
        )
        outcomes = []
        for row in rows:
            plan = self.plans[row.barcode]
            outcomes.append(
                {
                    "tube": plan.barcode,
                    "members": plan.members,
                    "capacity": plan.capacity,
                    "closed": plan.full,
                }
            )
        return intake.Written(outcomes, {"tubes_closed": closed})


def _tube_outcome(tube: Tube) -> dict:
    return {
        "tube": tube.barcode,
        "members": tube.members,
        "capacity": tube.capacity,
        "closed": tube.status != Tube.Status.OPEN,
    }


# Parsing -----------------------------------------------------------------------------------


def _parse_item(
    index: int, client_id: str, item, now: datetime, checked: dict, errors
) -> SampleItem | None:
    """Types, lengths, barcode and time of one item; None if anything is wrong."""
    barcode = normalize(item.get("tube"))
    if barcode not in checked:
        checked[barcode] = validate_tube_barcode(barcode)
    if problem := checked[barcode]:
        errors.add(index, "tube", problem)

    identity = None
    given = [key for key in IDENTITY_FIELDS if item.get(key) not in (None, "")]
    if len(given) != 1:
        errors.add(
            index,
            given[1] if len(given) > 1 else "id_number",
            _("give exactly one of person_id, id_number or health_code"),
        )
    else:
        identity = _parse_identity(index, given[0], item[given[0]], errors)

    sampled_at = intake.device_time(
        errors,
        index,
        "sampled_at",
        item.get("sampled_at"),
        now,
        default=now,
        max_age=sample_max_age(),
    )
    round_id = item.get("round_id")
    if round_id is not None and (
        isinstance(round_id, bool) or not isinstance(round_id, int) or round_id < 1
    ):
        errors.add(index, "round_id", _("must be a round's id"))
    flags = {}
    for name in ("door_to_door", "resample"):
        value = item.get(name, False)
        if not isinstance(value, bool):
            errors.add(index, name, _("must be true or false"))
        flags[name] = value is True

    if identity and identity[0] == "health_code" and sampled_at is not None:
        identity = _verify_health_code(index, identity[1], sampled_at, errors)
    if errors.of(index):
        return None
    return SampleItem(
        index=index,
        client_id=client_id,
        barcode=barcode,
        identity=identity,
        sampled_at=sampled_at,
        round_id=round_id,
        door_to_door=flags["door_to_door"],
        resample=flags["resample"],
    )


def _parse_identity(index: int, key: str, value, errors):
    if key == "person_id":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            errors.add(index, key, _("must be a person's id"))
            return None
        return key, value
    limit = 18 if key == "id_number" else health_codes.MAX_TOKEN_LENGTH
    if not isinstance(value, str) or not 0 < len(value.strip()) <= limit:
        errors.add(index, key, _("must be text of 1 to %(n)d characters") % {"n": limit})
        return None
    value = value.strip()
    return key, value.upper() if key == "id_number" else value


def _verify_health_code(index: int, token: str, at: datetime, errors):
    """The person a QR token names, if it was valid when shown (an offline device uploads
    later, so it is checked at the time of the swab, not now)."""
    try:
        shown = health_codes.verify(token, at, check_revoked=False)
    except health_codes.InvalidHealthCode as exc:
        errors.add(index, "health_code", exc.message)
        return None
    skew = timedelta(minutes=policy.active().device_clock_skew_minutes)
    if shown.issued_at > at + skew:
        errors.add(index, "health_code", _("was issued after the time of the swab"))
        return None
    return "health_code", shown.person_id


# Checking against what is stored -------------------------------------------------------------


def _stored_samples(client_ids: list[str]) -> dict[str, int]:
    """{client id: tube id} of the client ids already stored."""
    found = {}
    for chunk in chunks(client_ids):
        rows = Sample.objects.filter(client_id__in=many(chunk, "text")).values_list(
            "client_id", "tube_id"
        )
        found.update(rows)
    return found


def _resolve_persons(actor, items: list[SampleItem], site, errors) -> None:
    """Set each item's person and region: one query per chunk of ID numbers and of ids.

    A table samples whoever stands at it (docs/security.md "Persons of another county"):
    by the ID number read off their card or the health code they show, a person of any
    county (`outside` when not of the actor's jurisdiction); by `person_id`, a record id
    the device could guess, only a person of the actor's jurisdiction, and another
    county's id answers exactly as an unknown one. Door to door (no site), the person
    must live in the actor's jurisdiction."""
    ids = {i.identity[1] for i in items if i.identity[0] == "person_id"}
    shown = {i.identity[1] for i in items if i.identity[0] == "health_code"}
    numbers = {i.identity[1] for i in items if i.identity[0] == "id_number"}
    found = {"person_id": {}, "health_code": {}, "id_number": {}}
    for chunk in chunks(ids):
        rows = Person.objects.visible_to(actor).filter(pk__in=many(chunk))
        found["person_id"].update((pk, (pk, r)) for pk, r in rows.values_list("pk", "region_id"))
    for chunk in chunks(shown):
        rows = Person.objects.filter(pk__in=many(chunk))
        found["health_code"].update((pk, (pk, r)) for pk, r in rows.values_list("pk", "region_id"))
    for chunk in chunks(numbers):
        rows = lookup.holders_anywhere(
            "id_number", many(chunk, "text"), purpose=lookup.Purpose.SAMPLING
        )
        found["id_number"].update(
            (number, (pk, region))
            for number, pk, region in rows.values_list("id_number", "pk", "region_id")
        )
    for item in items:
        key, value = item.identity
        person = found[key].get(value)
        if person is None:
            errors.add(item.index, key, _no_such_person(key))
            continue
        outside = not covers(actor, person[1])
        if site is None and outside:
            errors.add(
                item.index,
                key,
                _("door to door, only residents of your jurisdiction can be sampled"),
            )
            continue
        item.person_id, item.region_id = person
        item.outside = outside


def _no_such_person(key: str) -> str:
    if key == "id_number":
        return _("no registered resident holds this ID number")
    if key == "person_id":
        return _("no registered resident of your jurisdiction has this id")
    return _("no registered resident has this id or health code")


def _audit_outside(actor, items: list[SampleItem]) -> None:
    """Each person of another county sampled here, once, in their county's region: their
    county reads who sampled them, and why."""
    outside = sorted({i.person_id for i in items if i.outside})
    persons = []
    for chunk in chunks(outside):
        persons += Person.objects.filter(pk__in=many(chunk)).only("pk", "region_id")
    if persons:
        audit.record_many(
            actor,
            "sample.register_outside_jurisdiction",
            persons,
            reason=lookup.Purpose.SAMPLING.value,
        )


def _check_rounds(items: list[SampleItem], errors) -> dict[int, Round]:
    wanted = {i.round_id for i in items if i.round_id is not None}
    rounds = Round.objects.in_bulk(wanted) if wanted else {}
    for item in items:
        if item.round_id is None:
            continue
        found = rounds.get(item.round_id)
        if found is None:
            errors.add(item.index, "round_id", _("no such round"))
        elif found.status == Round.Status.CLOSED:
            errors.add(item.index, "round_id", _("round %(name)s is closed") % {"name": found.name})
    return rounds


def _check_twice_in_round(items: list[SampleItem], errors) -> None:
    """A person already sampled in the round (stored, or earlier in this batch) is
    refused unless the item is a deliberate re-sample."""
    by_round: dict[int, list[SampleItem]] = {}
    for item in items:
        if item.round_id is not None and item.person_id is not None:
            by_round.setdefault(item.round_id, []).append(item)
    for round_id, members in by_round.items():
        # {person id: the stored tube's barcode (str) or the earlier item's index (int)};
        # the message is written only for an item refused.
        earlier: dict[int, str | int] = {}
        for chunk in chunks({i.person_id for i in members}):
            rows = Sample.objects.filter(round_id=round_id, person_id__in=many(chunk))
            earlier.update(rows.values_list("person_id", "tube__barcode"))
        for item in members:
            found = earlier.setdefault(item.person_id, item.index)
            if found != item.index and not item.resample:
                errors.add(
                    item.index,
                    "resample",
                    _already_sampled(found, item.outside)
                    + "; "
                    + _("a deliberate re-sample must be marked as one"),
                )


def _already_sampled(earlier: str | int, outside: bool) -> str:
    if isinstance(earlier, int):
        return _("already sampled in this batch, items[%(i)d]") % {"i": earlier}
    if outside:  # the tube of another county's sample is theirs to name
        return _("already sampled in this round")
    return _("already sampled in this round (tube %(tube)s)") % {"tube": earlier}


def _tube_states(tube_ids: set[int]) -> dict[int, Tube]:
    if not tube_ids:
        return {}
    return Tube.objects.only("barcode", "members", "capacity", "status").in_bulk(tube_ids)


def _region_of(actor) -> str | None:
    if actor is None:
        return None
    return getattr(actor, "region_id", None) or getattr(actor, "scope_region_id", None)
