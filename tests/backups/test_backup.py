"""``manage.py backup``: one folder per backup, the database encrypted to the
operator's recipient, a signed manifest that names no one, and retention."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pyrage
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from haven.audit.checkpoints import Basis, checkpoint_open
from haven.audit.selectors import chain_heads
from haven.backups import retention
from haven.backups.services import backups_prune
from haven.core import signing
from tests.audit.anchoring import rewrite_from
from tests.backups.shared import PEOPLE, make_identity, needles, plaintext_in
from tests.factories import record_intake

# A backup is taken outside any transaction, as the command runs.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keys(settings, tmp_path):
    """A key folder of its own and a backup key pair; the identity's path."""
    settings.VAR_DIR = tmp_path
    settings.KEY_DIR = tmp_path / "keys"
    identity = tmp_path / "identity.txt"
    settings.HAVEN_BACKUP_RECIPIENT = make_identity(identity)
    return identity


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "backups"
    path.mkdir()
    return path


@pytest.fixture
def seeded(intake, team):
    return [record_intake(actor=intake, team=team, **person) for person in PEOPLE]


def backup(folder: Path, *extra: str) -> Path:
    out = StringIO()
    call_command("backup", "--to", str(folder), *extra, stdout=out)
    made = Path(out.getvalue().splitlines()[0].removeprefix("Backup written: "))
    assert made.parent == folder
    return made


def test_backup_keygen_writes_a_private_identity_and_prints_its_recipient(tmp_path):
    path = tmp_path / "backup-identity.txt"
    out = StringIO()
    call_command("backup_keygen", "--identity-out", str(path), stdout=out)
    recipient = out.getvalue().strip()
    assert recipient.startswith("age1")
    assert path.stat().st_mode & 0o777 == 0o600
    secret = next(line for line in path.read_text().splitlines() if not line.startswith("#"))
    identity = pyrage.x25519.Identity.from_str(secret)
    assert str(identity.to_public()) == recipient
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_keygen", "--identity-out", str(path), stdout=StringIO())
    assert path.read_text().count("AGE-SECRET-KEY-") == 1


def test_a_backup_is_one_folder_with_the_encrypted_database_and_a_signed_manifest(
    keys, folder, seeded, settings
):
    made = backup(folder)
    assert retention.taken_at(made.name) is not None
    assert sorted(p.name for p in made.iterdir()) == [
        "database.age",
        "manifest.json",
        "manifest.sig",
    ]
    raw = (made / "manifest.json").read_bytes()
    manifest = json.loads(raw)
    assert manifest["format"] == 1
    assert manifest["database"] == connection.vendor
    assert manifest["haven_version"] == "0.1.0"
    assert manifest["taken_at"].endswith("+00:00")
    applied = MigrationRecorder(connection).applied_migrations()
    assert sorted(map(tuple, manifest["migrations"])) == sorted(applied)
    assert ["audit", "0001_audit_event"] in manifest["migrations"]
    heads = chain_heads()
    assert manifest["audit_heads"] == [
        {"chain": h.chain, "seq": h.seq, "hash": h.hash} for h in heads.values()
    ]
    assert heads[seeded[0].agency_id].seq >= 2
    database = made / "database.age"
    assert manifest["files"] == {
        "database.age": {
            "sha256": hashlib.sha256(database.read_bytes()).hexdigest(),
            "size": database.stat().st_size,
        }
    }
    # Signed with the installation's key, whose public half sits beside it.
    key_dir = Path(settings.KEY_DIR)
    assert (key_dir / "signing_key").stat().st_mode & 0o777 == 0o600
    public = signing.load_public(key_dir / "signing_key.pub")
    signature = base64.b64decode((made / "manifest.sig").read_bytes())
    signing.verify(public, signature, raw)
    with pytest.raises(signing.SigningKeyError):
        signing.verify(public, signature, raw.replace(b'"format": 1', b'"format": 2'))


def test_the_manifest_carries_a_signed_checkpoint_of_every_audit_chain(
    keys, folder, seeded, settings, tmp_path
):
    # The installation's checkpoints: one taken, then the trail grew.
    settings.HAVEN_CHECKPOINT_DIR = tmp_path / "checkpoints"
    call_command("audit_checkpoint", stdout=StringIO())
    record_intake(actor=seeded[0].created_by, team=seeded[0].team, legal_name="Synthetic Later")
    made = backup(folder)
    manifest = json.loads((made / "manifest.json").read_bytes())
    public = signing.load_public(Path(settings.KEY_DIR) / "signing_key.pub")
    checkpoint = checkpoint_open(manifest["checkpoint"], public)
    heads = chain_heads()
    assert checkpoint.basis is Basis.CONTINUED
    assert checkpoint.unmatched == frozenset()
    assert {c: (a.seq, a.hash, a.count) for c, a in checkpoint.anchors.items()} == {
        c: (h.seq, h.hash, h.count) for c, h in heads.items()
    }
    assert manifest["audit_heads"] == [
        {"chain": h.chain, "seq": h.seq, "hash": h.hash} for h in heads.values()
    ]
    # Written into the manifest only: the folder holds the one checkpoint taken.
    assert len(list((tmp_path / "checkpoints").iterdir())) == 1


def test_a_backup_of_a_rewritten_chain_says_so_in_its_checkpoint(
    keys, folder, seeded, settings, tmp_path
):
    settings.HAVEN_CHECKPOINT_DIR = tmp_path / "checkpoints"
    call_command("audit_checkpoint", stdout=StringIO())
    chain = seeded[0].agency_id
    rewrite_from(chain, 2)
    made = backup(folder)  # the backup is kept: it is all the more worth keeping
    manifest = json.loads((made / "manifest.json").read_bytes())
    public = signing.load_public(Path(settings.KEY_DIR) / "signing_key.pub")
    assert checkpoint_open(manifest["checkpoint"], public).unmatched == {chain}


