"""Recompute every hash chain and name the first event that does not verify."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.integrity import verify_audit_chains


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; exit non-zero at the first bad event."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, breaks = verify_audit_chains()
        if breaks:
            for found in breaks:
                self.stderr.write(f"BROKEN {found}")
            raise CommandError(f"integrity check failed: first bad event is {breaks[0]}")
        self.stdout.write(f"OK: {checked} audit events verified.")
