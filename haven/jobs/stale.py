"""A running job whose worker died (the server restarted, the thread
crashed hard) stops sending heartbeats: after STALE_AFTER it is failed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from haven.jobs.models import Failure, Job, State

STALE_AFTER = timedelta(minutes=2)
# A worker touches its job this often even when its progress does not move
# (WeasyPrint laying out a long PDF): well inside STALE_AFTER.
HEARTBEAT_SECONDS = 30.0


def jobs_reap(*, agency_id: int | None = None) -> int:
    """Fail the running jobs that stopped answering. Returns how many."""
    now = timezone.now()
    stale = Job.objects.filter(state=State.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    if agency_id is not None:
        stale = stale.filter(agency_id=agency_id)
    # Read first: an UPDATE that matches nothing still takes SQLite's write lock.
    if not stale.exists():
        return 0
    return stale.update(
        state=State.FAILED, error=Failure.STOPPED, finished_at=now, label="", secret=None
    )
