"""Background file jobs: one mechanism for the exports and imports too big for a request
(issue 13, items 3 and 12).

An export or an import registers its work under a kind, in its own module:

    @filejobs.exporter("people.persons", Capability.EXPORT_PERSONS, _("Persons"))
    def person_rows(actor, params) -> Iterator[Sequence]: ...   # the header row first

    @filejobs.importer("people.persons", Capability.IMPORT_PERSONS, _("Persons"))
    def import_file(actor, fileobj, filename, progress) -> dict: ...

Its service, having checked access and written the request's audit event, calls
`start_export` (or `start_import` with the upload): a FileJob row owned by the asking user
or token, and on commit the one task `run_file_job`, which the worker runs. The export's
rows go through core.spreadsheets into a file under var/files/ (owner-only, never served
as a static file); progress is written beside it (a file, so that an import's progress is
seen while its transaction is still open). The file is downloaded by its owner only
(`open_download`: another user's job is not found), each download audited, until
`download_hours` have passed; then the hourly round `expire_files` deletes it. An import's
upload is deleted once read; its result (created, or every error with its line and
column) is kept on the row."""

import json
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import openpyxl
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import audit, periodic, policy, spreadsheets
from .access import Capability, require
from .models import ApiToken, FileJob

State = FileJob.State
PROGRESS_EVERY = 1000  # rows between two progress writes
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
}


@dataclass(frozen=True)
class Kind:
    work: Callable
    capability: Capability
    label: str


EXPORTERS: dict[str, Kind] = {}
IMPORTERS: dict[str, Kind] = {}


def exporter(kind: str, capability: Capability, label: str):
    """Register `rows(actor, params)`: the header row, then every row of the export (an
    iterator). A row's cells go through core.spreadsheets in CSV and XLSX; None is an
    empty cell (null in JSON)."""
    return partial(_register, EXPORTERS, kind, capability, label)


def importer(kind: str, capability: Capability, label: str):
    """Register `work(actor, fileobj, filename, progress) -> result`: the import of a file,
    all or nothing; the result is a dict kept on the job (its `error_count`, `errors`)."""
    return partial(_register, IMPORTERS, kind, capability, label)


def _register(registry, kind, capability, label, work):
    if kind in registry and registry[kind].work is not work:
        raise ValueError(f"file job {kind!r} is registered twice")
    registry[kind] = Kind(work, capability, label)
    return work


def files_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "files"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _owner_fields(actor) -> dict:
    if isinstance(actor, ApiToken):
        return {"owner_token": actor}
    return {"owner": actor}


def actor_of(job: FileJob):
    return job.owner_token if job.owner_token_id else job.owner


def start_export(actor, kind: str, filename: str, *, rows: int, params: dict) -> FileJob:
    """Queue an export of `rows` rows as `filename` (.csv, .xlsx or .json); the caller has written
    the request's audit event. Runs after the caller's transaction commits."""
    require(actor, EXPORTERS[kind].capability)
    suffix = Path(filename).suffix.lower()
    job = FileJob.objects.create(
        kind=kind,
        direction=FileJob.Direction.EXPORT,
        params=params,
        state=State.PENDING,
        rows_total=rows,
        filename=filename,
        path=secrets.token_hex(16) + suffix,
        **_owner_fields(actor),
    )
    transaction.on_commit(partial(run_file_job.enqueue, job.pk))
    return job


