"""The checkpoint folder: one file per checkpoint, outside the database.

``HAVEN_CHECKPOINT_DIR`` names it (by default ``var/checkpoints`` outside
production; production must name it, and ``check --deploy`` says so). A
file is written whole or not at all (a temporary file, fsynced, then linked
to its name, which never replaces an existing file) and never rewritten.
Reading checks every file's signature: a file that does not verify is
reported, never used, so a forged newest file cannot make the chains pass.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from haven.audit.anchors import AnchorBreak, checkpoint_take
from haven.audit.chain import timestamp
from haven.audit.checkpoints import (
    Basis,
    Checkpoint,
    CheckpointInvalid,
    checkpoint_bytes,
    checkpoint_open,
    checkpoint_parse,
    checkpoint_sign,
)
from haven.core import signing

logger = logging.getLogger(__name__)

PREFIX = "checkpoint-"
SUFFIX = ".json"
# A checkpoint of a thousand chains is about 150 KB; anything far larger is not one.
MAX_BYTES = 16 * 1024 * 1024
# Clocks of the machines that write checkpoints may differ by this much.
CLOCK_SKEW = timedelta(minutes=5)
# The link that never replaces a file is not offered by every file system
# (some network shares); there, a rename after checking the name is free.
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


class AnchorError(Exception):
    """The checkpoint folder or the signing key cannot be used: the message
    says why, for the operator, and names nothing about a person."""


@dataclass(frozen=True)
class Rejected:
    """A file in the folder that is not a checkpoint of this installation."""

    name: str
    reason: str

    def __str__(self) -> str:
        return f"checkpoint file {self.name} {self.reason}; it was not used"


@dataclass(frozen=True)
class FolderRead:
    folder: Path
    checkpoints: list[Checkpoint] = field(default_factory=list)  # oldest first
    rejected: list[Rejected] = field(default_factory=list)
    missing: bool = False

    @property
    def newest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


@dataclass(frozen=True)
class Recorded:
    path: Path
    checkpoint: Checkpoint
    breaks: list[AnchorBreak]
    rejected: list[Rejected] = field(default_factory=list)  # files not used


def checkpoint_folder() -> Path:
    """The configured folder; an error naming the setting when there is none."""
    folder = settings.HAVEN_CHECKPOINT_DIR
    if folder is None:
        raise AnchorError(
            "no checkpoint folder: set HAVEN_CHECKPOINT_DIR to a folder outside the database "
            '(docs/operations.md, "Audit checkpoints")'
        )
    return Path(folder)


def _public_key() -> Ed25519PublicKey:
    try:
        return signing.local_public_key()
    except signing.SigningKeyError as error:
        raise AnchorError(f"cannot check the checkpoints' signatures: {error}") from error


def _private_key() -> Ed25519PrivateKey:
    try:
        return signing.signing_key()
    except signing.SigningKeyError as error:
        raise AnchorError(f"cannot sign a checkpoint: {error}") from error


def _names(folder: Path) -> list[str]:
    if not folder.is_dir():
        raise AnchorError(f"the checkpoint folder {folder} is not a folder")
    try:
        with os.scandir(folder) as entries:
            return sorted(
                e.name
                for e in entries
                if e.name.startswith(PREFIX) and e.name.endswith(SUFFIX) and not e.is_dir()
            )
    except OSError as error:
        raise AnchorError(
            f"cannot read the checkpoint folder {folder}: {error.strerror}"
        ) from error


def _read(path: Path, public: Ed25519PublicKey) -> Checkpoint:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise CheckpointInvalid(f"cannot be read ({error.strerror})") from error
    if len(raw) > MAX_BYTES:
        raise CheckpointInvalid("is too large to be a checkpoint")
    checkpoint = checkpoint_open(checkpoint_parse(raw), public, source=path.name)
    if checkpoint.taken_at > timezone.now() + CLOCK_SKEW:
        raise CheckpointInvalid(
            f"is dated in the future ({timestamp(checkpoint.taken_at)}): "
            "the clock of the machine that wrote it is wrong"
        )
    return checkpoint


def checkpoints_read(folder: Path) -> FolderRead:
    """Every checkpoint in ``folder`` whose signature verifies, oldest first
    by its own time, and every file that looks like one and is not."""
    if not folder.exists():
        return FolderRead(folder=folder, missing=True)
    names = _names(folder)
    if not names:
        return FolderRead(folder=folder)
    public = _public_key()
    genuine: list[Checkpoint] = []
    rejected: list[Rejected] = []
    for name in names:
        try:
            genuine.append(_read(folder / name, public))
        except CheckpointInvalid as error:
            rejected.append(Rejected(name=name, reason=str(error)))
    genuine.sort(key=lambda c: (c.taken_at, c.source))
    return FolderRead(folder=folder, checkpoints=genuine, rejected=rejected)


def checkpoints_known() -> list[Checkpoint]:
    """The genuine checkpoints of the configured folder, or none when it
    cannot be read (for a backup, which must not fail for it: the
    ``verify_integrity`` that follows every backup reports the folder)."""
    try:
        return checkpoints_read(checkpoint_folder()).checkpoints
    except AnchorError:
        return []


def _ensure(folder: Path) -> None:
    if folder.is_dir():
        return
    if folder.exists():
        raise AnchorError(f"the checkpoint folder {folder} is not a folder")
    if settings.PRODUCTION:
        # A missing folder may be a share that is not mounted: writing into
        # the empty mount point would hide the checkpoints from their copies.
        raise AnchorError(
            f"the checkpoint folder {folder} does not exist: create it, writable by Haven "
            'only (docs/operations.md, "Audit checkpoints")'
        )
    try:
        folder.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        pass
    except OSError as error:
        raise AnchorError(
            f"cannot make the checkpoint folder {folder}: {error.strerror}"
        ) from error


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(temporary: Path, path: Path) -> None:
    """Give the written file its name, never replacing a file of that name."""
    try:
        os.link(temporary, path)
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise
        if path.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(path)) from error
        temporary.rename(path)


def checkpoint_write(folder: Path, signed: dict[str, object], checkpoint: Checkpoint) -> Path:
    """Write one signed checkpoint into ``folder``; its path."""
    _ensure(folder)
    path = folder / f"{PREFIX}{timestamp(checkpoint.taken_at)}-{secrets.token_hex(3)}{SUFFIX}"
    try:
        fd, name = tempfile.mkstemp(prefix=f".{PREFIX}", suffix=".tmp", dir=folder)
    except OSError as error:
        raise AnchorError(
            f"cannot write in the checkpoint folder {folder}: {error.strerror}"
        ) from error
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(checkpoint_bytes(signed))
            handle.flush()
            os.fsync(handle.fileno())
        _place(temporary, path)
        _fsync_folder(folder)
    except FileExistsError as error:
        raise AnchorError(f"{path} already exists: a checkpoint is never rewritten") from error
    except OSError as error:
        raise AnchorError(
            f"cannot write in the checkpoint folder {folder}: {error.strerror}"
        ) from error
    finally:
        temporary.unlink(missing_ok=True)
    return path


def checkpoint_folder_ready() -> Path | None:
    """Check, before a restore writes anything, that it can leave a
    checkpoint behind: the folder is writable and the key signs. None when
    no folder is configured."""
    if settings.HAVEN_CHECKPOINT_DIR is None:
        return None
    folder = checkpoint_folder()
    _private_key()
    _ensure(folder)
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise AnchorError(
            f"cannot write in the checkpoint folder {folder}: {error.strerror}"
        ) from error
    return folder


def checkpoint_record(
    *,
    basis: Basis = Basis.CONTINUED,
    since: Sequence[Checkpoint] | None = None,
    folder: Path | None = None,
) -> Recorded:
    """Take a checkpoint, sign it and write it into the folder.

    ``since``: the checkpoints it continues; by default those in the folder.
    """
    folder = folder if folder is not None else checkpoint_folder()
    key = _private_key()
    _ensure(folder)
    rejected: list[Rejected] = []
    if since is None:
        read = checkpoints_read(folder)
        since, rejected = read.checkpoints, read.rejected
    checkpoint, breaks = checkpoint_take(since=since, basis=basis)
    path = checkpoint_write(folder, checkpoint_sign(checkpoint, key), checkpoint)
    return Recorded(path=path, checkpoint=checkpoint, breaks=breaks, rejected=rejected)


def checkpoint_when_due(*, every: timedelta) -> tuple[Recorded | None, float]:
    """Take a checkpoint if the newest in the folder is ``every`` old (or
    there is none): what was recorded, and the seconds until the next is due."""
    folder = checkpoint_folder()
    read = checkpoints_read(folder)
    newest = read.newest
    now = timezone.now()
    if newest is not None and now - newest.taken_at < every:
        return None, (newest.taken_at + every - now).total_seconds()
    recorded = checkpoint_record(since=read.checkpoints, folder=folder)
    return replace(recorded, rejected=read.rejected), every.total_seconds()
