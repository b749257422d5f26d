"""A real worker process (``manage.py jobs_worker``) against a local install
on disk, SQLite or PostgreSQL: killed with SIGKILL in the middle of a job,
the next worker takes the job again and finishes it once, its result
sealed; jobs that were waiting when the worker died run after the restart,
and so does one the old threads left waiting without a queue row."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.installs import ROOT, install_copy, manage, subprocess_env
from tests.jobs import kinds

HARNESS = str(Path(__file__).with_name("harness.py"))
DEADLINE = 180  # seconds: a busy machine, never a timing assertion


def harness(*args: str, env: dict[str, str]) -> object:
    result = subprocess.run(
        [sys.executable, HARNESS, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, HARNESS, "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def wait_for(found, what: str) -> object:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"still waiting for {what}")


def kill_mid_run_and_restart(folder: Path, env: dict[str, str]) -> None:
    first_job, second_job, left_job = harness("start", env=env)
    first = worker(env)
    try:
        # The first slow job is running (its first attempt marked itself).
        wait_for(lambda: list(folder.glob("attempt-1-*")), "the first attempt to start")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)  # reaped: its pid names no process any more
    finally:
        stop(first)
    running = harness("report", first_job, second_job, left_job, env=env)
    assert running[first_job]["state"] == "running"  # a SIGKILL leaves no goodbye
    assert running[second_job]["state"] == "queued"
    assert running[left_job]["queue"] == []  # nothing would ever run it
    (folder / "gate").touch()
    second = worker(env)
    try:
        done = wait_for(
            lambda: (
                (report := harness("report", first_job, second_job, left_job, env=env))
                and all(job["state"] == "done" for job in report.values())
                and report
            ),
            "every job to finish after the restart",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=60)
        finally:
            stop(second)
    assert isinstance(done, dict)
    killed = done[first_job]
    assert killed["attempt"] == 2
    assert killed["results"] == 1  # one result, not two
    assert not killed["plaintext_in_table"]  # sealed
    assert killed["opened"] == kinds.SLOW_RESULT  # and it opens
    assert killed["started_events"] == 1
    # The killed attempt's queue row is marked failed, saying nothing more.
    assert killed["queue"] == ["FAILED", "SUCCESSFUL"]
    assert killed["queue_tracebacks"] == ["", ""]
    assert (done[second_job]["attempt"], done[second_job]["results"]) == (1, 1)
    assert done[second_job]["opened"] == kinds.SLOW_RESULT
    assert (done[left_job]["attempt"], done[left_job]["queue"]) == (1, ["SUCCESSFUL"])
    assert done[left_job]["opened"] == "n\n1\n2\n"


def test_a_killed_worker_s_job_finishes_once_after_the_restart_on_sqlite(
    tmp_path, migrated_install
):
    env = install_copy(migrated_install, tmp_path)
    kill_mid_run_and_restart(tmp_path, env)
    needle = kinds.SLOW_RESULT.encode()
    for path in tmp_path.glob("haven.sqlite3*"):
        assert needle not in path.read_bytes(), f"{path.name} holds a result in the clear"


def test_a_killed_worker_s_job_finishes_once_after_the_restart_on_postgres(
    tmp_path, fresh_postgres
):
    env = subprocess_env(tmp_path, DATABASE_URL=fresh_postgres)
    manage("migrate", "-v0", env=env)
    kill_mid_run_and_restart(tmp_path, env)
