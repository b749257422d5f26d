"""Worker processes (``manage.py jobs_worker``) and whether each is alive.

A worker records itself (id, host, pid) when it starts and touches its row
every BEAT_SECONDS. It is gone when its row is older than WORKER_GONE_AFTER,
when it said goodbye (its row deleted), or, on the same host, at once when
its process no longer exists (a SIGKILL leaves no goodbye).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from haven.jobs.models import Worker

BEAT_SECONDS = 10.0
WORKER_GONE_AFTER = timedelta(seconds=45)
# /readyz wants a worker seen this recently.
WORKER_SEEN_WITHIN = timedelta(minutes=1)


def host_name() -> str:
    return socket.gethostname()[:255]


def worker_beat(worker_id: str) -> None:
    """Record that this process, worker ``worker_id``, is alive now."""
    now = timezone.now()
    updated = Worker.objects.filter(pk=worker_id).update(seen_at=now)
    if not updated:
        Worker.objects.update_or_create(
            pk=worker_id,
            defaults={"host": host_name(), "pid": os.getpid(), "seen_at": now},
            create_defaults={
                "host": host_name(),
                "pid": os.getpid(),
                "seen_at": now,
                "started_at": now,
            },
        )


def worker_goodbye(worker_id: str) -> None:
    Worker.objects.filter(pk=worker_id).delete()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, alive
        return True
    return True


def workers_gone(worker_ids: Iterable[str], *, me: str = "") -> set[str]:
    """Which of ``worker_ids`` are gone (blank ids, jobs run in the process
    that asked for them, are never counted: their heartbeat says). ``me``:
    the asking worker's own id; another row with this host and pid is a
    predecessor (a container restarted with the same pid)."""
    wanted = {w for w in worker_ids if w}
    if not wanted:
        return set()
    now = timezone.now()
    here = host_name()
    alive: set[str] = set()
    for pk, host, pid, seen_at in Worker.objects.filter(pk__in=wanted).values_list(
        "pk", "host", "pid", "seen_at"
    ):
        if seen_at < now - WORKER_GONE_AFTER:
            continue
        if host == here:
            if pid == os.getpid() and pk != me:
                continue
            if pid != os.getpid() and not _process_exists(pid):
                continue
        alive.add(pk)
    return wanted - alive


def worker_seen_recently() -> bool:
    """Whether some worker was seen within WORKER_SEEN_WITHIN."""
    return Worker.objects.filter(seen_at__gte=timezone.now() - WORKER_SEEN_WITHIN).exists()


def workers_forget(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Drop the rows of workers not seen for a day."""
    deleted, _ = Worker.objects.filter(seen_at__lt=timezone.now() - older_than).delete()
    return deleted
