"""Restore a backup into an empty database and re-apply the destruction ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.backups.services import BackupError, RestoreReport, backup_restore


class Command(BaseCommand):
    help = (
        "Restore BACKUP_FOLDER (made by `backup`) into the configured database, which must be "
        "empty: verify the signed manifest and every file's hash, decrypt with the offline "
        "identity, restore, verify_integrity (against the backup's own audit checkpoint), "
        "re-apply the destruction ledger, leave a checkpoint of the restored audit chains in "
        "HAVEN_CHECKPOINT_DIR, and report what was recorded after the backup and is missing. "
        "Stop Haven first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_folder", type=Path)
        parser.add_argument("--identity", required=True, type=Path, help="the age identity file")
        parser.add_argument(
            "--signer", type=Path, help="signing_key.pub of the installation that made the backup"
        )
        parser.add_argument(
            "--without-destruction-ledger",
            action="store_true",
            help="restore although the ledger is missing or broken (audited)",
        )
        parser.add_argument(
            "--previous",
            help="the lost or damaged database (SQLite path or URL), to list what is missing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(
                folder=options["backup_folder"],
                identity=options["identity"],
                signer=options["signer"],
                without_ledger=options["without_destruction_ledger"],
                previous=options["previous"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        for line in report_lines(report):
            self.stdout.write(line)


def report_lines(report: RestoreReport) -> list[str]:
    heads = ", ".join(f"chain {c} at {seq}" for c, (seq, _) in sorted(report.audit_heads.items()))
    lines = [
        f"Restored the backup taken at {report.taken_at} (Haven {report.haven_version}).",
        "Migrations applied after the restore." if report.migrated else "Schema up to date.",
        f"verify_integrity: {report.integrity}.",
        f"Destruction ledger: {report.ledger}.",
        f"Audit checkpoint: {report.checkpoint}.",
    ]
    if report.unmatched:
        chains = ", ".join(str(c) for c in report.unmatched)
        lines.append(
            f"WARNING when this backup was taken, audit chains {chains} no longer held the "
            "checkpoints taken before it: they may have been rewritten before the backup"
        )
    if not report.previous_read:
        lines.append(
            f"Everything recorded after {report.taken_at} is missing "
            f"(the backup's last audit positions: {heads or 'none'}). "
            "Pass --previous with the old database to list those records."
        )
        return lines
    if not (report.made_after or report.changed_after or report.destroyed_again):
        lines.append("Nothing was recorded in the previous database after this backup.")
    for title, found in (
        ("Made after the backup, missing from this restore", report.made_after),
        ("Changed after the backup, those changes missing", report.changed_after),
        ("Destroyed after the backup, destroyed again from the ledger", report.destroyed_again),
    ):
        if found:
            lines.append(f"{title}:")
            for kind, ids in found.items():
                lines += [f"  {kind} {i} ({', '.join(actions)})" for i, actions in ids.items()]
    return lines
