"""Background jobs: run inline under test and by a worker from the queue;
report progress, throttled; belong to their creator alone; fail plainly when
they crash or are refused; are taken again when their worker dies, to one
result; wait within the limits and during a lockdown; and drop their results
(and their own keys) after a day."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from haven.accounts.middleware import PASSIVE_PATHS, SEEN
from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.jobs import holds, services
from haven.jobs.models import MAX_ATTEMPTS, Failure, Job, JobResult, State, Worker
from haven.jobs.registry import JobOutput, Progress, kind_of
from haven.jobs.services import (
    QUEUED_PER_USER,
    RUNNING_PER_AGENCY,
    _claim,
    _execute,
    job_for,
    job_result_open,
    job_start,
    jobs_enqueue_waiting,
    jobs_expire,
    jobs_reap,
    params_check,
)
from haven.jobs.workers import host_name, workers_gone
from haven.safety.lockdown import lockdown_start
from haven.safety.models import Lockdown
from tests.factories import make_staff
from tests.jobs import kinds
from tests.safety.conftest import designate, second_factor

pytestmark = pytest.mark.django_db

CSV = b"n\n1\n2\n3\n"


def start(user, run_now=None, **params):
    return job_start(actor=user, kind="tests.count", params=params, run_now=run_now)


def test_a_job_runs_inline_under_test_with_a_key_of_its_own(advocate):
    job = start(advocate, rows=3)
    assert (job.state, job.done, job.total, job.error) == (State.DONE, 3, 3, "")
    assert job.own_key
    assert job.data_key_id is not None
    assert (job.result_type, job.result_name, job.result_size) == (
        "text/csv",
        "count.csv",
        len(CSV),
    )
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    sealed = bytes(JobResult.objects.get(job_id=job.pk).sealed)
    assert CSV not in sealed  # sealed, not stored in the clear
    _job, data = job_result_open(actor=advocate, job_id=job.pk)
    assert data == CSV
    started = AuditEvent.objects.get(action=Action.JOB_STARTED)
    assert started.detail == {"job": str(job.pk), "kind": "tests.count"}
    # A result of no one in particular: its download is not audited.
    assert not AuditEvent.objects.filter(action=Action.JOB_RESULT_DOWNLOADED).exists()


def test_progress_reaches_the_row_as_the_job_goes(advocate):
    start(advocate, rows=3)
    # The first call and a change of step are written at once.
    assert kinds.SEEN[0] == (1, 3, "counting")


def test_progress_writes_at_most_a_few_times_a_second(advocate):
    job = Job.objects.create(
        agency_id=advocate.agency_id, created_by=advocate, kind="tests.count", state="running"
    )
    now = [100.0]
    progress = Progress(job, clock=lambda: now[0])
    progress(1, 10, "counting")
    for n in range(2, 10):
        now[0] += 0.01
        progress(n, 10, "counting")
    row = Job.objects.get(pk=job.pk)
    assert (row.done, row.total, row.label, progress.writes) == (1, 10, "counting", 1)
    now[0] += 0.3
    progress(9, 10, "counting")
    assert Job.objects.values_list("done", flat=True).get(pk=job.pk) == 9
    progress(10, 10, "counting")
    progress.flush()
    assert Job.objects.values_list("done", flat=True).get(pk=job.pk) == 10
    assert progress.writes == 3
    with pytest.raises(ValueError, match="not a step"):
        progress(1, 10, "not a step")
    progress(50, 10)  # clamped, never past the total
    assert Job.objects.values_list("done", "total", "label").get(pk=job.pk) == (10, 10, "")


@pytest.mark.parametrize(
    "params",
    [
        {"name": "Maria Synthetic"},
        {"note": "free text, with spaces"},
        {"ids": ["a b"]},
        {"Bad Key": "x"},
        {"nested": {"a": 1}},
        {"long": "x" * 65},
    ],
)
def test_parameters_are_ids_and_choices_only(advocate, params):
    with pytest.raises(ValueError, match="parameter"):
        params_check(params)
    with pytest.raises(ValueError, match="parameter"):
        job_start(actor=advocate, kind="tests.count", params=params)
    assert not Job.objects.exists()


def test_an_unknown_kind_is_refused(advocate):
    with pytest.raises(ValueError, match="no job kind"):
        job_start(actor=advocate, kind="tests.nothing", params={})


def test_kinds_are_registered_at_start_up():
    assert kind_of("exports.record") is not None


def test_a_file_name_that_could_name_someone_is_refused():
    for name in ("Maria Synthetic.pdf", "../x.csv", "", "a/b.csv"):
        with pytest.raises(ValueError, match="file name"):
            JobOutput(content=b"", content_type="text/csv", filename=name)


# --- Pages -----------------------------------------------------------------------------


def test_the_page_shows_progress_and_polls_while_running(client_for, advocate):
    job = Job.objects.create(
        agency_id=advocate.agency_id,
        created_by=advocate,
        kind="tests.count",
        state=State.RUNNING,
        done=12,
        total=40,
        label="counting",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    client = client_for(advocate)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Counting (test)" in page
    assert 'max="40" value="12"' in page
    assert "12 of 40 steps" in page
    assert "Counting rows" in page
    poll = reverse("jobs:progress", args=[job.pk])
    assert f'hx-get="{poll}" hx-trigger="every 1s"' in page
    assert "<script>" not in page
    partial = client.get(poll, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="job-progress"')
    assert 'hx-trigger="every 1s"' in partial


def test_a_finished_job_stops_polling_and_offers_the_download(client_for, advocate):
    job = start(advocate)
    client = client_for(advocate)
    partial = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial
    assert 'role="alert"' in partial
    assert reverse("jobs:download", args=[job.pk]) in partial
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert response.content == CSV
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="count.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    listing = client.get(reverse("jobs:list")).content.decode()
    assert reverse("jobs:detail", args=[job.pk]) in listing


def test_polling_a_job_is_not_activity(client_for, advocate, settings):
    job = Job.objects.create(
        agency_id=advocate.agency_id,
        created_by=advocate,
        kind="tests.count",
        state=State.RUNNING,
        heartbeat_at=timezone.now(),
    )
    assert f"/jobs/{job.pk}/progress/" in PASSIVE_PATHS
    assert f"/jobs/{job.pk}/" not in PASSIVE_PATHS
    assert "/accounts/session-check/" in PASSIVE_PATHS
    client = client_for(advocate)
    idle = settings.HAVEN_IDLE_TIMEOUT.total_seconds()
    almost = time.time() - idle + 30
    session = client.session
    session[SEEN] = almost
    session.save()
    for _ in range(3):
        assert client.get(reverse("jobs:progress", args=[job.pk])).status_code == 200
    assert client.session[SEEN] == almost
    client.get(reverse("jobs:detail", args=[job.pk]))
    assert client.session[SEEN] > almost


# --- Ownership ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "supervisor", "admin_user", "outsider"])
def test_only_the_creator_sees_polls_and_downloads_a_job(request, client_for, advocate, who):
    job = start(advocate)
    if who == "colleague":
        other = make_staff(agency=advocate.agency, role="advocate", username="t-colleague")
    else:
        other = request.getfixturevalue(who)
    client = client_for(other)
    before = AuditEvent.objects.count()
    for name in ("jobs:detail", "jobs:progress", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.pk}/result").status_code == 404
    assert (
        reverse("jobs:detail", args=[job.pk])
        not in client.get(reverse("jobs:list")).content.decode()
    )
    with pytest.raises(NotFound):
        job_for(other, job.pk)
    assert AuditEvent.objects.count() == before


def test_a_job_that_does_not_exist_is_a_404(client_for, advocate):
    client = client_for(advocate)
    assert client.get(reverse("jobs:detail", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/api/v1/jobs/not-a-uuid").status_code == 404


# --- The API -----------------------------------------------------------------------------


def test_the_api_shows_the_job_and_hands_out_its_result(client_for, advocate):
    job = start(advocate)
    client = client_for(advocate)
    body = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert body["state"] == "done"
    assert (body["done"], body["total"], body["error"]) == (3, 3, "")
    assert body["download_url"] == f"/api/v1/jobs/{job.pk}/result"
    result = client.get(body["download_url"])
    assert result.status_code == 200
    assert result.content == CSV
    assert result["Content-Disposition"] == 'attachment; filename="count.csv"'


# --- Failures -----------------------------------------------------------------------------


def test_a_crash_fails_the_job_with_a_plain_message_and_no_exception_text(
    client_for, advocate, caplog
):
    with caplog.at_level(logging.ERROR):
        job = start(advocate, crash=True)
    assert (job.state, job.error) == (State.FAILED, Failure.CRASHED)
    assert not JobResult.objects.exists()
    page = client_for(advocate).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Something went wrong and the job did not finish" in page
    assert kinds.SECRET not in page
    assert "RuntimeError" in caplog.text  # the operator learns what kind of error, and where
    assert kinds.SECRET not in caplog.text
    body = client_for(advocate).get(f"/api/v1/jobs/{job.pk}").json()
    assert body["download_url"] is None
    assert body["error"].startswith("Something went wrong")


def test_a_refused_job_says_so(advocate):
    job = start(advocate, refuse=True)
    assert (job.state, job.error) == (State.FAILED, Failure.REFUSED)


def test_a_job_whose_worker_stopped_answering_is_taken_again_then_failed(client_for, advocate):
    long_ago = timezone.now() - timedelta(minutes=3)

    def running(**fields):
        return Job.objects.create(
            agency_id=advocate.agency_id,
            created_by=advocate,
            kind="tests.count",
            state=State.RUNNING,
            started_at=long_ago,
            **fields,
        )

    silent = running(heartbeat_at=long_ago, attempt=1, done=4, total=9, label="counting")
    last = running(heartbeat_at=long_ago, attempt=MAX_ATTEMPTS)
    fresh = running(heartbeat_at=timezone.now() - timedelta(seconds=90), attempt=1)
    client = client_for(advocate)
    # Attempts left: back to waiting, its progress from the start.
    page = client.get(reverse("jobs:detail", args=[silent.pk])).content.decode()
    assert "Waiting to start" in page
    silent.refresh_from_db()
    assert (silent.state, silent.attempt, silent.done, silent.label) == (State.QUEUED, 1, 0, "")
    # Out of attempts: failed, in plain words.
    page = client.get(reverse("jobs:detail", args=[last.pk])).content.decode()
    assert "This job stopped before it finished. Start it again." in page
    assert "hx-trigger" not in page
    last.refresh_from_db()
    assert (last.state, last.error) == (State.FAILED, Failure.STOPPED)
    fresh.refresh_from_db()
    assert fresh.state == State.RUNNING


# --- Limits -------------------------------------------------------------------------------


def test_an_agency_runs_at_most_two_jobs_and_the_rest_wait(client_for, advocate, supervisor):
    for who in (advocate, supervisor):
        Job.objects.create(
            agency_id=who.agency_id,
            created_by=who,
            kind="tests.count",
            state=State.RUNNING,
            heartbeat_at=timezone.now(),
        )
    waiting = start(advocate)
    assert waiting.state == State.QUEUED
    page = client_for(advocate).get(reverse("jobs:detail", args=[waiting.pk])).content.decode()
    assert "your agency runs at most 2 jobs at a time" in page
    # When a place frees, the operator's command (or the next worker) runs it.
    Job.objects.filter(state=State.RUNNING).update(state=State.DONE)
    call_command("run_jobs")
    waiting.refresh_from_db()
    assert waiting.state == State.DONE


def test_another_agencys_running_jobs_do_not_hold_ours(advocate, outsider):
    for _ in range(2):
        Job.objects.create(
            agency_id=outsider.agency_id,
            created_by=outsider,
            kind="tests.count",
            state=State.RUNNING,
            heartbeat_at=timezone.now(),
        )
    assert start(advocate).state == State.DONE


def test_a_user_has_at_most_twenty_jobs_waiting(advocate, supervisor):
    Job.objects.bulk_create(
        Job(agency_id=advocate.agency_id, created_by=advocate, kind="tests.count")
        for _ in range(QUEUED_PER_USER)
    )
    with pytest.raises(ValidationError, match="already have 20 jobs waiting"):
        start(advocate)
    assert Job.objects.count() == QUEUED_PER_USER
    # Someone else's queue is their own.
    assert start(supervisor, run_now=False).state == State.QUEUED


# --- Expiry -------------------------------------------------------------------------------


def test_expired_results_are_dropped_with_their_own_keys(client_for, advocate):
    job = start(advocate)
    key_id = job.data_key_id
    assert jobs_expire() == 0
    assert jobs_expire(now=timezone.now() + timedelta(hours=25)) == 1
    assert not JobResult.objects.filter(job_id=job.pk).exists()
    assert not DataKey.objects.filter(pk=key_id).exists()
    job.refresh_from_db()
    assert (job.state, job.data_key_id, job.expires_at) == (State.DONE, None, None)
    client = client_for(advocate)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "The file is no longer available" in page
    assert jobs_expire(now=timezone.now() + timedelta(hours=25)) == 0


def test_a_result_past_its_time_is_not_handed_out_even_before_the_cleanup(client_for, advocate):
    job = start(advocate)
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client_for(advocate).get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_starting_a_job_cleans_up_on_the_way_and_the_command_too(advocate):
    old = start(advocate)
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    start(advocate)
    assert not JobResult.objects.filter(job_id=old.pk).exists()
    newer = start(advocate)
    Job.objects.filter(pk=newer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("expire_jobs")
    assert not JobResult.objects.filter(job_id=newer.pk).exists()


# --- The queue ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_job_is_queued_after_the_commit_and_a_worker_runs_it(advocate):
    job = start(advocate, run_now=False, rows=5)
    job.refresh_from_db()
    assert job.state == State.QUEUED
    queued = DBTaskResult.objects.get(pk=job.task_id)
    # The queue carries the job's id and nothing else.
    assert queued.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}
    call_command("jobs_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.state, job.attempt) == (State.DONE, 1)
    assert job.worker  # the worker's id
    _job, data = job_result_open(actor=advocate, job_id=job.pk)
    assert data == b"n\n1\n2\n3\n4\n5\n"
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert not Worker.objects.exists()  # it said goodbye


@pytest.mark.django_db(transaction=True)
def test_a_crash_in_a_worker_leaves_no_text_in_the_queue(advocate):
    job = start(advocate, run_now=False, crash=True)
    call_command("jobs_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.state, job.error) == (State.FAILED, Failure.CRASHED)
    queued = DBTaskResult.objects.get(pk=job.task_id)
    assert kinds.SECRET not in queued.traceback
    assert kinds.SECRET not in str(queued.return_value)


def test_an_old_attempt_that_wakes_up_keeps_nothing(advocate):
    job = Job.objects.create(
        agency_id=advocate.agency_id,
        created_by=advocate,
        kind="tests.count",
        params={"rows": 2},
    )
    first = _claim(advocate.agency_id, job.pk, worker="w-old")
    assert first is not None
    assert first.attempt == 1
    # Its worker is taken for dead: the job goes back and a new attempt takes it.
    Job.objects.filter(pk=job.pk).update(state=State.QUEUED)
    second = _claim(advocate.agency_id, job.pk, worker="w-new")
    assert second is not None
    assert second.attempt == 2
    _execute(first)  # the old attempt wakes up: stopped at its first step
    assert Job.objects.get(pk=job.pk).state == State.RUNNING
    assert not JobResult.objects.exists()
    _execute(second)
    job.refresh_from_db()
    assert (job.state, job.attempt) == (State.DONE, 2)
    assert JobResult.objects.filter(job_id=job.pk).count() == 1


def test_a_job_whose_worker_process_is_gone_is_taken_again_at_once(advocate):
    job = Job.objects.create(
        agency_id=advocate.agency_id,
        created_by=advocate,
        kind="tests.count",
        state=State.RUNNING,
        attempt=1,
        worker="w-gone",
        heartbeat_at=timezone.now(),
    )
    now = timezone.now()
    # On this host, under a pid no process has.
    Worker.objects.create(id="w-gone", host=host_name(), pid=2**22 + 7, started_at=now, seen_at=now)
    assert workers_gone(["w-gone", ""]) == {"w-gone"}
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert (job.state, job.worker) == (State.QUEUED, "")
    # A worker elsewhere, seen recently, is alive; one silent too long is gone.
    Worker.objects.create(id="w-far", host="elsewhere", pid=1, started_at=now, seen_at=now)
    Worker.objects.create(
        id="w-old", host="elsewhere", pid=1, started_at=now, seen_at=now - timedelta(minutes=5)
    )
    assert workers_gone(["w-far", "w-old"]) == {"w-old"}


def test_a_job_out_of_attempts_fails_and_its_queue_row_too(advocate):
    job = Job.objects.create(
        agency_id=advocate.agency_id,
        created_by=advocate,
        kind="tests.count",
        state=State.RUNNING,
        attempt=MAX_ATTEMPTS,
        worker="w-missing",
        heartbeat_at=timezone.now(),
    )
    queued = services.run_job.enqueue(str(job.pk))
    DBTaskResult.objects.filter(pk=queued.id).update(status="RUNNING")
    Job.objects.filter(pk=job.pk).update(task_id=queued.id)
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert (job.state, job.error) == (State.FAILED, Failure.STOPPED)
    assert DBTaskResult.objects.get(pk=queued.id).status == "FAILED"


def test_waiting_jobs_are_queued_within_the_agencys_places(advocate, supervisor):
    jobs = [
        Job.objects.create(agency_id=advocate.agency_id, created_by=advocate, kind="tests.count")
        for _ in range(3)
    ]
    assert jobs_enqueue_waiting() == RUNNING_PER_AGENCY
    assert jobs_enqueue_waiting() == 0  # already on the queue
    assert DBTaskResult.objects.count() == RUNNING_PER_AGENCY
    queued = set(Job.objects.exclude(task_id=None).values_list("pk", flat=True))
    assert queued == {jobs[0].pk, jobs[1].pk}  # the oldest first


def test_a_lockdown_holds_the_agencys_jobs(admin_user, advocate, outsider):
    designate(admin_user, lockdown=(admin_user,))
    lockdown_start(
        actor=admin_user,
        reason="Synthetic drill",
        days=1,
        second_factor=second_factor(admin_user),
    )
    assert "lockdown" in holds.registered()
    waiting = start(advocate)
    assert waiting.state == State.QUEUED  # waits while the lockdown runs
    assert jobs_enqueue_waiting() == 0
    assert start(outsider).state == State.DONE  # other agencies go on
    # A job already running is refused at its next step.
    running = Job.objects.create(
        agency_id=advocate.agency_id,
        created_by=advocate,
        kind="tests.count",
        state=State.RUNNING,
        attempt=1,
        heartbeat_at=timezone.now(),
    )
    _execute(running)
    running.refresh_from_db()
    assert (running.state, running.error) == (State.FAILED, Failure.REFUSED)
    assert not JobResult.objects.filter(job_id=running.pk).exists()
    Lockdown.objects.filter(agency_id=advocate.agency_id).update(ended_at=timezone.now())
    assert jobs_enqueue_waiting() == 1
