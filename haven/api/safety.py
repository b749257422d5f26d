"""Staff safety over the JSON API: schemas and routing only.

Threats against the agency and its staff, the persons of concern behind
them, the visitor log and its screening, visitor alerts, and each staff
member's own safety checklist. Who may see and do what is decided by
``haven.safety.policies``, through the selectors and services of
``haven.safety``: anything outside the caller's reach answers 404 exactly
like a record that does not exist, and nothing is written. A read is
audited by its selector, a write by its service.

A check-in at the front desk answers only whether the visitor was flagged,
never whom they matched nor anything of a case: the match goes to the staff
who receive visitor alerts. Linked cases are shown only to those who may
open them, linked persons of concern only to those who may see them.

Bodies are JSON, without files: evidence of a threat and photos of a person
of concern are attached through their pages, and read through
``GET /attachments/{id}``, which asks the policy again. There is no way to
start or end a lockdown over the API: that stays in the pages, behind a
fresh second factor.

A service's refusal answers 422 at the field of the body it is about
(``["body", <field>]``), or at the id in the path for an operation without a
body (``["path", <id>]``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import BeforeValidator, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import (
    NO_CONTENT,
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    FileOut,
    out,
    page_out,
    refusals_at,
    text,
    uuid_or_404,
    values_of,
)
from haven.api.inputs import (
    LARGEST_ID,
    Code,
    Coded,
    Input,
    Line,
    LongText,
    Note,
    OptionalDay,
    PageNumber,
    StaffId,
    WideLine,
    moment,
)
from haven.attachments.models import Attachment
from haven.core.errors import NotFound
from haven.safety import selectors, services
from haven.safety.models import Channel as ThreatChannel
from haven.safety.models import PersonOfConcern, SafetyChecklist, Threat, Visit, VisitorAlert
from haven.safety.screening import lines

router = Router(tags=["safety"])
concerns = Router(tags=["persons of concern"])
visitors = Router(tags=["visitors"])
checklists = Router(tags=["safety checklists"])

MAX_STAFF = 50
MAX_LINKS = 50
MAX_LINES = 50
# What the front desk is told of a flagged visitor: the same words whoever
# matched, so the answer gives nothing away.
FLAGGED_INSTRUCTION = "Follow your agency's visitor procedure."

# --- Input types ---------------------------------------------------------------------


def _threat_moment(value: object) -> object:
    """A time with its offset (``haven.api.common.moment``), that also exists in
    UTC and in the agency's time zone: the service reads the day it fell on."""
    found = moment(value)
    if isinstance(found, datetime):
        try:
            found.astimezone(UTC)
            timezone.localtime(found)
        except OverflowError:
            raise PydanticCustomError("datetime_range", "Check the year.") from None
    return found


ThreatMoment = Annotated[
    datetime,
    BeforeValidator(_threat_moment),
    Field(description="ISO 8601 with a UTC offset, e.g. 2025-01-31T14:05-06:00; not ahead."),
]
Version = Annotated[StrictInt, Field(ge=0, le=LARGEST_ID)]

# The codes of haven.safety.models, spelled out so OpenAPI lists them (a test
# checks they stay the same).
ChannelCode = Literal[
    "voicemail", "phone", "email", "text", "social", "letter", "in_person", "vehicle"
]
ChecklistAnswerCode = Literal["", "done", "not_yet", "not_needed"]


class ThreatIn(Input):
    occurred_at: ThreatMoment
    channel: ChannelCode = Field(description="How it came.")
    what_happened: LongText = Field(description="What happened, as it was received; required.")
    against_agency: StrictBool = Field(default=False, description="Aimed at the agency as a whole.")
    targeted_staff_ids: list[StaffId] = Field(
        default_factory=list,
        max_length=MAX_STAFF,
        description="The ids of the staff of your agency it was aimed at. Name the agency, "
        "staff, or both.",
    )
    reported_to_police: StrictBool = Field(
        default=False, description="Reported to law enforcement."
    )
    reported_on: OptionalDay = Field(
        default=None,
        description="YYYY-MM-DD: when it was reported; not before the threat, not ahead.",
    )
    report_number: Code = Field(default="", description="The police report's number.")
    concern_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_LINKS,
        description="Persons of concern of your agency behind it; only for those who may see them.",
    )
    case_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_LINKS,
        description="The cases it bears on: only cases you can open.",
    )


