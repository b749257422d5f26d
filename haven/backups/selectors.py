"""Reading another database's audit trail: the one a restore replaces.

``restore --previous`` names the database that was lost or damaged (a path
to its SQLite file, or a database URL). Its audit trail says which records
were made after the backup; audit rows hold ids and codes only, so what is
read here is safe to print.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

_TABLE = "audit_auditevent"


class PreviousUnreadable(Exception):
    """The previous database cannot be read, or is not this backup's installation."""


@dataclass(frozen=True)
class TrailEvent:
    chain: int
    seq: int
    object_type: str
    object_id: str
    action: str


def _connect(previous: str) -> Any:
    parts = urlsplit(previous)
    try:
        if parts.scheme in {"postgres", "postgresql", "pgsql"}:
            return psycopg.connect(parts._replace(scheme="postgresql").geturl())
        path = Path(parts.path if parts.scheme == "sqlite" else previous)
        if not path.is_file():
            raise PreviousUnreadable(f"the previous database {path} is not a file")
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except (sqlite3.Error, psycopg.Error) as error:
        raise PreviousUnreadable(f"the previous database does not open: {error}") from error


def trail_after(previous: str, heads: Mapping[int, tuple[int, str]]) -> list[TrailEvent]:
    """Every audit event of ``previous`` later than ``heads`` (chain: position, hash).

    Refuses a trail that does not hold the same event at each head: that
    database is not the one this backup was taken from.
    """
    database = _connect(previous)
    mark = "?" if isinstance(database, sqlite3.Connection) else "%s"
    try:
        cursor = database.cursor()
        for chain, (seq, hash_) in heads.items():
            cursor.execute(
                f"SELECT hash FROM {_TABLE} WHERE chain = {mark} AND seq = {mark}",  # noqa: S608
                [chain, seq],
            )
            row = cursor.fetchone()
            if row is None or row[0] != hash_:
                raise PreviousUnreadable(
                    f"the previous database's audit chain {chain} does not hold this backup's "
                    f"event at position {seq}: it is not the database this backup was taken from"
                )
        cursor.execute(f"SELECT DISTINCT chain FROM {_TABLE} ORDER BY chain")  # noqa: S608
        found: list[TrailEvent] = []
        for (chain,) in cursor.fetchall():
            cursor.execute(
                f"SELECT seq, object_type, object_id, action FROM {_TABLE} "  # noqa: S608
                f"WHERE chain = {mark} AND seq > {mark} ORDER BY seq",
                [chain, heads.get(int(chain), (0, ""))[0]],
            )
            found += [
                TrailEvent(int(chain), int(s), str(t), str(i), str(a)) for s, t, i, a in cursor
            ]
    except (sqlite3.Error, psycopg.Error) as error:
        raise PreviousUnreadable(
            f"the previous database's audit trail cannot be read: {error}"
        ) from error
    finally:
        database.close()
    return found


def by_object_type(events: Iterable[TrailEvent]) -> dict[str, dict[str, list[str]]]:
    """By object type, each object's id and the actions done to it, in order, each once."""
    grouped: dict[str, dict[str, dict[str, None]]] = {}
    for event in events:
        if event.object_type and event.object_id:
            actions = grouped.setdefault(event.object_type, {}).setdefault(event.object_id, {})
            actions[event.action] = None
    return {
        kind: {object_id: list(actions) for object_id, actions in ids.items()}
        for kind, ids in sorted(grouped.items())
    }
