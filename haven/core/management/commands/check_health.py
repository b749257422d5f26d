"""Every health check (the same as /readyz), one line each, "ok" or "fail";
exits 1 when any fails. For scripts and monitoring on the machine."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.core.health import health, healthy


class Command(BaseCommand):
    help = "Check that Haven can work now: database, keys, migrations, disk, a jobs worker."

    def handle(self, *args: Any, **options: Any) -> None:
        answers = health()
        for name, answer in answers.items():
            self.stdout.write(f"{name}: {answer}")
        if not healthy(answers):
            raise CommandError("not healthy", returncode=1)
