"""The destruction ledger: a record, outside the database, of everything
destroyed, so that a restore of an older backup destroys it again (ADR 27).

``destructions.ledger`` lives in the key folder (``HAVEN_LEDGER_DIR``,
``KEY_DIR`` by default), one JSON object per line, appended and fsynced
under an exclusive lock, so every web process and worker can write to it.
Each line carries random ids only (a person's id, data key ids, the model
label of the rows to delete) and an HMAC-SHA-256 over the previous line's
MAC and its own content, under ``ledger.key`` beside it: a line changed,
dropped or inserted by someone without that key breaks the chain. The
first line names the ledger (a random id) so that a restore can tell the
installation's ledger from a new, empty one.

A destruction writes an *intent* line inside its transaction, before the
commit, and a *done* line once it commits. A restore re-applies every
entry, intents without a done line included: the destruction was asked for
and allowed, and erring toward destruction is what the person asked for.
Re-applying is idempotent (deleting what is already gone does nothing).

Nothing here audits (core sits below the audit trail):
``haven.audit.destructions`` is the audited face of ``ledger_reapply`` and
of going on without a ledger.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from haven.core.keyfiles import ensure_key_file

LEDGER_NAME = "destructions.ledger"
KEY_NAME = "ledger.key"
# Where a chain starts: the MAC before the first line.
_ORIGIN = "0" * 64
# How much of the end the tail reader reads first; it reads more for a
# longer line (a destruction of many expired results).
_TAIL_BYTES = 64 * 1024


class LedgerMissing(Exception):
    """There is no ledger where the settings say it lives."""


class LedgerBroken(Exception):
    """A line of the ledger does not verify: it was changed, dropped or
    added by something other than Haven."""


@dataclass(frozen=True)
class LedgerHead:
    ledger_id: str
    seq: int
    digest: str


@dataclass(frozen=True)
class Destruction:
    """One intent line: what a destruction removed."""

    entry: str
    seq: int
    at: str
    kind: str
    keys: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    done: bool


@dataclass(frozen=True)
class ReapplyReport:
    entries: int  # destructions in the ledger
    applied: int  # of them, those that still found something to remove
    unfinished: int  # intents that never got their done line
    rows_removed: int
    keys_removed: int


def ledger_dir() -> Path:
    return Path(settings.HAVEN_LEDGER_DIR)


def ledger_path() -> Path:
    return ledger_dir() / LEDGER_NAME


def _key(*, create: bool = False) -> bytes:
    path = ledger_dir() / KEY_NAME
    if not create and not path.exists():
        raise LedgerMissing(f"no destruction ledger key at {path}")
    secret = ensure_key_file(path)
    return hashlib.sha256(b"haven-destruction-ledger|" + secret.encode("utf-8")).digest()


def _mac(key: bytes, previous: str, body: dict[str, Any]) -> str:
    content = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, f"{previous}|{content}".encode(), "sha256").hexdigest()


@contextmanager
def _locked() -> Iterator[IO[bytes]]:
    """The ledger open for appending, under an exclusive lock across
    processes; made (with its first line) if it does not exist."""
    folder = ledger_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(ledger_path(), os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            if os.fstat(handle.fileno()).st_size == 0:
                _write(
                    handle, _key(create=True), None, {"type": "genesis", "ledger": uuid.uuid4().hex}
                )
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _last(handle: IO[bytes]) -> dict[str, Any] | None:
    size = os.fstat(handle.fileno()).st_size
    if size == 0:
        return None
    window = _TAIL_BYTES
    while True:
        start = max(0, size - window)
        handle.seek(start)
        tail = handle.read().rstrip(b"\n")
        # The last line is whole once a newline precedes it, or the window
        # reaches the start of the file.
        if b"\n" in tail or start == 0:
            last: dict[str, Any] = json.loads(tail.rsplit(b"\n", 1)[-1])
            return last
        window *= 4


def _write(
    handle: IO[bytes], key: bytes, last: dict[str, Any] | None, fields: dict[str, Any]
) -> dict[str, Any]:
    body = {
        "seq": 0 if last is None else int(last["seq"]) + 1,
        "at": timezone.now().isoformat(),
        **fields,
    }
    line = {**body, "mac": _mac(key, _ORIGIN if last is None else last["mac"], body)}
    handle.write(json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    handle.flush()
    os.fsync(handle.fileno())
    return line


def _append(fields: dict[str, Any]) -> dict[str, Any]:
    with _locked() as handle:
        return _write(handle, _key(), _last(handle), fields)


def ledger_ensure() -> LedgerHead:
    """Make the ledger if it does not exist yet (at migrate and before a
    backup), and answer its head."""
    with _locked():
        pass
    return ledger_head()


# --- Recording ----------------------------------------------------------------------


def destruction_record(
    kind: str,
    *,
    key_ids: Iterable[object] = (),
    rows: Sequence[tuple[str, Iterable[object]]] = (),
) -> str:
    """Write the intent of a destruction, inside the transaction that
    carries it out; its done line follows when that transaction commits.

    ``kind``: a short code ("person", "concern", "keys"). ``key_ids``: the
    data keys deleted. ``rows``: (model label, ids) deleted, in the order a
    restore deletes them (rows first, then keys). Ids only, never a value.
    """
    entry = uuid.uuid4().hex
    _append(
        {
            "type": "intent",
            "entry": entry,
            "kind": kind,
            "keys": sorted(str(k) for k in key_ids),
            "rows": [[label, sorted(str(i) for i in ids)] for label, ids in rows],
        }
    )
    transaction.on_commit(lambda: _append({"type": "done", "entry": entry}))
    return entry


# --- Reading ------------------------------------------------------------------------


def _lines() -> Iterator[tuple[int, dict[str, Any]]]:
    path = ledger_path()
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise LedgerMissing(f"no destruction ledger at {path}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, json.loads(raw)
            except ValueError:
                raise LedgerBroken(
                    f"line {number} of the destruction ledger is not a record"
                ) from None


def _verified() -> tuple[LedgerHead, list[dict[str, Any]]]:
    key = _key()
    previous, ledger_id, seq = _ORIGIN, "", -1
    records: list[dict[str, Any]] = []
    for number, line in _lines():
        if not isinstance(line, dict) or "mac" not in line:
            raise LedgerBroken(f"line {number} of the destruction ledger is not a record")
        body = {k: v for k, v in line.items() if k != "mac"}
        expected = _mac(key, previous, body)
        if not hmac.compare_digest(expected, str(line["mac"])) or body.get("seq") != seq + 1:
            raise LedgerBroken(f"line {number} of the destruction ledger does not verify")
        if seq == -1:
            if body.get("type") != "genesis":
                raise LedgerBroken("the destruction ledger does not start with its name")
            ledger_id = str(body["ledger"])
        records.append(body)
        previous, seq = expected, seq + 1
    if seq == -1:
        raise LedgerBroken("the destruction ledger is empty")
    return LedgerHead(ledger_id=ledger_id, seq=seq, digest=previous), records


def ledger_head() -> LedgerHead:
    """The last line's position and MAC, once every line verified."""
    return _verified()[0]


