"""Write one encrypted, signed backup of the database, then prune old ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.backups.services import BackupError, backup_make, backups_prune


class Command(BaseCommand):
    help = (
        "Back up the database while Haven serves: a consistent copy encrypted to "
        "HAVEN_BACKUP_RECIPIENT, with a signed manifest, in FOLDER/haven-<UTC time>/; "
        "then prune older backups (HAVEN_BACKUP_KEEP_DAILY/WEEKLY/MONTHLY)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, type=Path, help="folder that holds the backups")
        parser.add_argument("--no-prune", action="store_true", help="keep every older backup")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["to"]
        try:
            made = backup_make(to=folder)
            removed = [] if options["no_prune"] else backups_prune(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written: {made}")
        for path in removed:
            self.stdout.write(f"Pruned: {path.name}")
