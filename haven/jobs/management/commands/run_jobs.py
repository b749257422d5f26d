"""Run the waiting background jobs here, in the foreground, without the
queue: once, or (``--loop``) until stopped. For operators: the worker
(``manage.py jobs_worker``) normally runs jobs from the queue; this runs
them by hand, within the same per-agency limit and attempts. Each pass also
takes back jobs whose worker died and drops expired results."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.jobs.services import job_run_waiting, jobs_expire, jobs_reap


class Command(BaseCommand):
    help = "Run waiting background jobs in the foreground (once, or --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep looking for jobs")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between looks with --loop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(0.2, options["interval"])
        while True:
            stopped = jobs_reap()
            expired = jobs_expire()
            ran = job_run_waiting()
            if ran or stopped or expired or not options["loop"]:
                self.stdout.write(
                    f"ran {ran} job(s); {stopped} stopped job(s) taken back; "
                    f"{expired} expired result(s) dropped"
                )
            if not options["loop"]:
                return
            time.sleep(interval)
