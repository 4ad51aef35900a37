"""/files: your background exports and imports (core.filejobs): their progress, an
export's download (yours only, until it expires; audited) and an import's result."""

from datetime import datetime

from django.http import FileResponse, Http404
from ninja import Field, Router, Schema, Status

from . import filejobs
from .api_schemas import ERRORS, ErrorOut
from .models import FileJob

router = Router(tags=["files"])


class FileJobOut(Schema):
    id: int
    kind: str
    direction: str = Field(description="export or import")
    state: str = Field(description="pending, running, done, failed or expired")
    filename: str
    rows_done: int
    rows_total: int = Field(description="Rows in all, when known (0 while an import reads).")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="An export's download works until then.")
    result: dict = Field(
        description="An import's outcome: created, households_created, error_count and the "
        "first errors, each with its line, column and message."
    )
    status_url: str
    download_url: str | None

    @staticmethod
    def resolve_rows_done(job):
        return filejobs.progress_of(job)[0]

    @staticmethod
    def resolve_rows_total(job):
        return filejobs.progress_of(job)[1]

    @staticmethod
    def resolve_status_url(job):
        return f"/api/v1/files/{job.pk}"

    @staticmethod
    def resolve_download_url(job):
        if job.direction == FileJob.Direction.EXPORT and job.state == FileJob.State.DONE:
            return f"/api/v1/files/{job.pk}/download"
        return None


@router.get("", response={200: list[FileJobOut], **ERRORS}, summary="Your background files")
def list_jobs(request):
    """Your own background exports and imports, newest first (50)."""
    return filejobs.jobs_of(request.auth)


@router.get("/{job_id}", response={200: FileJobOut, **ERRORS}, summary="One background file")
def get_job(request, job_id: int):
    """Its state and progress; another user's job answers 404."""
    try:
        return filejobs.job_of(request.auth, job_id)
    except FileJob.DoesNotExist:
        raise Http404 from None


@router.get(
    "/{job_id}/download",
    response={200: None, **ERRORS, 409: ErrorOut, 410: ErrorOut},
    summary="Download a background export",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def download(request, job_id: int):
    """The export's file, for the user or token that asked for it only (404 for anyone
    else), until it expires (410); 409 while it is still being written. Audited."""
    try:
        fileobj, filename, content_type = filejobs.open_download(request.auth, job_id)
    except FileJob.DoesNotExist:
        raise Http404 from None
    except filejobs.NotReady as not_ready:
        if not_ready.job.state == FileJob.State.EXPIRED:
            return Status(410, {"detail": "the download has expired: export again"})
        return Status(409, {"detail": f"the export is {not_ready.job.state}"})
    response = FileResponse(fileobj, as_attachment=True, filename=filename)
    response["Content-Type"] = content_type
    response["Cache-Control"] = "no-store, private"
    return response
