"""The audit checkpoint a backup carries in its manifest, and the one a
restore leaves in the checkpoint folder (docs/adr/0030-anchored-audit-chains.md).

A backup's manifest holds a checkpoint of every audit chain's head, signed
on its own (as well as under the manifest's signature), taken as the
checkpoints in the folder are: a chain that no longer holds its anchor there
is listed as unmatched. A restore holds the restored chains to it, then
writes a checkpoint of its own that starts a new epoch: the checkpoints
taken after the backup describe the database the restore replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from haven.audit.anchors import checkpoint_take
from haven.audit.checkpoint_files import (
    AnchorError,
    checkpoint_folder_ready,
    checkpoint_record,
    checkpoints_known,
)
from haven.audit.checkpoints import Basis, Checkpoint, checkpoint_open, checkpoint_sign
from haven.audit.integrity import IntegrityReport, integrity_verify

MANIFEST_SOURCE = "the backup's manifest"


def manifest_checkpoint(key: Ed25519PrivateKey) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The manifest's audit heads (as restore's report reads them) and the
    signed checkpoint they come from: one read of the heads for both."""
    checkpoint, _ = checkpoint_take(since=checkpoints_known())
    heads = [
        {"chain": a.chain, "seq": a.seq, "hash": a.hash}
        for _, a in sorted(checkpoint.anchors.items())
    ]
    return heads, checkpoint_sign(checkpoint, key)


def manifest_checkpoint_open(
    manifest: dict[str, Any], public: Ed25519PublicKey
) -> Checkpoint | None:
    """The manifest's checkpoint once it verifies (``CheckpointInvalid``
    otherwise); None for a backup made before checkpoints existed."""
    if "checkpoint" not in manifest:
        return None
    return checkpoint_open(manifest["checkpoint"], public, source=MANIFEST_SOURCE)


def restore_can_leave_a_checkpoint() -> None:
    """Before a restore writes anything: ``AnchorError`` unless the
    checkpoint folder (when one is named) can be written and the key signs."""
    checkpoint_folder_ready()


def restored_verify(checkpoint: Checkpoint | None) -> IntegrityReport:
    """The restored database's chains, against themselves and the backup's
    checkpoint: never against the folder's, taken after the backup."""
    return integrity_verify(checkpoints=[checkpoint] if checkpoint else [])


def restored_checkpoint_leave(since: Sequence[Checkpoint]) -> str:
    """Write the restore's checkpoint; what happened, for the report."""
    try:
        if checkpoint_folder_ready() is None:
            return "not written: no checkpoint folder is named (HAVEN_CHECKPOINT_DIR)"
        recorded = checkpoint_record(basis=Basis.RESTORED, since=since)
    except AnchorError as error:
        return f"not written ({error}): run manage.py audit_checkpoint --after-restore"
    return f"written to {recorded.path}"
