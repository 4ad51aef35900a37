"""A device's batch of passages through core.intake (the one contract of device batches):
up to MAX_BATCH items, validated whole, replays reported and left alone, written by COPY
on PostgreSQL, their facts and counters in the same transaction, audited once. This
module supplies the item parser (the checks of services.passage_checks) and the writer."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, intake
from epicommand.core.access import covers
from epicommand.core.bulk import bulk_insert, naive_utc
from epicommand.core.models import ApiToken

from ..models import Checkpoint, Passage, Verdict
from . import healthcode
from .passage_checks import (
    ID_NUMBER,
    LOOKUP_CHUNK,
    Identified,
    PasserIn,
    check_common_fields,
    check_temperature,
    identify,
    persons_by_id_number,
    text_of,
)
from .passages import (
    C,
    Planned,
    after_passages,
    joined_reasons,
    recorders,
    require,
    split_reasons,
)
from .verdicts import Circumstances, judge

MAX_BATCH = intake.MAX_ITEMS
FIELDS = (
    "checkpoint_id",
    "id_number",
    "health_code",
    "temperature",
    "direction",
    "passed_at",
    "plate",
    "vehicle_people",
    "permit_number",
    "came_from",
    "came_from_risk",
)


def record_passages(actor, items, *, now: datetime | None = None) -> intake.BatchResult:
    """A device's batch through core.intake (docs/api-guide.md "Device and lab batches"):
    up to MAX_BATCH passages, each a mapping with client_id, checkpoint_id, id_number or
    health_code, temperature, direction, passed_at and optionally plate, vehicle_people,
    permit_number, came_from and came_from_risk. Validated whole: any bad item raises
    intake.BatchRefused naming `items[3].temperature`, and nothing is written. Items whose
    client id is stored already are replays, reported with their stored verdict. Audited
    once."""
    require(actor, C.RECORD_PASSAGES)
    return intake.run(PassageBatch(actor, now or timezone.now()), items)


@dataclass
class _Item:
    """An item as parsed: who passes still to be found, the other fields checked."""

    index: int
    client_id: str
    checkpoint_id: int | None
    passer: PasserIn | None
    fields: dict


class PassageBatch(intake.BatchApp):
    fields = FIELDS

    def __init__(self, actor, now: datetime):
        super().__init__(now)
        self.actor = actor
        self.checkpoints: dict[int, Checkpoint] = {}
        self.persons: dict[int, Identified] = {}

    def seen(self, client_ids):
        """Stored passages with their verdict; another jurisdiction's is not shown."""
        stored = {}
        for start in range(0, len(client_ids), LOOKUP_CHUNK):
            rows = Passage.objects.filter(client_id__in=client_ids[start : start + LOOKUP_CHUNK])
            for cid, region, verdict, colour, reasons in rows.values_list(
                "client_id", "region_id", "verdict", "colour", "reasons"
            ):
                if not covers(self.actor, region):
                    stored[cid] = intake.CLIENT_ID_TAKEN
                    continue
                stored[cid] = _outcome(verdict, colour, reasons)
        return stored

    def parse(self, index, client_id, item, errors):
        found: dict[str, str] = {}  # passage_checks' errors, by field
        checkpoint_id = item.get("checkpoint_id")
        if checkpoint_id is None:
            found["checkpoint_id"] = _("is required")
        elif isinstance(checkpoint_id, bool) or not isinstance(checkpoint_id, int):
            found["checkpoint_id"] = _("must be a checkpoint's id")
        elif not 0 < checkpoint_id < 2**63:
            found["checkpoint_id"] = _("unknown checkpoint %(c)s") % {"c": checkpoint_id}
        passer = PasserIn(
            id_number=text_of(item, "id_number", found, ""),
            health_code=text_of(item, "health_code", found, ""),
        )
        fields = check_common_fields(item, found, "", self.now)
        fields["temperature"] = check_temperature(item.get("temperature"), found, "temperature")
        for name, reason in found.items():
            errors.add(index, name, reason)
        return _Item(
            index,
            client_id,
            checkpoint_id if "checkpoint_id" not in found else None,
            passer if not {"id_number", "health_code"} & found.keys() else None,
            fields,
        )

    def resolve(self, rows, errors):
        self.checkpoints = _batch_checkpoints(self.actor, rows, errors)
        self.persons = _batch_persons(rows, errors, self.now)

    def write(self, rows, replayed):
        planned, levels = _plan_batch(rows, self.checkpoints, self.persons)
        written = _write_batch(self.actor, planned, self.now)
        if written:
            after_passages(written, self.now, levels)
        if planned:
            audit.record(
                self.actor,
                "passage.batch",
                region_code=_scope_of(self.actor),
                object_type="control.passage",
                object_id="",
                reason=(
                    f"{len(written)} passages recorded, {replayed} replayed, "
                    f"{sum(p.verdict == Verdict.DENY for p in written)} denied"
                ),
            )
        mine = {p.client_id for p in written}
        return intake.Written(
            [
                _outcome(p.verdict, p.colour, p.reasons)
                | ({} if p.client_id in mine else {"status": intake.REPLAYED})
                for p in planned
            ]
        )


def _outcome(verdict: str, colour: str, reasons: str) -> dict:
    return {"verdict": verdict, "colour": colour, "reasons": list(split_reasons(reasons))}