class FollowUpIn(Input):
    """The report to law enforcement, as it stands now. What happened is
    never rewritten: the first account stays as it was given."""

    reported_to_police: StrictBool = Field(
        description="Reported to law enforcement; once recorded, a report stays recorded."
    )
    reported_on: OptionalDay = Field(
        default=None,
        description="YYYY-MM-DD: when it was reported; not before the threat, not ahead.",
    )
    report_number: Code = Field(default="", description="The police report's number.")


class ConcernIn(Input):
    """Every field of a person of concern, as it should be now."""

    name: Line = Field(description="The name they are known by, even a nickname; required.")
    aliases: list[Line] = Field(
        default_factory=list,
        max_length=MAX_LINES,
        description="Other names and spellings; each is screened like the name.",
    )
    description: LongText = ""
    vehicles: Note = ""
    plates: list[Line] = Field(
        default_factory=list,
        max_length=MAX_LINES,
        description="Licence plates; each is screened at check-in.",
    )
    associates: Note = Field(default="", description="Known associates.")
    case_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_LINKS,
        description="The cases they bear on: only cases you can open. On a change, links to "
        "cases you cannot open stay as they are.",
    )


class ConcernChangeIn(ConcernIn):
    version: Version = Field(
        description="The version you read; a change made from an older one is refused."
    )


class VisitIn(Input):
    name_given: Line = Field(
        description="The name the visitor gave; if they would not give one, say so."
    )
    asking_for: Line = Field(default="", description="Whom they ask for.")
    purpose: WideLine = ""
    plate: Line = Field(default="", description="Their vehicle's plate, if seen.")
    id_seen: StrictBool = Field(default=False, description="An identity document was seen.")
    place: Code = Field(
        default="",
        description='Where the visitor came: "" for the office, or the id of one of your '
        "agency's places (GET /visit-places), which the alert then names by its alias.",
    )


class ChecklistIn(Input):
    """Every item of your own checklist, as it should be now; "" for unanswered."""

    unlisted_phone: ChecklistAnswerCode = ""
    address_confidentiality: ChecklistAnswerCode = ""
    varied_routes: ChecklistAnswerCode = ""
    alternative_stay: ChecklistAnswerCode = ""
    alternative_stay_notes: Note = ""
    emergency_contacts: Note = ""
    notes: Note = ""
    version: Version = Field(
        description="The version you read, 0 before the first save; a save made from an "
        "older one is refused."
    )


# --- Output types ------------------------------------------------------------------


class ThreatOut(Schema):
    id: uuid.UUID
    occurred_at: datetime
    channel: Annotated[str, Coded(ThreatChannel)]
    against_agency: bool
    targeted_staff_ids: list[int]
    what_happened: str
    reported_to_police: bool
    reported_on: date | None
    report_number: str
    recorded_at: datetime
    recorded_by_id: int


class ThreatDetailOut(ThreatOut):
    case_ids: list[uuid.UUID] = Field(
        description="The linked cases you can open; any other is not mentioned."
    )
    concern_ids: list[uuid.UUID] = Field(
        description="The persons of concern behind it, for those who may see them "
        "(GET /persons-of-concern/{id}); [] for anyone else."
    )
    evidence: list[FileOut] = Field(description="Attached through the threat's page.")


class ThreatPage(Schema):
    page: int = Field(description="The page served: a page past the end serves the last one.")
    pages: int
    total: int = Field(description="The threats you may see.")
    items: list[ThreatOut] = Field(description="Latest first.")


class ThreatRef(Schema):
    id: uuid.UUID = Field(description="GET /threats/{id}.")
    occurred_at: datetime
    channel: Annotated[str, Coded(ThreatChannel)]


class ConcernOut(Schema):
    id: uuid.UUID
    name: str
    aliases: list[str]
    description: str
    vehicles: str
    plates: list[str]
    associates: str
    version: int = Field(description="Send it back with a change.")
    created_at: datetime
    created_by_id: int
    updated_at: datetime


