"""The destruction ledger as backups and restore use it.

The ledger itself is ``haven.core.ledger`` (kept outside the database) and
its audited face ``haven.audit.destructions``; both are looked up when
called, so that this app states in one place what it needs of them.
"""

from __future__ import annotations

import importlib
from typing import Any


class LedgerUnusable(Exception):
    """The ledger is missing, broken, or not this installation's."""


def _core() -> Any:
    return importlib.import_module("haven.core.ledger")


def _audited() -> Any:
    return importlib.import_module("haven.audit.destructions")


def position() -> dict[str, Any] | None:
    """The ledger's head now (for a backup's manifest), or None when it cannot be read."""
    try:
        core = _core()
        head = core.ledger_head()
    except ImportError:
        return None
    except (core.LedgerMissing, core.LedgerBroken):
        return None
    return {"ledger_id": head.ledger_id, "seq": head.seq, "digest": head.digest}


def check(at_backup: dict[str, Any] | None) -> None:
    """Refuse a ledger that is missing, does not verify, is another
    installation's, or is shorter than it was when the backup was taken."""
    try:
        core = _core()
    except ImportError as error:
        raise LedgerUnusable("this Haven has no destruction ledger") from error
    try:
        head = core.ledger_head()
    except core.LedgerMissing as error:
        raise LedgerUnusable("the destruction ledger is missing from the key folder") from error
    except core.LedgerBroken as error:
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
    done = _audited().destructions_reapply()
    return f"{done.entries} destructions re-applied, {done.applied} of them removed data again"


def waive() -> str:
    _audited().ledger_waiver_audit("restore_without_ledger")
    return "not re-applied: restored with --without-destruction-ledger (audited)"