def _batch_checkpoints(actor, rows: list[_Item], errors) -> dict[int, Checkpoint]:
    wanted = {row.checkpoint_id for row in rows if row.checkpoint_id is not None}
    found = Checkpoint.objects.visible_to(actor).in_bulk(wanted)
    for row in rows:
        pk = row.checkpoint_id
        if pk is None:
            continue
        if pk not in found:
            errors.add(row.index, "checkpoint_id", _("unknown checkpoint %(c)s") % {"c": pk})
        elif not found[pk].is_active:
            errors.add(
                row.index,
                "checkpoint_id",
                _("checkpoint %(c)s is not in operation") % {"c": pk},
            )
    return found


def _batch_persons(rows: list[_Item], errors, now) -> dict[int, Identified]:
    """{item index: who passes}: ID numbers in one query per chunk, a health code each."""
    numbers, who = {}, {}
    for row in rows:
        if row.passer is None:
            continue
        id_number = row.passer.id_number.strip().upper()
        token = row.passer.health_code.strip()
        if id_number and not token and ID_NUMBER.match(id_number):
            numbers[row.index] = id_number  # looked up together below
            continue
        found: dict[str, str] = {}
        identified = identify(row.passer, found, "", now)
        for name, reason in found.items():
            errors.add(row.index, name, reason)
        if identified is not None:
            who[row.index] = identified
    found = persons_by_id_number(sorted(set(numbers.values())))
    for index, number in numbers.items():
        if number in found:
            who[index] = Identified(found[number])
        else:
            errors.add(index, "id_number", _("no person registered with this ID number"))
    return who


def _plan_batch(rows: list[_Item], checkpoints, persons):
    if not rows:
        return [], None
    used = {checkpoints[row.checkpoint_id] for row in rows}
    vehicles = any(row.fields["plate"] for row in rows)
    context = Circumstances(used, [row.fields["permit_number"] for row in rows], vehicles=vehicles)
    colours = healthcode.colours_of({persons[row.index].person.pk for row in rows})
    planned = []
    for row in rows:
        checkpoint = checkpoints[row.checkpoint_id]
        who, fields = persons[row.index], row.fields
        at = fields["passed_at"]
        colour = colours[who.person.pk]
        permit = context.permits.get(fields["permit_number"])
        judgement = judge(
            colour,
            temperature=fields["temperature"],
            threshold=context.threshold,
            lockdown=context.lockdown_at(checkpoint.region_id, at) if fields["plate"] else None,
            plate=fields["plate"],
            vehicle_people=fields["vehicle_people"],
            permit=permit,
            permit_number=fields["permit_number"],
            at=at,
            region_code=checkpoint.region_id,
            code_revoked=who.code_revoked,
            shown_colour=who.shown_colour,
        )
        planned.append(
            Planned(
                client_id=row.client_id,
                checkpoint=checkpoint,
                person_id=who.person.pk,
                person_region=who.person.region_id,
                passed_at=at,
                direction=fields["direction"],
                temperature=fields["temperature"],
                plate=fields["plate"],
                vehicle_people=fields["vehicle_people"],
                permit=permit,
                colour=colour,
                verdict=judgement.verdict,
                reasons=joined_reasons(list(judgement.reasons)),
                fever=judgement.fever,
                came_from=fields["came_from"],
                came_from_risk=fields["came_from_risk"],
            )
        )
    return planned, context.levels


PASSAGE_COLUMNS = (
    "client_id",
    "checkpoint_id",
    "region_id",
    "person_id",
    "passed_at",
    "direction",
    "temperature",
    "plate",
    "vehicle_people",
    "permit_id",
    "colour",
    "verdict",
    "reasons",
    "came_from",
    "came_from_risk",
    "recorded_by_id",
    "recorded_by_token_id",
    "recorded_at",
)


def _write_batch(actor, planned: list[Planned], now: datetime) -> list[Planned]:
    """COPY on PostgreSQL, skipping client ids stored meanwhile; returns what this call
    wrote (a retry racing this one may have written some of the same items first)."""
    if not planned:
        return []
    user, token = recorders(actor)
    stamp = naive_utc(now)
    rows = (
        (
            p.client_id,
            p.checkpoint.pk,
            p.checkpoint.region_id,
            p.person_id,
            naive_utc(p.passed_at),
            p.direction,
            p.temperature,
            p.plate,
            p.vehicle_people,
            p.permit.pk if p.permit else None,
            p.colour,
            p.verdict,
            p.reasons,
            p.came_from,
            p.came_from_risk,
            user.pk if user else None,
            token.pk if token else None,
            stamp,
        )
        for p in planned
    )
    inserted = bulk_insert(Passage._meta.db_table, PASSAGE_COLUMNS, rows, skip_existing="client_id")
    if inserted == len(planned):
        return planned
    ours = set()
    ids = [p.client_id for p in planned]
    for start in range(0, len(ids), LOOKUP_CHUNK):
        ours |= set(
            Passage.objects.filter(
                client_id__in=ids[start : start + LOOKUP_CHUNK], recorded_at=now
            ).values_list("client_id", flat=True)
        )
    return [p for p in planned if p.client_id in ours]


def _scope_of(actor) -> str | None:
    return actor.region_id if isinstance(actor, ApiToken) else actor.scope_region_id
