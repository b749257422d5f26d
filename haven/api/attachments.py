"""A case's documents and the court orders answered, over the JSON API:
schemas and routing only.

Files come as ``multipart/form-data``. Every operation opens the case through
``haven.people.selectors.case_get`` (by way of ``haven.api.common.case_for``)
with the action's own policy, the same as the pages: the documents are for
the advocates and supervisors who handle attachments, a court order is
answered by a supervisor of the case's team. A refusal answers 404 exactly
like a case that does not exist and leaves no audit event. A file is handed
out only by ``haven.attachments.services.attachment_open``, which asks the
policy again and audits the read, always as a download.

A file is judged by its bytes before anything is written
(``upload_accept``); a refused file, like any other refusal of a service,
answers 422 located like ninja's own errors of the multipart body:
``["file", "file"]`` or ``["file", "copy"]`` for a file, ``["form", <field>]``
for another field, ``["form"]`` for a refusal of the disclosure gate;
nothing is kept. Form fields an operation does not name are ignored: a
session client may send its CSRF token as ``csrfmiddlewaretoken`` (or the
``X-CSRFToken`` header); a bearer-token client needs none. Attachments are
never changed or deleted over the API.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import ValidationError as RequestInvalid
from ninja.params import FileEx, P, PathEx, QueryEx
from pydantic import BeforeValidator

from haven.accounts.http import authenticated_user
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    Loc,
    case_for,
    download,
    out,
    refusals_at,
    uuid_or_404,
    values_of,
)
from haven.api.consent import DisclosureOut, disclosure_out
from haven.api.inputs import (
    CaseId,
    CategoryCode,
    Coded,
    InfoKindCode,
    PurposeCode,
    ShortNote,
    Summary,
    WideLine,
)
from haven.attachments import filetypes, selectors
from haven.attachments.models import Attachment, Use
from haven.attachments.policies import may_handle_attachments
from haven.attachments.responses import attachment_response
from haven.attachments.services import attachment_open, attachment_store, upload_accept
from haven.consent.court_orders import CourtOrderAnswer, court_order_answer
from haven.consent.models import InfoKind
from haven.consent.policies import may_answer_court_orders
from haven.people.models import Case

router = Router(tags=["attachments"])

# --- Input types ---------------------------------------------------------------------

# The uses of a case's files (haven.attachments.models.Use without the
# agency's own documents; a test checks they stay the same).
UseCode = Literal["document", "consent", "court_order", "communication"]
# The purposes of haven.consent.models, "court" among them.
CourtPurposeCode = PurposeCode


def _blank_is_none(value: object) -> object:
    # A form sends an empty field for "none chosen".
    return None if value == "" else value


# Plain schemas, not Input: ninja flattens a form's fields and ignores any
# it does not name (a session client's csrfmiddlewaretoken among them).


class DocumentIn(Schema):
    description: Summary = Field(
        default="", description="What it is, e.g. copy of the lease. Optional."
    )


class CourtOrderIn(Schema):
    reference: WideLine = Field(description="The order: court, case number and date.")
    signed_by_judge: bool = Field(
        description="true only for an order signed by a judge; a subpoena from a lawyer "
        "usually is not one, and anything else is refused."
    )
    purpose: CourtPurposeCode = "court"
    kinds: list[InfoKindCode] = Field(
        max_length=len(InfoKind.values),
        description="What the order compels, at least one kind: repeat the form field once "
        "per kind (kinds=identity&kinds=contact), never a comma-separated list.",
    )
    given: ShortNote = Field(description="What was handed over.")
    person_told: ShortNote = Field(
        description="How and when the person was told, or why they could not be."
    )
    recipient_org_id: Annotated[uuid.UUID | None, BeforeValidator(_blank_is_none)] = Field(
        default=None,
        description="An organization of your agency's directory; or leave it out and write "
        "recipient_name.",
    )
    recipient_name: WideLine = Field(
        default="", description="Who receives it, when not in the directory."
    )
    recipient_category: CategoryCode | Literal[""] = Field(
        default="", description="With recipient_name: which kind of agency it is. Optional."
    )


# --- Output types ------------------------------------------------------------------


class AttachmentOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    use: Annotated[str, Coded(Use)] = Field(
        description="document, consent (a signed form), court_order or communication."
    )
    content_type: str = Field(description="Judged from the bytes at upload, never the name.")
    size: int = Field(description="In bytes.")
    name: str = Field(description="The name as uploaded, with the extension its content earned.")
    description: str
    uploaded_at: datetime
    uploaded_by_id: int = Field(description="The id of the staff member who uploaded it.")


class CourtOrderOut(DisclosureOut):
    court_order_copy_id: uuid.UUID | None = Field(
        description="The copy of the order, kept as an attachment: GET /attachments/{id}."
    )


# --- Helpers -------------------------------------------------------------------------

AttachmentId = PathEx[str, P(description="The attachment's id, a UUID.")]


def _attachment_out(attachment: Attachment, case: Case) -> AttachmentOut:
    return out(AttachmentOut, attachment, case_id=case.pk)


def _sent_once(request: HttpRequest, *, fields: list[str], files: list[str]) -> None:
    """A field of one value sent more than once is a mistake (ninja would
    keep the last silently): 422, located like a schema error."""
    sent: list[tuple[str, str, int]] = [
        *(("form", name, len(request.POST.getlist(name))) for name in fields),
        *(("file", name, len(request.FILES.getlist(name))) for name in files),
    ]
    problems = [
        {"type": "repeated", "loc": [where, name], "msg": "Send this field once."}
        for where, name, count in sent
        if count > 1
    ]
    if problems:
        raise RequestInvalid(problems)


# Where the court order's refusals go: its copy is a file of the multipart
# body, and the service's recipient is the organization.
COURT_ORDER_FIELDS: dict[str, str | Loc] = {
    "copy": ("file", "copy"),
    "recipient": "recipient_org_id",
}


# --- Documents -----------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/attachments",
    response={200: list[AttachmentOut], **NOT_FOUND, **REFUSED},
)
def attachment_list(
    request: HttpRequest,
    case_id: CaseId,
    use: QueryEx[UseCode | None, P(description="Only the files kept for this use.")] = None,
) -> list[AttachmentOut]:
    """The files kept with a case, newest first.

    What they are, never their bytes. Advocates and supervisors only.
    """
    _user, case = case_for(request, case_id, may_handle_attachments)
    return [_attachment_out(a, case) for a in selectors.attachments_of(case, use=use)]


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, **NOT_FOUND, **REFUSED},
)
def attachment_add(
    request: HttpRequest,
    case_id: CaseId,
    file: File[UploadedFile],
    document: Form[DocumentIn],
) -> Status[AttachmentOut]:
    """Keep a document with a case.

    multipart/form-data: the file in `file`, and what it is in `description`. PDF, image, voice
    message, saved e-mail or Word document, judged by its bytes; anything else, or a file too
    large, answers 422 at `file` and nothing is kept. Sealed under the person's key. Advocates
    and supervisors only.
    """
    _sent_once(request, fields=["description"], files=["file"])
    user, case = case_for(request, case_id, may_handle_attachments)
    with refusals_at(whole=("file", "file")):
        upload = upload_accept(file)
    with refusals_at(whole=("form",)):
        attachment = attachment_store(
            actor=user,
            case=case,
            upload=upload,
            use=Use.DOCUMENT,
            description=document.description,
        )
    return Status(201, _attachment_out(attachment, case))


@router.get(
    "/attachments/{attachment_id}",
    response=NOT_FOUND,
    openapi_extra=download(
        "The file, as an attachment, with the type judged at upload.",
        (kind.content_type for kind in filetypes.ACCEPTED),
    ),
)
def attachment_download(request: HttpRequest, attachment_id: AttachmentId) -> HttpResponse:
    """The bytes of one file, as a download.

    Always a download with the type judged at upload, never shown in a page. Every read is
    audited.
    """
    user = authenticated_user(request)
    attachment, data = attachment_open(actor=user, attachment_id=uuid_or_404(attachment_id))
    return attachment_response(attachment, data)


# --- Court orders --------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/court-orders",
    response={201: CourtOrderOut, **NOT_FOUND, **REFUSED},
)
def court_order_record(
    request: HttpRequest,
    case_id: CaseId,
    copy_file: FileEx[UploadedFile, P(alias="copy", description="A copy of the order.")],
    order: Form[CourtOrderIn],
) -> Status[CourtOrderOut]:
    """Record information handed over because a court ordered it.

    multipart/form-data: the order's fields, and its copy in `copy`. Only an order signed by a
    judge is a basis; only what it compels goes, and the person is told. The disclosure gate
    decides and records it in the ledger with the copy. Supervisors of the case's team only.
    """
    _sent_once(
        request, fields=[n for n in CourtOrderIn.model_fields if n != "kinds"], files=["copy"]
    )
    user = authenticated_user(request)
    _user, case = case_for(
        request, case_id, allowed=lambda found: may_answer_court_orders(user, found)
    )
    with refusals_at(whole=("file", "copy")):
        upload = upload_accept(copy_file)
    answer = values_of(CourtOrderAnswer, order, copy=upload)
    with refusals_at(COURT_ORDER_FIELDS, whole=("form",)):
        row = court_order_answer(actor=user, case=case, answer=answer)
    return Status(
        201,
        CourtOrderOut(
            **disclosure_out(row).model_dump(), court_order_copy_id=row.court_order_copy_id
        ),
    )


routers = (router,)
