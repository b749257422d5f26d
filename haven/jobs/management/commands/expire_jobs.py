"""Drop background jobs' results older than a day (and those whose
person's record was destroyed), destroying the jobs' own keys. Run it
from cron; job_start also runs it on its way."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from haven.jobs.services import jobs_expire, jobs_reap


class Command(BaseCommand):
    help = "Drop expired background job results and take back jobs whose worker died."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = jobs_expire()
        stopped = jobs_reap()
        self.stdout.write(
            f"{expired} expired result(s) dropped; {stopped} stopped job(s) taken back"
        )
