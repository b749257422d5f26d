"""Preparedness over the JSON API: schemas and routing only.

The agency's policies (with their versions and reviews), each staff
member's acknowledgement of the current version, its meetings with partners
and its agreements with them. Who may see and do what is decided by
``haven.preparedness.policies``, through the selectors and services of
``haven.preparedness``: anything outside the caller's reach answers 404
exactly like a record that does not exist, and nothing is written.

Bodies are JSON, without files: a policy's versions and a signed agreement
are uploaded through their pages (only PDF and Word documents), and read
through ``GET /attachments/{id}``, which asks the policy again.

A service's refusal answers 422 at the field of the body it is about
(``["body", <field>]``), or at ``version`` when a newer version came.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import StrictBool, StrictInt

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    FileOut,
    out,
    page_out,
    refusals_at,
    uuid_or_404,
    values_of,
)
from haven.api.inputs import (
    LARGEST_ID,
    Coded,
    Day,
    Input,
    Line,
    LongNote,
    LongText,
    Note,
    OptionalDay,
    PageNumber,
    StaffId,
)
from haven.attachments.models import Attachment
from haven.preparedness import selectors, services
from haven.preparedness.models import (
    AgreementKind,
    MeetingKind,
    PartnerMeeting,
    PolicyDocument,
    PolicyKind,
    ReviewOutcome,
)

router = Router(tags=["preparedness"])
policies = Router(tags=["policies"])
meetings = Router(tags=["partner meetings"])
agreements = Router(tags=["partner agreements"])

VersionNumber = Annotated[StrictInt, Field(ge=1, le=LARGEST_ID)]
Revision = Annotated[StrictInt, Field(ge=0, le=LARGEST_ID)]

# The codes of haven.preparedness.models, spelled out so OpenAPI lists them
# (a test checks they stay the same).
PolicyKindCode = Literal[
    "eligibility",
    "identification",
    "encounter",
    "mandated_reporting",
    "confidentiality",
    "staff_safety",
    "interpreters",
    "data_retention",
    "other",
]
MeetingKindCode = Literal["da_victim_witness", "law_enforcement", "health_care", "other"]

# --- Input types ---------------------------------------------------------------------


class PolicyIn(Input):
    kind: PolicyKindCode = Field(description="What the policy is about.")
    title: Line = Field(description="Required.")
    owner_id: StaffId = Field(description="An active staff member of your agency.")


class AcknowledgeIn(Input):
    version: VersionNumber = Field(
        description="The number of the version you read: it must still be the current one."
    )


class ReviewIn(Input):
    """A review of the current version that found nothing to change. A
    review that changes the policy is a new version, uploaded through its page."""

    version: VersionNumber = Field(
        description="The number of the version you reviewed: it must still be the current one."
    )
    reviewed_on: Day = Field(description="YYYY-MM-DD: not ahead, not before the approval.")
    next_review_on: Day = Field(
        description="YYYY-MM-DD: after the review, at most five years after it."
    )


class MeetingIn(Input):
    kind: MeetingKindCode = Field(description="Which partner it was.")
    held_on: Day = Field(description="YYYY-MM-DD: not ahead, not before 1990.")
    organization_id: uuid.UUID | None = Field(
        default=None, description="A partner of your agency's directory."
    )
    partner_name: Line = Field(
        default="", description="The partner's name, when it is not in the directory."
    )
    staff_ids: list[StaffId] = Field(
        default_factory=list,
        max_length=services.MAX_STAFF,
        description="The staff of your agency who attended.",
    )
    partner_attendees: Note = Field(default="", description="Who came for the partner.")
    agreements: LongText = Field(default="", description="Agreements reached.")
    follow_ups: LongNote = ""
    follow_up_due: OptionalDay = Field(
        default=None, description="YYYY-MM-DD: not before the meeting; needs follow-ups."
    )
    follow_up_done: StrictBool = False


# --- Output types --------------------------------------------------------------------


class PolicyOut(Schema):
    id: uuid.UUID
    kind: Annotated[str, Coded(PolicyKind)]
    kind_label: str
    title: str
    owner_id: int
    version: int | None = Field(description="The current version's number; null before one.")
    next_review_on: date | None
    state: str = Field(description="current, due_soon (within 60 days), overdue or no_version.")
    acknowledged_by_me: bool = Field(description="You acknowledged the current version.")
    revision: int = Field(description="Counts the changes of the title, kind and owner.")


class VersionOut(Schema):
    number: int
    approved_on: date
    next_review_on: date
    changes: str
    file: FileOut
    created_at: datetime


class ReviewOut(Schema):
    id: uuid.UUID
    version: int
    reviewed_on: date
    outcome: Annotated[str, Coded(ReviewOutcome)] = Field(
        description="no_changes, or revised (a new version replaced it)."
    )
    next_review_on: date
    reviewed_by_id: int


class PolicyDetailOut(PolicyOut):
    versions: list[VersionOut] = Field(description="Latest first.")
    reviews: list[ReviewOut] = Field(description="Latest first.")


class AcknowledgementOut(Schema):
    policy_id: uuid.UUID
    version: int
    acknowledged_at: datetime


class MeetingOut(Schema):
    id: uuid.UUID
    kind: Annotated[str, Coded(MeetingKind)]
    organization_id: uuid.UUID | None
    partner_name: str = Field(description="The directory's name, or the name as written.")
    held_on: date
    staff_ids: list[int]
    partner_attendees: str
    agreements: str
    follow_ups: str
    follow_up_due: date | None
    follow_up_done: bool
    revision: int
    created_at: datetime
    created_by_id: int


class MeetingPage(Schema):
    page: int = Field(description="The page served: a page past the end serves the last one.")
    pages: int
    total: int
    items: list[MeetingOut] = Field(description="Latest held first.")


class AgreementOut(Schema):
    id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    kind: Annotated[str, Coded(AgreementKind)]
    signed_on: date
    expires_on: date | None
    state: str = Field(description="in_force, expiring (within 60 days) or expired.")
    superseded: bool = Field(
        description="A later agreement of the same partner and kind replaced it."
    )
    file: FileOut


# --- Helpers -------------------------------------------------------------------------

PolicyId = PathEx[str, P(description="The policy's id, a UUID.")]


def _file(attachment: Attachment) -> FileOut:
    return out(FileOut, attachment)


def _policy_out(document: PolicyDocument, mine: bool) -> PolicyOut:
    current = document.current_version
    return out(
        PolicyOut,
        document,
        kind_label=str(dict(PolicyKind.choices).get(document.kind, document.kind)),
        version=current.number if current else None,
        state=selectors.review_state(
            document.next_review_on, current is not None, timezone.localdate()
        ),
        acknowledged_by_me=mine,
    )


def _policy_detail(user: User, document_id: uuid.UUID) -> PolicyDetailOut:
    document = selectors.policy_get(user=user, document_id=document_id)
    mine = selectors.acknowledged_by(user=user, version=document.current_version)
    return PolicyDetailOut(
        **_policy_out(document, mine).model_dump(),
        versions=[
            out(VersionOut, v, file=_file(v.file)) for v in selectors.policy_versions(document)
        ],
        reviews=[
            out(ReviewOut, r, version=r.version.number) for r in selectors.policy_reviews(document)
        ],
    )


def _meeting_out(meeting: PartnerMeeting) -> MeetingOut:
    return out(
        MeetingOut,
        meeting,
        partner_name=selectors.partner_label(meeting),
        staff_ids=sorted(u.pk for u in meeting.staff.all()),
    )


# Where the services' names were sent.
FIELDS = {
    "owner": "owner_id",
    "organization": "organization_id",
    "staff": "staff_ids",
    # The one refusal of the record as a whole: a newer version came.
    "__all__": "version",
}


# --- Policies ------------------------------------------------------------------------


@policies.get(
    "/policies",
    response={200: list[PolicyOut], **NOT_FOUND},
)
def policy_list(request: HttpRequest) -> list[PolicyOut]:
    """Your agency's policies, by kind then title.

    Every staff member.
    """
    user = authenticated_user(request)
    rows = selectors.policy_rows(user=user, today=timezone.localdate())
    return [_policy_out(row.document, row.acknowledged_by_me) for row in rows]


@policies.post(
    "/policies",
    response={201: PolicyDetailOut, **WRITE_FAILURES},
)
def policy_create(request: HttpRequest, policy: PolicyIn) -> Status[PolicyDetailOut]:
    """Add a policy.

    Its kind, title and owner. JSON only: its versions (PDF or Word documents) are uploaded
    through the policy's page. Administrators.
    """
    user = authenticated_user(request)
    values = values_of(services.PolicyValues, policy)
    with refusals_at(FIELDS):
        document = services.policy_save(actor=user, values=values)
    return Status(201, _policy_detail(user, document.pk))


@policies.get(
    "/policies/{policy_id}",
    response={200: PolicyDetailOut, **NOT_FOUND},
)
def policy_detail(request: HttpRequest, policy_id: PolicyId) -> PolicyDetailOut:
    """One policy, with its versions and reviews.

    Every staff member.
    """
    user = authenticated_user(request)
    return _policy_detail(user, uuid_or_404(policy_id))


@policies.post(
    "/policies/{policy_id}/acknowledge",
    response={201: AcknowledgementOut, **WRITE_FAILURES},
)
def policy_acknowledge(
    request: HttpRequest, policy_id: PolicyId, acknowledgement: AcknowledgeIn
) -> Status[AcknowledgementOut]:
    """Acknowledge the current version of a policy.

    Once per version: acknowledging it again, or a version that is no longer current, is refused
    at `version`. Every staff member, for themselves.
    """
    user = authenticated_user(request)
    wanted = uuid_or_404(policy_id)
    with refusals_at(FIELDS):
        row = services.policy_acknowledge(
            actor=user, document_id=wanted, version_number=acknowledgement.version
        )
    return Status(
        201,
        AcknowledgementOut(
            policy_id=wanted, version=row.version.number, acknowledged_at=row.acknowledged_at
        ),
    )


@policies.post(
    "/policies/{policy_id}/reviews",
    response={201: PolicyDetailOut, **WRITE_FAILURES},
)
def policy_review_record(
    request: HttpRequest, policy_id: PolicyId, review: ReviewIn
) -> Status[PolicyDetailOut]:
    """Record a review of the current version that found nothing to change.

    Sets the policy's next review. A review that changes the policy is a new version, uploaded
    through the policy's page. Administrators.
    """
    user = authenticated_user(request)
    wanted = uuid_or_404(policy_id)
    with refusals_at(FIELDS):
        services.review_record(
            actor=user,
            document_id=wanted,
            version_number=review.version,
            reviewed_on=review.reviewed_on,
            next_review_on=review.next_review_on,
        )
    return Status(201, _policy_detail(user, wanted))


# --- Partner meetings ----------------------------------------------------------------


@meetings.get(
    "/partner-meetings",
    response={200: MeetingPage, **NOT_FOUND, **REFUSED},
)
def partner_meeting_list(request: HttpRequest, page: PageNumber = 1) -> MeetingPage:
    """Meetings with partners, latest held first.

    25 a page. Administrators, supervisors, auditors and advocates.
    """
    user = authenticated_user(request)
    return page_out(MeetingPage, selectors.meeting_page(user=user, page=page), _meeting_out)


@meetings.post(
    "/partner-meetings",
    response={201: MeetingOut, **WRITE_FAILURES},
)
def partner_meeting_record(request: HttpRequest, meeting: MeetingIn) -> Status[MeetingOut]:
    """Record a meeting with a partner.

    Name the partner by its directory id, or by name when it is not in the directory.
    Administrators and supervisors.
    """
    user = authenticated_user(request)
    values = values_of(services.MeetingValues, meeting)
    with refusals_at(FIELDS):
        row = services.meeting_save(actor=user, values=values)
    return Status(201, _meeting_out(selectors.meeting_get(user=user, meeting_id=row.pk)))


# --- Partner agreements --------------------------------------------------------------


@agreements.get(
    "/partner-agreements",
    response={200: list[AgreementOut], **NOT_FOUND},
)
def partner_agreement_list(request: HttpRequest) -> list[AgreementOut]:
    """Agreements with partners on file.

    By partner, then kind, latest signed first. JSON only: agreements are added, with the signed
    document, through their page. Administrators, supervisors and auditors.
    """
    user = authenticated_user(request)
    return [
        out(
            AgreementOut,
            row.agreement,
            organization_name=row.agreement.organization.name,
            state=row.state,
            superseded=row.superseded,
            file=_file(row.agreement.file),
        )
        for row in selectors.agreement_rows(user=user, today=timezone.localdate())
    ]


# Every router of the module; the resources with tags of their own have their own.
routers = (router, policies, meetings, agreements)
