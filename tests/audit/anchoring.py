"""Helpers for the checkpoint tests: a key folder and a checkpoint folder of
the test's own, a clock the test moves, and what someone holding the
database's password (but not the key folder) can do to the audit table."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from haven.audit import triggers
from haven.audit.chain import GENESIS, event_hash, timestamp
from haven.audit.checkpoint_files import checkpoints_read
from haven.audit.integrity import EVENT_FIELDS
from haven.audit.models import AuditEvent


class Clock:
    """``timezone.now`` for the test: still until moved."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def take_checkpoint(clock: Clock, *extra: str) -> str:
    """``audit_checkpoint`` a minute after the last thing the clock saw; its time."""
    clock.advance(minutes=1)
    out = io.StringIO()
    call_command("audit_checkpoint", *extra, stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("Checkpoint written: ")
    return timestamp(clock.now)


def verify_failure(*extra: str) -> tuple[str, str]:
    """``verify_integrity`` must fail: its message, and every line it wrote."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_integrity", *extra, stdout=io.StringIO(), stderr=err)
    return str(failed.value), err.getvalue()


def verify_ok(*extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_integrity", *extra, stdout=out, stderr=err)
    assert out.getvalue().startswith("OK: "), err.getvalue()
    return out.getvalue(), err.getvalue()


def _rewritten(event: dict[str, Any]) -> None:
    event["object_id"] = "rewritten"


def rewrite_from(
    chain: int, seq: int, change: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """Change the event at ``seq`` (or every event from it that ``change``
    alters) and recompute every hash after it, the append-only triggers
    dropped and then put back: a chain that verifies against itself, as a
    rewrite by someone with the database's password."""
    triggers.remove(connection)
    try:
        previous = GENESIS
        for event in AuditEvent.objects.filter(chain=chain).order_by("seq").values(*EVENT_FIELDS):
            if change is not None and event["seq"] >= seq:
                change(event)
            elif event["seq"] == seq:
                _rewritten(event)
            if event["seq"] >= seq:
                event["prev_hash"] = previous
                event["hash"] = event_hash(event)
                AuditEvent.objects.filter(pk=event["id"]).update(
                    object_id=event["object_id"],
                    detail=event["detail"],
                    prev_hash=event["prev_hash"],
                    hash=event["hash"],
                )
            previous = event["hash"]
    finally:
        triggers.install(connection)


def cut_from(chain: int, seq: int) -> None:
    """Delete the chain's events from ``seq`` on: what is left still verifies."""
    triggers.remove(connection)
    try:
        AuditEvent.objects.filter(chain=chain, seq__gte=seq).delete()
    finally:
        triggers.install(connection)


def event(chain: int, seq: int) -> AuditEvent:
    return AuditEvent.objects.get(chain=chain, seq=seq)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def newest(folder: Path):
    read = checkpoints_read(folder)
    assert read.newest is not None
    return read.newest
