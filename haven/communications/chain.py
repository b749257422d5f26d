"""Hashing and verifying the communications chains. Keyless, like the audit
chain: anyone holding the database can recompute them, so each entry's hash
is also anchored in the audit trail when it is written."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from haven.audit.chain import GENESIS, timestamp

# Every column of an entry, in the clear or sealed, goes into its hash.
CLEAR = (
    "id",
    "case_id",
    "seq",
    "occurred_at",
    "channel",
    "with_person",
    "staff_ids",
    "follow_up_on",
    "language",
    "interpretation",
    "interpreter_id",
    "ad_hoc",
    "agreement_warning",
    "attachment_ids",
    "addendum_to_id",
    "recorded_at",
    "recorded_by_id",
    "data_key_id",
    "prev_hash",
)
SEALED = (
    "partners",
    "others",
    "place",
    "summary",
    "details",
    "follow_up",
    "ad_hoc_name",
    "ad_hoc_reason",
    "addendum_reason",
)
COLUMNS = (*CLEAR, *SEALED, "hash")


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | list):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if hasattr(value, "tzinfo"):  # a datetime
        return timestamp(value)
    return value.isoformat()  # a date


def entry_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an entry's columns (sealed ones as
    their ciphertext) and its predecessor's hash."""
    canonical = json.dumps(
        {name: _plain(values[name]) for name in (*CLEAR, *SEALED)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class EntryBreak:
    """The first entry of a case's log that does not verify, and why."""

    case_id: str
    entry_id: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"case {self.case_id}: communication {self.entry_id} (seq {self.seq}): {self.reason}"


def first_break(
    case_id: str, entries: Iterable[Mapping[str, Any]], anchors: Mapping[str, tuple[int, str]]
) -> EntryBreak | None:
    """Walk one case's entries in seq order against their anchors (entry id
    -> (seq, hash) as the audit trail recorded them); return the first that
    fails, or None."""
    expected_prev = GENESIS
    expected_seq = 1
    seen: set[str] = set()
    for entry in entries:
        entry_id = str(entry["id"])
        seen.add(entry_id)

        def broken(reason: str, entry_id: str = entry_id, seq: int = entry["seq"]) -> EntryBreak:
            return EntryBreak(case_id, entry_id, seq, reason)

        anchored = anchors.get(entry_id)
        if anchored is None:
            return broken("is not in the audit trail: it was written outside Haven")
        if entry["seq"] != expected_seq:
            missing = [e for e, (s, _h) in anchors.items() if s == expected_seq]
            if missing:
                return EntryBreak(case_id, missing[0], expected_seq, "was removed")
            return broken(f"expected position {expected_seq}: entries were reordered")
        if anchored[0] != entry["seq"]:
            return broken("was moved from its position")
        if entry["prev_hash"] != expected_prev:
            return broken("does not follow the previous entry")
        if entry_hash(entry) != entry["hash"] or anchored[1] != entry["hash"]:
            return broken("was altered after it was written")
        expected_prev = entry["hash"]
        expected_seq += 1
    for entry_id, (seq, _hash) in sorted(anchors.items(), key=lambda item: item[1][0]):
        if entry_id not in seen:
            return EntryBreak(case_id, entry_id, seq, "was removed")
    return None