def ledger_destructions() -> list[Destruction]:
    """Every destruction the ledger holds, oldest first, verified."""
    _head, records = _verified()
    done = {r["entry"] for r in records if r.get("type") == "done"}
    return [
        Destruction(
            entry=r["entry"],
            seq=r["seq"],
            at=r["at"],
            kind=r["kind"],
            keys=tuple(r["keys"]),
            rows=tuple((label, tuple(ids)) for label, ids in r["rows"]),
            done=r["entry"] in done,
        )
        for r in records
        if r.get("type") == "intent"
    ]


# --- Re-applying --------------------------------------------------------------------


def ledger_reapply() -> ReapplyReport:
    """Carry out every destruction of the ledger again in this database
    (after a restore), then wipe the freed pages. Idempotent."""
    from haven.core.models import DataKey

    destructions = ledger_destructions()
    applied = rows_removed = keys_removed = 0
    for destruction in destructions:
        removed = 0
        with transaction.atomic():
            for label, ids in destruction.rows:
                model = apps.get_model(label)
                removed += model.objects.filter(pk__in=list(ids)).delete()[0]
            gone = DataKey.objects.filter(pk__in=list(destruction.keys)).delete()[0]
        rows_removed += removed
        keys_removed += gone
        applied += 1 if removed or gone else 0
    if applied:
        wipe_freed_space()
    return ReapplyReport(
        entries=len(destructions),
        applied=applied,
        unfinished=sum(1 for d in destructions if not d.done),
        rows_removed=rows_removed,
        keys_removed=keys_removed,
    )


def wipe_freed_space() -> None:
    """Rewrite the database so no deleted row survives in a free page or an
    old tuple: SQLite's VACUUM (secure_delete is on), PostgreSQL's VACUUM FULL.
    Neither runs inside a transaction: within one, it waits for the commit."""
    if connection.in_atomic_block:
        transaction.on_commit(wipe_freed_space)
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            cursor.execute("VACUUM FULL")
