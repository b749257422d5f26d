"""Issue 19's "Done means": seed, back up, add a person and a communication,
destroy another person, restore the backup into an empty database. The
restored database verifies, the destroyed person stays destroyed (no row,
no data key, no text in any database file, their case answers 404), and the
operator is told which records made after the backup are missing. On SQLite
and on PostgreSQL (scripts/with-postgres), each run as a real install
through ``manage.py`` in subprocesses."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from haven.core.keyfiles import read_secret
from tests.backups import scenario
from tests.backups.shared import make_identity, needles, plaintext_in
from tests.installs import ROOT, install_copy, manage, subprocess_env


def shell(code: str, env: dict[str, str]) -> dict:
    return scenario.said(manage("shell", "-v0", "-c", code, env=env))


def backup_folder(output: str) -> Path:
    return Path(output.splitlines()[0].removeprefix("Backup written: "))


def refusal(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0, done.stdout
    return done.stderr


def run_scenario(
    tmp_path: Path,
    source: dict[str, str],
    target: dict[str, str],
    previous: str,
    files_of_target: Callable[[], list[bytes]],
) -> None:
    identity = tmp_path / "identity.txt"
    source["HAVEN_BACKUP_RECIPIENT"] = make_identity(identity)
    seeded = shell("from tests.backups.scenario import seed; seed()", source)
    manage("audit_checkpoint", env=source)
    backups = tmp_path / "backups"
    backups.mkdir()
    made = backup_folder(manage("backup", "--to", str(backups), env=source))
    later = shell(
        "from tests.backups.scenario import after_the_backup; "
        f"after_the_backup({seeded['supervisor']}, {seeded['kept_case']!r}, "
        f"{seeded['destroyed_case']!r})",
        source,
    )
    manage("audit_checkpoint", env=source)  # longer chains than the backup's
    # A new machine: the key folder (master key, signing key, ledger) is
    # brought over from its own copy, and the checkpoints too (as when the
    # old machine is restored in place); the database starts empty.
    for kept in ("keys", "checkpoints"):
        shutil.copytree(Path(source["HAVEN_VAR_DIR"]) / kept, Path(target["HAVEN_VAR_DIR"]) / kept)
    report = manage(
        "restore", str(made), "--identity", str(identity), "--previous", previous, env=target
    )

    assert "verify_integrity: ok." in report
    checkpoints = Path(target["HAVEN_VAR_DIR"]) / "checkpoints"
    assert f"Audit checkpoint: written to {checkpoints}/checkpoint-" in report
    assert "WARNING" not in report
    assert "destructions re-applied, 1 of them removed data again" in report
    made_after = report.split("Made after the backup, missing from this restore:")[1]
    made_after = made_after.split("Changed after the backup")[0]
    assert f"person {later['later_person']} (person.created" in made_after
    assert f"case {later['later_case']} (" in made_after
    changed = report.split("Changed after the backup, those changes missing:")[1]
    changed = changed.split("Destroyed after the backup")[0]
    assert f"case {seeded['kept_case']} (" in changed
    assert "communication.recorded" in changed
    assert seeded["destroyed_person"] not in changed
    again = report.split("Destroyed after the backup, destroyed again from the ledger:")[1]
    assert f"person {seeded['destroyed_person']} (person.destroyed)" in again
    assert not plaintext_in(report.encode(), needles([scenario.DESTROYED, scenario.KEPT]))

    # Held to the restore's checkpoint, not to the longer ones taken before it.
    verified = manage("verify_integrity", env=target)
    assert verified.startswith("OK:")
    assert "audit chains match the checkpoint of" in verified
    cases = [seeded["kept_case"], seeded["destroyed_case"], later["later_case"]]
    seen = shell(
        "from tests.backups.scenario import look; "
        f"look({seeded['supervisor']}, {cases!r}, {seeded['destroyed_person']!r}, "
        f"{seeded['destroyed_key']!r})",
        target,
    )
    assert seen["status"] == {
        seeded["kept_case"]: 200,
        seeded["destroyed_case"]: 404,
        later["later_case"]: 404,
    }
    assert seen["person_exists"] is False
    assert seen["key_exists"] is False
    assert seen["people"] == 1

    destroyed = needles([scenario.DESTROYED])
    files = files_of_target()
    assert any(b"Backup Test Agency" in raw for raw in files), "the search would find plain text"
    for raw in files:
        assert not plaintext_in(raw, destroyed)


# --- SQLite ------------------------------------------------------------------------


def _sqlite_only() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("a SQLite install's test; this run is on PostgreSQL")


@pytest.mark.parametrize("target_migrated", [False, True], ids=["no-tables", "migrated"])
def test_a_restore_on_sqlite_keeps_every_destruction_and_names_what_is_missing(
    tmp_path, migrated_install, target_migrated
):
    _sqlite_only()
    source = install_copy(migrated_install, tmp_path / "source")
    target = subprocess_env(tmp_path / "target")
    (tmp_path / "target").mkdir()
    if target_migrated:  # an empty schema, as `migrate` leaves it, without its keys
        shutil.copy(migrated_install / "haven.sqlite3", tmp_path / "target" / "haven.sqlite3")

    def files() -> list[bytes]:
        found = sorted(p for p in (tmp_path / "target").glob("haven.sqlite3*") if p.is_file())
        assert found
        return [p.read_bytes() for p in found]

    run_scenario(tmp_path, source, target, str(tmp_path / "source" / "haven.sqlite3"), files)


def test_a_restore_without_the_ledger_is_refused_unless_waived_and_audited(
    tmp_path, migrated_install
):
    _sqlite_only()
    source = install_copy(migrated_install, tmp_path / "source")
    identity = tmp_path / "identity.txt"
    source["HAVEN_BACKUP_RECIPIENT"] = make_identity(identity)
    seeded = shell("from tests.backups.scenario import seed; seed()", source)
    backups = tmp_path / "backups"
    backups.mkdir()
    made = backup_folder(manage("backup", "--to", str(backups), env=source))
    shell(
        "from tests.backups.scenario import after_the_backup; "
        f"after_the_backup({seeded['supervisor']}, {seeded['kept_case']!r}, "
        f"{seeded['destroyed_case']!r})",
        source,
    )
    target_dir = tmp_path / "target"
    shutil.copytree(tmp_path / "source" / "keys", target_dir / "keys")
    target = subprocess_env(target_dir)
    ledger = target_dir / "keys" / "destructions.ledger"
    lines = ledger.read_bytes().splitlines(keepends=True)

    # A ledger with a line dropped does not verify; a missing one is refused.
    ledger.write_bytes(b"".join(lines[:1] + lines[2:]))
    assert "does not verify" in refusal(
        "restore", str(made), "--identity", str(identity), env=target
    )
    ledger.unlink()
    message = refusal("restore", str(made), "--identity", str(identity), env=target)
    assert "the destruction ledger is missing" in message
    assert "--without-destruction-ledger" in message
    assert not (target_dir / "haven.sqlite3").exists()

    report = manage(
        "restore",
        str(made),
        "--identity",
        str(identity),
        "--without-destruction-ledger",
        env=target,
    )
    assert "not re-applied: restored with --without-destruction-ledger (audited)" in report
    assert f"Everything recorded after {made.name[6:10]}" in report
    seen = shell(
        "from tests.backups.scenario import look; "
        f"look({seeded['supervisor']}, [], {seeded['destroyed_person']!r}, "
        f"{seeded['destroyed_key']!r})",
        target,
    )
    # Without the ledger the person destroyed after the backup is back: that
    # is why it takes the operator's word, and why it is audited.
    assert seen["person_exists"] is True
    audited = manage(
        "shell",
        "-v0",
        "-c",
        "from haven.audit.models import AuditEvent; "
        "print(AuditEvent.objects.filter(action='restore.without_ledger').count())",
        env=target,
    )
    assert audited.strip() == "1"


def test_a_restored_database_that_does_not_hold_the_backups_checkpoint_is_refused(
    tmp_path, migrated_install
):
    """A checkpoint signed with the installation's key that the backup's
    database does not hold (as if the database had been replaced after the
    checkpoint was taken): the restore stops at verify_integrity."""
    _sqlite_only()
    source = install_copy(migrated_install, tmp_path / "source")
    identity = tmp_path / "identity.txt"
    source["HAVEN_BACKUP_RECIPIENT"] = make_identity(identity)
    shell("from tests.backups.scenario import seed; seed()", source)
    backups = tmp_path / "backups"
    backups.mkdir()
    made = backup_folder(manage("backup", "--to", str(backups), env=source))
    key = serialization.load_pem_private_key(
        (tmp_path / "source" / "keys" / "signing_key").read_bytes(), password=None
    )
    manifest = json.loads((made / "manifest.json").read_bytes())
    body = manifest["checkpoint"]["checkpoint"]
    anchored = body["chains"][-1]
    anchored["hash"] = "0" * 64
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    manifest["checkpoint"]["signature"] = base64.b64encode(
        key.sign(b"haven audit checkpoint\n" + canonical)
    ).decode()
    raw = json.dumps(manifest).encode()
    (made / "manifest.json").write_bytes(raw)
    (made / "manifest.sig").write_bytes(base64.b64encode(key.sign(raw)))
    target_dir = tmp_path / "target"
    shutil.copytree(tmp_path / "source" / "keys", target_dir / "keys")
    message = refusal(
        "restore", str(made), "--identity", str(identity), env=subprocess_env(target_dir)
    )
    assert "the restored database fails verify_integrity: first problem is " in message
    assert f"chain {anchored['chain']}: event " in message
    assert f"(seq {anchored['seq']}) no longer matches the checkpoint of {body['taken_at']}" in (
        message
    )
    assert list(target_dir.glob("checkpoints/checkpoint-*")) == []


def test_a_backup_taken_while_a_writer_writes_restores_a_consistent_database(
    tmp_path, migrated_install
):
    _sqlite_only()
    source = install_copy(migrated_install, tmp_path / "source")
    identity = tmp_path / "identity.txt"
    source["HAVEN_BACKUP_RECIPIENT"] = make_identity(identity)
    shell("from tests.backups.scenario import seed; seed()", source)
    writer = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "from tests.backups.scenario import keep_writing; keep_writing(40)",
        ],
        cwd=ROOT,
        env=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().startswith("writing")
        backups = tmp_path / "backups"
        backups.mkdir()
        made = []
        for _ in range(2):
            made.append(
                backup_folder(manage("backup", "--to", str(backups), "--no-prune", env=source))
            )
            time.sleep(0.5)
        written = writer.communicate(timeout=120)[0]
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0
    assert int(written.split()[-1]) >= 2  # the writer wrote while the backups ran
    for number, backup in enumerate(made):
        target_dir = tmp_path / f"target-{number}"
        shutil.copytree(tmp_path / "source" / "keys", target_dir / "keys")
        report = manage(
            "restore", str(backup), "--identity", str(identity), env=subprocess_env(target_dir)
        )
        assert "verify_integrity: ok." in report


# --- PostgreSQL --------------------------------------------------------------------


def _postgres_url() -> str:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("DATABASE_URL does not point at PostgreSQL (scripts/with-postgres runs this)")
    return urlsplit(read_secret("DATABASE_URL"))._replace(scheme="postgresql").geturl()


def _pg_dump() -> str:
    bindir = os.environ.get("HAVEN_PG_BINDIR", "")
    found = os.path.join(bindir, "pg_dump") if bindir else shutil.which("pg_dump")
    if not found or not os.access(found, os.X_OK):
        pytest.skip("no pg_dump: set HAVEN_PG_BINDIR (scripts/with-postgres does)")
    return found


@pytest.fixture
def new_database() -> Iterator[Callable[[], str]]:
    """Make new, empty databases on the test server; dropped afterwards."""
    url = _postgres_url()
    _pg_dump()
    made: list[str] = []

    def make() -> str:
        name = f"haven_backup_{secrets.token_hex(6)}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return urlsplit(url)._replace(path=f"/{name}").geturl()

    try:
        yield make
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in made:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def _dump(url: str) -> bytes:
    params = conninfo_to_dict(url)
    command = [_pg_dump(), "--no-password", "-d", str(params["dbname"])]
    for option, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            command += [option, str(params[key])]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    done = subprocess.run(command, env=environment, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert b"COPY public.people_person" in done.stdout
    return done.stdout


@pytest.mark.parametrize("target_migrated", [False, True], ids=["no-tables", "migrated"])
def test_a_restore_on_postgresql_keeps_every_destruction_and_names_what_is_missing(
    tmp_path, new_database, target_migrated
):
    source_url, target_url = new_database(), new_database()
    source = subprocess_env(tmp_path / "source", DATABASE_URL=source_url)
    target = subprocess_env(tmp_path / "target", DATABASE_URL=target_url)
    (tmp_path / "source").mkdir()
    (tmp_path / "target").mkdir()
    manage("migrate", "-v0", env=source)
    if target_migrated:  # an empty schema, as `migrate` leaves it (in a scratch key folder)
        manage("migrate", "-v0", env={**target, "HAVEN_VAR_DIR": str(tmp_path / "scratch")})
    run_scenario(tmp_path, source, target, source_url, lambda: [_dump(target_url)])


def test_a_restore_on_postgresql_into_a_database_with_data_is_refused(tmp_path, new_database):
    url = new_database()
    env = subprocess_env(tmp_path, DATABASE_URL=url)
    identity = tmp_path / "identity.txt"
    env["HAVEN_BACKUP_RECIPIENT"] = make_identity(identity)
    manage("migrate", "-v0", env=env)
    shell("from tests.backups.scenario import seed; seed()", env)
    backups = tmp_path / "backups"
    backups.mkdir()
    made = backup_folder(manage("backup", "--to", str(backups), env=env))
    before = _content(_dump(url))
    message = refusal("restore", str(made), "--identity", str(identity), env=env)
    assert "the configured database is not empty" in message
    assert _content(_dump(url)) == before


def _content(dump: bytes) -> list[bytes]:
    """A dump without the random token newer pg_dump versions put in each one."""
    return [
        line for line in dump.splitlines() if not line.startswith((b"\\restrict", b"\\unrestrict"))
    ]


def test_a_backup_into_a_full_folder_fails_clearly_and_leaves_nothing(tmp_path, migrated_install):
    _sqlite_only()
    source = install_copy(migrated_install, tmp_path / "source")
    source["HAVEN_BACKUP_RECIPIENT"] = make_identity(tmp_path / "identity.txt")
    shell("from tests.backups.scenario import seed; seed()", source)
    full = tmp_path / "small-disk"
    full.mkdir()
    # A real full file system: a 256 KiB tmpfs (the database is larger).
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(full)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here")
    try:
        (full / "older-notes.txt").write_text("kept")
        message = refusal("backup", "--to", str(full), env=source)
        assert "the backup failed, nothing was kept" in message
        assert sorted(p.name for p in full.iterdir()) == ["older-notes.txt"]
    finally:
        subprocess.run(["umount", str(full)], check=False)
    assert not list((tmp_path / "source").glob(".haven-backup-*"))
