"""What the harnesses share: Django set up once, a migrated database in
memory, coverage only where it helps, and atheris started the same way.

A harness is a module with ``TestOneInput(data: bytes)``: it feeds the bytes
to one parser, lets the parser's documented refusals pass and lets anything
else (any other exception) out, which atheris reports as a crash and saves.
A hang is a crash too: the runner (fuzz/run.py) gives each input a time limit.

Harnesses that touch the database run on SQLite in memory, loaded from a
template migrated once per set of migrations (migrating takes ten seconds;
loading the template, a tenth of one), so every fuzzing process starts from
the same schema and the shipped rows the migrations write.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import os
import sqlite3
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
VAR = Path(os.environ.get("HAVEN_FUZZ_DIR", str(ROOT / "var" / "fuzz")))


def django_setup() -> None:
    """Django under the test settings, once. Where Django already runs (a
    test that imports a harness), nothing changes."""
    from django.apps import apps

    if apps.ready:
        return
    sys.path.insert(0, str(ROOT))
    os.environ["HAVEN_ENV"] = "test"
    os.environ.setdefault("HAVEN_VAR_DIR", str(VAR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    # Refusals are logged as warnings; a million of them say nothing.
    os.environ.setdefault("HAVEN_LOG_LEVEL", "ERROR")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()


def _template() -> Path:
    """The migrated template database, built once per set of migrations."""
    migrations = sorted((ROOT / "haven").glob("*/migrations/*.py"))
    digest = hashlib.sha256()
    for path in migrations:
        digest.update(path.name.encode() + path.read_bytes())
    template = VAR / f"template-{digest.hexdigest()[:12]}.sqlite3"
    if template.exists():
        return template
    VAR.mkdir(parents=True, exist_ok=True)
    # Several harnesses may start at once: one builds, the others wait for it.
    with (VAR / "template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            partial = template.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            env = {
                **os.environ,
                "HAVEN_ENV": "test",
                "HAVEN_VAR_DIR": str(VAR),
                "HAVEN_LOG_LEVEL": "ERROR",
                "DATABASE_URL": f"sqlite:///{partial}",
            }
            subprocess.run(  # noqa: S603 (this interpreter and the project's manage.py)
                [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
                env=env,
                check=True,
                cwd=ROOT,
            )
            partial.rename(template)
    return template


def database() -> None:
    """Fill the in-memory database from the template (after django_setup)."""
    from django.db import connection

    connection.ensure_connection()
    source = sqlite3.connect(_template())
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def instrument(*modules: str) -> int:
    """Coverage for the functions of ``modules`` (and their submodules),
    already imported. ``atheris.instrument_imports`` only sees modules
    imported inside it, and Django imports most of the project while it sets
    up; ``atheris.instrument_all`` would instrument all of Django too, which
    slows every input for coverage of code that is not the parser's. This
    instruments what the harness names, the same way (``instrument_func``)."""
    import atheris

    count = 0
    for obj in gc.get_objects():
        # type(), not isinstance(): a lazy object (Django's admin site) would
        # set itself up when asked for its __class__.
        if type(obj) is types.FunctionType and _within(obj.__module__ or "", modules):
            atheris.instrument_func(obj)
            count += 1
    return count


def fuzz(test_one_input: Callable[[bytes], None]) -> NoReturn:
    """Hand the harness to atheris; libFuzzer's flags come from the command
    line (fuzz/run.py passes them)."""
    import atheris

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
    raise SystemExit(0)  # atheris.Fuzz exits the process itself
