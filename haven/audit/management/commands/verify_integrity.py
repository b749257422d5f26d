"""Recompute every hash chain and name the first event that does not verify."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.integrity import registered_checks, verify_audit_chains


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chains and every chain anchored in it (each case's "
        "communications log); exit non-zero naming the first bad event or entry."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, breaks = verify_audit_chains()
        problems = [str(b) for b in breaks]
        counts = [f"{checked} audit events"]
        for counted, check in registered_checks().items():
            read, found = check()
            problems += [str(b) for b in found]
            counts.append(f"{read} {counted}")
        for problem in problems:
            self.stderr.write(f"BROKEN {problem}")
        if problems:
            raise CommandError(f"integrity check failed: first problem is {problems[0]}")
        self.stdout.write(f"OK: {' and '.join(counts)} verified.")
