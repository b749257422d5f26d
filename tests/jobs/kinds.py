"""Job kinds for the tests only: a report of no one in particular (no data
key: the job gets its own), one that crashes, one that is refused."""

from __future__ import annotations

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
