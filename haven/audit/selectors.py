"""Reads of the audit trail as a whole, for the installation's own tools
(backups, restore). Nothing here reads a person's data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max

from haven.audit.models import AuditEvent


@dataclass(frozen=True)
class ChainHead:
    """The last event of one chain: its position and hash, and how many
    events the chain holds (its position, unless events are missing)."""

    chain: int
    seq: int
    hash: str
    count: int


def chain_heads() -> dict[int, ChainHead]:
    """The current head of every audit chain, by chain."""
    # One pass over the (chain, seq) index gives both the position and the count.
    last = (
        AuditEvent.objects.values("chain")
        .annotate(last=Max("seq"), events=Count("seq"))
        .order_by("chain")
    )
    heads: dict[int, ChainHead] = {}
    for row in last:
        hash_ = (
            AuditEvent.objects.filter(chain=row["chain"], seq=row["last"])
            .values_list("hash", flat=True)
            .get()
        )
        heads[row["chain"]] = ChainHead(
            chain=row["chain"], seq=row["last"], hash=hash_, count=row["events"]
        )
    return heads


@dataclass(frozen=True)
class Placed:
    """The event at one position of a chain: its id and stored hash."""

    id: int
    hash: str


def event_at(chain: int, seq: int) -> Placed | None:
    """The event at position ``seq`` of ``chain``, if there is one."""
    row = AuditEvent.objects.filter(chain=chain, seq=seq).values_list("id", "hash").first()
    return Placed(id=row[0], hash=row[1]) if row else None


def chain_last_seq(chain: int) -> int | None:
    """The position of the chain's last event; None for a chain with none."""
    last: int | None = AuditEvent.objects.filter(chain=chain).aggregate(last=Max("seq"))["last"]
    return last
