"""Your background exports and imports (core.filejobs): their progress while the worker
writes or reads, an export's download (yours only, until it expires; audited) and an
import's result, errors by line and column. Another user's job is not found (404)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from epicommand.core import filejobs
from epicommand.core.models import FileJob


@require_safe
@login_required
def file_list(request):
    jobs = filejobs.jobs_of(request.user)
    for job in jobs:
        job.label = filejobs.label_of(job)
    return render(request, "web/files.html", {"jobs": jobs})


@require_safe
@login_required
def file_detail(request, job_id: int):
    try:
        job = filejobs.job_of(request.user, job_id)
    except FileJob.DoesNotExist:
        raise Http404 from None
    job.label = filejobs.label_of(job)
    done, total = filejobs.progress_of(job)
    waiting = job.state in (FileJob.State.PENDING, FileJob.State.RUNNING)
    context = {
        "job": job,
        "done": done,
        "total": total,
        "percent": min(100, done * 100 // total) if total else None,
        "waiting": waiting,
    }
    response = render(request, "web/file_detail.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
@login_required
def file_download(request, job_id: int):
    try:
        fileobj, filename, content_type = filejobs.open_download(request.user, job_id)
    except FileJob.DoesNotExist:
        raise Http404 from None
    except filejobs.NotReady as not_ready:
        status = 410 if not_ready.job.state == FileJob.State.EXPIRED else 409
        job = not_ready.job
        job.label = filejobs.label_of(job)
        context = {"job": job, "done": job.rows_done, "total": job.rows_total, "waiting": False}
        return render(request, "web/file_detail.html", context, status=status)
    response = FileResponse(fileobj, as_attachment=True, filename=filename)
    response["Content-Type"] = content_type
    response["Cache-Control"] = "no-store, private"
    return response
