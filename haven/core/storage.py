"""A full disk: the database, or the folder files go to, cannot grow.

SQLite says "database or disk is full" (``SQLITE_FULL``), PostgreSQL answers
SQLSTATE 53100 (``disk_full``), and a file written to a full file system
fails with ``ENOSPC``. Django wraps the database's errors in its own
``OperationalError`` with the driver's error as the cause, so the whole
chain of causes is read. The pages and the API answer it in one place,
``haven.core.middleware.StorageFullMiddleware`` (and ``server_error`` for a
failure outside a view, such as saving the session).
"""

from __future__ import annotations

import errno
import sqlite3

SQLITE_FULL = 13
# PostgreSQL's disk_full, and its class's generic insufficient_resources.
# Not out_of_memory (53200) or too_many_connections (53300): those are not storage.
DISK_FULL_SQLSTATES = frozenset({"53100", "53000"})
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def storage_is_full(error: BaseException) -> bool:
    """Whether ``error``, or an error that caused it, says storage is full."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _says_full(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _says_full(error: BaseException) -> bool:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return int(code) & 0xFF == SQLITE_FULL
        return "database or disk is full" in str(error)
    if getattr(error, "sqlstate", None) in DISK_FULL_SQLSTATES:
        return True
    return isinstance(error, OSError) and error.errno in _NO_SPACE
