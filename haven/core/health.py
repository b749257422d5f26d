"""Health checks: whether this installation can do its work now.

A check is a name and a function answering True (ok) or False (fail); one
rule per check, registered once. Core registers those it owns (the
database, the keys, the migrations, the disk); an app above registers its
own in its ``AppConfig.ready()`` (the jobs app: "worker"). ``/readyz`` and
``manage.py check_health`` ask every check and say "ok" or "fail" for each,
nothing more: no path, no version, no error's text. A check that raises
fails.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from haven.core.keyfiles import read_secret
from haven.core.keys import agency_secrets
from haven.core.ledger import KEY_NAME, ledger_path
from haven.core.models import AgencyKey

logger = logging.getLogger(__name__)

OK = "ok"
FAIL = "fail"

_CHECKS: dict[str, Callable[[], bool]] = {}


def register(name: str, check: Callable[[], bool]) -> None:
    _CHECKS[name] = check


def registered() -> list[str]:
    return list(_CHECKS)


def health() -> dict[str, str]:
    """Every check's answer, "ok" or "fail", in the order registered."""
    answers: dict[str, str] = {}
    for name, check in _CHECKS.items():
        try:
            passed = bool(check())
        except Exception as error:  # the type only: a message may hold a path
            logger.warning("health check %s failed: %s", name, type(error).__name__)
            passed = False
        answers[name] = OK if passed else FAIL
    return answers


def healthy(answers: dict[str, str]) -> bool:
    return all(answer == OK for answer in answers.values())


# --- Core's checks ---------------------------------------------------------------------


class _Probe(Exception):
    """Undoes the database check's write."""


def database_writable() -> bool:
    """A row written and rolled back: the database takes writes (not read
    only, not locked for good, not out of space)."""
    try:
        with transaction.atomic():
            MigrationRecorder.Migration.objects.create(app="haven.health", name="probe")
            raise _Probe
    except _Probe:
        return True


_migrated = [False]


def migrations_applied() -> bool:
    """No migration of the code left to apply (remembered once true: a
    running process's code does not change)."""
    if not _migrated[0]:
        executor = MigrationExecutor(connection)
        _migrated[0] = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated[0]


def _secret_readable(name: str) -> bool:
    if read_secret(name):
        return True
    return bool(Path(settings.KEY_DIR, name.lower().removeprefix("haven_")).read_text().strip())


def keys_readable() -> bool:
    """The key files (or variables) can be read now, and the master key
    opens the newest agency key."""
    if not (_secret_readable("HAVEN_MASTER_KEY") and _secret_readable("HAVEN_SECRET_KEY")):
        return False
    newest = AgencyKey.objects.order_by("-pk").values_list("agency_id", "version").first()
    if newest is not None:
        agency_secrets(newest[0], newest[1])
    return True


def ledger_writable() -> bool:
    """The destruction ledger and its key are there, and a destruction can
    append to the ledger (haven.core.ledger): without it, destroying a
    person would fail, and a restore would refuse."""
    path = ledger_path()
    key = path.parent / KEY_NAME
    return path.is_file() and key.is_file() and os.access(path, os.R_OK | os.W_OK)


def _database_folder() -> Path:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) not in (
        "",
        ":memory:",
    ):
        folder = Path(str(database["NAME"])).parent
        if folder.exists():
            return folder
    return Path(settings.VAR_DIR)


def disk_has_room() -> bool:
    """The disk holding the database (or, on PostgreSQL, Haven's own
    folder) has at least HAVEN_READY_MIN_FREE_MB free."""
    free = shutil.disk_usage(_database_folder()).free
    minimum: int = settings.HAVEN_READY_MIN_FREE_MB * 1024 * 1024
    return free >= minimum


def register_core_checks() -> None:
    register("database", database_writable)
    register("keys", keys_readable)
    register("migrations", migrations_applied)
    register("ledger", ledger_writable)
    register("disk", disk_has_room)
