"""Making a backup, pruning old ones, and restoring one.

See docs/adr/0027-backups-destruction-ledger-and-jobs.md. A backup is one
folder ``haven-<UTC time>/`` holding the database encrypted with age to the
operator's backup recipient (``database.age``), and a manifest in the clear
(``manifest.json``, nothing about a person, with a signed checkpoint of the
audit chains) signed with the installation's signing key (``manifest.sig``).
The plaintext copy exists only in a private temporary folder while it is
encrypted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from haven.audit.checkpoint_files import AnchorError
from haven.audit.checkpoints import Checkpoint, CheckpointInvalid
from haven.audit.models import AuditEvent
from haven.audit.selectors import chain_heads
from haven.backups import checkpoints, database, ledger, retention, selectors
from haven.core import signing

FORMAT = 1
DATABASE_FILE = "database.age"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
BACKUP_FILES = frozenset({DATABASE_FILE, MANIFEST, SIGNATURE})
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore refused or failed; nothing was changed. The
    message is for the operator and names nothing about a person."""


def haven_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _recipient() -> pyrage.x25519.Recipient:
    text = settings.HAVEN_BACKUP_RECIPIENT
    if not text:
        raise BackupError(
            "no backup recipient: set HAVEN_BACKUP_RECIPIENT (or HAVEN_BACKUP_RECIPIENT_FILE) "
            "to the public key printed by `manage.py backup_keygen`"
        )
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except pyrage.RecipientError as error:
        raise BackupError("HAVEN_BACKUP_RECIPIENT is not an age recipient (age1...)") from error


