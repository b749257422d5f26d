"""Real local installs under a temporary folder, run through ``manage.py`` in
subprocesses, for the tests that search the raw bytes of the database files.

Migrating and seeding cost such a test most of its time and give the same
result every time, so each is done once per run (shared by the xdist workers
through a lock file) and the folder is copied into each test's own: keys,
database and any -wal or -shm file, byte for byte what the test would have
made by running the same commands itself. Everything a test then does runs
in its own copy.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from haven.core.keyfiles import read_secret

ROOT = Path(__file__).resolve().parents[1]


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A local install under ``tmp_path``: its own keys, nothing from the test run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HAVEN_", "DATABASE_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update({"HAVEN_ENV": "local", "HAVEN_VAR_DIR": str(tmp_path), **extra})
    return env


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}"
    return result.stdout


def install_copy(source: Path, target: Path) -> dict[str, str]:
    """Copy the install at ``source`` into ``target``; the environment that runs it."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    return subprocess_env(target)


def _made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable) -> Path:
    """The folder ``name``, made by ``make(folder)`` once for the whole run."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of this run, and only by them
    folder = base / name
    done = base / f"{name}.done"
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def migrated_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated local install (copy it with ``install_copy``)."""

    def make(folder: Path) -> None:
        manage("migrate", "-v0", env=subprocess_env(folder))

    return _made_once(tmp_path_factory, "migrated-install", make)


@pytest.fixture(scope="session")
def seeded_install(
    tmp_path_factory: pytest.TempPathFactory, migrated_install: Path
) -> tuple[Path, str]:
    """A migrated local install after ``seed_demo``, and what the seed printed."""

    def make(folder: Path) -> None:
        env = install_copy(migrated_install, folder)
        summary = manage("seed_demo", env=env)
        (folder.parent / "seeded-install.out").write_text(summary, encoding="utf-8")

    folder = _made_once(tmp_path_factory, "seeded-install", make)
    return folder, (folder.parent / "seeded-install.out").read_text(encoding="utf-8")


def postgres_url() -> str:
    """The test server's URL for libpq; skips the test off PostgreSQL."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("DATABASE_URL does not point at PostgreSQL (make test-postgres runs this)")
    # libpq reads only these two schemes; django-environ knows a few more.
    return urlsplit(read_secret("DATABASE_URL"))._replace(scheme="postgresql").geturl()


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped afterwards."""
    url = postgres_url()
    name = f"haven_test_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
