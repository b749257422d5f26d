"""The communications log, the interpreter roster and record exports over
the JSON API: schemas and routing only.

Every operation on a case opens it through ``haven.people.selectors.case_get``
(by way of ``haven.api.common.case_for``) with the action's own policy, the
same as the pages: the log and exports are for the advocates and supervisors
who work cases. A refusal answers 404 exactly like a case that does not exist
and leaves no audit event; an allowed read is audited there, and that event
covers everything the answer shows.

The log is append-only: an entry is never changed or deleted, over the API
or anywhere else. A correction is an addendum, a new entry that points to
its entry and says why. Entries are recorded as JSON, without files: files
are attached to an entry through its page. The roster is the agency's: those
who record communications read it, its administrators and supervisors keep
it; a confidentiality agreement's file is attached through the roster page.

The rules live in ``haven.communications.services`` and
``haven.exports.services``; a refusal answers 422 at the field of the body
it is about (``["body", <field>]``), or at the path for an addendum to an
entry that is not of the case (``["path", "entry_id"]``).
"""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx, QueryEx
from pydantic import StrictBool

from haven.accounts import stepup
from haven.accounts.models import User
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    case_for,
    case_records,
    download,
    out,
    refusals_at,
    staff_allowed,
    uuid_or_404,
    values_of,
)
from haven.api.inputs import (
    Body,
    CaseId,
    CategoryCode,
    Coded,
    InfoKindCode,
    Input,
    LanguageCode,
    Line,
    LongLine,
    Moment,
    Note,
    OneLine,
    OptionalDay,
    PurposeCode,
    ShortNote,
    StaffId,
    SummaryLine,
    WideLine,
)
from haven.communications import selectors, services
from haven.communications.models import (
    AdHocInterpreter,
    Channel,
    Communication,
    InterpretationMode,
    Interpreter,
    InterpreterGender,
    InterpreterKind,
)
from haven.communications.policies import may_keep_roster, may_log_communications, may_read_roster
from haven.communications.services import CommunicationValues, InterpreterValues
from haven.consent.models import InfoKind
from haven.core.errors import NotFound
from haven.exports.models import Audience, RecordExport
from haven.exports.policies import may_export
from haven.exports.responses import export_file_response
from haven.exports.selectors import exports_of
from haven.exports.services import ExportRequest, export_record
from haven.people.models import Case

router = Router(tags=["communications"])
interpreters = Router(tags=["interpreters"])
exports = Router(tags=["exports"])

MAX_STAFF = 50
MAX_LANGUAGES = 40


# The codes of haven.communications.models and haven.exports.models, spelled
# out so OpenAPI lists them (a test checks they stay the same).
ChannelCode = Literal["in_person", "phone", "text", "email", "video", "letter", "other"]
InterpretationCode = Literal["none", "in_person", "phone", "video"]
AdHocCode = Literal["family", "friend", "child", "connected", "other"]
InterpreterKindCode = Literal["staff", "contractor", "service"]
InterpreterGenderCode = Literal["woman", "man", "other", "not_said"]
AudienceCode = Literal["person", "third_party"]
OutputCode = Literal["bundle", "pdf"]


class CommunicationIn(Input):
    occurred_at: Moment = Field(description="When it happened, with its UTC offset; not ahead.")
    channel: ChannelCode
    summary: SummaryLine = Field(description="A short summary; required.")
    details: Body = Field(default="", description="The person's own words where they matter.")
    with_person: StrictBool = Field(default=True, description="The person took part.")
    staff_ids: list[StaffId] = Field(
        default_factory=list,
        max_length=MAX_STAFF,
        description="The ids of the staff of your agency who took part.",
    )
    partners: LongLine = Field(default="", description="Partners who took part.")
    others: LongLine = Field(default="", description="Anyone else who took part.")
    place: LongLine = Field(default="", description="Where it happened.")
    follow_up: LongLine = ""
    follow_up_on: OptionalDay = Field(default=None, description="Follow up by: YYYY-MM-DD.")
    language: LanguageCode = Field(
        default="", description="ISO 639-3: the language spoken; required with an interpreter."
    )
    interpretation: InterpretationCode = Field(
        default="none",
        description="How it was interpreted. Other than none: name a roster interpreter in "
        "interpreter_id, or someone outside the roster in ad_hoc, ad_hoc_name and "
        "ad_hoc_reason.",
    )
    interpreter_id: uuid.UUID | None = Field(
        default=None, description="An active interpreter of your agency's roster."
    )
    ad_hoc: AdHocCode | Literal[""] = Field(
        default="", description="Who interpreted, when not a roster interpreter."
    )
    ad_hoc_name: LongLine = ""
    ad_hoc_reason: ShortNote = Field(
        default="",
        description="Required with ad_hoc: why no trained interpreter was used.",
    )
    agreement_acknowledged: StrictBool = Field(
        default=False,
        description="true: you know the interpreter's confidentiality agreement is missing or "
        "expired, and record the communication anyway (the entry keeps a warning). "
        "Without it such an interpreter is refused at agreement_acknowledged.",
    )


