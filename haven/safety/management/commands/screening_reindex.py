"""Rebuild the blind index the front desk's screening reads, for every agency
or for one.

Run it after every upgrade (docs/operations.md): a release that changes how
screening reads a name (haven/safety/names.py) leaves the digests of the old
reading, and a visitor screened with the new one would not match them.
Safe to run again, and quick: an agency has a short list of persons of
concern. It prints counts and agency numbers only, never a value it indexed,
and each agency's run is in its audit trail.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core.models import Agency
from haven.safety.screening import screening_reindex


class Command(BaseCommand):
    help = (
        "Rebuild the visitor screening index from the persons of concern, for every agency "
        "or one. Idempotent; prints counts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", type=int, help="Only this agency (its number).")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = Agency.objects.order_by("pk")
        if options["agency"] is not None:
            agencies = agencies.filter(pk=options["agency"])
            if not agencies.exists():
                raise CommandError("No agency has that number.")
        concerns = 0
        for agency in agencies:
            done = screening_reindex(agency=agency)
            self.stdout.write(
                f"Agency {agency.pk}: {done.concerns} persons of concern, {done.digests} digests."
            )
            concerns += done.concerns
        self.stdout.write(f"{concerns} persons of concern re-indexed.")
