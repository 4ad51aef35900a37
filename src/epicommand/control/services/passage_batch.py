"""A device's batch of passages: up to MAX_BATCH items, each with its client id, validated
whole (any bad item: nothing written, every error named by its item), replays reported and
left alone, written by COPY on PostgreSQL, their facts and counters in the same
transaction, audited once."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import covers
from epicommand.core.bulk import bulk_insert, naive_utc
from epicommand.core.models import ApiToken

from ..models import Checkpoint, Passage, Verdict
from . import healthcode
from .passage_checks import (
    CLIENT_ID,
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

MAX_BATCH = 5000


@dataclass
class ItemResult:
    index: int
    client_id: str
    verdict: str
    colour: str
    reasons: tuple[str, ...]
    replayed: bool


@dataclass
class BatchResult:
    items: list[ItemResult] = field(default_factory=list)

    @property
    def recorded(self) -> int:
        return sum(not i.replayed for i in self.items)

    @property
    def replayed(self) -> int:
        return sum(i.replayed for i in self.items)


def record_passages(actor, items: list[Mapping], *, now: datetime | None = None) -> BatchResult:
    """A device's batch: up to MAX_BATCH passages, each a mapping with client_id,
    checkpoint_id, id_number or health_code, temperature, direction, passed_at and
    optionally plate, vehicle_people, permit_number. Validated whole: any bad item raises
    ValidationError {"items[3].temperature": reason, ...} and nothing is written. Items
    whose client id is stored already are replays: reported with their stored verdict,
    nothing changed. Audited once."""
    require(actor, C.RECORD_PASSAGES)
    now = now or timezone.now()
    items = list(items)
    if not items:
        raise ValidationError({"items": _("is empty")})
    if len(items) > MAX_BATCH:
        raise ValidationError({"items": _("at most %(n)d items a batch") % {"n": MAX_BATCH}})
    errors: dict[str, str] = {}
    ids = _batch_client_ids(items, errors)
    stored = _stored_passages(actor, [i for i in ids if i], errors, ids)
    # Every item but the replays is checked, a bad client id's too, so one answer lists
    # every error of the batch.
    fresh = [n for n, cid in enumerate(ids) if isinstance(items[n], Mapping) and cid not in stored]
    checkpoints = _batch_checkpoints(actor, items, fresh, errors)
    persons = _batch_persons(items, fresh, errors, now)
    checked = {}
    for n in fresh:
        prefix = f"items[{n}]."
        fields = check_common_fields(items[n], errors, prefix, now)
        fields["temperature"] = check_temperature(
            items[n].get("temperature"), errors, prefix + "temperature"
        )
        checked[n] = fields
    if errors:
        raise ValidationError(_in_item_order(errors))
    planned, levels = _plan_batch(items, fresh, ids, checkpoints, persons, checked)
    with transaction.atomic():
        written = _write_batch(actor, planned, now)
        if written:
            after_passages(written, now, levels)
        if planned:
            audit.record(
                actor,
                "passage.batch",
                region_code=_scope_of(actor),
                object_type="control.passage",
                object_id="",
                reason=(
                    f"{len(written)} passages recorded, {len(items) - len(planned)} replayed, "
                    f"{sum(p.verdict == Verdict.DENY for p in written)} denied"
                ),
            )
    by_index = dict(zip(fresh, planned, strict=True))
    result = BatchResult()
    for n, cid in enumerate(ids):
        if n in by_index:
            p = by_index[n]
            result.items.append(
                ItemResult(n, cid, p.verdict, p.colour, tuple(split_reasons(p.reasons)), False)
            )
        else:
            verdict, colour, reasons = stored[cid]
            result.items.append(
                ItemResult(n, cid, verdict, colour, tuple(split_reasons(reasons)), True)
            )
    return result


def _in_item_order(errors: dict[str, str]) -> dict[str, str]:
    def key(name: str):
        found = re.match(r"items\[(\d+)\]", name)
        return (int(found[1]) if found else -1, name)

    return {name: errors[name] for name in sorted(errors, key=key)}


def _batch_client_ids(items, errors) -> list[str]:
    """Each item's client id ("" where it is missing, malformed or repeated)."""
    seen: dict[str, int] = {}
    ids = []
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors[f"items[{n}]"] = _("must be an object")
            ids.append("")
            continue
        cid = item.get("client_id")
        cid = cid.strip() if isinstance(cid, str) else ""
        if not CLIENT_ID.match(cid):
            errors[f"items[{n}].client_id"] = _("must be 1 to 64 letters, digits or . _ : -")
            cid = ""
        elif cid in seen:
            errors[f"items[{n}].client_id"] = _("repeats items[%(n)d]") % {"n": seen[cid]}
            cid = ""
        else:
            seen[cid] = n
        ids.append(cid)
    return ids


