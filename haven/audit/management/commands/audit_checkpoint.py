"""Take one signed checkpoint of every audit chain's head into the
checkpoint folder (for a systemd timer or cron; the job worker takes one
every HAVEN_CHECKPOINT_INTERVAL seconds too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.audit.checkpoint_files import AnchorError, checkpoint_record
from haven.audit.checkpoints import Basis


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of every audit chain's head (position and hash) into "
        "HAVEN_CHECKPOINT_DIR. A chain that no longer holds the event its last checkpoint "
        "anchored is reported (exit non-zero) and recorded as unmatched, never trusted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", type=Path, help="the checkpoint folder (default: HAVEN_CHECKPOINT_DIR)"
        )
        parser.add_argument(
            "--after-restore",
            action="store_true",
            help=(
                "the database was restored from a continuous copy (Litestream, archived WAL): "
                "accept its chains as they are now, although they are shorter than, or differ "
                "from, the checkpoints taken before the restore"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accepting = options["after_restore"]
        try:
            recorded = checkpoint_record(
                basis=Basis.ACCEPTED if accepting else Basis.CONTINUED, folder=options["to"]
            )
        except AnchorError as error:
            raise CommandError(str(error)) from error
        anchors = recorded.checkpoint.anchors
        self.stdout.write(f"Checkpoint written: {recorded.path} ({len(anchors)} audit chains)")
        for rejected in recorded.rejected:
            # verify_integrity fails on these; here they only were not continued from.
            self.stderr.write(f"WARNING {rejected}")
        if accepting:
            for found in recorded.breaks:
                self.stdout.write(f"ACCEPTED as restored: {found}")
            return
        for found in recorded.breaks:
            self.stderr.write(f"BROKEN {found}")
        if recorded.breaks:
            raise CommandError(
                f"{len(recorded.breaks)} audit chains no longer hold their checkpoint, and are "
                f"recorded as unmatched: first is {recorded.breaks[0]}"
            )
