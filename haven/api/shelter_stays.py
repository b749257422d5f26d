"""Stays at the agency's shelters and placements at partners over the JSON API:
schemas and routing only.

Who may see and do what is decided by ``haven.shelter.policies``, through
the selectors and services of ``haven.shelter``: anything outside the
caller's reach answers 404 exactly like a record that does not exist, and
nothing is written. A site is named by its alias; no answer here carries a
site's address, phone, name or rules.

A service's refusal answers 422 at the field of the body it is about
(``["body", <field>]``), or at the id in the path for an operation without a
body (``["path", <id>]``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as RequestInvalid
from ninja.params import P, PathEx, QueryEx
from pydantic import StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    case_for,
    out,
    refusals_at,
    staff_allowed,
    text,
    uuid_or_404,
)
from haven.api.inputs import (
    LARGEST_ID,
    CaseId,
    Coded,
    InfoKindCode,
    Input,
    OptionalDay,
    PurposeCode,
    Summary,
    WideLine,
    iso_date,
)
from haven.api.inputs import Note as NoteText
from haven.consent.models import InfoKind
from haven.shelter import policies, site_selectors, stays
from haven.shelter import stay_selectors as selectors
from haven.shelter.models import CheckIn, ShelterSite, Stay, StayOutcome, StayRequest

router = Router(tags=["shelter"])

# --- Stays ---------------------------------------------------------------------------

StayId = PathEx[str, P(description="The stay's id, a UUID.")]
SiteId = PathEx[str, P(description="The site's id, a UUID.")]
RequestId = PathEx[str, P(description="The waiting-list request's id, a UUID.")]
BedId = Annotated[StrictInt, Field(gt=0, le=LARGEST_ID, description="A bed of your agency.")]
OnDay = QueryEx[
    str | None,
    P(max_length=10, description="YYYY-MM-DD: the night asked about; tonight if left out."),
]


def _night(day: str | None) -> date:
    if not day:
        return timezone.localdate()
    try:
        found = iso_date(day)
    except PydanticCustomError as problem:
        raise RequestInvalid(
            [{"type": problem.type, "loc": ["query", "day"], "msg": problem.message()}]
        ) from None
    assert isinstance(found, date)  # noqa: S101 (iso_date answers a date or raises)
    return found


class StayAdmitIn(Input):
    bed: BedId
    starts_on: OptionalDay = Field(default=None, description="The first night; today if null.")
    safety_notes: NoteText = Field(default="", description="For the site's shelter staff.")
    request: uuid.UUID | None = Field(
        default=None, description="The waiting-list request this admission answers."
    )


class StayMoveIn(Input):
    bed: BedId
    on: OptionalDay = Field(default=None, description="The day of the move; today if null.")


class StayEndIn(Input):
    outcome: Annotated[str, Coded(StayOutcome)] = Field(
        description="How the stay ended; a move is made with /move."
    )
    ends_on: OptionalDay = Field(
        default=None, description="The day the person left; today if null."
    )


class ResidentCheckInIn(Input):
    wellbeing: Annotated[str, Coded(CheckIn.Wellbeing)]
    note: Summary = ""


class StayRequestIn(Input):
    site: uuid.UUID | None = Field(default=None, description="A site of your agency, or any.")
    priority: Annotated[str, Coded(StayRequest.Priority)] = "normal"
    note: Summary = ""


class PlacementIn(Input):
    organization: uuid.UUID = Field(description="A shelter partner of your agency's directory.")
    purpose: PurposeCode
    kinds: list[InfoKindCode] = Field(
        max_length=len(InfoKind.values),
        description="What the partner is told: a consent in force must cover every kind.",
    )
    starts_on: OptionalDay = Field(default=None, description="The first night; today if null.")
    location_agreed: StrictBool = Field(
        default=False, description="The person agreed to record where they stay."
    )
    location: WideLine = Field(default="", description="Only with location_agreed.")


class StayOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    site_id: uuid.UUID | None = Field(description="Null for a placement at a partner.")
    site_alias: str = Field(description='The site\'s public alias; "" at a partner.')
    bed_id: int | None
    bed: str = Field(description='"room, bed"; "" without a bed.')
    referral_id: uuid.UUID | None = Field(description="The referral of a placement at a partner.")
    location: str = Field(description='Where, at a partner, if the person agreed; else "".')
    safety_notes: str
    starts_on: date
    ends_on: date | None = Field(description="The day the person left: not a night of the stay.")
    outcome: Annotated[str, Coded(StayOutcome, blank=True)]
    compromised_at: datetime | None


class ResidentCheckInOut(Schema):
    id: uuid.UUID
    wellbeing: Annotated[str, Coded(CheckIn.Wellbeing)]
    note: str
    at: datetime


class ResidentOut(Schema):
    stay_id: uuid.UUID
    name: str = Field(description="The name the agency's settings let shelter staff see.")
    language: str
    safety_notes: str
    bed: str
    last_check_in: datetime | None
    check_in_due: bool


class OccupancyOut(Schema):
    site_id: uuid.UUID
    site_alias: str
    day: date
    beds: int
    taken: int
    free: int
    residents: list[ResidentOut] | None = Field(
        description="Only for the site's own staff, and only for tonight; null otherwise."
    )


class StayRequestOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID | None = Field(description="Only where you may open the case.")
    site_id: uuid.UUID | None
    priority: Annotated[str, Coded(StayRequest.Priority)]
    status: Annotated[str, Coded(StayRequest.Status)]
    asked_on: date
    name: str = Field(description='Only where you may open the case; "" otherwise.')


def _bed_label(stay: Stay) -> str:
    return f"{stay.bed.room}, {stay.bed.label}" if stay.bed is not None else ""


def _stay_out(stay: Stay) -> StayOut:
    return out(
        StayOut,
        stay,
        site_alias=stay.site.alias if stay.site is not None else "",
        bed=_bed_label(stay),
        location=text(stay.location),
        safety_notes=text(stay.safety_notes),
    )


def _stay(
    request: HttpRequest,
    stay_id: str,
    may: Callable[[User, ShelterSite | None], bool] | None = None,
) -> tuple[User, Stay]:
    """The stay, for a change only if ``may`` allows it (see stay_get)."""
    user = staff_allowed(request, policies.may_work_stays)
    return user, selectors.stay_get(user=user, stay_id=uuid_or_404(stay_id), may=may)


@router.get("/cases/{case_id}/stays", response={200: list[StayOut], **NOT_FOUND})
def case_stay_list(request: HttpRequest, case_id: CaseId) -> list[StayOut]:
    """The shelter stays of a case, newest first.

    At the agency's sites (by alias, never the address) and at partners.
    """
    _user, case = case_for(request, case_id, policies.may_work_stays)
    return [_stay_out(s) for s in selectors.case_stays(case)]


@router.post("/cases/{case_id}/stays", response={201: StayOut, **WRITE_FAILURES})
def stay_admit(request: HttpRequest, case_id: CaseId, stay: StayAdmitIn) -> Status[StayOut]:
    """Admit the person of a case to a bed.

    Refused with 422 for a bed taken on any night from the first, a site closed to
    admissions (saying when it reopens), a person already in another stay, a closed case or
    a day more than a week back. Another agency's bed answers 404.
    """
    user, case = case_for(request, case_id, policies.may_work_stays)
    with refusals_at({"starts_on": "starts_on"}):
        made = stays.stay_admit(
            actor=user,
            case=case,
            bed_id=stay.bed,
            starts_on=stay.starts_on,
            safety_notes=stay.safety_notes,
            request_id=stay.request,
        )
    return Status(201, _stay_out(made))


@router.post("/cases/{case_id}/placements", response={201: StayOut, **WRITE_FAILURES})
def stay_place(request: HttpRequest, case_id: CaseId, placement: PlacementIn) -> Status[StayOut]:
    """Place the person at a shelter partner.

    A referral of the case's shelter need, through the disclosure gate: only the kinds a
    consent in force covers. The stay says "at partner" unless the person agreed to record
    where. Advocates and supervisors only.
    """
    user, case = case_for(request, case_id, policies.may_place_at_partner)
    with refusals_at({"organization_id": "organization"}):
        made = stays.place_at_partner(
            actor=user,
            case=case,
            placement=stays.Placement(
                organization_id=placement.organization,
                purpose=placement.purpose,
                kinds=list(placement.kinds),
                starts_on=placement.starts_on,
                location_agreed=placement.location_agreed,
                location=placement.location,
            ),
        )
    return Status(201, _stay_out(made))


@router.post("/stays/{stay_id}/move", response={201: StayOut, **WRITE_FAILURES})
def stay_move(request: HttpRequest, stay_id: StayId, move: StayMoveIn) -> Status[StayOut]:
    """Move a resident to another bed or site.

    Ends the stay on the day as moved and starts the new one the same day. Answers the new
    stay.
    """
    user, found = _stay(request, stay_id, policies.may_change_stay)
    with refusals_at():
        moved = stays.stay_move(actor=user, stay=found, bed_id=move.bed, on=move.on)
    return Status(201, _stay_out(moved))


@router.post("/stays/{stay_id}/end", response={200: StayOut, **WRITE_FAILURES})
def stay_end(request: HttpRequest, stay_id: StayId, end: StayEndIn) -> StayOut:
    """End a stay with its outcome.

    Not before it began, and not twice.
    """
    user, found = _stay(request, stay_id, policies.may_change_stay)
    with refusals_at():
        stays.stay_end(actor=user, stay=found, ends_on=end.ends_on, outcome=end.outcome)
    return _stay_out(found)


@router.post("/stays/{stay_id}/compromised", response={200: StayOut, **NOT_FOUND, **REFUSED})
def stay_compromised(request: HttpRequest, stay_id: StayId) -> StayOut:
    """Mark a stay compromised: a trafficker may know the location.

    The case's safety plan goes back in progress for review; move the person with /move,
    and ask the agency's designated administrators to close the site on its page.
    """
    user, found = _stay(request, stay_id, policies.may_change_stay)
    with refusals_at(whole=("path", "stay_id")):
        stays.stay_mark_compromised(actor=user, stay=found)
    return _stay_out(found)


@router.get("/stays/{stay_id}/check-ins", response={200: list[ResidentCheckInOut], **NOT_FOUND})
def check_in_list(request: HttpRequest, stay_id: StayId) -> list[ResidentCheckInOut]:
    """The check-ins of a stay, latest first (the latest 20)."""
    _user, found = _stay(request, stay_id)
    return [out(ResidentCheckInOut, c) for c in selectors.check_ins_of(found)]


@router.post("/stays/{stay_id}/check-ins", response={201: ResidentCheckInOut, **WRITE_FAILURES})
def check_in_record(
    request: HttpRequest, stay_id: StayId, seen: ResidentCheckInIn
) -> Status[ResidentCheckInOut]:
    """Record a check-in of a resident staying tonight.

    The site's shelter staff only.
    """
    user, found = _stay(request, stay_id, policies.may_record_check_in)
    with refusals_at():
        made = stays.check_in_record(
            actor=user,
            stay=found,
            wellbeing=seen.wellbeing,
            note=seen.note,
        )
    return Status(201, out(ResidentCheckInOut, made))


@router.get("/sites/{site_id}/occupancy", response={200: OccupancyOut, **NOT_FOUND, **REFUSED})
def site_occupancy(request: HttpRequest, site_id: SiteId, day: OnDay = None) -> OccupancyOut:
    """How many beds of a site are taken on a night.

    Right for any past night after moves and ends. The residents are listed, audited, only
    to the site's own staff and only for tonight.
    """
    user = authenticated_user(request)
    site = site_selectors.site_get(user=user, site_id=uuid_or_404(site_id))
    night = _night(day)
    taken = selectors.occupancy(site, night)
    listed = None
    if policies.may_see_residents(user, site) and night == timezone.localdate():
        listed = [
            ResidentOut(
                stay_id=r.stay.pk,
                name=r.name,
                language=r.language,
                safety_notes=r.safety_notes,
                bed=_bed_label(r.stay),
                last_check_in=r.last_check_in.at if r.last_check_in else None,
                check_in_due=r.due,
            )
            for r in selectors.residents(user=user, site=site)
        ]
    return OccupancyOut(
        site_id=site.pk,
        site_alias=site.alias,
        day=night,
        beds=taken.total,
        taken=taken.taken,
        free=taken.free,
        residents=listed,
    )


def _request_out(row: selectors.Waiting | StayRequest) -> StayRequestOut:
    if isinstance(row, selectors.Waiting):
        # The name is shown exactly where the case may be opened.
        case_id = row.request.case_id if row.case_open else None
        return out(StayRequestOut, row.request, name=row.name, case_id=case_id)
    return out(StayRequestOut, row, name="")


@router.get("/shelter/waiting", response={200: list[StayRequestOut], **NOT_FOUND})
def waiting_list(request: HttpRequest) -> list[StayRequestOut]:
    """The agency's shelter waiting list: urgent first, then the longest waiting.

    The first 100; shelter staff see their own sites' and those for any site. The case and
    the name only where you may open the case.
    """
    user = staff_allowed(request, policies.may_work_stays)
    return [_request_out(w) for w in selectors.waiting_list(user=user)]


@router.post("/cases/{case_id}/stay-requests", response={201: StayRequestOut, **WRITE_FAILURES})
def stay_request_add(
    request: HttpRequest, case_id: CaseId, asked: StayRequestIn
) -> Status[StayRequestOut]:
    """Put the person of a case on the shelter waiting list, for a site or any."""
    user, case = case_for(request, case_id, policies.may_work_stays)
    with refusals_at():
        made = stays.stay_request_add(
            actor=user, case=case, site_id=asked.site, priority=asked.priority, note=asked.note
        )
    return Status(201, _request_out(made))


@router.post(
    "/stay-requests/{request_id}/withdraw", response={200: StayRequestOut, **NOT_FOUND, **REFUSED}
)
def stay_request_withdraw(request: HttpRequest, request_id: RequestId) -> StayRequestOut:
    """Take a person off the shelter waiting list."""
    user = staff_allowed(request, policies.may_work_stays)
    found = selectors.request_get(user=user, request_id=uuid_or_404(request_id))
    with refusals_at(whole=("path", "request_id")):
        stays.stay_request_withdraw(actor=user, request=found)
    return _request_out(found)


routers = (router,)
