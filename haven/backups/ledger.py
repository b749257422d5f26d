"""The destruction ledger as backups and restore use it.

The ledger itself is ``haven.core.ledger`` (kept outside the database, in
the key folder) and its audited face ``haven.audit.destructions``.
"""

from __future__ import annotations

from typing import Any

from haven.audit.destructions import destructions_reapply, ledger_waiver_audit
from haven.core.ledger import (
    LedgerBroken,
    LedgerMissing,
    ledger_destructions,
    ledger_ensure,
    ledger_head,
)


class LedgerUnusable(Exception):
    """The ledger is missing, broken, or not this installation's."""


def position() -> dict[str, Any] | None:
    """The ledger's head now, made first if it does not exist yet (for a
    backup's manifest); None when it does not verify (the backup goes on:
    a restore will refuse that ledger anyway)."""
    try:
        head = ledger_ensure()
    except LedgerBroken:
        return None
    return {"ledger_id": head.ledger_id, "seq": head.seq, "digest": head.digest}


def check(at_backup: dict[str, Any] | None) -> None:
    """Refuse a ledger that is missing, does not verify, is another
    installation's, or is shorter than it was when the backup was taken."""
    try:
        head = ledger_head()
    except LedgerMissing as error:
        raise LedgerUnusable("the destruction ledger is missing from the key folder") from error
    except LedgerBroken as error:
        raise LedgerUnusable(f"the destruction ledger does not verify ({error})") from error
    if at_backup is None:
        return
    if at_backup.get("ledger_id") and at_backup["ledger_id"] != head.ledger_id:
        raise LedgerUnusable(
            "the destruction ledger in the key folder is not the one of the installation "
            "that made this backup (a new ledger was made here?)"
        )
    if int(at_backup.get("seq", 0)) > head.seq:
        raise LedgerUnusable(
            "the destruction ledger is shorter than when the backup was taken (an older copy?)"
        )


def reapply() -> str:
    """Re-apply every destruction in the restored database (audited); what was done."""
    done = destructions_reapply()
    return (
        f"{done.entries} destructions re-applied, {done.applied} of them removed data again "
        f"({done.rows_removed} rows, {done.keys_removed} data keys)"
    )


def waive() -> str:
    ledger_waiver_audit("restore_without_ledger")
    return "not re-applied: restored with --without-destruction-ledger (audited)"


def destroyed_ids() -> set[str]:
    """The ids of every row the ledger destroys (for the restore's report)."""
    try:
        return {i for d in ledger_destructions() for _label, ids in d.rows for i in ids}
    except (LedgerMissing, LedgerBroken):
        return set()
