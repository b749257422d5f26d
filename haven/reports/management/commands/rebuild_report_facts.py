"""Write the reports' de-identified facts again from the records.

For records made before the facts existed (an upgrade), or to check that the
facts agree with the records. Facts of people destroyed since stay as they
are: there is nothing left to write them from, and the counts must survive.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.reports.facts import facts_rebuild


class Command(BaseCommand):
    help = "Write the reports' de-identified facts again from the records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", type=int, help="Only this agency (its number).")

    def handle(self, *args: Any, **options: Any) -> None:
        written = facts_rebuild(options.get("agency"))
        self.stdout.write(
            "Facts written: "
            + ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in written.items())
        )
