"""Recompute every hash chain and name the first event that does not verify."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.integrity import verify_audit_chains
from haven.communications.integrity import verify_communication_chains


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chains and every case's communications log; "
        "exit non-zero naming the first bad event or entry."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, breaks = verify_audit_chains()
        entries, entry_breaks = verify_communication_chains()
        problems = [*map(str, breaks), *map(str, entry_breaks)]
        for problem in problems:
            self.stderr.write(f"BROKEN {problem}")
        if problems:
            raise CommandError(f"integrity check failed: first problem is {problems[0]}")
        self.stdout.write(f"OK: {checked} audit events and {entries} communications verified.")
