"""The audited face of the destruction ledger (haven.core.ledger): a
restore re-applies every destruction, or, when the operator says so, goes on
without the ledger; either way the restored trail says what happened."""

from __future__ import annotations

from django.db import transaction

from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.ledger import ReapplyReport, ledger_head, ledger_reapply


def destructions_reapply() -> ReapplyReport:
    """Re-apply every destruction of the ledger and audit the counts.
    Raises LedgerMissing or LedgerBroken, having changed nothing."""
    head = ledger_head()
    report = ledger_reapply()
    with transaction.atomic():
        audit_record(
            action=Action.DESTRUCTIONS_REAPPLIED,
            object_type="ledger",
            object_id=head.ledger_id,
            detail={
                "ledger_seq": head.seq,
                "entries": report.entries,
                "applied": report.applied,
                "unfinished": report.unfinished,
            },
        )
    return report


def ledger_waiver_audit(reason_code: str) -> None:
    """The operator restored without the ledger: destructions made after the
    backup may have come back. ``reason_code`` says why (a code, not text)."""
    audit_record(
        action=Action.RESTORED_WITHOUT_LEDGER,
        object_type="ledger",
        detail={"reason": reason_code},
    )
