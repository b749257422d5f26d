"""A local install's side of the worker tests, run as its own process:
``python tests/jobs/harness.py COMMAND`` with HAVEN_VAR_DIR (and perhaps
DATABASE_URL) naming the install. The test kinds (tests.jobs.kinds) are
registered first, so the real ``jobs_worker`` command finds them.

* ``start``: a synthetic agency and advocate, then jobs: two slow ones
  queued through ``job_start``, and one left waiting with no queue row (as
  the old threads left them at a restart). Prints their ids as JSON.
* ``worker``: ``manage.py jobs_worker`` until stopped.
* ``report ID...``: each job's state, attempt, results and queue rows, and
  whether its result opens to the expected text, as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from haven.accounts.models import Role, User  # noqa: E402
from haven.audit.models import Action, AuditEvent  # noqa: E402
from haven.jobs.models import Job, JobResult  # noqa: E402
from haven.jobs.services import job_result_open, job_start  # noqa: E402
from tests.factories import AgencyFactory, make_staff  # noqa: E402
from tests.jobs import kinds  # noqa: E402


def start() -> None:
    user = make_staff(
        agency=AgencyFactory(name="Harness Agency (synthetic)"),
        role=Role.ADVOCATE,
        username="harness-advocate",
        mfa=False,
    )
    ids = []
    for _ in range(2):
        with transaction.atomic():
            job = job_start(actor=user, kind="tests.slow", params={}, run_now=False)
        ids.append(str(job.pk))
    left = Job.objects.create(
        agency_id=user.agency_id, created_by=user, kind="tests.count", params={"rows": 2}
    )
    ids.append(str(left.pk))
    print(json.dumps(ids))


def report(ids: list[str]) -> None:
    user = User.objects.get(username="harness-advocate")
    out = {}
    for job_id in ids:
        job = Job.objects.get(pk=job_id)
        rows = JobResult.objects.filter(job_id=job_id).values_list("sealed", flat=True)
        sealed = [bytes(row) for row in rows]
        opened = ""
        if job.state == "done":
            opened = job_result_open(actor=user, job_id=job.pk)[1].decode()
        queue = [
            row
            for row in DBTaskResult.objects.order_by("enqueued_at")
            if row.args_kwargs["args"] == [job_id]
        ]
        out[job_id] = {
            "state": job.state,
            "error": job.error,
            "attempt": job.attempt,
            "results": len(sealed),
            "plaintext_in_table": any(kinds.SLOW_RESULT.encode() in s for s in sealed),
            "opened": opened,
            "queue": [row.status for row in queue],
            "queue_tracebacks": [row.traceback for row in queue],
            "started_events": AuditEvent.objects.filter(
                action=Action.JOB_STARTED, detail__job=job_id
            ).count(),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "start":
        start()
    elif command == "worker":
        call_command(
            "jobs_worker", "--no-startup-delay", "--interval", "0.1", "--beat", "0.5", verbosity=0
        )
    elif command == "report":
        report(sys.argv[2:])
    else:
        raise SystemExit(f"unknown command {command}")
