"""The worker that runs background jobs: django-tasks-db's database worker,
which also records its own heartbeat and, when it starts and every
BEAT_SECONDS after, takes again the jobs whose worker died and queues the
waiting jobs nothing will run (``haven.jobs.services.jobs_tend``).

Run one (or more, on any machine that reaches the database) beside the web
server: ``make run`` starts one; in production a systemd unit runs
``manage.py jobs_worker`` (docs/operations.md, "Jobs"). SIGTERM or Ctrl+C lets
the job in hand finish; a second one stops at once, and the job is taken
again by the next worker.

Every HAVEN_CHECKPOINT_INTERVAL seconds (0: never) it also writes a signed
checkpoint of the audit chains' heads into HAVEN_CHECKPOINT_DIR (ADR 30),
in a thread of its own: the first checkpoint of a large trail reads every
chain's head, and the heartbeat must not wait for it.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from haven.audit.checkpoint_files import AnchorError, checkpoint_when_due
from haven.jobs.services import jobs_tend
from haven.jobs.workers import BEAT_SECONDS, worker_beat, worker_goodbye

logger = logging.getLogger(__name__)


class _Tending(threading.Thread):
    """Beats for the worker and tends the queue, even while a long job runs
    in the worker's main thread."""

    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name="haven-jobs-tending", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                try:
                    worker_beat(self.worker_id)
                    jobs_tend(me=self.worker_id)
                except Exception as error:  # the type only: a message may quote data
                    logger.error("jobs worker round failed: %s", type(error).__name__)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


class _Checkpointing(threading.Thread):
    """Takes an audit checkpoint whenever the newest in the folder is
    ``every`` old; several workers sharing a folder take about one each
    interval between them."""

    def __init__(self, every: timedelta) -> None:
        super().__init__(name="haven-audit-checkpoints", daemon=True)
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            wait = 0.0
            while not self.stopping.wait(wait):
                wait = self.round()
        finally:
            connection.close()

    def round(self) -> float:
        """One checkpoint if due; the seconds until the next."""
        try:
            recorded, wait = checkpoint_when_due(every=self.every)
        except AnchorError as error:
            # Names a folder or a setting, never a person: safe to log whole.
            logger.error("audit checkpoint not taken: %s", error)
            return self.every.total_seconds()
        except Exception as error:  # the type only: a message may quote data
            logger.error("audit checkpoint failed: %s", type(error).__name__)
            return self.every.total_seconds()
        for found in recorded.breaks if recorded else []:
            # Chain numbers, positions and event ids only.
            logger.error("audit chain no longer holds its checkpoint: %s", found)
        for rejected in recorded.rejected if recorded else []:
            logger.error("audit checkpoint folder: %s", rejected)  # a file's name and why
        return max(wait, 1.0)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


def _checkpointing() -> _Checkpointing | None:
    """The checkpoint thread, unless the interval is 0, or no folder is named
    outside production (the test suite's workers): production without a
    folder starts it, and it logs at every round that the folder is missing."""
    every = settings.HAVEN_CHECKPOINT_INTERVAL
    if every <= 0 or (settings.HAVEN_CHECKPOINT_DIR is None and not settings.PRODUCTION):
        return None
    return _Checkpointing(timedelta(seconds=every))


class HavenWorker(Worker):
    def __init__(self, *, beat: float = BEAT_SECONDS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.beat = beat

    def run(self) -> None:
        worker_beat(self.worker_id)
        taken, queued = jobs_tend(me=self.worker_id)
        logger.info(
            "jobs worker %s started: %d job(s) taken again, %d queued",
            self.worker_id,
            taken,
            queued,
        )
        tending = _Tending(self.worker_id, self.beat)
        tending.start()
        checkpointing = _checkpointing()
        if checkpointing is not None:
            checkpointing.start()
        try:
            super().run()
        finally:
            if checkpointing is not None:
                checkpointing.stop()
            tending.stop()
            worker_goodbye(self.worker_id)


class Command(DbWorkerCommand):
    help = "Run background jobs (exports, reports) from the queue until stopped."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False, worker_id=get_random_string(32))
        parser.add_argument(
            "--beat",
            type=float,
            default=BEAT_SECONDS,
            help="seconds between the worker's heartbeats and rounds (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        worker = HavenWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=[],
            beat=max(0.2, options["beat"]),
        )
        worker.configure_signals()
        worker.run()
