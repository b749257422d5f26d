"""A checkpoint of the audit trail: the head of every chain, signed.

See docs/adr/0030-anchored-audit-chains.md. A checkpoint says "at this time,
chain C held N events and its event at position S had hash H", signed with
the installation's Ed25519 key (``haven.core.signing``), which is never in
the database. Someone who can write the database but not the key folder can
rewrite a chain and recompute its hashes; they cannot make a checkpoint that
agrees with the rewrite.

This module is the format only: building, signing and opening one. Where
checkpoints are kept is ``checkpoint_files``; comparing them with the
database is ``anchors``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from haven.audit.chain import timestamp
from haven.core import signing

KIND = "haven.audit_checkpoint"
FORMAT = 1
# The key also signs backup manifests: this prefix keeps a checkpoint's
# signature from ever verifying as a manifest's, and the reverse.
_DOMAIN = b"haven audit checkpoint\n"
_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
_HASH = re.compile(r"[0-9a-f]{64}")


class Basis(StrEnum):
    """Why a checkpoint's heads are to be trusted."""

    # It continues the checkpoints before it: each chain they anchored still
    # held its anchored event, or is listed as unmatched.
    CONTINUED = "continued"
    # Taken by ``restore`` once the backup matched the backup's own checkpoint.
    RESTORED = "restored"
    # ``audit_checkpoint --after-restore``: the operator restored a continuous
    # copy (Litestream, archived WAL) and accepts the database as it is.
    ACCEPTED = "accepted"


class CheckpointInvalid(Exception):
    """Not a checkpoint of this installation: unsigned, altered, damaged, or
    signed with another key. The message says which, naming nothing else."""


@dataclass(frozen=True)
class Anchor:
    """One chain's head when the checkpoint was taken."""

    chain: int
    seq: int
    hash: str
    count: int


@dataclass(frozen=True)
class Checkpoint:
    taken_at: datetime
    basis: Basis
    anchors: Mapping[int, Anchor]
    # Chains whose database no longer held the event the checkpoints before
    # this one anchored: their heads here are recorded, never trusted.
    unmatched: frozenset[int] = frozenset()
    # Where it was read from (a file's name, the backup's manifest), for messages.
    source: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"the checkpoint of {timestamp(self.taken_at)}"

    @property
    def starts_epoch(self) -> bool:
        """A restore's checkpoint: those before it describe a database that
        was replaced, and are no longer held against this one."""
        return self.basis is not Basis.CONTINUED

    def trusted(self) -> dict[int, Anchor]:
        return {c: a for c, a in self.anchors.items() if c not in self.unmatched}


def _body(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "kind": KIND,
        "format": FORMAT,
        "taken_at": timestamp(checkpoint.taken_at),
        "basis": str(checkpoint.basis),
        "chains": [
            {"chain": a.chain, "seq": a.seq, "hash": a.hash, "count": a.count}
            for _, a in sorted(checkpoint.anchors.items())
        ],
        "unmatched": sorted(checkpoint.unmatched),
    }


def _canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def checkpoint_sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The checkpoint and its signature, as kept in a file or a backup's manifest."""
    body = _body(checkpoint)
    signature = key.sign(_DOMAIN + _canonical(body))
    return {"checkpoint": body, "signature": base64.b64encode(signature).decode("ascii")}


def checkpoint_bytes(signed: Mapping[str, Any]) -> bytes:
    """A signed checkpoint as a file holds it: canonical JSON, one line."""
    return _canonical(signed) + b"\n"


def checkpoint_parse(raw: bytes) -> Any:
    """JSON from a checkpoint file; refuses what is not strict JSON."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    try:
        return json.loads(raw.decode("utf-8"), parse_constant=refuse)
    except (UnicodeDecodeError, ValueError) as error:
        raise CheckpointInvalid("is not JSON (truncated or damaged?)") from error


def checkpoint_open(signed: Any, public: Ed25519PublicKey, *, source: str = "") -> Checkpoint:
    """The checkpoint in ``signed`` once its signature verifies under ``public``."""
    if not isinstance(signed, dict) or set(signed) != {"checkpoint", "signature"}:
        raise CheckpointInvalid("is not a signed checkpoint")
    body, encoded = signed["checkpoint"], signed["signature"]
    try:
        if not isinstance(encoded, str):
            raise ValueError
        signature = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as error:
        raise CheckpointInvalid("has a malformed signature") from error
    try:
        signing.verify(public, signature, _DOMAIN + _canonical(body))
    except signing.SignatureInvalid as error:
        raise CheckpointInvalid(
            "has a signature that does not verify: altered, forged, or signed with another "
            "installation's key"
        ) from error
    return _checkpoint(body, source)


def _int(value: object, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise CheckpointInvalid("holds a value this Haven does not read")
    return value


def _checkpoint(body: Any, source: str) -> Checkpoint:
    """A signed body is the installation's own: one it cannot read is from a
    newer Haven, or a bug, never something to guess at."""
    if not isinstance(body, dict) or body.get("kind") != KIND:
        raise CheckpointInvalid("is not an audit checkpoint")
    if body.get("format") != FORMAT:
        raise CheckpointInvalid(f"is in a format ({body.get('format')}) this Haven does not read")
    try:
        taken_at = datetime.strptime(str(body["taken_at"]), _TIME).replace(tzinfo=UTC)
        basis = Basis(body["basis"])
        chains, unmatched = body["chains"], body["unmatched"]
    except (KeyError, ValueError) as error:
        raise CheckpointInvalid("holds a value this Haven does not read") from error
    if not isinstance(chains, list) or not isinstance(unmatched, list):
        raise CheckpointInvalid("holds a value this Haven does not read")
    anchors: dict[int, Anchor] = {}
    for item in chains:
        if not isinstance(item, dict) or set(item) != {"chain", "seq", "hash", "count"}:
            raise CheckpointInvalid("holds a value this Haven does not read")
        if not isinstance(item["hash"], str) or not _HASH.fullmatch(item["hash"]):
            raise CheckpointInvalid("holds a value this Haven does not read")
        anchor = Anchor(
            chain=_int(item["chain"], least=0),
            seq=_int(item["seq"], least=1),
            hash=item["hash"],
            count=_int(item["count"], least=0),
        )
        if anchor.chain in anchors:
            raise CheckpointInvalid("names a chain twice")
        anchors[anchor.chain] = anchor
    return Checkpoint(
        taken_at=taken_at,
        basis=basis,
        anchors=anchors,
        unmatched=frozenset(_int(c, least=0) for c in unmatched),
        source=source,
    )
