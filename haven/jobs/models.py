"""Background jobs: long work (a case-record export, a report) that runs
outside the request, shows its progress, and keeps its result sealed for a
day.

A job's row holds no identifying data of a person served: its parameters
are ids and choices only; anything a kind needs beyond them (a recipient's
name) is sealed in ``secret`` under the job's data key. The result's bytes
live in a table of their own (``JobResult``), sealed under the same key:
the person's key when the result holds their data, so destroying the person
shreds it, otherwise a key of the job's own, destroyed when the result
expires.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core import keys
from haven.core.fields import EncryptedTextField
from haven.core.models import Agency, DataKey


class State(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = frozenset({State.DONE, State.FAILED})


class Failure(models.TextChoices):
    """Why a job failed, in words for staff: never an exception's text."""

    CRASHED = (
        "crashed",
        _(
            "Something went wrong and the job did not finish. Start it again; if it fails "
            "again, tell your administrator."
        ),
    )
    STOPPED = "stopped", _("This job stopped before it finished. Start it again.")
    REFUSED = (
        "refused",
        _(
            "When the job ran, the rules no longer allowed it (a consent may have been "
            "withdrawn, or your access changed). Nothing was made."
        ),
    )


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=64)
    # Ids and choices only (haven.jobs.services.params_check refuses anything else).
    params = models.JSONField(default=dict)
    # What the job is about, for its audit events: ("case", its id), or blank.
    about_type = models.CharField(max_length=32, blank=True)
    about_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # A key of the kind's steps (haven.jobs.registry), never free text.
    label = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker has taken the job: a job whose worker died is
    # taken again, at most MAX_ATTEMPTS times in all. Finishing is guarded
    # by the attempt, so an old attempt that wakes up keeps nothing.
    attempt = models.PositiveSmallIntegerField(default=0)
    # The worker (Worker.id) running the current attempt; blank when the
    # job runs in the process that asked for it (tests, ``run_jobs``).
    worker = models.CharField(max_length=64, blank=True)
    # The queue row (django_tasks_db) that carries "run this job", if any.
    task_id = models.UUIDField(null=True, blank=True)
    error = models.CharField(max_length=10, choices=Failure.choices, blank=True)
    # The key the job's secret inputs and its result are sealed under. SET_NULL:
    # destroying a person deletes their key, and what was sealed under it
    # stops opening; the cleanup then drops the bytes.
    data_key = models.ForeignKey(
        DataKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True when data_key is the job's own (a result without a person's data):
    # the cleanup destroys it with the result.
    own_key = models.BooleanField(default=False)
    secret = EncryptedTextField(_("sealed inputs"))
    result_type = models.CharField(max_length=100, blank=True)
    result_name = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "state"], name="job_agency_state"),
            models.Index(fields=["created_by", "-created_at"], name="job_creator_latest"),
            models.Index(fields=["expires_at"], name="job_expiry"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk}"

    def data_key_bytes(self) -> bytes:
        cached: bytes | None = self.__dict__.get("_data_key_plain")
        if cached is None:
            if self.data_key is None:
                raise keys.KeyUnavailable("the job's data key is gone")
            cached = keys.data_key_open(self.data_key)
            self.__dict__["_data_key_plain"] = cached
        return cached

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


MAX_ATTEMPTS = 3


class JobResult(models.Model):
    """The sealed bytes of a job's result, read only to hand them out."""

    job = models.OneToOneField(Job, primary_key=True, on_delete=models.CASCADE, related_name="+")
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"result of job {self.job_id}"


class Worker(models.Model):
    """A worker process (``manage.py jobs_worker``) and when it was last
    seen: a running job whose worker is gone is taken again."""

    id = models.CharField(primary_key=True, max_length=64)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["seen_at"], name="jobworker_seen")]

    def __str__(self) -> str:
        return f"worker {self.id}"