class AddendumIn(Input):
    reason: ShortNote = Field(description="What is added or corrected, and why; required.")
    summary: SummaryLine = Field(description="A short summary; required.")
    details: Body = ""


class InterpreterIn(Input):
    """Every field of a roster entry, as it should be now."""

    name: Line
    kind: InterpreterKindCode
    languages: list[LanguageCode] = Field(
        max_length=MAX_LANGUAGES, description="ISO 639-3 codes of the languages interpreted."
    )
    dialects: WideLine = ""
    gender: InterpreterGenderCode = "not_said"
    contact: WideLine = Field(default="", description="How to reach them.")
    agreement_expires_on: OptionalDay = Field(
        default=None,
        description="Until when the confidentiality agreement on file holds. The agreement's "
        "file is attached through the roster page, not the API: a date without an "
        "agreement on file is refused.",
    )
    notes: Note = ""
    active: StrictBool = Field(default=True, description="Available to be chosen.")


class ExportIn(Input):
    audience: AudienceCode = Field(
        description="person: the person's own copy, always allowed. third_party: anyone "
        "else, through the disclosure gate with the person's consent."
    )
    output: OutputCode = Field(
        default="bundle",
        description="bundle: the verifiable ZIP (the record, its files, a PDF, manifest.json "
        "with every file's SHA-256). pdf: the PDF to read.",
    )
    include_restricted: StrictBool = Field(
        default=False,
        description="For the person's own copy: they asked for their immigration status in it.",
    )
    include_shelter: StrictBool = Field(
        default=False,
        description="For the person's own copy: they asked for where they stay to be in it.",
    )
    recipient_org_id: uuid.UUID | None = Field(
        default=None, description="For someone else: an organization of your agency's directory."
    )
    recipient_name: WideLine = Field(
        default="", description="For someone else not in the directory: their name."
    )
    recipient_category: CategoryCode | Literal[""] = Field(
        default="", description="With recipient_name: which kind of agency it is."
    )
    purpose: PurposeCode | Literal[""] = Field(default="", description="For someone else.")
    kinds: list[InfoKindCode] = Field(
        default_factory=list,
        max_length=len(InfoKind.values),
        description="For someone else: what the person consented to; at least identity and notes.",
    )
    second_factor: Annotated[str, OneLine(64)] = Field(
        default="",
        description="For someone else: a current code from your authenticator app, or a "
        "recovery code. A record leaving the agency asks for a fresh second factor.",
    )


# --- Output types ------------------------------------------------------------------


class EntryOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    seq: int = Field(description="Its place in the case's chain, from 1.")
    occurred_at: datetime
    channel: Annotated[str, Coded(Channel)]
    with_person: bool
    staff_ids: list[int]
    partners: str
    others: str
    place: str
    summary: str
    details: str
    follow_up: str
    follow_up_on: date | None
    language: str
    interpretation: Annotated[str, Coded(InterpretationMode)]
    interpreter_id: uuid.UUID | None = Field(description="GET /interpreters/{id}.")
    ad_hoc: Annotated[str, Coded(AdHocInterpreter, blank=True)]
    ad_hoc_name: str
    ad_hoc_reason: str
    agreement_warning: str = Field(
        description='"missing" or "expired:YYYY-MM-DD" when staff went on without a valid '
        'confidentiality agreement of the interpreter; "" otherwise.'
    )
    attachment_ids: list[uuid.UUID] = Field(description="Its files: GET /attachments/{id}.")
    addendum_to_id: uuid.UUID | None = Field(description="The entry this one adds to.")
    addendum_reason: str
    recorded_at: datetime
    recorded_by_id: int
    prev_hash: str = Field(description="The hash of the entry before it in the case's chain.")
    hash: str


class EntryDetailOut(EntryOut):
    addenda_ids: list[uuid.UUID] = Field(description="The addenda to this entry, oldest first.")


class LogPage(Schema):
    page: int
    pages: int
    total: int = Field(description="Entries in the case's log.")
    items: list[EntryOut] = Field(description="Newest written first.")


class InterpreterOut(Schema):
    id: uuid.UUID
    name: str
    kind: Annotated[str, Coded(InterpreterKind)]
    languages: list[str]
    dialects: str
    gender: Annotated[str, Coded(InterpreterGender)]
    contact: str
    agreement_id: uuid.UUID | None = Field(
        description="The signed confidentiality agreement on file: GET /attachments/{id}."
    )
    agreement_expires_on: date | None
    agreement_problem: str = Field(
        description='Why the agreement does not hold today, or "" when it does.'
    )
    notes: str
    active: bool


