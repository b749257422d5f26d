"""Running jobs whose worker died (SIGKILL, a crash, a restart, a hung
step) are taken again: back to waiting, to be queued again by a worker,
at most MAX_ATTEMPTS times in all; then failed with Failure.STOPPED.

A worker is dead when it is gone (haven.jobs.workers), or when the job's own
heartbeat has been silent STALE_AFTER (a worker alive but stuck). The queue
row that carried the dead attempt is marked failed, so the queue shows it
will not finish. A result is written in one transaction at the end, guarded
by the attempt, so running a job again from the start is safe.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.jobs.models import MAX_ATTEMPTS, Failure, Job, State
from haven.jobs.workers import workers_gone

STALE_AFTER = timedelta(minutes=2)
# A worker touches its job this often even when its progress does not move
# (WeasyPrint laying out a long PDF): well inside STALE_AFTER.
HEARTBEAT_SECONDS = 30.0
# The queue row of an attempt whose worker died says this, never more.
LOST = "haven.jobs.stale.WorkerLost"


def jobs_reap(*, agency_id: int | None = None, me: str = "") -> int:
    """Take again the running jobs whose worker is gone or silent (failing
    those out of attempts). Returns how many. ``me``: the asking worker."""
    now = timezone.now()
    running = Job.objects.filter(state=State.RUNNING)
    if agency_id is not None:
        running = running.filter(agency_id=agency_id)
    # Read first: an UPDATE that matches nothing still takes SQLite's write lock.
    rows = list(running.values_list("pk", "worker", "attempt", "heartbeat_at", "task_id"))
    if not rows:
        return 0
    gone = workers_gone({worker for _pk, worker, _a, _beat, _task in rows}, me=me)
    lost = [
        (pk, attempt, task)
        for pk, worker, attempt, beat, task in rows
        if worker in gone or (beat is not None and beat < now - STALE_AFTER)
    ]
    taken = 0
    for pk, attempt, task in lost:
        with transaction.atomic():
            same = Job.objects.filter(pk=pk, state=State.RUNNING, attempt=attempt)
            if attempt >= MAX_ATTEMPTS:
                changed = same.update(
                    state=State.FAILED,
                    error=Failure.STOPPED,
                    finished_at=now,
                    label="",
                    secret=None,
                    worker="",
                )
            else:
                changed = same.update(
                    state=State.QUEUED,
                    done=0,
                    total=0,
                    label="",
                    worker="",
                    heartbeat_at=None,
                    task_id=None,
                )
            if changed and task is not None:
                DBTaskResult.objects.filter(pk=task, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=LOST,
                    traceback="",
                )
            taken += changed
    return taken
