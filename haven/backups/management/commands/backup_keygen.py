"""Make a backup key pair (like ``age-keygen``, for operators without age)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyrage
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Write a new age identity (the backup key's private half) to FILE, mode 0600, and "
        "print its recipient (the public half) for HAVEN_BACKUP_RECIPIENT. Keep FILE offline: "
        "restores need it, the server must not hold it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--identity-out", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["identity_out"]
        identity = pyrage.x25519.Identity.generate()
        recipient = str(identity.to_public())
        text = (
            f"# created: {datetime.now(UTC).isoformat(timespec='seconds')}\n"
            f"# public key: {recipient}\n{identity}\n"
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as error:
            raise CommandError(f"{path} already exists: not overwriting an identity") from error
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror}") from error
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
        self.stdout.write(recipient)
