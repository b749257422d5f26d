"""Rebuild the blind indexes people are searched by, for every agency.

Run once after an upgrade that adds a kind of index (docs/adr/0022-search-indexes.md),
so people recorded before it can be found by it too. Safe to run again; it
prints counts and agency ids only, never a value it indexed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.core.models import Agency
from haven.people.models import SearchEntry
from haven.people.services import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Re-index every person of every agency for search, in batches. "
        "Idempotent; prints counts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        size = max(1, options["batch_size"])
        total = 0
        for agency_id in Agency.objects.order_by("pk").values_list("pk", flat=True):
            people = 0
            for done in search_index_rebuild(agency_id=agency_id, batch_size=size):
                people += done
                if options["verbosity"] > 1:
                    self.stdout.write(f"Agency {agency_id}: {people} people so far")
            entries = SearchEntry.objects.filter(agency_id=agency_id).count()
            self.stdout.write(f"Agency {agency_id}: {people} people re-indexed, {entries} entries.")
            total += people
        self.stdout.write(f"{total} people re-indexed.")
