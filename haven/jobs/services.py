"""Starting, running and cleaning up background jobs.

``job_start`` records a job and, once the caller's transaction commits,
puts "run job <id>" on the queue (Django's tasks framework, its database
backend); a worker process (``manage.py jobs_worker``) takes it and runs
``run_job``. The Job row stays the source of truth: parameters, progress,
the sealed result. ``HAVEN_JOBS_INLINE`` (the tests) runs the job inside
``job_start`` instead. At most RUNNING_PER_AGENCY jobs of an agency run at
once; the others wait, and the next waiting one is queued when one
finishes. A hold on the agency (a running lockdown, haven.jobs.holds) keeps
its jobs waiting and refuses a running one at its next step.

A worker records its own heartbeat (haven.jobs.workers) and, when it starts
and every BEAT_SECONDS after, takes again the running jobs whose worker is
gone (haven.jobs.stale) and queues the waiting jobs no queue row will run.
Each taking is an attempt; finishing and failing compare the attempt, so a
job runs to a result once even if an old attempt wakes up. Results are
sealed (AES-256-GCM) under the person's key when they hold a person's data,
otherwise under a key of the job's own, and kept RESULT_LIFETIME:
``jobs_expire`` drops expired results and destroys the jobs' own keys.
``manage.py run_jobs`` runs waiting jobs in the foreground for operators.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import traceback
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys
from haven.core.errors import NotFound
from haven.core.models import Agency, DataKey
from haven.jobs.holds import held
from haven.jobs.models import Failure, Job, JobResult, State
from haven.jobs.registry import JobOutput, JobRefused, JobSuperseded, Progress, kind_of
from haven.jobs.selectors import job_for, result_available
from haven.jobs.stale import HEARTBEAT_SECONDS, jobs_reap
from haven.jobs.workers import workers_forget

__all__ = [
    "QUEUED_PER_USER",
    "RESULT_LIFETIME",
    "RUNNING_PER_AGENCY",
    "job_for",
    "job_result_open",
    "job_run",
    "job_run_waiting",
    "job_start",
    "jobs_enqueue_waiting",
    "jobs_expire",
    "jobs_reap",
    "jobs_tend",
    "run_job",
]

logger = logging.getLogger(__name__)

RUNNING_PER_AGENCY = 2
QUEUED_PER_USER = 20
RESULT_LIFETIME = timedelta(hours=24)
# What a parameter may be: an id or a choice, never text someone typed.
PARAM_VALUE = re.compile(r"^[A-Za-z0-9_.:-]{0,64}$")
PARAM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_PARAMS = 32
MAX_LIST = 64


def params_check(params: dict[str, Any]) -> None:
    """Refuse parameters that could hold identifying data: keys are short
    names, values ids, choices, numbers, booleans, None, or short lists of
    them. Free text a kind needs goes into ``secret``, sealed."""
    if not isinstance(params, dict) or len(params) > MAX_PARAMS:
        raise ValueError("a job's parameters are a small dict")
    for key, value in params.items():
        if not isinstance(key, str) or not PARAM_KEY.match(key):
            raise ValueError(f"a job parameter's name is a short identifier: {key!r}")
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_LIST:
            raise ValueError(f"job parameter {key} lists too many values")
        for item in values:
            if item is None or isinstance(item, bool | int):
                continue
            if not isinstance(item, str) or not PARAM_VALUE.match(item):
                raise ValueError(f"job parameter {key} is an id or a choice, never text")


def job_start(
    *,
    actor: User,
    kind: str,
    params: dict[str, Any],
    run_now: bool | None = None,
    secret: dict[str, str] | None = None,
    data_key: DataKey | None = None,
    about: tuple[str, object] | None = None,
) -> Job:
    """Record a job of ``kind`` for ``actor`` and run it: now (``run_now``,
    or HAVEN_JOBS_INLINE when None) or, once the caller's transaction
    commits, through the queue.

    ``secret``: inputs that are not ids or choices (a recipient's name),
    sealed under ``data_key`` (the person's key when they are about a
    person). ``about``: what the job concerns, ("case", id), for its audit
    events. Refuses (ValidationError) a user with QUEUED_PER_USER jobs waiting.
    """
    if kind_of(kind) is None:
        raise ValueError(f"no job kind is named {kind}")
    params_check(params)
    if secret is not None and data_key is None:
        raise ValueError("a job's secret inputs are sealed under a data key")
    if data_key is not None and data_key.agency_id != actor.agency_id:
        raise NotFound
    jobs_expire()
    inline = settings.HAVEN_JOBS_INLINE if run_now is None else run_now
    with transaction.atomic():
        waiting = Job.objects.filter(created_by_id=actor.pk, state=State.QUEUED).count()
        if waiting >= QUEUED_PER_USER:
            raise ValidationError(
                _(
                    "You already have %(count)d jobs waiting to run. Wait until some of them "
                    "finish (see Your jobs), then start this one again."
                )
                % {"count": waiting}
            )
        job = Job(
            id=uuid.uuid4(),
            agency_id=actor.agency_id,
            created_by=actor,
            kind=kind,
            params=params,
            data_key=data_key,
            about_type=about[0] if about else "",
            about_id=str(about[1]) if about else "",
        )
        if secret is not None:
            job.secret = json.dumps(secret, ensure_ascii=False, sort_keys=True)
        job.save()
        audit_record(
            action=Action.JOB_STARTED,
            actor=actor,
            object_type=job.about_type or "job",
            object_id=job.about_id or job.pk,
            detail={"job": str(job.pk), "kind": kind},
        )
        if not inline:
            agency_id = actor.agency_id
            # Robust: should queueing fail, the job is recorded all the same,
            # and the worker's next round queues it.
            transaction.on_commit(lambda: jobs_enqueue_waiting(agency_id=agency_id), robust=True)
    if inline:
        claimed = _claim(actor.agency_id, job.pk)
        if claimed is not None:
            _execute(claimed)
        job.refresh_from_db()
    return job


def job_secret(job: Job) -> dict[str, str]:
    """The job's sealed inputs (empty when it has none)."""
    return json.loads(job.secret) if job.secret else {}


@task(takes_context=True)
def run_job(context: TaskContext, job_id: str) -> None:
    """The queue's one task: run job ``job_id``, if it still waits and its
    agency has a free place. Nothing escapes: the queue row would keep an
    exception's text, and a text may quote a person's data."""
    worker = context.task_result.worker_ids[-1] if context.task_result.worker_ids else ""
    try:
        job_run(uuid.UUID(job_id), worker=worker)
    except Exception as error:
        _log_failure("queue", error)


def job_run(job_id: uuid.UUID, *, worker: str = "") -> bool:
    """Run the waiting job ``job_id`` here, as worker ``worker``, then queue
    its agency's next waiting jobs. Whether it ran."""
    agency_id = Job.objects.filter(pk=job_id).values_list("agency_id", flat=True).first()
    if agency_id is None:
        return False
    job = _claim(agency_id, job_id, worker=worker)
    if job is not None:
        _execute(job)
    jobs_enqueue_waiting(agency_id=agency_id)
    return job is not None


def _enqueue(job_id: uuid.UUID) -> None:
    queued = run_job.enqueue(str(job_id))
    Job.objects.filter(pk=job_id, state=State.QUEUED).update(task_id=queued.id)


def jobs_enqueue_waiting(*, agency_id: int | None = None) -> int:
    """Queue the waiting jobs that no queue row will run (left by a restart,
    by an agency at its limit, by a lockdown now over, or taken again after
    their worker died), oldest first, within each agency's free places.
    Returns how many were queued."""
    waiting = Job.objects.filter(state=State.QUEUED)
    if agency_id is not None:
        waiting = waiting.filter(agency_id=agency_id)
    rows = list(waiting.order_by("created_at").values_list("pk", "agency_id", "task_id"))
    if not rows:
        return 0
    live = set(
        DBTaskResult.objects.filter(
            pk__in=[queued for _pk, _agency, queued in rows if queued is not None],
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("pk", flat=True)
    )
    free: dict[int, int] = {}
    for _pk, agency, queued in rows:
        if agency not in free:
            free[agency] = 0 if held(agency) else RUNNING_PER_AGENCY - _running(agency)
        if queued in live:
            free[agency] -= 1
    count = 0
    for pk, agency, queued in rows:
        if queued in live or free[agency] <= 0:
            continue
        _enqueue(pk)
        free[agency] -= 1
        count += 1
    return count


def jobs_tend(*, me: str = "") -> tuple[int, int]:
    """A worker's round: take again the jobs whose worker is gone, queue the
    waiting ones nothing will run, and drop old queue rows and old workers.
    Returns (taken again, queued)."""
    taken = jobs_reap(me=me)
    queued = jobs_enqueue_waiting()
    old = timezone.now() - RESULT_LIFETIME
    DBTaskResult.objects.filter(
        task_path=run_job.module_path,
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=old,
    ).delete()
    workers_forget()
    return taken, queued


def job_run_waiting(*, limit: int | None = None) -> int:
    """Run waiting jobs here, one after another (``manage.py run_jobs``),
    within each agency's limit. Returns how many ran."""
    ran = 0
    jobs_reap()
    for agency_id in (
        Job.objects.filter(state=State.QUEUED).values_list("agency_id", flat=True).distinct()
    ):
        while limit is None or ran < limit:
            job = _claim(agency_id)
            if job is None:
                break
            _execute(job)
            ran += 1
    return ran


def job_result_open(*, actor: User, job_id: uuid.UUID) -> tuple[Job, bytes]:
    """The finished job's file, for its creator only, while its kind still
    lets them open it; a download of a result sealed to a person is audited.
    Expired, shredded, unfinished or no longer theirs to read: 404."""
    job = job_for(actor, job_id)
    if not result_available(job):
        raise NotFound
    # The creator's access is checked again: a result is not a way to keep
    # reading a record one has lost access to since the job ran.
    kind = kind_of(job.kind)
    if kind is None or (kind.may_open is not None and not kind.may_open(job, actor)):
        raise NotFound
    sealed = JobResult.objects.filter(job_id=job.pk).values_list("sealed", flat=True).first()
    if sealed is None:
        raise NotFound
    try:
        data = crypto.unseal(job.data_key_bytes(), bytes(sealed), aad=_result_aad(job))
    except (crypto.DecryptionError, keys.KeyUnavailable):
        raise NotFound from None
    if not job.own_key:
        audit_record(
            action=Action.JOB_RESULT_DOWNLOADED,
            actor=actor,
            object_type=job.about_type or "job",
            object_id=job.about_id or job.pk,
            detail={"job": str(job.pk), "kind": job.kind, "size": len(data)},
        )
    return job, data


def jobs_expire(*, now: Any = None) -> int:
    """Drop the results past RESULT_LIFETIME (and those whose person's key
    was destroyed), destroying the jobs' own keys. Returns how many."""
    now = now or timezone.now()
    expired = Job.objects.filter(expires_at__lte=now) | Job.objects.filter(
        state=State.DONE, expires_at__isnull=False, data_key__isnull=True
    )
    rows = list(expired.values_list("pk", "data_key_id", "own_key"))
    if not rows:
        return 0
    ids = [pk for pk, _key, _own in rows]
    own_keys = [key for _pk, key, own in rows if own and key is not None]
    with transaction.atomic():
        JobResult.objects.filter(job_id__in=ids).delete()
        Job.objects.filter(pk__in=ids).update(expires_at=None, secret=None)
        if own_keys:
            keys.data_keys_destroy(own_keys, kind="job-result", rows=[("jobs.JobResult", ids)])
    return len(rows)


# --- Running ---------------------------------------------------------------------------


def _running(agency_id: int) -> int:
    return Job.objects.filter(agency_id=agency_id, state=State.RUNNING).count()


def _claim(agency_id: int, job_id: uuid.UUID | None = None, *, worker: str = "") -> Job | None:
    """Mark one waiting job of the agency running as a new attempt, if fewer
    than RUNNING_PER_AGENCY run and no hold stops the agency: ``job_id``, or
    the oldest."""
    if held(agency_id):
        return None
    with transaction.atomic():
        # Serialises claims per agency on PostgreSQL; SQLite's IMMEDIATE
        # transactions serialise every writer already.
        list(Agency.objects.select_for_update().filter(pk=agency_id).values_list("pk"))
        jobs_reap(agency_id=agency_id, me=worker)
        if _running(agency_id) >= RUNNING_PER_AGENCY:
            return None
        waiting = Job.objects.filter(agency_id=agency_id, state=State.QUEUED)
        if job_id is not None:
            waiting = waiting.filter(pk=job_id)
        job = waiting.order_by("created_at").first()
        if job is None:
            return None
        now = timezone.now()
        attempt = job.attempt + 1
        taken = Job.objects.filter(pk=job.pk, state=State.QUEUED, attempt=job.attempt).update(
            state=State.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempt=attempt,
            worker=worker,
            done=0,
            total=0,
            label="",
        )
        if not taken:
            return None
    job.state, job.started_at, job.heartbeat_at = State.RUNNING, now, now
    job.attempt, job.worker, job.done, job.total, job.label = attempt, worker, 0, 0, ""
    return job


class _Heartbeat(threading.Thread):
    """Touches the job's heartbeat while its kind works, so a long step
    (WeasyPrint laying out a long PDF) is not taken for a dead worker."""

    def __init__(self, job: Job) -> None:
        super().__init__(name=f"haven-job-beat-{str(job.pk)[:8]}", daemon=True)
        self.job_id = job.pk
        self.attempt = job.attempt
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(HEARTBEAT_SECONDS):
                Job.objects.filter(
                    pk=self.job_id, state=State.RUNNING, attempt=self.attempt
                ).update(heartbeat_at=timezone.now())
        except Exception as error:
            _log_failure("heartbeat", error)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


def _execute(job: Job) -> None:
    kind = kind_of(job.kind)
    beat = _Heartbeat(job)
    beat.start()
    try:
        if kind is None:
            raise LookupError("unknown job kind")
        progress = Progress(job)
        output = kind.run(job, progress)
        if held(job.agency_id):
            raise JobRefused
        _finish(job, output, steps=progress.total)
    except JobSuperseded:
        pass  # another attempt has the job now; this one keeps nothing
    except JobRefused:
        _fail(job, Failure.REFUSED)
    except Exception as error:
        _log_failure(job.kind, error, job)
        _fail(job, Failure.CRASHED)
    finally:
        beat.stop()


def _log_failure(where: str, error: BaseException, job: Job | None = None) -> None:
    """The exception's type and where it was raised, never its message: an
    exception may quote the data it choked on."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error(
        "background job %s (%s) failed: %s\n%s",
        job.pk if job else "-",
        where,
        type(error).__name__,
        frames,
    )


def _result_aad(job: Job) -> bytes:
    return keys.field_aad(JobResult._meta.db_table, "sealed", job.pk, job.data_key_id)


def _finish(job: Job, output: JobOutput, *, steps: int) -> None:
    with transaction.atomic():
        if job.data_key_id is not None:
            if output.data_key is not None and output.data_key.pk != job.data_key_id:
                raise ValueError("a job's result is sealed under the key it started with")
            key_row = job.data_key
            own = job.own_key
        elif output.data_key is not None:
            key_row, own = output.data_key, False
        else:
            key_row, own = keys.data_key_create(Agency.objects.get(pk=job.agency_id))[0], True
        assert key_row is not None  # noqa: S101 (narrowing)
        if key_row.agency_id != job.agency_id:
            raise ValueError("a job's result is sealed under a key of its agency")
        job.data_key, job.own_key = key_row, own
        now = timezone.now()
        total = max(steps, 1)
        updated = Job.objects.filter(pk=job.pk, state=State.RUNNING, attempt=job.attempt).update(
            state=State.DONE,
            done=total,
            total=total,
            label="",
            data_key=key_row,
            own_key=own,
            secret=None,
            result_type=output.content_type,
            result_name=output.filename,
            result_size=len(output.content),
            finished_at=now,
            heartbeat_at=now,
            expires_at=now + RESULT_LIFETIME,
        )
        if not updated:
            # Taken for dead meanwhile (and given to another attempt, or
            # failed): nothing is kept, the key made for it goes with this
            # transaction.
            transaction.set_rollback(True)
            return
        JobResult.objects.create(
            job_id=job.pk,
            sealed=crypto.seal(keys.data_key_open(key_row), output.content, aad=_result_aad(job)),
        )


def _fail(job: Job, error: str) -> None:
    """Fail this attempt of the job, unless another attempt has it now."""
    Job.objects.filter(pk=job.pk, state=State.RUNNING, attempt=job.attempt).update(
        state=State.FAILED, error=error, finished_at=timezone.now(), label="", secret=None
    )
