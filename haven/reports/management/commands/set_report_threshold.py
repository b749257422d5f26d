"""Lower (or set) an agency's small-number threshold, as the operator.

In the application an administrator can only raise it: reports published at
a higher threshold, set beside reports at a lower one, would give back the
counts they hid. Lowering it is a decision to publish smaller counts, taken
here, outside the application, and audited in the agency's trail.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core.models import Agency
from haven.reports.services import report_threshold_lower


class Command(BaseCommand):
    help = "Set an agency's smallest count shown in reports (the operator may lower it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", type=int, required=True, help="The agency's number.")
        parser.add_argument("--threshold", type=int, required=True, help="From 1 to 50.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Agency.objects.filter(pk=options["agency"]).exists():
            raise CommandError("No agency has that number.")
        try:
            saved = report_threshold_lower(
                agency_id=options["agency"], threshold=options["threshold"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Smallest count shown: {saved.threshold}")