def _stored_passages(actor, ids: list[str], errors, all_ids) -> dict[str, tuple]:
    stored = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        rows = Passage.objects.filter(client_id__in=ids[start : start + LOOKUP_CHUNK])
        for cid, region, verdict, colour, reasons in rows.values_list(
            "client_id", "region_id", "verdict", "colour", "reasons"
        ):
            if not covers(actor, region):
                errors[f"items[{all_ids.index(cid)}].client_id"] = _("is already used")
                continue
            stored[cid] = (verdict, colour, reasons)
    return stored


def _batch_checkpoints(actor, items, fresh, errors) -> dict[int, Checkpoint]:
    wanted = {}
    for n in fresh:
        value = items[n].get("checkpoint_id")
        if value is None:
            errors[f"items[{n}].checkpoint_id"] = _("is required")
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[f"items[{n}].checkpoint_id"] = _("must be a checkpoint's id")
        elif not 0 < value < 2**63:
            errors[f"items[{n}].checkpoint_id"] = _("unknown checkpoint %(c)s") % {"c": value}
        else:
            wanted[n] = value
    found = Checkpoint.objects.visible_to(actor).in_bulk(set(wanted.values()))
    for n, pk in wanted.items():
        if pk not in found:
            errors[f"items[{n}].checkpoint_id"] = _("unknown checkpoint %(c)s") % {"c": pk}
        elif not found[pk].is_active:
            errors[f"items[{n}].checkpoint_id"] = _("checkpoint %(c)s is not in operation") % {
                "c": pk
            }
    return found


def _batch_persons(items, fresh, errors, now) -> dict[int, Identified]:
    numbers, who = {}, {}
    for n in fresh:
        item, prefix = items[n], f"items[{n}]."
        passer = PasserIn(
            id_number=text_of(item, "id_number", errors, prefix),
            health_code=text_of(item, "health_code", errors, prefix),
        )
        if prefix + "id_number" in errors or prefix + "health_code" in errors:
            continue
        id_number = passer.id_number.strip().upper()
        token = passer.health_code.strip()
        if id_number and not token and ID_NUMBER.match(id_number):
            numbers[n] = id_number  # looked up together below
            continue
        identified = identify(passer, errors, prefix, now)
        if identified is not None:
            who[n] = identified
    found = persons_by_id_number(sorted(set(numbers.values())))
    for n, number in numbers.items():
        if number in found:
            who[n] = Identified(found[number])
        else:
            errors[f"items[{n}].id_number"] = _("no person registered with this ID number")
    return who


def _plan_batch(items, fresh, ids, checkpoints, persons, checked):
    if not fresh:
        return [], None
    used = {checkpoints[items[n]["checkpoint_id"]] for n in fresh}
    vehicles = any(checked[n]["plate"] for n in fresh)
    context = Circumstances(used, [checked[n]["permit_number"] for n in fresh], vehicles=vehicles)
    colours = healthcode.colours_of({persons[n].person.pk for n in fresh})
    planned = []
    for n in fresh:
        checkpoint = checkpoints[items[n]["checkpoint_id"]]
        who, fields = persons[n], checked[n]
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
                client_id=ids[n],
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