class ConcernDetailOut(ConcernOut):
    case_ids: list[uuid.UUID] = Field(
        description="The linked cases you can open; any other is not mentioned."
    )
    photos: list[FileOut] = Field(description="Attached through the record's page.")
    threats: list[ThreatRef] = Field(description="The linked threats you may see, latest first.")


class ConcernPage(Schema):
    page: int = Field(description="The page served: a page past the end serves the last one.")
    pages: int
    total: int
    items: list[ConcernOut] = Field(description="Latest recorded first.")


class VisitOut(Schema):
    id: uuid.UUID
    name_given: str
    asking_for: str
    purpose: str
    plate: str
    id_seen: bool
    screened_by_id: int
    checked_in_at: datetime
    checked_out_at: datetime | None
    flagged: bool = Field(description="Screening raised an alert; never why.")
    place: str = Field(description='Where: "" for the office, else a shelter site\'s id.')
    place_label: str = Field(description='The site\'s alias; "" for the office.')


class VisitPage(Schema):
    page: int = Field(description="The page served: a page past the end serves the last one.")
    pages: int
    total: int
    items: list[VisitOut] = Field(description="Latest first.")


class PlaceOut(Schema):
    id: str = Field(description="Send it as a check-in's `place`.")
    label: str = Field(description="The place's public alias; never its address.")


class CheckInOut(Schema):
    id: uuid.UUID
    checked_in_at: datetime
    flagged: bool = Field(
        description="Screening raised an alert for the staff on duty for safety; whom the "
        "visitor matched is never said here."
    )
    instruction: str | None = Field(description="What to do now when flagged; null otherwise.")


class CheckOutOut(Schema):
    id: uuid.UUID
    checked_in_at: datetime
    checked_out_at: datetime


class ConcernRef(Schema):
    id: uuid.UUID = Field(description="GET /persons-of-concern/{id}.")
    name: str


class AlertOut(Schema):
    id: uuid.UUID
    visit_id: uuid.UUID
    name_given: str = Field(description="The name the visitor gave.")
    checked_in_at: datetime
    place: str = Field(description='Where: "" for the office, else a shelter site\'s id.')
    place_label: str = Field(description='The site\'s alias; "" for the office.')
    raised_at: datetime
    exact: bool = Field(description="A name or plate matched exactly; false for a close spelling.")
    concerns: list[ConcernRef] = Field(description="The persons of concern matched.")
    acknowledged: bool
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None


class ChecklistOut(Schema):
    user_id: int
    unlisted_phone: str
    address_confidentiality: str
    varied_routes: str
    alternative_stay: str
    alternative_stay_notes: str
    emergency_contacts: str
    notes: str
    version: int = Field(description="0 before the first save; send it back with a change.")
    updated_at: datetime | None


# --- Helpers -------------------------------------------------------------------------

ThreatId = PathEx[str, P(description="The threat's id, a UUID.")]
ConcernId = PathEx[str, P(description="The person of concern's id, a UUID.")]
VisitId = PathEx[str, P(description="The visit's id, a UUID.")]
AlertId = PathEx[str, P(description="The alert's id, a UUID.")]
UserId = PathEx[str, P(description="The staff member's id, a number.")]


def _staff_id_or_404(value: str) -> int:
    # A malformed id answers exactly like a staff member who does not exist.
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        raise NotFound
    return int(value)


def _files(attachments: Iterable[Attachment]) -> list[FileOut]:
    return [out(FileOut, a) for a in attachments]


def _threat_out(threat: Threat) -> ThreatOut:
    return out(
        ThreatOut,
        threat,
        occurred_at=threat.occurred_at.astimezone(UTC),
        targeted_staff_ids=sorted(u.pk for u in threat.targeted_staff.all()),
    )


def _threat_detail(user: User, threat: Threat) -> ThreatDetailOut:
    return ThreatDetailOut(
        **_threat_out(threat).model_dump(),
        case_ids=sorted(c.pk for c in selectors.linked_cases(user=user, cases=threat.cases.all())),
        concern_ids=sorted(c.pk for c in selectors.linked_concerns(user=user, threat=threat)),
        evidence=_files(threat.evidence.order_by("uploaded_at", "pk")),
    )


