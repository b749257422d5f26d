"""Reads of background jobs: a job is its creator's alone. Anyone else,
in the same agency or not, gets a 404 exactly like a job that does not
exist. Nothing here shows identifying data, so nothing is audited."""

from __future__ import annotations

import uuid

from django.utils import timezone

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.jobs.models import Job, State
from haven.jobs.stale import STALE_AFTER, jobs_reap
from haven.jobs.workers import workers_gone

RECENT = 50


def job_for(user: User, job_id: uuid.UUID) -> Job:
    """The user's own job, or 404. A running job whose worker is gone is
    taken again (or failed, out of attempts) first."""
    job = Job.objects.filter(pk=job_id, created_by_id=user.pk, agency_id=user.agency_id).first()
    if job is None:
        raise NotFound
    if job.state == State.RUNNING and _stale(job):
        jobs_reap(agency_id=job.agency_id)
        job.refresh_from_db()
    return job


def job_list(*, user: User) -> list[Job]:
    """The user's most recent jobs, newest first."""
    jobs_reap(agency_id=user.agency_id)
    return list(
        Job.objects.filter(created_by_id=user.pk, agency_id=user.agency_id).order_by("-created_at")[
            :RECENT
        ]
    )


def result_available(job: Job) -> bool:
    return (
        job.state == State.DONE
        and job.data_key_id is not None
        and job.expires_at is not None
        and job.expires_at > timezone.now()
    )


def _stale(job: Job) -> bool:
    beat = job.heartbeat_at or job.started_at or job.created_at
    return beat < timezone.now() - STALE_AFTER or bool(workers_gone([job.worker]))
