"""The pages of background jobs: the caller's list, one job's progress
(polled by htmx every second until it finishes), and its download. A job
is its creator's alone: anyone else gets a 404."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haven.accounts.http import authenticated_user
from haven.jobs.models import Failure, Job, State
from haven.jobs.registry import kind_label, step_label
from haven.jobs.selectors import job_for, job_list, result_available
from haven.jobs.services import RESULT_LIFETIME, RUNNING_PER_AGENCY, job_result_open


def _shown(job: Job) -> dict[str, object]:
    return {
        "job": job,
        "kind_label": kind_label(job.kind),
        "step_label": step_label(job.kind, job.label),
        "error_message": Failure(job.error).label if job.error else "",
        "available": result_available(job),
        "queued": job.state == State.QUEUED,
        "running_limit": RUNNING_PER_AGENCY,
        "lifetime_hours": int(RESULT_LIFETIME.total_seconds() // 3600),
    }


@require_GET
def job_index(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    rows = [_shown(job) for job in job_list(user=user)]
    return render(request, "jobs/list.html", {"rows": rows})


@require_GET
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = job_for(authenticated_user(request), job_id)
    return render(request, "jobs/detail.html", _shown(job))


@require_GET
def job_progress(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress partial the job page asks for every second. Asking does
    not count as activity (PASSIVE_PATHS in haven.accounts.middleware)."""
    job = job_for(authenticated_user(request), job_id)
    return render(request, "jobs/partials/progress.html", {**_shown(job), "polled": True})


@require_GET
def job_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job, data = job_result_open(actor=authenticated_user(request), job_id=job_id)
    return result_response(job, data)


def result_response(job: Job, data: bytes) -> HttpResponse:
    """Always a download, never shown in a page; the name says what the file
    is, never whom it is about."""
    response = HttpResponse(data, content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