def _concern_out(concern: PersonOfConcern) -> ConcernOut:
    return out(
        ConcernOut,
        concern,
        aliases=lines(text(concern.aliases)),
        plates=lines(text(concern.plates)),
    )


def _concern_detail(user: User, concern: PersonOfConcern) -> ConcernDetailOut:
    cases = selectors.linked_cases(user=user, cases=concern.cases.all())
    return ConcernDetailOut(
        **_concern_out(concern).model_dump(),
        case_ids=sorted(c.pk for c in cases),
        photos=_files(concern.photos.order_by("uploaded_at", "pk")),
        threats=[out(ThreatRef, t) for t in selectors.concern_threats(user=user, concern=concern)],
    )


def _concern_values(body: ConcernIn) -> services.ConcernValues:
    # The service takes the lists one a line, as the form sends them.
    return values_of(
        services.ConcernValues,
        body,
        aliases="\n".join(body.aliases),
        plates="\n".join(body.plates),
    )


CONCERN_FIELDS = {
    "cases": "case_ids",
    # The one refusal of the record as a whole: it changed meanwhile.
    "__all__": "version",
}


def _visit_out(visit: Visit) -> VisitOut:
    return out(VisitOut, visit)


def _alert_out(alert: VisitorAlert) -> AlertOut:
    return out(
        AlertOut,
        alert,
        name_given=text(alert.visit.name_given),
        checked_in_at=alert.visit.checked_in_at,
        place=alert.visit.place,
        place_label=alert.visit.place_label,
        concerns=[
            ConcernRef(id=c.pk, name=text(c.name))
            for c in sorted(alert.concerns.all(), key=lambda c: str(c.pk))
        ],
        acknowledged=alert.acknowledged_at is not None,
    )


def _checklist_out(owner: User, checklist: SafetyChecklist | None) -> ChecklistOut:
    if checklist is None:
        # Nothing saved yet: every item unanswered, before the first version.
        return out(
            ChecklistOut,
            services.ChecklistValues(),
            user_id=owner.pk,
            version=0,
            updated_at=None,
        )
    return out(ChecklistOut, checklist, user_id=owner.pk)


# --- Threats -------------------------------------------------------------------------


@router.get(
    "/threats",
    response={200: ThreatPage, **NOT_FOUND, **REFUSED},
)
def threat_list(request: HttpRequest, page: PageNumber = 1) -> ThreatPage:
    """Threats against the agency and its staff, latest first.

    25 a page. Administrators and supervisors see every threat of the agency; the other staff
    who record threats see those aimed at them and those they recorded.
    """
    user = authenticated_user(request)
    return page_out(ThreatPage, selectors.threat_page(user=user, page=page), _threat_out)


@router.post(
    "/threats",
    response={201: ThreatDetailOut, **WRITE_FAILURES},
)
def threat_record(request: HttpRequest, threat: ThreatIn) -> Status[ThreatDetailOut]:
    """Record a threat.

    JSON only: evidence cannot be attached through the API; attach it through the threat's page.
    Anyone on staff except auditors.
    """
    user = authenticated_user(request)
    values = values_of(services.ThreatValues, threat)
    with refusals_at(
        {"targeted_staff": "targeted_staff_ids", "concerns": "concern_ids", "cases": "case_ids"}
    ):
        row = services.threat_record(actor=user, values=values)
    return Status(201, _threat_detail(user, row))


@router.get(
    "/threats/{threat_id}",
    response={200: ThreatDetailOut, **NOT_FOUND},
)
def threat_detail(request: HttpRequest, threat_id: ThreatId) -> ThreatDetailOut:
    """One threat, with what it is linked to that you may see."""
    user = authenticated_user(request)
    threat = selectors.threat_get(user=user, threat_id=uuid_or_404(threat_id))
    return _threat_detail(user, threat)


@router.post(
    "/threats/{threat_id}/follow-up",
    response={200: ThreatDetailOut, **WRITE_FAILURES},
)
def threat_follow_up(
    request: HttpRequest, threat_id: ThreatId, follow_up: FollowUpIn
) -> ThreatDetailOut:
    """Record the report of a threat to law enforcement.

    What happened is never rewritten, and a report once recorded stays recorded. JSON only: more
    evidence is attached through the threat's page. Whoever may see the threat.
    """
    user = authenticated_user(request)
    wanted = uuid_or_404(threat_id)
    values = values_of(services.ThreatFollowUp, follow_up)
    services.threat_follow_up(actor=user, threat_id=wanted, values=values)
    # Read again as any read is: the answer shows an account someone else may have given.
    return _threat_detail(user, selectors.threat_get(user=user, threat_id=wanted))


