"""The worker that runs background jobs: django-tasks-db's database worker,
which also records its own heartbeat and, when it starts and every
BEAT_SECONDS after, takes again the jobs whose worker died and queues the
waiting jobs nothing will run (``haven.jobs.services.jobs_tend``).

Run one (or more, on any machine that reaches the database) beside the web
server: ``make run`` starts one; in production a systemd unit runs
``manage.py jobs_worker`` (docs/operations.md, "Jobs"). SIGTERM or Ctrl+C lets
the job in hand finish; a second one stops at once, and the job is taken
again by the next worker.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

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
        try:
            super().run()
        finally:
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