@contextmanager
def _private_folder(near: Path | None = None) -> Iterator[Path]:
    """A temporary folder only this user can enter, removed with all it holds."""
    base = near if near is not None and near.is_dir() else None
    folder = Path(tempfile.mkdtemp(prefix=".haven-backup-", dir=base))
    folder.chmod(0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            sha.update(block)
    return {"sha256": sha.hexdigest(), "size": path.stat().st_size}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _manifest(taken_at: datetime, files: dict[str, Any], state: dict[str, Any]) -> bytes:
    document = {
        "format": FORMAT,
        "taken_at": taken_at.isoformat(),
        "haven_version": haven_version(),
        "database": database.kind(),
        **state,
        "files": files,
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("ascii")


def backup_make(*, to: Path) -> Path:
    """Write one backup into the folder ``to``; the new backup's folder."""
    if not to.is_dir():
        raise BackupError(f"the backup folder {to} does not exist or is not a folder")
    recipient = _recipient()
    try:
        key = signing.signing_key()
    except signing.SigningKeyError as error:
        raise BackupError(str(error)) from error
    kind = database.kind()
    taken_at = timezone.now()
    name = retention.folder_name(taken_at)
    partial = to / f".{name}.partial"
    try:
        partial.mkdir(mode=0o700)
    except OSError as error:
        raise BackupError(f"cannot write in the backup folder {to}: {error.strerror}") from error
    try:
        # Read before the copy: the copy holds at least these positions.
        audit_heads, checkpoint = checkpoints.manifest_checkpoint(key)
        state = {
            "migrations": _applied_migrations(),
            "audit_heads": audit_heads,
            "checkpoint": checkpoint,
            "ledger": ledger.position(),
        }
        with _private_folder(Path(settings.VAR_DIR)) as private:
            plain = private / "database"
            try:
                if kind == "sqlite":
                    database.sqlite_copy(plain)
                else:
                    database.pg_dump(plain)
                pyrage.encrypt_file(str(plain), str(partial / DATABASE_FILE), [recipient])
            finally:
                plain.unlink(missing_ok=True)
        files = {DATABASE_FILE: _digest(partial / DATABASE_FILE)}
        manifest = _manifest(taken_at, files, state)
        (partial / MANIFEST).write_bytes(manifest)
        signature = base64.b64encode(key.sign(manifest)) + b"\n"
        (partial / SIGNATURE).write_bytes(signature)
        for file in BACKUP_FILES:
            _fsync(partial / file)
        partial.rename(to / name)
        _fsync(to)
    except (OSError, database.DatabaseCopyError, pyrage.EncryptError) as error:
        shutil.rmtree(partial, ignore_errors=True)
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BackupError(f"the backup failed, nothing was kept: {reason}") from error
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return to / name


# --- Retention ---------------------------------------------------------------------


def _is_backup_folder(path: Path) -> bool:
    """A folder exactly as backup_make leaves one, and nothing else."""
    if path.is_symlink() or not path.is_dir() or retention.taken_at(path.name) is None:
        return False
    if {p.name for p in path.iterdir()} != BACKUP_FILES:
        return False
    try:
        manifest = json.loads((path / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "format" in manifest and "files" in manifest


def backups_prune(*, folder: Path) -> list[Path]:
    """Remove the backups in ``folder`` that the retention rule lets go; those removed."""
    found = {}
    for path in folder.iterdir():
        stamp = retention.taken_at(path.name)
        if stamp is not None and _is_backup_folder(path):
            found[stamp] = path
    going = retention.to_prune(
        found,
        daily=settings.HAVEN_BACKUP_KEEP_DAILY,
        weekly=settings.HAVEN_BACKUP_KEEP_WEEKLY,
        monthly=settings.HAVEN_BACKUP_KEEP_MONTHLY,
    )
    removed = []
    for stamp in sorted(going):
        shutil.rmtree(found[stamp])
        removed.append(found[stamp])
    return removed


# --- Restore -----------------------------------------------------------------------


@dataclass
class RestoreReport:
    taken_at: str
    haven_version: str
    audit_heads: dict[int, tuple[int, str]]
    migrated: bool = False
    integrity: str = ""
    ledger: str = ""
    checkpoint: str = ""
    # Chains the backup's checkpoint found no longer holding their anchor.
    unmatched: list[int] = field(default_factory=list)
    previous_read: bool = False
    # By object type: each object's id and the actions recorded on it after the backup.
    made_after: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    changed_after: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    destroyed_again: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _signer_key(signer: Path | None) -> Ed25519PublicKey:
    try:
        return signing.load_public(signer) if signer else signing.local_public_key()
    except signing.SigningKeyError as error:
        hint = "pass --signer with the installation's signing_key.pub"
        raise BackupError(f"{error} ({hint})") from error


def _read_manifest(folder: Path, signer: Path | None) -> tuple[dict[str, Any], Checkpoint | None]:
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a backup folder")
    missing = sorted(f for f in BACKUP_FILES if not (folder / f).is_file())
    if missing:
        raise BackupError(f"the backup is incomplete: {', '.join(missing)} missing")
    public = _signer_key(signer)
    raw = (folder / MANIFEST).read_bytes()
    try:
        signature = base64.b64decode((folder / SIGNATURE).read_bytes().strip(), validate=True)
    except ValueError as error:
        raise BackupError("the manifest's signature is malformed") from error
    try:
        signing.verify(public, signature, raw)
    except signing.SignatureInvalid as error:
        raise BackupError(
            "the manifest's signature does not verify: the backup was altered, "
            "or was made by another installation (pass --signer with its signing_key.pub)"
        ) from error
    manifest: dict[str, Any] = json.loads(raw)
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"the backup's format ({manifest.get('format')}) is not one this Haven reads: "
            "restore it with the Haven version that made it, or a newer one"
        )
    for name, expected in manifest["files"].items():
        path = folder / name
        if name != Path(name).name or not path.is_file() or _digest(path) != expected:
            raise BackupError(f"the backup's file {name} is damaged or altered: its hash differs")
    if DATABASE_FILE not in manifest["files"]:
        raise BackupError("the backup's manifest lists no database")
    try:
        return manifest, checkpoints.manifest_checkpoint_open(manifest, public)
    except CheckpointInvalid as error:
        raise BackupError(f"the backup's audit checkpoint {error}") from error


def _check_compatible(manifest: dict[str, Any]) -> None:
    kind = database.kind()
    if manifest["database"] != kind:
        raise BackupError(
            f"this is a {manifest['database']} backup and the configured database is {kind}"
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [m for m in manifest["migrations"] if tuple(m) not in known]
    if unknown:
        raise BackupError(
            f"the backup was made by a newer Haven ({manifest['haven_version']}): "
            f"{len(unknown)} of its migrations are unknown to this version "
            f"({haven_version()}); upgrade Haven first"
        )


def _identities(path: Path) -> list[pyrage.x25519.Identity]:
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BackupError(f"cannot read the identity file {path}") from error
    try:
        found = [
            pyrage.x25519.Identity.from_str(line.strip())
            for line in lines
            if line.strip() and not line.startswith("#")
        ]
    except pyrage.IdentityError as error:
        raise BackupError(f"{path} is not an age identity file") from error
    if not found:
        raise BackupError(f"{path} holds no age identity")
    return found


def _check_ledger(without_ledger: bool, at_backup: dict[str, Any] | None) -> None:
    if without_ledger:
        return
    try:
        ledger.check(at_backup)
    except ledger.LedgerUnusable as error:
        raise BackupError(
            f"{error}: without it, people destroyed after the backup would come back. "
            "Put the installation's key folder back, or pass --without-destruction-ledger "
            "(audited)"
        ) from error


@contextmanager
def _decrypted(folder: Path, identities: list[pyrage.x25519.Identity]) -> Iterator[Path]:
    """The backup's database decrypted and checked, in a file removed on leaving.

    On SQLite it sits beside the configured database, so that putting it in
    place is a rename; on PostgreSQL in a private temporary folder.
    """
    encrypted = str(folder / DATABASE_FILE)
    sqlite = database.kind() == "sqlite"
    with _private_folder() as private:
        target = database.sqlite_target() if sqlite else None
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".haven-restore-", dir=target.parent)
            os.close(fd)
            plain = Path(name)
        else:
            plain = private / "database"
        try:
            try:
                pyrage.decrypt_file(encrypted, str(plain), identities)
            except pyrage.DecryptError as error:
                raise BackupError(
                    "the identity does not open this backup (wrong backup key?)"
                ) from error
            if sqlite:
                database.sqlite_check(plain)
            else:
                database.pg_dump_is_sound(plain)
            yield plain
        except OSError as error:
            raise BackupError(f"the restore failed, nothing was changed: {error}") from error
        except database.DatabaseCopyError as error:
            raise BackupError(f"the backup's database is unusable: {error}") from error
        finally:
            plain.unlink(missing_ok=True)


def _refuse_unless_empty() -> None:
    target = database.sqlite_target() if database.kind() == "sqlite" else None
    if target is not None and not target.exists():
        return  # no database yet: nothing to check, and nothing made by checking
    occupied = database.data_tables_with_rows()
    if occupied:
        raise BackupError(
            f"the configured database is not empty ({len(occupied)} tables hold data, e.g. "
            f"{occupied[0]}): restore only into a new, empty database"
        )


def _put_in_place(plain: Path) -> None:
    try:
        if database.kind() == "sqlite":
            _fsync(plain)
            database.sqlite_put_in_place(plain)
        else:
            database.pg_restore(plain)
    except (OSError, database.DatabaseCopyError) as error:
        raise BackupError(f"the restore failed, nothing was changed: {error}") from error


def backup_restore(
    *,
    folder: Path,
    identity: Path,
    signer: Path | None = None,
    without_ledger: bool = False,
    previous: str | None = None,
) -> RestoreReport:
    """Restore a backup into the configured, empty database, then re-apply
    every destruction the ledger records. Every check that can refuse runs
    before anything is written."""
    manifest, checkpoint = _read_manifest(folder, signer)
    _check_compatible(manifest)
    identities = _identities(identity)
    _check_ledger(without_ledger, manifest.get("ledger"))
    try:
        checkpoints.restore_can_leave_a_checkpoint()
    except AnchorError as error:
        raise BackupError(
            f"{error}: a restore leaves a checkpoint of the restored audit chains there"
        ) from error
    heads = {int(h["chain"]): (int(h["seq"]), str(h["hash"])) for h in manifest["audit_heads"]}
    later: list[selectors.TrailEvent] | None = None
    if previous:
        try:
            later = selectors.trail_after(previous, heads)
        except selectors.PreviousUnreadable as error:
            raise BackupError(str(error)) from error
    with _decrypted(folder, identities) as plain:
        _refuse_unless_empty()
        _put_in_place(plain)

    report = RestoreReport(
        taken_at=manifest["taken_at"],
        haven_version=manifest["haven_version"],
        audit_heads=heads,
        unmatched=sorted(checkpoint.unmatched) if checkpoint else [],
    )
    # Everything below works on the restored database.
    if MigrationExecutor(connection).migration_plan(MigrationLoader(connection).graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
        report.migrated = True
    restored_heads = {c: (h.seq, h.hash) for c, h in chain_heads().items()}
    verified = checkpoints.restored_verify(checkpoint)
    if not verified.ok:
        raise BackupError(
            f"the restored database fails verify_integrity: first problem is {verified.problems[0]}"
        )
    report.integrity = "ok"
    report.ledger = ledger.waive() if without_ledger else ledger.reapply()
    # After the ledger's audit events: the checkpoint anchors them too.
    report.checkpoint = checkpoints.restored_checkpoint_leave([checkpoint] if checkpoint else [])
    if later is not None:
        report.previous_read = True
        after = [e for e in later if e.seq > restored_heads.get(e.chain, (0, ""))[0]]
        _sort_missing(report, after, set() if without_ledger else ledger.destroyed_ids())
    return report


def _sort_missing(
    report: RestoreReport, after: list[selectors.TrailEvent], destroyed: set[str]
) -> None:
    """Records first named after the backup were made after it; the others
    existed at the backup and changed after it, unless the ledger has just
    destroyed them again."""
    grouped = selectors.by_object_type(after)
    for kind, ids in grouped.items():
        known = set(
            AuditEvent.objects.filter(object_type=kind, object_id__in=list(ids))
            .values_list("object_id", flat=True)
            .distinct()
        )
        for object_id, actions in ids.items():
            if object_id not in known:
                group = report.made_after
            elif object_id in destroyed:
                group = report.destroyed_again
            else:
                group = report.changed_after
            group.setdefault(kind, {})[object_id] = actions