# --- Persons of concern --------------------------------------------------------------


@concerns.get(
    "/persons-of-concern",
    response={200: ConcernPage, **NOT_FOUND, **REFUSED},
)
def concern_list(request: HttpRequest, page: PageNumber = 1) -> ConcernPage:
    """Your agency's persons of concern, latest recorded first.

    25 a page. Advocates, supervisors, shelter staff and administrators.
    """
    user = authenticated_user(request)
    return page_out(ConcernPage, selectors.concern_page(user=user, page=page), _concern_out)


@concerns.post(
    "/persons-of-concern",
    response={201: ConcernDetailOut, **WRITE_FAILURES},
)
def concern_add(request: HttpRequest, concern: ConcernIn) -> Status[ConcernDetailOut]:
    """Record a person of concern.

    Their name, aliases and plates are screened at every check-in from now on. JSON only: photos
    are attached through the record's page. Advocates, supervisors and administrators.
    """
    user = authenticated_user(request)
    with refusals_at(CONCERN_FIELDS):
        row = services.concern_save(actor=user, values=_concern_values(concern))
    return Status(201, _concern_detail(user, row))


@concerns.get(
    "/persons-of-concern/{concern_id}",
    response={200: ConcernDetailOut, **NOT_FOUND},
)
def concern_detail(request: HttpRequest, concern_id: ConcernId) -> ConcernDetailOut:
    """One person of concern, with what they are linked to that you may see."""
    user = authenticated_user(request)
    concern = selectors.concern_get(user=user, concern_id=uuid_or_404(concern_id))
    return _concern_detail(user, concern)


@concerns.put(
    "/persons-of-concern/{concern_id}",
    response={200: ConcernDetailOut, **WRITE_FAILURES},
)
def concern_update(
    request: HttpRequest, concern_id: ConcernId, concern: ConcernChangeIn
) -> ConcernDetailOut:
    """Change a person of concern.

    Send every field, and the version you read: a change made from an older version is refused
    at `version` and nothing is written. Photos stay. Advocates, supervisors and administrators.
    """
    user = authenticated_user(request)
    wanted = uuid_or_404(concern_id)
    with refusals_at(CONCERN_FIELDS):
        row = services.concern_save(
            actor=user,
            values=_concern_values(concern),
            concern_id=wanted,
            version=concern.version,
        )
    return _concern_detail(user, row)


@concerns.delete(
    "/persons-of-concern/{concern_id}",
    response={**NO_CONTENT, **NOT_FOUND},
)
def concern_remove(request: HttpRequest, concern_id: ConcernId) -> Status[None]:
    """Remove a person of concern recorded in error.

    Their record, photos and screening digests go, with their keys: nothing of them opens again.
    Threats that named them stay, without the link. Advocates, supervisors and administrators.
    """
    user = authenticated_user(request)
    services.concern_remove(actor=user, concern_id=uuid_or_404(concern_id))
    return Status(204, None)


# --- The visitor log -----------------------------------------------------------------


@visitors.get(
    "/visits",
    response={200: VisitPage, **NOT_FOUND, **REFUSED},
)
def visit_list(request: HttpRequest, page: PageNumber = 1) -> VisitPage:
    """The visitor log, latest first.

    25 a page. Whether a visitor was flagged, never why. Front desk (intake) staff, supervisors
    and administrators.
    """
    user = authenticated_user(request)
    return page_out(VisitPage, selectors.visit_page(user=user, page=page), _visit_out)


@visitors.get(
    "/visit-places",
    response={200: list[PlaceOut], **NOT_FOUND},
)
def visit_places(request: HttpRequest) -> list[PlaceOut]:
    """Where a visitor may be checked in besides the office.

    Your agency's shelter sites, by alias. Front desk (intake) staff, supervisors and
    administrators.
    """
    user = authenticated_user(request)
    return [PlaceOut(id=pk, label=label) for pk, label in selectors.visit_places(user=user)]


