"""Re-apply every destruction of the ledger to this database: after
restoring a backup or a continuous copy (Litestream, PostgreSQL's archived
WAL), so a person destroyed since stays destroyed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.destructions import destructions_reapply
from haven.core.ledger import LedgerBroken, LedgerMissing


class Command(BaseCommand):
    help = (
        "Re-apply every destruction recorded in the destruction ledger (in the key folder) "
        "to this database, then wipe the freed space. Run it after any restore."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = destructions_reapply()
        except (LedgerMissing, LedgerBroken) as error:
            raise CommandError(
                f"{error}. Nothing was changed. Restore the key folder's ledger from its own "
                "backup; without it, destructions made after this copy may come back."
            ) from None
        self.stdout.write(
            f"OK: {report.entries} destructions in the ledger, {report.applied} re-applied "
            f"({report.rows_removed} rows and {report.keys_removed} keys removed"
            f"{f', {report.unfinished} never confirmed' if report.unfinished else ''})."
        )
