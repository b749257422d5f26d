"""Recompute every hash chain, hold the audit chains to their newest
checkpoint, and name the first event that does not verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.audit.checkpoint_files import AnchorError, checkpoints_read
from haven.audit.checkpoints import Checkpoint
from haven.audit.integrity import integrity_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chains and every chain anchored in it (each case's "
        "communications log), and hold the audit chains to the newest signed checkpoint "
        "in HAVEN_CHECKPOINT_DIR; exit non-zero naming the first bad event or entry, or a "
        "checkpoint file that is not genuine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help="a folder of checkpoints to check against instead (a copy kept elsewhere)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path | None = options["checkpoints"] or settings.HAVEN_CHECKPOINT_DIR
        checkpoints, problems, note = self._checkpoints(folder)
        report = integrity_verify(checkpoints=checkpoints)
        problems = report.problems + problems
        for problem in problems:
            self.stderr.write(f"BROKEN {problem}")
        if report.unanchored:
            self.stderr.write(
                "If this database was restored from a continuous copy (Litestream, archived "
                "WAL), the checkpoints taken after that moment are longer than its chains: "
                "`manage.py audit_checkpoint --after-restore` accepts it as it is. Otherwise "
                "the audit trail was changed in the database: keep a copy of it as it is now."
            )
        if problems:
            raise CommandError(f"integrity check failed: first problem is {problems[0]}")
        if note:
            self.stderr.write(f"WARNING {note}")
        held = (
            f"; {report.anchored} audit chains match {checkpoints[-1]}" if report.anchored else ""
        )
        self.stdout.write(f"OK: {' and '.join(report.counts)} verified{held}.")

    def _checkpoints(self, folder: Path | None) -> tuple[list[Checkpoint], list[str], str]:
        """The genuine checkpoints, each file that is not one, and a note when
        there is nothing to hold the chains to."""
        if folder is None:
            return (
                [],
                [],
                (
                    "no checkpoint folder (HAVEN_CHECKPOINT_DIR): the audit chains were checked "
                    "only against themselves"
                ),
            )
        try:
            read = checkpoints_read(folder)
        except AnchorError as error:
            return [], [str(error)], ""
        rejected = [str(r) for r in read.rejected]
        if read.checkpoints:
            return sorted(read.checkpoints, key=lambda c: c.taken_at), rejected, ""
        where = "does not exist" if read.missing else "holds no genuine checkpoint"
        return (
            [],
            rejected,
            (
                f"the checkpoint folder {folder} {where} yet: the audit chains were checked only "
                "against themselves (manage.py audit_checkpoint takes one)"
            ),
        )
