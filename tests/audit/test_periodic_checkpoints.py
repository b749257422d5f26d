"""Checkpoints on a schedule: the job worker takes one whenever the newest
in the folder is HAVEN_CHECKPOINT_INTERVAL old, in a thread of its own."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest

from haven.audit.checkpoint_files import checkpoint_when_due, checkpoints_read
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.jobs.management.commands.jobs_worker import _Checkpointing
from tests.audit.anchoring import rewrite_from, take_checkpoint

HOUR = timedelta(hours=1)


@pytest.fixture
def trail(admin_user, clock):
    for _ in range(3):
        clock.advance(seconds=1)
        last = audit_record(action=Action.ROLES_CHANGED, actor=admin_user, object_type="user")
    return last.seq


@pytest.mark.django_db
def test_a_checkpoint_is_taken_when_the_newest_is_an_interval_old(folder, trail, clock):
    recorded, wait = checkpoint_when_due(every=HOUR)
    assert recorded is not None
    assert recorded.path.parent == folder
    assert wait == 3600
    clock.advance(minutes=59)
    recorded, wait = checkpoint_when_due(every=HOUR)
    assert recorded is None
    assert wait == 60
    clock.advance(minutes=1)
    recorded, _ = checkpoint_when_due(every=HOUR)
    assert recorded is not None
    assert len(checkpoints_read(folder).checkpoints) == 2


@pytest.mark.django_db
def test_a_checkpoint_dated_in_the_future_does_not_put_the_next_one_off(folder, trail, clock):
    clock.advance(days=3)
    take_checkpoint(clock)
    clock.advance(days=-3)
    recorded, _ = checkpoint_when_due(every=HOUR)
    assert recorded is not None


@pytest.mark.django_db
def test_the_workers_round_logs_what_the_operator_must_fix(settings, trail, caplog):
    settings.HAVEN_CHECKPOINT_DIR = None
    with caplog.at_level(logging.ERROR, logger="haven.jobs.management.commands.jobs_worker"):
        wait = _Checkpointing(HOUR).round()
    assert wait == 3600
    assert "audit checkpoint not taken: no checkpoint folder: set HAVEN_CHECKPOINT_DIR" in (
        caplog.text
    )


@pytest.mark.django_db
def test_the_workers_round_logs_a_chain_that_no_longer_holds_its_checkpoint(
    folder, trail, clock, agency, caplog
):
    take_checkpoint(clock)
    rewrite_from(agency.pk, 2)
    clock.advance(hours=1)
    with caplog.at_level(logging.ERROR, logger="haven.jobs.management.commands.jobs_worker"):
        _Checkpointing(HOUR).round()
    assert f"audit chain no longer holds its checkpoint: chain {agency.pk}: event " in caplog.text
    assert checkpoints_read(folder).newest.unmatched == {agency.pk}


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_takes_one_as_it_starts_and_stops_when_asked(folder, trail):
    thread = _Checkpointing(HOUR)
    thread.start()
    try:
        deadline = time.monotonic() + 60  # a busy machine: never a timing assertion
        while not list(folder.glob("checkpoint-*.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
    assert not thread.is_alive()
    assert len(checkpoints_read(folder).checkpoints) == 1


def test_the_worker_takes_checkpoints_unless_told_not_to(settings, tmp_path):
    from haven.jobs.management.commands.jobs_worker import _checkpointing

    settings.HAVEN_CHECKPOINT_DIR = tmp_path
    settings.HAVEN_CHECKPOINT_INTERVAL = 600
    thread = _checkpointing()
    assert thread is not None
    assert thread.every == timedelta(minutes=10)
    settings.HAVEN_CHECKPOINT_INTERVAL = 0
    assert _checkpointing() is None
    # Production without a folder: started, to say at every round what is missing.
    settings.HAVEN_CHECKPOINT_INTERVAL = 3600
    settings.HAVEN_CHECKPOINT_DIR = None
    assert _checkpointing() is None
    settings.PRODUCTION = True
    assert _checkpointing() is not None
