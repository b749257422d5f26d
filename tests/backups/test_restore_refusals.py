"""``manage.py restore`` refuses bad input with a clear message and changes
nothing: a missing, incomplete, damaged, tampered or foreign backup, the
wrong identity, a newer Haven's backup, another kind of database, and a
database that is not empty."""

from __future__ import annotations

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from haven.audit.models import AuditEvent
from haven.core import signing
from haven.core.ledger import ledger_ensure
from haven.people.models import Person
from tests.backups.shared import PEOPLE, make_identity
from tests.factories import record_intake

# A backup is taken outside any transaction, as the command runs.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def made(settings, tmp_path, intake, team):
    """A backup of two people, and the identity that opens it."""
    settings.KEY_DIR = tmp_path / "keys"
    identity = tmp_path / "identity.txt"
    settings.HAVEN_BACKUP_RECIPIENT = make_identity(identity)
    for person in PEOPLE:
        record_intake(actor=intake, team=team, **person)
    folder = tmp_path / "backups"
    folder.mkdir()
    out = StringIO()
    call_command("backup", "--to", str(folder), stdout=out)
    backup = Path(out.getvalue().splitlines()[0].removeprefix("Backup written: "))
    return backup, identity


def refused(backup: Path, identity: Path, *extra: str) -> str:
    """Run restore, expect a refusal, check nothing changed; the message."""
    people, events = Person.objects.count(), AuditEvent.objects.count()
    before = {p: p.read_bytes() for p in backup.iterdir()} if backup.is_dir() else {}
    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(backup), "--identity", str(identity), *extra, stdout=StringIO())
    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, events)
    assert ({p: p.read_bytes() for p in backup.iterdir()} if backup.is_dir() else {}) == before
    message = str(refusal.value)
    for person in PEOPLE:
        assert person["legal_name"].split()[0] not in message
    return message


def resign(backup: Path, change) -> None:
    """Alter the manifest and sign it again with the installation's key."""
    manifest = json.loads((backup / "manifest.json").read_bytes())
    change(manifest)
    raw = json.dumps(manifest).encode()
    (backup / "manifest.json").write_bytes(raw)
    signature = signing.signing_key().sign(raw)
    (backup / "manifest.sig").write_bytes(base64.b64encode(signature))


def test_a_missing_folder_is_refused(made, tmp_path):
    _, identity = made
    message = refused(tmp_path / "backups" / "haven-nothing", identity)
    assert "is not a backup folder" in message


@pytest.mark.parametrize("name", ["database.age", "manifest.json", "manifest.sig"])
def test_an_incomplete_backup_is_refused(made, name):
    backup, identity = made
    (backup / name).unlink()
    assert f"{name} missing" in refused(backup, identity)


