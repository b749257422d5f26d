"""Copying the configured database out and back in, for either kind.

SQLite: the online backup API, which copies a consistent snapshot while
other connections keep writing; the restored file is put in place by a
rename, so a failure leaves the old file as it was. PostgreSQL: ``pg_dump``
in its custom format, and ``pg_restore`` in one transaction, so a failure
leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections


class DatabaseCopyError(Exception):
    """The copy or the restore failed; the message says why, naming no data."""


def kind() -> str:
    """``sqlite`` or ``postgresql``."""
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise DatabaseCopyError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return str(vendor)


# --- SQLite ------------------------------------------------------------------------


def sqlite_copy(target: Path) -> None:
    """A consistent copy of the live database into ``target``, as one file."""
    if connection.in_atomic_block:
        # SQLite's backup waits forever for a connection's own write transaction.
        raise DatabaseCopyError("a backup cannot be taken inside a transaction")
    connection.ensure_connection()
    source = connection.connection
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # One self-contained file: no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise DatabaseCopyError(f"the copy failed: {error}") from error


def sqlite_check(path: Path) -> None:
    """Refuse a file that is not a sound SQLite database."""
    try:
        check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = check.execute("PRAGMA integrity_check").fetchall()
        finally:
            check.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseCopyError(f"the backup's database does not open: {error}") from error
    if result != [("ok",)]:
        raise DatabaseCopyError("the backup's database fails SQLite's integrity check")


def sqlite_target() -> Path | None:
    """The configured database file; None for an in-memory database (the test suite's)."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        return None
    return Path(name)


def sqlite_put_in_place(restored: Path) -> None:
    """Replace the configured database file with ``restored`` (same folder) by a rename."""
    target = sqlite_target()
    if target is None:
        raise DatabaseCopyError("cannot restore into an in-memory database")
    connections.close_all()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(restored, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- PostgreSQL --------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    bindir = os.environ.get("HAVEN_PG_BINDIR", "")
    found = os.path.join(bindir, name) if bindir else shutil.which(name)
    if not found or not os.access(found, os.X_OK):
        raise DatabaseCopyError(
            f"{name} not found: install PostgreSQL's client tools or set HAVEN_PG_BINDIR"
        )
    return found


def _pg_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options for the client tools, and their environment (the password)."""
    db: dict[str, Any] = settings.DATABASES["default"]
    options = db.get("OPTIONS", {})
    arguments = ["--no-password", "--dbname", str(db["NAME"])]
    host = db.get("HOST") or options.get("host")
    for flag, value in (
        ("--host", host),
        ("--port", db.get("PORT")),
        ("--username", db.get("USER")),
    ):
        if value:
            arguments += [flag, str(value)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = str(db["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 (fixed tools, arguments from settings)
            command, env=environment, capture_output=True, check=False, timeout=6 * 3600
        )
    except OSError as error:
        raise DatabaseCopyError(f"{what} could not run: {error.strerror}") from error
    if done.returncode != 0:
        # The tools' messages name objects and settings, never row contents.
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise DatabaseCopyError(f"{what} failed: {message[-1] if message else done.returncode}")


def pg_dump(target: Path) -> None:
    arguments, environment = _pg_arguments()
    command = [_pg_tool("pg_dump"), "--format=custom", "--file", str(target), *arguments]
    _run(command, environment, "pg_dump")


def pg_restore(source: Path) -> None:
    """Restore a custom-format dump into the configured database, all or nothing."""
    arguments, environment = _pg_arguments()
    connections.close_all()
    command = [
        _pg_tool("pg_restore"),
        "--single-transaction",
        "--exit-on-error",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        *arguments,
        str(source),
    ]
    _run(command, environment, "pg_restore")


def pg_dump_is_sound(source: Path) -> None:
    """Refuse a file pg_restore cannot read (it lists the archive's contents)."""
    _run([_pg_tool("pg_restore"), "--list", str(source)], dict(os.environ), "pg_restore --list")


# --- Emptiness ---------------------------------------------------------------------

_ROOTS = {"core.agency", "accounts.user", "audit.auditevent"}


def _is_agency(model: object) -> bool:
    meta = getattr(model, "_meta", None)
    return meta is not None and meta.label_lower == "core.agency"


def data_tables_with_rows() -> list[str]:
    """Tables that hold an installation's own data: agencies, staff, the audit
    trail, and every row that belongs to an agency. Reference data that the
    migrations load (counties, need categories, the taxonomy) is not counted,
    so an empty migrated schema, or no tables at all, is empty."""
    existing = set(connection.introspection.table_names())
    found: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith("haven.") or model._meta.db_table not in existing:
            continue
        label = model._meta.label_lower
        query = model._default_manager.all()
        if label not in _ROOTS:
            agency_fields = [
                f.name
                for f in model._meta.concrete_fields
                if f.is_relation and _is_agency(f.related_model)
            ]
            if not agency_fields:
                continue
            query = query.filter(**{f"{agency_fields[0]}__isnull": False})
        try:
            if query.exists():
                found.append(model._meta.db_table)
        except DatabaseError:
            # A table of an older schema without this column: not Haven's data as we know it.
            continue
    return found
