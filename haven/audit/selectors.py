"""Reads of the audit trail as a whole, for the installation's own tools
(backups, restore). Nothing here reads a person's data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max

from haven.audit.models import AuditEvent


@dataclass(frozen=True)
class ChainHead:
    """The last event of one chain: its position and hash."""

    chain: int
    seq: int
    hash: str


def chain_heads() -> dict[int, ChainHead]:
    """The current head of every audit chain, by chain."""
    last = AuditEvent.objects.values("chain").annotate(seq=Max("seq")).order_by("chain")
    heads: dict[int, ChainHead] = {}
    for row in last:
        hash_ = (
            AuditEvent.objects.filter(chain=row["chain"], seq=row["seq"])
            .values_list("hash", flat=True)
            .get()
        )
        heads[row["chain"]] = ChainHead(chain=row["chain"], seq=row["seq"], hash=hash_)
    return heads