def test_a_corrupted_database_file_is_refused(made):
    backup, identity = made
    raw = bytearray((backup / "database.age").read_bytes())
    raw[len(raw) // 2] ^= 0x01
    (backup / "database.age").write_bytes(bytes(raw))
    assert "database.age is damaged or altered" in refused(backup, identity)


def test_a_truncated_database_file_is_refused(made):
    backup, identity = made
    raw = (backup / "database.age").read_bytes()
    (backup / "database.age").write_bytes(raw[: len(raw) // 3])
    assert "database.age is damaged or altered" in refused(backup, identity)


def test_a_tampered_manifest_is_refused(made):
    backup, identity = made
    raw = (backup / "manifest.json").read_bytes()
    (backup / "manifest.json").write_bytes(raw.replace(b'"format": 1', b'"format": 1 '))
    assert "signature does not verify" in refused(backup, identity)


def test_a_malformed_signature_is_refused(made):
    backup, identity = made
    (backup / "manifest.sig").write_text("not base64 at all!")
    assert "signature is malformed" in refused(backup, identity)


def test_a_backup_signed_by_another_installation_is_refused(made, tmp_path):
    backup, identity = made
    other = tmp_path / "other.pub"
    other.write_bytes(signing.public_pem(signing.Ed25519PrivateKey.generate().public_key()))
    assert "signature does not verify" in refused(backup, identity, "--signer", str(other))


def test_a_hash_changed_with_the_file_but_not_signed_is_refused(made):
    backup, identity = made
    manifest = json.loads((backup / "manifest.json").read_bytes())
    (backup / "database.age").write_bytes(b"age-encryption.org/v1\n" + b"x" * 100)
    manifest["files"]["database.age"]["size"] = 122
    (backup / "manifest.json").write_text(json.dumps(manifest))
    assert "signature does not verify" in refused(backup, identity)


def test_a_backup_of_a_newer_haven_is_refused(made):
    backup, identity = made
    resign(
        backup,
        lambda m: m.update(
            haven_version="9.0.0", migrations=[*m["migrations"], ["people", "0999_future"]]
        ),
    )
    message = refused(backup, identity, "--without-destruction-ledger")
    assert "made by a newer Haven (9.0.0)" in message
    assert "1 of its migrations are unknown" in message


def test_a_newer_backup_format_is_refused(made):
    backup, identity = made
    resign(backup, lambda m: m.update(format=2))
    assert "format (2) is not one this Haven reads" in refused(backup, identity)


def test_a_backup_of_another_kind_of_database_is_refused(made):
    backup, identity = made
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    resign(backup, lambda m: m.update(database=other))
    message = refused(backup, identity, "--without-destruction-ledger")
    assert f"this is a {other} backup and the configured database is {connection.vendor}" in message


def test_the_wrong_identity_is_refused(made, tmp_path):
    backup, _ = made
    wrong = tmp_path / "wrong.txt"
    make_identity(wrong)
    message = refused(backup, wrong, "--without-destruction-ledger")
    assert "the identity does not open this backup" in message


def test_an_identity_file_that_is_not_one_is_refused(made, tmp_path):
    backup, _ = made
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("AGE-SECRET-KEY-1NOTREALLY\n")
    assert "is not an age identity file" in refused(backup, garbage)
    assert "cannot read the identity file" in refused(backup, tmp_path / "absent.txt")


def test_a_database_that_is_not_empty_is_refused(made):
    backup, identity = made
    message = refused(backup, identity, "--without-destruction-ledger")
    assert "the configured database is not empty" in message


def test_a_previous_database_that_is_not_this_installations_is_refused(made, tmp_path):
    backup, identity = made
    other = tmp_path / "other.sqlite3"
    import sqlite3

    database = sqlite3.connect(other)
    database.execute(
        "CREATE TABLE audit_auditevent (chain int, seq int, hash text, "
        "object_type text, object_id text)"
    )
    database.execute("INSERT INTO audit_auditevent VALUES (0, 1, 'ff', '', '')")
    database.commit()
    database.close()
    message = refused(backup, identity, "--without-destruction-ledger", "--previous", str(other))
    assert "is not the database this backup was taken from" in message
    message = refused(
        backup, identity, "--without-destruction-ledger", "--previous", str(tmp_path / "none")
    )
    assert "is not a file" in message


def test_a_ledger_of_another_installation_or_older_than_the_backup_is_refused(made):
    backup, identity = made
    head = ledger_ensure()
    manifest = json.loads((backup / "manifest.json").read_bytes())
    assert manifest["ledger"] == {
        "ledger_id": head.ledger_id,
        "seq": head.seq,
        "digest": head.digest,
    }
    resign(backup, lambda m: m["ledger"].update(ledger_id="0" * 32))
    message = refused(backup, identity)
    assert "is not the one of the installation that made this backup" in message
    resign(backup, lambda m: m["ledger"].update(ledger_id=head.ledger_id, seq=head.seq + 3))
    assert "shorter than when the backup was taken" in refused(backup, identity)


def _resigned_checkpoint(signed: dict, key, change) -> dict:
    """``signed``'s checkpoint changed, and signed with ``key``."""
    body = json.loads(json.dumps(signed["checkpoint"]))
    change(body)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    signature = key.sign(b"haven audit checkpoint\n" + canonical)
    return {"checkpoint": body, "signature": base64.b64encode(signature).decode()}


def test_a_manifest_whose_checkpoint_was_altered_is_refused(made):
    """Altered and the manifest signed again (someone holding the key would
    not need to alter it): the checkpoint's own signature still refuses it."""
    backup, identity = made
    resign(backup, lambda m: m["checkpoint"]["checkpoint"]["chains"][0].update(hash="0" * 64))
    message = refused(backup, identity)
    assert message.startswith("the backup's audit checkpoint has a signature that does not verify")


def test_a_manifest_whose_checkpoint_another_key_signed_is_refused(made):
    backup, identity = made
    other = signing.Ed25519PrivateKey.generate()
    resign(
        backup,
        lambda m: m.update(checkpoint=_resigned_checkpoint(m["checkpoint"], other, lambda b: None)),
    )
    assert "checkpoint has a signature that does not verify" in refused(backup, identity)


@pytest.mark.parametrize(
    ("checkpoint", "reason"),
    [
        ("not a checkpoint", "is not a signed checkpoint"),
        ({"checkpoint": {}, "signature": "!!"}, "has a malformed signature"),
    ],
)
def test_a_manifest_whose_checkpoint_is_not_one_is_refused(made, checkpoint, reason):
    backup, identity = made
    resign(backup, lambda m: m.update(checkpoint=checkpoint))
    assert f"the backup's audit checkpoint {reason}" in refused(backup, identity)


def test_a_manifest_checkpoint_of_a_format_this_haven_does_not_read_is_refused(made):
    backup, identity = made
    key = signing.signing_key()
    resign(
        backup,
        lambda m: m.update(
            checkpoint=_resigned_checkpoint(m["checkpoint"], key, lambda b: b.update(format=9))
        ),
    )
    assert "is in a format (9) this Haven does not read" in refused(backup, identity)


def test_a_restore_that_could_not_leave_a_checkpoint_is_refused_before_anything(
    made, settings, tmp_path
):
    backup, identity = made
    settings.HAVEN_CHECKPOINT_DIR = tmp_path / "afile"
    (tmp_path / "afile").write_text("x")
    message = refused(backup, identity, "--without-destruction-ledger")
    assert message == (
        f"the checkpoint folder {tmp_path / 'afile'} is not a folder: a restore leaves a "
        "checkpoint of the restored audit chains there"
    )
