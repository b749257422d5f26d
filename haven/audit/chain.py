"""Hashing and verifying audit chains. Pure functions, no database writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def timestamp(at: datetime) -> str:
    """A representation of ``at`` that survives a round trip through either database."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an event's fields and its predecessor's hash."""
    canonical = json.dumps(
        {
            "chain": fields["chain"],
            "seq": fields["seq"],
            "at": timestamp(fields["at"]),
            "actor": fields["actor_id"],
            "agency": fields["agency_id"],
            "action": fields["action"],
            "object_type": fields["object_type"],
            "object_id": fields["object_id"],
            "request_id": fields["request_id"],
            "detail": fields["detail"],
            "prev": fields["prev_hash"],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which a chain stops verifying, and why."""

    chain: int
    event_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"chain {self.chain}: event {self.event_id} (seq {self.seq}): {self.reason}"


def first_break(chain: int, events: Iterable[Mapping[str, Any]]) -> ChainBreak | None:
    """Walk one chain in seq order; return where it first fails, or None.

    An altered row fails its own hash; a removed row leaves a gap in seq and a
    successor whose prev_hash points at nothing; an inserted row either
    duplicates a position (impossible under the unique constraint), fails its
    hash, or breaks its successor's prev_hash.
    """
    expected_prev = GENESIS
    expected_seq = 1
    for event in events:
        where = (chain, event["id"], event["seq"])
        if event["seq"] != expected_seq:
            return ChainBreak(*where, f"expected position {expected_seq}: an event is missing")
        if event["prev_hash"] != expected_prev:
            return ChainBreak(*where, "does not follow the previous event")
        if event_hash(event) != event["hash"]:
            return ChainBreak(*where, "content does not match its hash")
        expected_prev = event["hash"]
        expected_seq += 1
    return None