@visitors.post(
    "/visits",
    response={201: CheckInOut, **WRITE_FAILURES},
)
def visit_check_in(request: HttpRequest, visit: VisitIn) -> Status[CheckInOut]:
    """Check a visitor in, screened against the persons of concern.

    The answer says only whether the visitor was flagged, and then what to do: whom they matched
    goes to the staff who receive visitor alerts, never to the desk. Front desk (intake) staff,
    supervisors and administrators.
    """
    user = authenticated_user(request)
    values = values_of(services.VisitValues, visit)
    row = services.visit_check_in(actor=user, values=values)
    return Status(
        201,
        out(CheckInOut, row, instruction=FLAGGED_INSTRUCTION if row.flagged else None),
    )


@visitors.post(
    "/visits/{visit_id}/check-out",
    response={200: CheckOutOut, **NOT_FOUND, **REFUSED},
)
def visit_check_out(request: HttpRequest, visit_id: VisitId) -> CheckOutOut:
    """Check a visitor out.

    A visitor checked out already is refused at `visit_id`.
    """
    user = authenticated_user(request)
    wanted = uuid_or_404(visit_id)
    with refusals_at(whole=("path", "visit_id")):
        row = services.visit_check_out(actor=user, visit_id=wanted)
    return out(CheckOutOut, row)


# --- Visitor alerts ------------------------------------------------------------------


@visitors.get(
    "/visitor-alerts",
    response={200: list[AlertOut], **NOT_FOUND},
)
def alert_list(request: HttpRequest) -> list[AlertOut]:
    """Visitor alerts: open ones, and those dealt with in the last hours.

    Newest first, at most 50. For the staff the agency designated to receive them or, when it
    designated none, its supervisors and administrators.
    """
    user = authenticated_user(request)
    return [_alert_out(alert) for alert in selectors.alert_list(user=user)]


@visitors.post(
    "/visitor-alerts/{alert_id}/acknowledge",
    response={**NO_CONTENT, **NOT_FOUND, **REFUSED},
)
def alert_acknowledge(request: HttpRequest, alert_id: AlertId) -> Status[None]:
    """Say you are dealing with a visitor alert.

    An alert someone is dealing with already is refused at `alert_id`.
    """
    user = authenticated_user(request)
    wanted = uuid_or_404(alert_id)
    with refusals_at(whole=("path", "alert_id")):
        services.alert_acknowledge(actor=user, alert_id=wanted)
    return Status(204, None)


# --- Safety checklists ---------------------------------------------------------------


@checklists.get(
    "/safety-checklist",
    response={200: ChecklistOut, **NOT_FOUND},
)
def checklist_detail(request: HttpRequest) -> ChecklistOut:
    """Your own safety checklist.

    Seen only by you and your agency's administrators.
    """
    user = authenticated_user(request)
    owner, checklist = selectors.checklist_of(user=user, owner_id=user.pk)
    return _checklist_out(owner, checklist)


@checklists.put(
    "/safety-checklist",
    response={200: ChecklistOut, **WRITE_FAILURES},
)
def checklist_save(request: HttpRequest, checklist: ChecklistIn) -> ChecklistOut:
    """Save your own safety checklist.

    Send every item, and the version you read (0 before the first save): a save made from an
    older version is refused at `version` and nothing is written.
    """
    user = authenticated_user(request)
    values = values_of(services.ChecklistValues, checklist)
    with refusals_at({"__all__": "version"}):
        row = services.checklist_save(actor=user, values=values, version=checklist.version)
    return _checklist_out(user, row)


@checklists.get(
    "/staff/{user_id}/safety-checklist",
    response={200: ChecklistOut, **NOT_FOUND},
)
def staff_checklist_detail(request: HttpRequest, user_id: UserId) -> ChecklistOut:
    """A staff member's safety checklist.

    Your agency's administrators; anyone else, their own only.
    """
    user = authenticated_user(request)
    owner, checklist = selectors.checklist_of(user=user, owner_id=_staff_id_or_404(user_id))
    return _checklist_out(owner, checklist)


# Every router of the module; the resources with tags of their own have their own.
routers = (router, concerns, visitors, checklists)
