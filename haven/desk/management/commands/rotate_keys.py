"""Rewrap keys: agency keys under a new master key, or new agency key versions.

Master key rotation, step by step:
1. Set HAVEN_MASTER_KEY to the new key and HAVEN_MASTER_KEY_PREVIOUS to the old.
2. Run ``manage.py rotate_keys --master``.
3. Remove HAVEN_MASTER_KEY_PREVIOUS and destroy the old key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import keys
from haven.core.models import Agency


class Command(BaseCommand):
    help = "Rewrap agency keys under the current master key, and/or rotate agency keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--master", action="store_true", help="rewrap every agency key under HAVEN_MASTER_KEY"
        )
        parser.add_argument(
            "--agency",
            type=int,
            action="append",
            default=[],
            help="rotate this agency's key (repeatable)",
        )
        parser.add_argument("--all-agencies", action="store_true", help="rotate every agency's key")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["master"] or options["agency"] or options["all_agencies"]):
            raise CommandError("Say what to rotate: --master, --agency ID or --all-agencies.")
        try:
            if options["master"]:
                count = keys.rotate_master_key()
                audit_record(
                    action=Action.KEYS_ROTATED, detail={"master": True, "agency_keys": count}
                )
                self.stdout.write(f"Rewrapped {count} agency keys under the current master key.")
            agencies = Agency.objects.all()
            if not options["all_agencies"]:
                agencies = agencies.filter(pk__in=options["agency"])
                missing = set(options["agency"]) - set(agencies.values_list("pk", flat=True))
                if missing:
                    raise CommandError(f"No agency with id {sorted(missing)}; nothing rotated.")
            for agency in agencies if (options["agency"] or options["all_agencies"]) else []:
                count = keys.rotate_agency_key(agency)
                audit_record(
                    action=Action.KEYS_ROTATED,
                    agency=agency,
                    object_type="agency",
                    object_id=agency.pk,
                    detail={"data_keys": count},
                )
                self.stdout.write(
                    f"Agency {agency.pk}: new key version, {count} data keys rewrapped."
                )
        except keys.KeyUnavailable as error:
            raise CommandError(f"{error}. Set HAVEN_MASTER_KEY_PREVIOUS to the old key.") from error
