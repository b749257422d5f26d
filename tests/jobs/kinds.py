"""Job kinds for the tests only: a report of no one in particular (no data
key: the job gets its own), one that crashes, one that is refused; and a
slow one that waits for a gate, for a worker killed mid-run."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

from haven.jobs.models import Job
from haven.jobs.registry import JobOutput, JobRefused, Progress, job_kind

# What the row said after each progress call, read back from the database.
SEEN: list[tuple[int, int, str]] = []

# The text a crash carries: it must show up nowhere.
SECRET = "Synthetic Secret Name"


@job_kind("tests.count", label="Counting (test)", steps={"counting": "Counting rows"})
def count(job: Job, progress: Progress) -> JobOutput:
    rows = int(job.params.get("rows", 3))
    for n in range(1, rows + 1):
        progress(n, rows, "counting")
        SEEN.append(Job.objects.values_list("done", "total", "label").get(pk=job.pk))
    if job.params.get("crash"):
        raise RuntimeError(SECRET)
    if job.params.get("refuse"):
        raise JobRefused
    body = "".join(f"{n}\n" for n in range(1, rows + 1)).encode()
    return JobOutput(content=b"n\n" + body, content_type="text/csv", filename="count.csv")


# What tests.slow's result says: it must never be found in the clear.
SLOW_RESULT = "Guadalupe Ramírez Soto, synthetic slow result"


@job_kind("tests.slow", label="Waiting (test)", steps={"waiting": "Waiting for the gate"})
def slow(job: Job, progress: Progress) -> JobOutput:
    """Marks each attempt with a file ``attempt-N`` in the install's folder,
    then waits, step by step, until a file ``gate`` is there: a test kills
    its worker while it waits."""
    folder = Path(settings.VAR_DIR)
    (folder / f"attempt-{job.attempt}-{job.pk}").touch()
    n = 0
    while not (folder / "gate").exists():
        n += 1
        progress(n % 100, 100, "waiting")
        time.sleep(0.05)
    progress(100, 100, "waiting")
    return JobOutput(content=SLOW_RESULT.encode(), content_type="text/plain", filename="slow.txt")
