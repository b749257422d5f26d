"""Holding the audit trail to its checkpoints, and taking a new one.

A chain is held to its *trusted anchor*: the newest head that a checkpoint
of the current epoch recorded for it without listing it as unmatched. An
epoch starts at the newest checkpoint a restore took (basis ``restored`` or
``accepted``): the checkpoints before it describe a database that was
replaced, and are only used to narrow down where a rewrite began.

A chain's hashes are recomputed by whoever rewrites it, so the database can
only say that its event at the anchored position differs, not which earlier
event was changed first. Older checkpoints narrow it down: the newest whose
head the database still holds bounds the rewrite, which began with the event
just after that head or later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from haven.audit.checkpoints import Anchor, Basis, Checkpoint
from haven.audit.selectors import Placed, chain_heads, chain_last_seq, event_at


def epoch(checkpoints: Sequence[Checkpoint]) -> list[Checkpoint]:
    """The checkpoints of the current epoch, oldest first."""
    ordered = sorted(checkpoints, key=lambda c: c.taken_at)
    starts = [i for i, c in enumerate(ordered) if c.starts_epoch]
    return ordered[starts[-1] :] if starts else ordered


def trusted_anchors(checkpoints: Sequence[Checkpoint]) -> dict[int, tuple[Anchor, Checkpoint]]:
    """Each anchored chain's trusted anchor, and the checkpoint that holds it."""
    held: dict[int, tuple[Anchor, Checkpoint]] = {}
    for checkpoint in epoch(checkpoints):
        for chain, anchor in checkpoint.trusted().items():
            held[chain] = (anchor, checkpoint)
    return held


class Found(StrEnum):
    DIFFERS = "differs"  # another event stands at the anchored position
    GONE = "gone"  # the anchored position is empty, later ones are not
    SHORTER = "shorter"  # the chain ends before the anchored position
    MISSING = "missing"  # the chain holds no event at all


@dataclass(frozen=True)
class AnchorBreak:
    """A chain that no longer holds its trusted anchor, and how far back the
    checkpoints that it still holds put the start of the change."""

    chain: int
    anchor: Anchor
    checkpoint: Checkpoint
    found: Found
    event_id: int | None  # the event now at the anchored position
    last_seq: int | None  # the chain's last position now
    still_held: tuple[Anchor, Checkpoint] | None  # the newest older anchor the chain holds
    first_suspect_seq: int  # the position just after it (or 1)
    first_suspect: Placed | None  # the event at that position, if one is there

    def __str__(self) -> str:
        return f"chain {self.chain}: {self._what()}; {self._since()}"

    def _what(self) -> str:
        seq = self.anchor.seq
        if self.found is Found.DIFFERS:
            return f"event {self.event_id} (seq {seq}) no longer matches {self.checkpoint}"
        if self.found is Found.GONE:
            return f"the event at seq {seq} that {self.checkpoint} anchors is gone"
        if self.found is Found.SHORTER:
            return (
                f"it ends at seq {self.last_seq}, short of seq {seq} that {self.checkpoint} anchors"
            )
        return f"it holds no event, yet {self.checkpoint} anchors {self.anchor.count}"

    def _since(self) -> str:
        if self.still_held is None:
            where = (
                "no earlier checkpoint still matches, so the change may begin at its first event"
            )
        else:
            anchor, checkpoint = self.still_held
            where = (
                f"the last checkpoint that still matches is {checkpoint} (seq {anchor.seq}), "
                "so the change begins at or after the first event after it"
            )
        if self.first_suspect is None:
            return f"{where}, at seq {self.first_suspect_seq}, which is gone"
        return f"{where}, event {self.first_suspect.id} (seq {self.first_suspect_seq})"


def _still_held(
    chain: int, failed: Anchor, at: Checkpoint, newest_first: Sequence[Checkpoint]
) -> tuple[Anchor, Checkpoint] | None:
    """The newest anchor of ``chain`` older than ``at`` that the database
    still holds. Any epoch counts: a hash the database holds is proof enough."""
    tried: set[tuple[int, str]] = set()
    for checkpoint in newest_first:
        if checkpoint.taken_at >= at.taken_at:
            continue
        anchor = checkpoint.trusted().get(chain)
        if anchor is None or anchor.seq >= failed.seq or (anchor.seq, anchor.hash) in tried:
            continue
        tried.add((anchor.seq, anchor.hash))
        placed = event_at(chain, anchor.seq)
        if placed is not None and placed.hash == anchor.hash:
            return anchor, checkpoint
    return None


def _break(
    chain: int, anchor: Anchor, at: Checkpoint, newest_first: Sequence[Checkpoint]
) -> AnchorBreak | None:
    placed = event_at(chain, anchor.seq)
    if placed is not None and placed.hash == anchor.hash:
        return None
    last = chain_last_seq(chain)
    if placed is not None:
        found = Found.DIFFERS
    elif last is None:
        found = Found.MISSING
    elif last < anchor.seq:
        found = Found.SHORTER
    else:
        found = Found.GONE
    still_held = _still_held(chain, anchor, at, newest_first)
    first = still_held[0].seq + 1 if still_held else 1
    return AnchorBreak(
        chain=chain,
        anchor=anchor,
        checkpoint=at,
        found=found,
        event_id=placed.id if placed else None,
        last_seq=last,
        still_held=still_held,
        first_suspect_seq=first,
        first_suspect=event_at(chain, first),
    )


def anchors_check(checkpoints: Sequence[Checkpoint]) -> list[AnchorBreak]:
    """Every chain that no longer holds its trusted anchor, by chain.

    One indexed read per anchored chain; narrowing down reads more, and only
    for a chain that fails.
    """
    newest_first = sorted(checkpoints, key=lambda c: c.taken_at, reverse=True)
    breaks = []
    for chain, (anchor, checkpoint) in sorted(trusted_anchors(checkpoints).items()):
        found = _break(chain, anchor, checkpoint, newest_first)
        if found is not None:
            breaks.append(found)
    return breaks


def checkpoint_take(
    *, since: Sequence[Checkpoint], basis: Basis = Basis.CONTINUED
) -> tuple[Checkpoint, list[AnchorBreak]]:
    """A new checkpoint of every chain's head (unsigned), and the chains that
    no longer hold their anchor in ``since``.

    Those chains are listed as unmatched: their heads are recorded but never
    trusted, so a checkpoint taken after a rewrite (by the worker, every hour)
    cannot make the rewrite look anchored. Only a restore's checkpoint
    (``accepted``) takes the database as it is.
    """
    breaks = anchors_check(since)
    taken_at = timezone.now()
    anchors = {
        chain: Anchor(chain=chain, seq=head.seq, hash=head.hash, count=head.count)
        for chain, head in chain_heads().items()
    }
    unmatched = frozenset() if basis is Basis.ACCEPTED else frozenset(b.chain for b in breaks)
    return Checkpoint(taken_at=taken_at, basis=basis, anchors=anchors, unmatched=unmatched), breaks
