"""Destroy the records of people whose cases all closed long enough ago."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core.models import Agency
from haven.people.services import people_due_for_retention, person_destroy


class Command(BaseCommand):
    help = (
        "Destroy beyond recovery every person whose cases all closed more than "
        "--years years ago. Prints counts only. Run with --dry-run first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", type=int, required=True, help="agency id")
        parser.add_argument("--years", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(pk=options["agency"]).first()
        if agency is None:
            raise CommandError("No agency with that id; nothing destroyed.")
        try:
            due = people_due_for_retention(agency_id=agency.pk, years=options["years"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["dry_run"]:
            self.stdout.write(f"{len(due)} people would be destroyed.")
            return
        for person in due:
            person_destroy(actor=None, person=person, basis="retention")
        self.stdout.write(f"{len(due)} people destroyed.")