class ExportOut(Schema):
    id: uuid.UUID
    audience: Annotated[str, Coded(Audience)]
    kinds: list[str]
    root: str = Field(description="The SHA-256 of the bundle's manifest.json.")
    communications: int
    files: int
    created_at: datetime
    created_by_id: int
    disclosure_id: uuid.UUID | None = Field(description="The ledger row of a third party's copy.")


# --- Helpers -------------------------------------------------------------------------

EntryId = PathEx[str, P(description="The entry's id, a UUID.")]
InterpreterId = PathEx[str, P(description="The interpreter's id, a UUID.")]
PageNumber = QueryEx[int, P(ge=1, le=1_000_000, description="From 1; 25 entries a page.")]


def _entry_out(entry: Communication) -> EntryOut:
    return out(EntryOut, entry)


def _entry_detail(case: Case, entry_id: uuid.UUID) -> EntryDetailOut:
    entry = selectors.entry_get(case, entry_id)
    if entry is None:
        raise NotFound
    return out(EntryDetailOut, entry, addenda_ids=[a.pk for a in selectors.addenda_of(entry)])


def _log(case: Case) -> QuerySet[Communication]:
    # Not selectors.log_page: that page leaves the details sealed, and keeps
    # a number past the end on the last page; a client reads every field,
    # and stops at an empty page.
    return Communication.objects.filter(case=case).select_related("data_key").order_by("-seq")


def _interpreter(user: User, interpreter_id: str) -> Interpreter:
    found = selectors.interpreter_get(user, uuid_or_404(interpreter_id))
    if found is None:
        raise NotFound
    return found


def _interpreter_out(row: Interpreter) -> InterpreterOut:
    return out(InterpreterOut, row, agreement_problem=row.agreement_problem(timezone.localdate()))


def _interpreter_values(body: InterpreterIn) -> InterpreterValues:
    # The agreement's file comes only through the roster page.
    return values_of(InterpreterValues, body)


# The service names the agreement's file, which only the page sends.
INTERPRETER_FIELDS = {"agreement": "agreement_expires_on"}


def _export_out(row: RecordExport) -> ExportOut:
    return out(ExportOut, row)


# --- The log -------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/communications",
    response={200: LogPage, **NOT_FOUND, **REFUSED},
)
def communication_list(request: HttpRequest, case_id: CaseId, page: PageNumber = 1) -> LogPage:
    """The communications log of a case, newest first.

    25 entries a page, every field of each. Advocates and supervisors only.
    """
    _user, case = case_for(request, case_id, may_log_communications)
    entries = _log(case)
    total = entries.count()
    start = (page - 1) * selectors.PAGE_SIZE
    return LogPage(
        page=page,
        pages=max(1, math.ceil(total / selectors.PAGE_SIZE)),
        total=total,
        items=[_entry_out(e) for e in entries[start : start + selectors.PAGE_SIZE]],
    )


@router.post(
    "/cases/{case_id}/communications",
    response={201: EntryDetailOut, **WRITE_FAILURES},
)
def communication_record(
    request: HttpRequest, case_id: CaseId, entry: CommunicationIn
) -> Status[EntryDetailOut]:
    """Record a communication in a case's log.

    JSON only: files cannot be attached through the API; attach them through the entry's page.
    The entry is never changed or deleted afterwards: a correction is an addendum. Advocates and
    supervisors only.
    """
    user, case = case_for(request, case_id, may_log_communications)
    values = values_of(CommunicationValues, entry)
    with refusals_at({"interpreter": "interpreter_id"}):
        row = services.communication_record(actor=user, case=case, values=values)
    return Status(201, _entry_detail(case, row.pk))


@router.get(
    "/cases/{case_id}/communications/{entry_id}",
    response={200: EntryDetailOut, **NOT_FOUND},
)
def communication_detail(
    request: HttpRequest, case_id: CaseId, entry_id: EntryId
) -> EntryDetailOut:
    """One entry of a case's log, with the ids of its addenda."""
    wanted = uuid_or_404(entry_id)
    _user, case = case_for(request, case_id, may_log_communications)
    return _entry_detail(case, wanted)


