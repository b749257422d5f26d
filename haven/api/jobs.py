"""Background jobs over the JSON API: schemas and routing only.

A job is its creator's alone (``haven.jobs.selectors.job_for``): anyone
else, in the same agency or not, gets a 404 exactly like a job that does
not exist. The result is a download, kept for 24 hours; a download of a
result holding a person's data is audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.params import P, PathEx

from haven.accounts.http import authenticated_user
from haven.api.common import NOT_FOUND, download, out, uuid_or_404
from haven.api.inputs import Coded
from haven.exports.jobs import OUTPUTS as EXPORT_OUTPUTS
from haven.jobs.models import Failure, Job, State
from haven.jobs.registry import kind_label, step_label
from haven.jobs.selectors import job_for, result_available
from haven.jobs.services import job_result_open
from haven.jobs.views import result_response
from haven.reports.jobs import RESULT_TYPE as REPORT_TYPE

router = Router(tags=["jobs"])

JobId = PathEx[str, P(description="The job's id, a UUID.")]
# What a finished job's file may be: a report's figures, or an exported
# record's bundle or PDF (a test runs every kind and checks its answer).
RESULT_TYPES = (REPORT_TYPE, *(kind for kind, _extension in EXPORT_OUTPUTS.values()))


class JobOut(Schema):
    id: uuid.UUID
    kind: str = Field(description="What the job does, e.g. exports.record.")
    kind_label: str
    state: Annotated[str, Coded(State)] = Field(description="queued, running, done or failed.")
    done: int = Field(description="Steps done so far.")
    total: int = Field(description="Steps in all; 0 until the job knows.")
    label: str = Field(description="The step it is at, e.g. rendering; blank when none.")
    label_text: str = Field(description="The step in words, in the caller's language.")
    error: str = Field(description="Why it failed, in words for staff; blank otherwise.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="When the result is dropped.")
    download_url: str | None = Field(description="The result, once done and until it expires.")


def _job_out(job: Job) -> JobOut:
    available = result_available(job)
    return out(
        JobOut,
        job,
        kind_label=kind_label(job.kind),
        label_text=step_label(job.kind, job.label),
        error=str(Failure(job.error).label) if job.error else "",
        expires_at=job.expires_at if available else None,
        download_url=reverse("api:job_result", kwargs={"job_id": job.pk}) if available else None,
    )


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, **NOT_FOUND},
)
def job_detail(request: HttpRequest, job_id: JobId) -> JobOut:
    """One of your background jobs: its state and progress."""
    job = job_for(authenticated_user(request), uuid_or_404(job_id))
    return _job_out(job)


@router.get(
    "/jobs/{job_id}/result",
    response=NOT_FOUND,
    openapi_extra=download("The file, as an attachment: JSON for a report.", RESULT_TYPES),
)
def job_result(request: HttpRequest, job_id: JobId) -> HttpResponse:
    """The file a finished job made, as a download.

    Only for the job's creator, until it expires (24 hours). A download of a result holding a
    person's data is audited.
    """
    job, data = job_result_open(actor=authenticated_user(request), job_id=uuid_or_404(job_id))
    return result_response(job, data)


routers = (router,)