def test_the_backup_opens_with_the_identity_into_the_whole_database(keys, folder, seeded, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite copy (test_restore.py restores a PostgreSQL one)")
    made = backup(folder)
    plain = tmp_path / "opened.sqlite3"
    identity = pyrage.x25519.Identity.from_str(keys.read_text().strip())
    pyrage.decrypt_file(str(made / "database.age"), str(plain), [identity])
    copy = sqlite3.connect(plain)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        people = copy.execute("SELECT count(*) FROM people_person").fetchone()[0]
    finally:
        copy.close()
    assert people == len(PEOPLE)


def test_a_stolen_backup_reveals_no_name_phone_or_date_of_birth(keys, folder, seeded, tmp_path):
    made = backup(folder)
    values = needles(PEOPLE)
    assert any(not v.isascii() for v in values)
    for path in sorted(made.iterdir()):
        found = plaintext_in(path.read_bytes(), values)
        assert not found, f"{len(found)} values in {path.name}, e.g. {found[:3]}"
    # Not vacuous: the manifest is in the clear, and the agency's name
    # (stored in the clear) is in the decrypted copy but not in the backup.
    assert b"audit_heads" in (made / "manifest.json").read_bytes()
    plain = tmp_path / "opened"
    identity = pyrage.x25519.Identity.from_str(keys.read_text().strip())
    pyrage.decrypt_file(str(made / "database.age"), str(plain), [identity])
    agency = seeded[0].agency.name.encode()
    if connection.vendor == "sqlite":  # pg_dump's custom format is compressed
        assert agency in plain.read_bytes()
    assert agency not in (made / "database.age").read_bytes()
    assert not plaintext_in(plain.read_bytes(), values)
    # Without the identity, or with another one, it does not open.
    other = pyrage.x25519.Identity.generate()
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt((made / "database.age").read_bytes(), [other])


def test_no_plaintext_copy_is_left_anywhere(keys, folder, seeded, settings, tmp_path):
    backup(folder)
    left = list(Path(settings.VAR_DIR).glob(".haven-backup-*"))
    assert left == []
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("recipient", "message"),
    [("", "no backup recipient"), ("age1notakey", "not an age recipient")],
)
def test_a_backup_without_a_usable_recipient_is_refused(
    keys, folder, seeded, settings, recipient, message
):
    settings.HAVEN_BACKUP_RECIPIENT = recipient
    with pytest.raises(CommandError, match=message):
        backup(folder)
    assert list(folder.iterdir()) == []


def test_a_backup_into_a_missing_folder_or_a_file_is_refused(keys, folder, seeded, tmp_path):
    with pytest.raises(CommandError, match="does not exist or is not a folder"):
        backup(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(CommandError, match="does not exist or is not a folder"):
        backup(afile)
    assert afile.read_text() == "x"


def test_production_without_a_signing_key_refuses_to_back_up(
    keys, folder, seeded, settings, monkeypatch
):
    monkeypatch.delenv("HAVEN_SIGNING_KEY", raising=False)
    monkeypatch.delenv("HAVEN_SIGNING_KEY_FILE", raising=False)
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="HAVEN_SIGNING_KEY_FILE"):
        backup(folder)
    assert list(folder.iterdir()) == []
    assert not (Path(settings.KEY_DIR) / "signing_key").exists()


def test_production_signs_with_the_key_it_is_given(
    keys, folder, seeded, settings, monkeypatch, tmp_path
):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path = tmp_path / "signing.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("HAVEN_SIGNING_KEY_FILE", str(path))
    settings.PRODUCTION = True
    made = backup(folder)
    signature = base64.b64decode((made / "manifest.sig").read_bytes())
    signing.verify(key.public_key(), signature, (made / "manifest.json").read_bytes())


def _aged_copy(source: Path, days: int) -> Path:
    stamp = retention.taken_at(source.name)
    assert stamp is not None
    target = source.parent / retention.folder_name(stamp - timedelta(days=days))
    shutil.copytree(source, target)
    return target


def test_retention_prunes_old_backups_and_nothing_else(keys, folder, seeded, settings):
    settings.HAVEN_BACKUP_KEEP_DAILY = 2
    settings.HAVEN_BACKUP_KEEP_WEEKLY = 0
    settings.HAVEN_BACKUP_KEEP_MONTHLY = 0
    first = backup(folder, "--no-prune")
    old = [_aged_copy(first, days) for days in (1, 2, 3)]
    # Look like backups, are not: a stray file inside, a missing signature.
    stray = _aged_copy(first, 4)
    (stray / "notes.txt").write_text("mine")
    unsigned = _aged_copy(first, 5)
    (unsigned / "manifest.sig").unlink()
    (folder / "haven-photos").mkdir()
    (folder / "readme.txt").write_text("operator's note")
    out = StringIO()
    call_command("backup", "--to", str(folder), stdout=out)
    newest = Path(out.getvalue().splitlines()[0].removeprefix("Backup written: "))
    left = {p.name for p in folder.iterdir()}
    # The newest of the two newest days: today's newest, and yesterday's.
    assert left == {
        newest.name,
        old[0].name,
        stray.name,
        unsigned.name,
        "haven-photos",
        "readme.txt",
    }
    assert "Pruned:" in out.getvalue()
    assert backups_prune(folder=folder) == []
