"""Accept, store and hand out attachments: the only code that seals or
opens their bytes.

``upload_accept`` judges a file before anything is written; ``attachment_store``
seals it inside the caller's transaction, so a record and its file are kept
together or not at all; ``attachment_open`` is the one way back to the bytes,
behind the policy and the audit trail.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.attachments import filetypes
from haven.attachments.models import (
    AGENCY_USES,
    SAFETY_USES,
    Attachment,
    AttachmentContent,
    Use,
)
from haven.attachments.policies import (
    may_handle_attachments,
    may_keep_agency_document,
    may_open_by_record,
    may_read_agency_document,
)
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys, limits
from haven.core.errors import NotFound
from haven.core.text import check_texts, file_name_problem
from haven.people.models import Case
from haven.people.policies import may_open_case


@dataclass(frozen=True)
class Upload:
    """A file that passed inspection and is not yet stored."""

    name: str
    data: bytes
    type: filetypes.FileType


def size_limit() -> str:
    """The largest file accepted, for people: "25.0 MB"."""
    return str(filesizeformat(settings.HAVEN_ATTACHMENT_MAX_BYTES))


def too_large_message() -> str:
    return _("The file is larger than %(limit)s.") % {"limit": size_limit()}


def upload_accept(file: UploadedFile | None) -> Upload:
    """The uploaded file judged by its size and its bytes, or a ValidationError."""
    if file is None:
        raise ValidationError(_("Choose a file."), code="required")
    # The parser keeps such characters for this check (haven.attachments.uploads).
    problem = file_name_problem(file.name or "")
    if problem:
        raise ValidationError(problem, code="file_name")
    if (file.size or 0) > settings.HAVEN_ATTACHMENT_MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
    data = file.read()
    kind = filetypes.identify(data)
    return Upload(name=_file_name(file.name or "", kind), data=data, type=kind)


def _file_name(given: str, kind: filetypes.FileType) -> str:
    """The name as uploaded, without folders or control characters, ending in
    the extension its content earned."""
    base = given.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()[: limits.LINE] or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'file'}.{kind.extension}"


def _content_aad(attachment: Attachment) -> bytes:
    return keys.field_aad(
        AttachmentContent._meta.db_table, "sealed", attachment.pk, attachment.data_key_id
    )


def attachment_store(
    *,
    actor: User,
    case: Case | None,
    upload: Upload,
    use: str = Use.DOCUMENT,
    description: str = "",
) -> Attachment:
    """Seal ``upload`` and keep it: with ``case``, under the person's key, or
    (``case`` None, for an agency document) under a data key of its own.

    Runs in the caller's transaction when there is one: the record the file
    belongs to (a consent, a disclosure) and the file commit together.
    """
    if use not in Use.values or (case is None) != (use in AGENCY_USES):
        raise ValidationError({"use": [_("Choose what the file is for.")]})
    if case is None:
        if not may_keep_agency_document(actor, use):
            raise NotFound
    elif not may_handle_attachments(actor) or case.agency_id != actor.agency_id:
        raise NotFound
    errors: dict[str, list[str]] = {}
    description = description.strip()
    check_texts(errors, [("description", description, limits.SUMMARY)])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if case is None:
            data_key_id = keys.data_key_create(actor.agency)[0].pk
        else:
            data_key_id = case.person.data_key_id
        attachment = Attachment(
            id=uuid.uuid4(),
            agency_id=actor.agency_id,
            case=case,
            data_key_id=data_key_id,
            use=use,
            content_type=upload.type.content_type,
            size=len(upload.data),
            uploaded_by=actor,
        )
        attachment.name = upload.name
        attachment.description = description or None
        attachment.sha256 = hashlib.sha256(upload.data).hexdigest()
        attachment.save()
        AttachmentContent.objects.create(
            attachment=attachment,
            sealed=crypto.seal(
                attachment.data_key_bytes(), upload.data, aad=_content_aad(attachment)
            ),
        )
        audit_record(
            action=Action.ATTACHMENT_ADDED,
            actor=actor,
            object_type="case" if case is not None else "agency_document",
            object_id=case.pk if case is not None else attachment.pk,
            detail={
                "attachment": str(attachment.pk),
                "use": use,
                "type": attachment.content_type,
                "size": attachment.size,
            },
        )
    return attachment


def attachment_open(*, actor: User, attachment_id: uuid.UUID) -> tuple[Attachment, bytes]:
    """An attachment and its bytes, for someone allowed to see them; audited.

    Any other attachment, another agency's included, is a 404 like a missing one.
    """
    attachment = (
        Attachment.objects.select_related("data_key")
        .filter(pk=attachment_id, agency_id=actor.agency_id)
        .first()
    )
    if attachment is None or not _may_open(actor, attachment):
        raise NotFound
    data = open_content(attachment)
    audit_record(
        action=Action.ATTACHMENT_READ,
        actor=actor,
        object_type="case" if attachment.case_id else "agency_document",
        object_id=attachment.case_id or attachment.pk,
        detail={"attachment": str(attachment.pk), "use": attachment.use},
    )
    return attachment, data


def open_content(attachment: Attachment) -> bytes:
    """The bytes of an attachment the caller has already been allowed to
    read, and whose reading the caller audits (an export does, as a whole)."""
    sealed = AttachmentContent.objects.filter(attachment=attachment).values_list(
        "sealed", flat=True
    )
    return crypto.unseal(
        attachment.data_key_bytes(), bytes(sealed.get()), aad=_content_aad(attachment)
    )


def _may_open(actor: User, attachment: Attachment) -> bool:
    if attachment.use in SAFETY_USES:
        # Evidence of a threat, a photo of a person of concern: readable by
        # whoever may see the record it belongs to.
        return may_open_by_record(actor, attachment)
    if attachment.case_id is None:
        return may_read_agency_document(actor, attachment.use)
    return may_handle_attachments(actor) and may_open_case(actor, attachment.case_id)
