"""Check an exported bundle: the standalone verifier's checks, then that
Haven made it (its root hash is in the audit trail) and that its
communications are the ones in the case's chain, unless the case is gone."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.audit.models import Action, AuditEvent
from haven.communications.models import Communication
from haven.exports.verifier import RECORD, BundleInvalid, verify


class Command(BaseCommand):
    help = "Verify an exported case record bundle against its hashes and Haven's own records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle", help="path to the exported .zip")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            root = verify(options["bundle"])
        except BundleInvalid as problem:
            raise CommandError(f"FAILED: {problem}") from problem
        if not AuditEvent.objects.filter(action=Action.RECORD_EXPORTED, detail__root=root).exists():
            raise CommandError(
                f"FAILED: the bundle is consistent, but Haven has no record of exporting {root}"
            )
        with zipfile.ZipFile(options["bundle"]) as archive:
            record = json.loads(archive.read(RECORD))
        entries = record.get("communications", [])
        ids = [e["id"] for e in entries]
        stored = {
            str(pk): hash_
            for pk, hash_ in Communication.objects.filter(pk__in=ids).values_list("pk", "hash")
        }
        for entry in entries:
            found = stored.get(entry["id"])
            if found is not None and found != entry["haven_hash"]:
                raise CommandError(
                    f"FAILED: communication no. {entry['seq']} differs from the case's chain"
                )
        self.stdout.write(
            f"OK: the bundle verifies and Haven exported it. Root hash: {root}. "
            f"{len(stored)} of {len(entries)} communications checked against the case's chain."
        )