def start_import(actor, kind: str, upload, *, params: dict | None = None) -> FileJob:
    """Keep the upload under var/files/ and queue its import; audited by the import."""
    require(actor, IMPORTERS[kind].capability)
    suffix = Path(upload.name or "").suffix.lower()
    path = secrets.token_hex(16) + suffix
    with _private_file(files_dir() / path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = FileJob.objects.create(
        kind=kind,
        direction=FileJob.Direction.IMPORT,
        params=params or {},
        state=State.PENDING,
        filename=Path(upload.name or "upload").name[:100],
        path=path,
        **_owner_fields(actor),
    )
    transaction.on_commit(partial(run_file_job.enqueue, job.pk))
    return job


def _private_file(path: Path, mode: str, **kwargs):
    """Opened for writing, readable by the platform's own user only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, mode, **kwargs)


@task()
def run_file_job(job_id: int) -> str:
    """The worker's task: claim the job (a replayed task finds it taken) and do it."""
    return run(job_id)


def run(job_id: int) -> str:
    if not FileJob.objects.filter(pk=job_id, state=State.PENDING).update(state=State.RUNNING):
        return "taken"
    job = FileJob.objects.get(pk=job_id)
    progress = Progress(job)
    try:
        if job.direction == FileJob.Direction.EXPORT:
            _export(job, progress)
        else:
            _import(job, progress)
    except Exception as exc:
        _remove(job.path)
        FileJob.objects.filter(pk=job_id).update(
            state=State.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}"[:300]
        )
        raise
    finally:
        progress.remove()
    return "done"


class Progress:
    """Rows done, written beside the job's file every PROGRESS_EVERY rows."""

    def __init__(self, job: FileJob):
        self.job, self.done, self.total = job, 0, job.rows_total
        self._file = files_dir() / (job.path + ".progress")

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        tmp = self._file.with_suffix(".tmp")
        with _private_file(tmp, "w") as out:
            json.dump({"done": self.done, "total": self.total}, out)
        tmp.replace(self._file)

    def remove(self) -> None:
        self._file.unlink(missing_ok=True)


def progress_of(job: FileJob) -> tuple[int, int]:
    """(rows done, rows in all) as the worker last wrote them."""
    if job.state != State.RUNNING:
        return job.rows_done, job.rows_total
    try:
        seen = json.loads((files_dir() / (job.path + ".progress")).read_text())
    except (OSError, ValueError):
        return job.rows_done, job.rows_total
    return seen["done"], seen["total"]


def _export(job: FileJob, progress: Progress) -> None:
    rows = EXPORTERS[job.kind].work(actor_of(job), job.params)
    target = files_dir() / job.path
    if job.path.endswith(".xlsx"):
        count = _write_xlsx(target, rows, progress)
    elif job.path.endswith(".json"):
        count = _write_json(target, rows, progress)
    else:
        count = _write_csv(target, rows, progress)
    now = timezone.now()
    hours = policy.active().data.download_hours
    FileJob.objects.filter(pk=job.pk).update(
        state=State.DONE, rows_done=count, finished_at=now, expires_at=now + timedelta(hours=hours)
    )


def _write_csv(target: Path, rows: Iterator[Sequence], progress: Progress) -> int:
    # utf-8-sig: the byte-order mark makes Excel read UTF-8, as the inline export does.
    with _private_file(target, "w", newline="", encoding="utf-8-sig") as out:
        writer = spreadsheets.CsvWriter(out)
        return _each_row(rows, writer.writerow, progress)


def _write_xlsx(target: Path, rows: Iterator[Sequence], progress: Progress) -> int:
    book = openpyxl.Workbook(write_only=True)  # rows go to a temporary file, not memory
    sheet = book.create_sheet()
    count = _each_row(rows, partial(spreadsheets.append, sheet), progress)
    with _private_file(target, "wb") as out:
        book.save(out)
    return count


def _write_json(target: Path, rows: Iterator[Sequence], progress: Progress) -> int:
    """A JSON array of objects, one a row, named by the header's columns."""
    header = next(rows)
    with _private_file(target, "w", encoding="utf-8") as out:
        out.write("[")
        count = 0
        for count, row in enumerate(rows, start=1):
            record = dict(zip(header, row, strict=True))
            out.write(("," if count > 1 else "") + json.dumps(record, ensure_ascii=False))
            if count % PROGRESS_EVERY == 0:
                progress(count)
        out.write("]")
    return count


