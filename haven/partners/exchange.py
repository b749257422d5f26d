"""Importing and exporting a whole directory in HSDS 3.0 (administrators).

An import is read and checked in full before anything is written (see
``hsds/validate.py``); then it is written, with its audit event, in one
transaction, so a refused file leaves the directory exactly as it was.
"""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound
from haven.partners.hsds import files
from haven.partners.hsds.export import Snapshot
from haven.partners.hsds.load import Loader, Summary
from haven.partners.hsds.reader import MAX_UPLOAD_BYTES, ImportRefused, read_upload
from haven.partners.hsds.validate import check
from haven.partners.policies import may_exchange_directory

ExportFormat = Literal["json", "tabular"]


def _require(actor: User) -> None:
    if not may_exchange_directory(actor):
        raise NotFound


def refuse_oversized(size: int | None) -> None:
    """Called before an upload is read: a file over the limit is refused
    with a message, never read."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ImportRefused(
            [_("The file is larger than 10 MB. Split the directory into smaller files.")]
        )


def directory_import(*, actor: User, filename: str, data: bytes) -> Summary:
    """Add and update entries of the actor's agency's directory from an HSDS
    file; ImportRefused (with every problem found) writes nothing."""
    _require(actor)
    refuse_oversized(len(data))
    bundle = read_upload(filename, data)
    checked = check(bundle, actor.agency_id)
    loader = Loader(checked, actor.agency_id)
    loader.plan_all()
    with transaction.atomic():
        summary = loader.write()
        audit_record(
            action=Action.DIRECTORY_IMPORTED,
            actor=actor,
            object_type="directory",
            detail={"added": summary.added, "updated": summary.updated},
        )
    if not summary.added and not summary.updated:
        summary.notes.insert(0, _("The file held no directory entries to add or update."))
    return summary


def directory_export(*, actor: User, form: ExportFormat) -> tuple[str, bytes]:
    """The whole directory as a zip: HSDS JSON, or the tabular data package."""
    _require(actor)
    snapshot = Snapshot(actor.agency_id)
    content = files.json_zip(snapshot) if form == "json" else files.tabular_zip(snapshot)
    stamp = timezone.localdate().isoformat()
    name = f"partner-directory-{'hsds-json' if form == 'json' else 'hsds-tabular'}-{stamp}.zip"
    audit_record(
        action=Action.DIRECTORY_EXPORTED,
        actor=actor,
        object_type="directory",
        detail={"format": form, **files.counts(snapshot)},
    )
    return name, content
