"""Follow-up work: what other modules do in reaction to a change, run once the change's
transaction has committed (DESIGN rule 11).

A service owns its change and its audit event. For the reactions it calls, inside its
transaction,

    followups.after_commit("case.investigation", case, changed_at=now)

which writes a pending FollowUp row for the change (a rolled-back change leaves neither
the row nor a task) and, on commit, enqueues the one task `run_followup` for it: the
worker (`epicommand worker`) runs it, an immediate task backend at once. The task claims
the row with a conditional UPDATE ... WHERE state = 'pending' and checks the row count, so
a task replayed or enqueued twice does the work once. The module that reacts registers
the work under the kind's name, so the service that changes never imports it:

    @followups.reaction("case.investigation", _("trajectory, contacts, referrals, clusters"))
    def investigate(case_id: int, changed_at: datetime) -> None: ...

Pages and APIs show the user the latest follow-up of a record (`latest_for`).
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import FollowUp

logger = logging.getLogger(__name__)
State = FollowUp.State


@dataclass(frozen=True)
class Reaction:
    work: Callable[[int, datetime], object]  # (the record's primary key, the change's time)
    label: str  # what the user is told is being done


REACTIONS: dict[str, Reaction] = {}
_inline: ContextVar[bool] = ContextVar("followups_inline", default=False)


def reaction(kind: str, label: str):
    """Register the work done after each change of this kind (one module per kind)."""

    def register(work):
        if kind in REACTIONS and REACTIONS[kind].work is not work:
            raise ValueError(f"follow-up {kind!r} is registered twice")
        REACTIONS[kind] = Reaction(work, label)
        return work

    return register


def subject_of(record) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


@contextmanager
def inline():
    """Do follow-ups at once, in the caller's transaction, instead of after its commit:
    the demo seeding replays weeks of changes in order, and each change's reactions must
    be in place before the next change is made."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def after_commit(
    kind: str, record, *, changed_at: datetime | None = None, persons: int = 0
) -> FollowUp:
    """Register the follow-up of a change to `record`: run after the caller's transaction
    commits, as of `changed_at` (the change's time, default now). `persons`: how many
    persons the work covers, shown with its progress, when the change knows it."""
    if kind not in REACTIONS:
        raise LookupError(f"no follow-up registered as {kind!r}")
    now = timezone.now()
    followup = FollowUp.objects.create(
        kind=kind,
        subject=subject_of(record),
        state=State.PENDING,
        changed_at=changed_at or now,
        queued_at=now,
        persons=persons,
    )
    if _inline.get():
        run(followup.pk)
    else:
        transaction.on_commit(partial(run_followup.enqueue, followup.pk))
    return followup


def after_commit_many(kind: str, records, *, changed_at: datetime) -> None:
    """`after_commit` for a batch of records changed together (a lab's result batch
    registering a hundred suspected cases): the rows in one bulk write, a task each."""
    if kind not in REACTIONS:
        raise LookupError(f"no follow-up registered as {kind!r}")
    now = timezone.now()
    rows = FollowUp.objects.bulk_create(
        FollowUp(
            kind=kind,
            subject=subject_of(record),
            state=State.PENDING,
            changed_at=changed_at,
            queued_at=now,
        )
        for record in records
    )
    for followup in rows:
        if _inline.get():
            run(followup.pk)
        else:
            transaction.on_commit(partial(run_followup.enqueue, followup.pk))


@task()
def run_followup(followup_id: int) -> str:
    """The worker's task for one follow-up (see `run`)."""
    return run(followup_id)


def run(followup_id: int) -> str:
    """Claim one follow-up and do its work: "done", or "taken" when it was claimed before
    (a replayed or doubled task). A failure is recorded on the row and raised."""
    claimed = FollowUp.objects.filter(pk=followup_id, state=State.PENDING).update(
        state=State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "taken"
    followup = FollowUp.objects.get(pk=followup_id)
    record_id = int(followup.subject.rsplit(":", 1)[1])
    try:
        with transaction.atomic():
            REACTIONS[followup.kind].work(record_id, followup.changed_at)
    except Exception as exc:
        logger.exception("follow-up %s (%s) failed", followup_id, followup.kind)
        _finish(followup_id, State.FAILED, error=f"{type(exc).__name__}: {exc}"[:300])
        raise
    _finish(followup_id, State.DONE)
    return "done"


def retry(followup_id: int) -> bool:
    """Queue a failed follow-up (or one left running by a worker that died) again, once its
    cause is fixed; False if it is not in either state. The work must be safe to redo, as
    every reaction is (each finds what is already stored)."""
    moved = FollowUp.objects.filter(pk=followup_id, state__in=[State.FAILED, State.RUNNING]).update(
        state=State.PENDING, started_at=None, finished_at=None, error=""
    )
    if moved:
        transaction.on_commit(partial(run_followup.enqueue, followup_id))
    return bool(moved)


def _finish(followup_id: int, state: str, *, error: str = "") -> None:
    FollowUp.objects.filter(pk=followup_id).update(
        state=state, finished_at=timezone.now(), error=error
    )


def latest_for(record, kind: str | None = None) -> FollowUp | None:
    """The most recent follow-up of a record (of one kind), with its `label`."""
    found = FollowUp.objects.filter(subject=subject_of(record))
    if kind is not None:
        found = found.filter(kind=kind)
    return _labelled(found.order_by("-pk").first())


def latest_for_many(records, kind: str) -> dict[int, FollowUp]:
    """{record's pk: its most recent follow-up of `kind`} for a page's list of records, in
    one query (the subject index)."""
    subjects = {subject_of(record): record.pk for record in records}
    latest: dict[int, FollowUp] = {}
    found = FollowUp.objects.filter(kind=kind, subject__in=list(subjects)).order_by("pk")
    for followup in found:
        latest[subjects[followup.subject]] = _labelled(followup)
    return latest


def _labelled(followup: FollowUp | None) -> FollowUp | None:
    if followup is not None and followup.kind in REACTIONS:
        followup.label = REACTIONS[followup.kind].label
    return followup