def _each_row(rows: Iterator[Sequence], write, progress: Progress) -> int:
    count = -1  # the header is no row of data
    for count, row in enumerate(rows, start=0):
        write(row)
        if count and count % PROGRESS_EVERY == 0:
            progress(count)
    return max(count, 0)


def _import(job: FileJob, progress: Progress) -> None:
    source = files_dir() / job.path
    try:
        with open(source, "rb") as fileobj:
            result = IMPORTERS[job.kind].work(actor_of(job), fileobj, job.filename, progress)
    finally:
        _remove(job.path)
    FileJob.objects.filter(pk=job.pk).update(
        state=State.DONE,
        rows_done=progress.done,
        rows_total=progress.total or progress.done,
        result=result,
        finished_at=timezone.now(),
        path="",
    )


def _remove(path: str) -> None:
    if path:
        (files_dir() / path).unlink(missing_ok=True)


# Reading and downloading -----------------------------------------------------------------


def jobs_of(actor, limit: int = 50) -> list[FileJob]:
    """The actor's own jobs, newest first."""
    return list(FileJob.objects.filter(**_owner_fields(actor)).order_by("-pk")[:limit])


def job_of(actor, job_id: int) -> FileJob:
    """The actor's own job; another's is not found (FileJob.DoesNotExist), as an unknown."""
    return FileJob.objects.get(pk=job_id, **_owner_fields(actor))


def label_of(job: FileJob) -> str:
    registry = EXPORTERS if job.direction == FileJob.Direction.EXPORT else IMPORTERS
    return str(registry[job.kind].label) if job.kind in registry else job.kind


class NotReady(Exception):
    """The job's file cannot be downloaded: not finished, failed or expired."""

    def __init__(self, job: FileJob):
        super().__init__(job.state)
        self.job = job


def open_download(actor, job_id: int):
    """(binary file, file name, content type) of the actor's finished export; audited.
    Another's job raises FileJob.DoesNotExist; one not done or past its hours, NotReady."""
    job = job_of(actor, job_id)
    if job.direction != FileJob.Direction.EXPORT:
        raise FileJob.DoesNotExist
    require(actor, EXPORTERS[job.kind].capability)
    if job.state == State.DONE and job.expires_at <= timezone.now():
        expire(job)
    if job.state != State.DONE:
        raise NotReady(job)
    fileobj = open(files_dir() / job.path, "rb")  # noqa: SIM115 (closed by the response)
    with transaction.atomic():
        FileJob.objects.filter(pk=job.pk).update(downloads=job.downloads + 1)
        audit.record(
            actor,
            "file.download",
            job,
            region_code=job.params.get("region_code"),
            reason=f"{job.kind}: {job.rows_done} rows as {job.filename}",
        )
    return fileobj, job.filename, CONTENT_TYPES.get(Path(job.path).suffix, "text/csv")


def expire(job: FileJob) -> None:
    _remove(job.path)
    FileJob.objects.filter(pk=job.pk).update(state=State.EXPIRED, path="")
    job.state, job.path = State.EXPIRED, ""


HOURLY = periodic.Every(timedelta(hours=1))


@periodic.recurring(HOURLY)
def expire_files() -> int:
    """The hourly round: delete the files of exports past their hours. Returns how many."""
    return expire_due()


def expire_due(now=None) -> int:
    """Delete the files of exports past their hours; mark failed (and delete the file of)
    a job still waiting or running `download_hours` after it was asked for: its worker was
    killed or the queue lost it, and its owner should ask again."""
    now = now or timezone.now()
    due = list(FileJob.objects.filter(state=State.DONE, expires_at__lte=now))
    for job in due:
        expire(job)
    hours = policy.active().data.download_hours
    stale = FileJob.objects.filter(
        state__in=[State.PENDING, State.RUNNING], created_at__lte=now - timedelta(hours=hours)
    )
    for job in stale:
        _remove(job.path)
        (files_dir() / (job.path + ".progress")).unlink(missing_ok=True)
    stale.update(state=State.FAILED, finished_at=now, error="left unfinished by the worker")
    return len(due)