@router.post(
    "/cases/{case_id}/communications/{entry_id}/addenda",
    response={201: EntryDetailOut, **WRITE_FAILURES},
)
def communication_addendum(
    request: HttpRequest, case_id: CaseId, entry_id: EntryId, addendum: AddendumIn
) -> Status[EntryDetailOut]:
    """Add to or correct an entry: an addendum.

    A new entry of the log that points to its entry and says why; the entry itself never
    changes. It takes the entry's time and channel. An entry that is not of this case is refused
    at `entry_id` (422) and nothing is written. JSON only, no files.
    """
    wanted = uuid_or_404(entry_id)
    user, case = case_for(request, case_id, may_log_communications)
    # The service decides about an entry not of this case (and refuses it).
    with refusals_at({"addendum_to": ("path", "entry_id"), "addendum_reason": "reason"}):
        row = services.addendum_record(
            actor=user,
            case=case,
            entry_id=wanted,
            reason=addendum.reason,
            summary=addendum.summary,
            details=addendum.details,
        )
    return Status(201, _entry_detail(case, row.pk))


# --- The roster ----------------------------------------------------------------------


@interpreters.get(
    "/interpreters",
    response={200: list[InterpreterOut], **NOT_FOUND},
)
def interpreter_list(request: HttpRequest) -> list[InterpreterOut]:
    """Your agency's interpreters, available ones first.

    Those who record communications, administrators and supervisors.
    """
    user = staff_allowed(request, may_read_roster)
    return [_interpreter_out(row) for row in selectors.roster(user)]


@interpreters.post(
    "/interpreters",
    response={201: InterpreterOut, **WRITE_FAILURES},
)
def interpreter_add(request: HttpRequest, interpreter: InterpreterIn) -> Status[InterpreterOut]:
    """Add an interpreter to the roster.

    Administrators and supervisors. The signed confidentiality agreement cannot be uploaded
    through the API: attach it through the roster page.
    """
    user = staff_allowed(request, may_keep_roster)
    with refusals_at(INTERPRETER_FIELDS):
        row = services.interpreter_save(actor=user, values=_interpreter_values(interpreter))
    return Status(201, _interpreter_out(row))


@interpreters.get(
    "/interpreters/{interpreter_id}",
    response={200: InterpreterOut, **NOT_FOUND},
)
def interpreter_detail(request: HttpRequest, interpreter_id: InterpreterId) -> InterpreterOut:
    """One interpreter of the roster."""
    user = staff_allowed(request, may_read_roster)
    return _interpreter_out(_interpreter(user, interpreter_id))


@interpreters.put(
    "/interpreters/{interpreter_id}",
    response={200: InterpreterOut, **WRITE_FAILURES},
)
def interpreter_update(
    request: HttpRequest, interpreter_id: InterpreterId, interpreter: InterpreterIn
) -> InterpreterOut:
    """Change an interpreter's roster entry.

    Administrators and supervisors. Send every field. The agreement on file stays; a new one is
    attached through the roster page.
    """
    user = staff_allowed(request, may_keep_roster)
    row = _interpreter(user, interpreter_id)
    with refusals_at(INTERPRETER_FIELDS):
        saved = services.interpreter_save(
            actor=user, values=_interpreter_values(interpreter), interpreter=row
        )
    return _interpreter_out(saved)


# --- Exports -------------------------------------------------------------------------


@case_records(
    exports,
    "/cases/{case_id}/exports",
    ExportOut,
    may_export,
)
def record_export_list(case: Case) -> list[ExportOut]:
    """The earlier exports of a case record, newest first.

    What left and its root hash, never the bundle. Advocates and supervisors.
    """
    return [_export_out(row) for row in exports_of(case)]


@exports.post(
    "/cases/{case_id}/exports",
    response={**WRITE_FAILURES},
    openapi_extra=download(
        "The bundle (ZIP) or the PDF, as an attachment.", ("application/zip", "application/pdf")
    ),
)
def record_export_create(request: HttpRequest, case_id: CaseId, export: ExportIn) -> HttpResponse:
    """Export a case record: the bundle or its PDF, as a download.

    For the person themself, always; for anyone else, through the disclosure gate with the
    person's consent to the recipient, purpose and kinds named (a refusal of the gate answers
    422 at the body, and nothing is exported). The file's name says which export it is, never
    whom it is about. Every export is audited with its root hash. Advocates and supervisors
    only.
    """
    user, case = case_for(request, case_id, may_export)
    wanted = values_of(ExportRequest, export)
    if export.audience != Audience.PERSON.value:
        with refusals_at():
            stepup.confirm_code(user, export.second_factor)
    with refusals_at({"recipient": "recipient_org_id"}):
        exported = export_record(actor=user, case=case, request=wanted)
    if export.output == "pdf":
        return export_file_response(exported.pdf_bytes, "application/pdf", exported.export, "pdf")
    return export_file_response(exported.zip_bytes, "application/zip", exported.export, "zip")


# Every router of the module; the resources with tags of their own have their own.
routers = (router, interpreters, exports)
