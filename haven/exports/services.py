"""Exporting a case record: a bundle (record.json, the files, a PDF to read,
and manifest.json with every file's SHA-256) and its root hash.

For the person themself an export is always allowed. For anyone else it
goes through the disclosure gate with the kinds of information it holds.
Restricted fields and where the person is staying go only when asked for
separately (for the person's own copy) or consented to (for anyone else).
Every export is audited with its root hash, so a copy shown later can be
checked against the agency's own record of it.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.attachments.models import Attachment, Use
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.consent.gate import Recipient, disclose, preflight, recipient_named
from haven.consent.models import Basis, Disclosure, InfoKind, Purpose
from haven.core.errors import NotFound
from haven.core.keys import keys_remembered
from haven.core.pdf import render_pdf
from haven.exports.content import Bundle, Scope, bundle_content
from haven.exports.models import Audience, RecordExport
from haven.exports.policies import may_export
from haven.exports.progress import Report, Steps, pages_reported
from haven.exports.verifier import FORMAT, GENESIS, MANIFEST, RECORD, root_of
from haven.people.models import Case

CHANNEL = "record_export"
# A bundle is built in memory (nothing of it touches the disk in the clear).
MAX_BUNDLE_BYTES = 300 * 1024 * 1024
# What any record export holds: who it is about, and what was said.
BASE_KINDS = frozenset({InfoKind.IDENTITY, InfoKind.NOTES})


@dataclass(frozen=True)
class ExportRequest:
    audience: str
    # The person's own copy: what they asked for, separately.
    include_restricted: bool = False
    include_shelter: bool = False
    # Anyone else: who, why and what, as the person consented.
    recipient_org_id: uuid.UUID | None = None
    recipient_name: str = ""
    recipient_category: str = ""
    purpose: str = ""
    kinds: Sequence[str] = ()


@dataclass(frozen=True)
class Exported:
    export: RecordExport
    zip_bytes: bytes
    pdf_bytes: bytes


@dataclass(frozen=True)
class _Plan:
    scope: Scope
    # None for the person's own copy; anyone else goes through the gate.
    recipient: Recipient | None = None


def export_check(*, actor: User, case: Case, request: ExportRequest) -> None:
    """Everything an export decides before the record is opened: who may
    export, what the copy holds, and for anyone but the person, the gate's
    preflight (a refusal is audited and raised). The export page calls it
    before starting the job; ``export_record`` decides it all again when it
    runs, and the gate once more when the bundle is ready."""
    _plan(actor, case, request)


def export_record(
    *, actor: User, case: Case, request: ExportRequest, progress: Report | None = None
) -> Exported:
    """Build, record and audit one export. ``progress``: a job's Progress,
    told of each communication collected, each PDF page laid out, packing
    and recording."""
    plan = _plan(actor, case, request)
    steps = Steps(progress, case, plan.scope)
    recipient = plan.recipient
    # A job runs outside a request: every communication's data key opens
    # under the same agency key, opened once for the whole bundle.
    with keys_remembered():
        bundle = bundle_content(
            actor=actor,
            case=case,
            scope=plan.scope,
            audience=request.audience,
            recipient=recipient.label if recipient else "",
            purpose=request.purpose if recipient else "",
            step=steps.item,
        )
    zipped, pdf, root = _pack(bundle, steps)
    steps.recording()
    if recipient is None:
        with transaction.atomic():
            export = _export_row(actor, case, request.audience, plan.scope, root, bundle, None)
        return Exported(export, zipped, pdf)

    def record(row: Disclosure) -> RecordExport:
        return _export_row(actor, case, request.audience, plan.scope, root, bundle, row)

    export, _row = disclose(
        actor=actor,
        case=case,
        recipient=recipient,
        purpose=request.purpose,
        kinds=sorted(plan.scope.kinds),
        basis=Basis.CONSENT,
        channel=CHANNEL,
        record=record,
    )
    return Exported(export, zipped, pdf)


def _plan(actor: User, case: Case, request: ExportRequest) -> _Plan:
    if not may_export(actor) or case.agency_id != actor.agency_id:
        raise NotFound
    if request.audience == Audience.PERSON:
        kinds = set(InfoKind.values) - {InfoKind.IMMIGRATION, InfoKind.SHELTER}
        if request.include_restricted:
            kinds.add(InfoKind.IMMIGRATION)
        if request.include_shelter:
            kinds.add(InfoKind.SHELTER)
        scope = Scope(kinds=frozenset(kinds), own_copy=True, documents=True)
        _size_check(case, scope)
        return _Plan(scope)
    if request.audience != Audience.THIRD_PARTY:
        raise ValidationError({"audience": [_("Say who the export is for.")]})
    recipient = _recipient(actor, request)
    kinds = set(request.kinds)
    if not kinds >= BASE_KINDS:
        raise ValidationError(
            {
                "kinds": [
                    _(
                        "A record export holds who the person is and the case notes: the "
                        "consent must cover both."
                    )
                ]
            }
        )
    # Nothing of the record is opened for someone the gate would refuse.
    preflight(
        actor=actor,
        case=case,
        recipient=recipient,
        purpose=request.purpose,
        kinds=kinds,
        basis=Basis.CONSENT,
    )
    scope = Scope(kinds=frozenset(kinds), own_copy=False)
    _size_check(case, scope)
    return _Plan(scope, recipient)


def _too_large() -> ValidationError:
    return ValidationError(_("The record's files are too large to export at once (over 300 MB)."))


def _size_check(case: Case, scope: Scope) -> None:
    """Refuse before reading anything a record whose files will not fit (the
    sizes are known without opening them); ``_pack`` checks the bytes again."""
    uses = [Use.COMMUNICATION, Use.DOCUMENT] if scope.documents else [Use.COMMUNICATION]
    size = Attachment.objects.filter(case=case, use__in=uses).aggregate(total=Sum("size"))
    if (size["total"] or 0) > MAX_BUNDLE_BYTES:
        raise _too_large()


def _recipient(actor: User, request: ExportRequest) -> Recipient:
    errors: dict[str, list[str]] = {}
    if request.purpose not in Purpose.values:
        errors["purpose"] = [_("Choose the purpose.")]
    recipient = recipient_named(
        actor,
        organization_id=request.recipient_org_id,
        name=request.recipient_name,
        category=request.recipient_category,
        errors=errors,
    )
    if errors or recipient is None:
        raise ValidationError(errors)
    return recipient


def _export_row(
    actor: User,
    case: Case,
    audience: str,
    scope: Scope,
    root: str,
    bundle: Bundle,
    disclosure: Disclosure | None,
) -> RecordExport:
    export = RecordExport.objects.create(
        case=case,
        audience=audience,
        kinds=sorted(scope.kinds),
        disclosure=disclosure,
        root=root,
        communications=bundle.communications,
        files=len(bundle.files),
        created_by=actor,
    )
    audit_record(
        action=Action.RECORD_EXPORTED,
        actor=actor,
        object_type="case",
        object_id=case.pk,
        detail={
            "export": str(export.pk),
            "audience": audience,
            "root": root,
            "communications": export.communications,
            "files": export.files,
        },
    )
    return export


def _pack(bundle: Bundle, steps: Steps) -> tuple[bytes, bytes, str]:
    """The zip, the PDF inside it, and the root hash (of manifest.json)."""
    if sum(len(d) for d in bundle.files.values()) > MAX_BUNDLE_BYTES:
        raise _too_large()
    record_bytes = json.dumps(bundle.record, ensure_ascii=False, indent=1, sort_keys=True).encode()
    steps.rendering()
    with pages_reported(steps.page):
        pdf = render_pdf("exports/record.html", {"record": bundle.record}, language="en")
    steps.packing()
    members = {RECORD: record_bytes, "record.pdf": pdf, **bundle.files}
    chain = bundle.record["communications"]
    manifest = {
        "format": FORMAT,
        "case": bundle.record["case"]["id"],
        "exported_at": bundle.record["exported_at"],
        "chain_head": chain[-1]["chain_hash"] if chain else GENESIS,
        "files": [
            {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for path, data in sorted(members.items())
        ],
    }
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode("ascii")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        for path, data in sorted(members.items()):
            archive.writestr(path, data)
    return buffer.getvalue(), pdf, root_of(manifest_bytes)
