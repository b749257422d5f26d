"""Reads for organizational preparedness.

Two kinds: reads for a user (scoped by ``haven.preparedness.policies``;
anything outside their reach is a 404 like a record that does not exist) and
aggregates of an agency for the readiness view and the reports, which hold
no names and need no audit. Nothing here is identifying data of a person
served, so reads are not audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.partners.models import Organization
from haven.preparedness.models import (
    PartnerAgreement,
    PartnerMeeting,
    PolicyAcknowledgement,
    PolicyDocument,
    PolicyKind,
    PolicyReview,
    PolicyVersion,
)
from haven.preparedness.policies import (
    may_read_agreements,
    may_read_meetings,
    may_read_policies,
    may_see_acknowledgements,
    may_write_meetings,
)

PAGE_SIZE = 25
# A review or an expiry this close is shown as coming.
DUE_SOON_DAYS = 60

CURRENT = "current"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
NO_VERSION = "no_version"
IN_FORCE = "in_force"
EXPIRING = "expiring"
EXPIRED = "expired"


def review_state(next_review_on: date | None, has_version: bool, today: date) -> str:
    """``overdue`` once the next review date has passed (the day itself is
    still due, not overdue); ``due_soon`` from DUE_SOON_DAYS before it."""
    if not has_version or next_review_on is None:
        return NO_VERSION
    if next_review_on < today:
        return OVERDUE
    if next_review_on <= today + timedelta(days=DUE_SOON_DAYS):
        return DUE_SOON
    return CURRENT


def expiry_state(expires_on: date | None, today: date) -> str:
    """``expired`` the day after ``expires_on``; ``expiring`` from
    DUE_SOON_DAYS before it, the last day included."""
    if expires_on is None:
        return IN_FORCE
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + timedelta(days=DUE_SOON_DAYS):
        return EXPIRING
    return IN_FORCE


def active_staff(agency_id: int) -> QuerySet[User]:
    """Staff who can sign in and hold a role: those who acknowledge policies."""
    return User.objects.filter(
        agency_id=agency_id, is_active=True, memberships__isnull=False
    ).distinct()


# --- Aggregates, for the readiness view and the reports -----------------------------


@dataclass(frozen=True)
class PolicyState:
    document_id: uuid.UUID | int
    kind: str
    kind_label: str
    title: str
    version: int | None
    next_review_on: date | None
    state: str  # "current" | "due_soon" | "overdue" | "no_version"
    acknowledged: int  # active staff who acknowledged the current version
    staff_total: int  # active staff


def policy_states(agency_id: int, today: date) -> list[PolicyState]:
    """Every policy of the agency, by kind then title."""
    documents = list(
        PolicyDocument.objects.filter(agency_id=agency_id)
        .select_related("current_version")
        .order_by("kind", "title", "id")
    )
    staff_ids = set(active_staff(agency_id).values_list("pk", flat=True))
    acknowledged: dict[uuid.UUID, int] = {}
    for version_id, user_id in PolicyAcknowledgement.objects.filter(
        version_id__in=[d.current_version_id for d in documents if d.current_version_id]
    ).values_list("version_id", "user_id"):
        if user_id in staff_ids:
            acknowledged[version_id] = acknowledged.get(version_id, 0) + 1
    labels = dict(PolicyKind.choices)
    return [
        PolicyState(
            document_id=d.pk,
            kind=d.kind,
            kind_label=str(labels.get(d.kind, d.kind)),
            title=d.title,
            version=d.current_version.number if d.current_version else None,
            next_review_on=d.next_review_on,
            state=review_state(d.next_review_on, d.current_version_id is not None, today),
            acknowledged=acknowledged.get(d.current_version_id, 0) if d.current_version_id else 0,
            staff_total=len(staff_ids),
        )
        for d in documents
    ]


def missing_policy_kinds(agency_id: int) -> list[tuple[str, str]]:
    """(kind, label) of the listed kinds, "other" aside, with no policy at all."""
    present = set(PolicyDocument.objects.filter(agency_id=agency_id).values_list("kind", flat=True))
    return [
        (kind, str(label))
        for kind, label in PolicyKind.choices
        if kind != PolicyKind.OTHER and kind not in present
    ]


@dataclass(frozen=True)
class AgreementCounts:
    on_file: int
    expiring: int
    expired: int


def _in_effect(agreements: list[PartnerAgreement]) -> list[PartnerAgreement]:
    """The latest signed agreement of each organization and kind: a renewal
    replaces the agreement it renews, which no longer counts as expired."""
    latest: dict[tuple[uuid.UUID, str], PartnerAgreement] = {}
    for agreement in sorted(agreements, key=lambda a: (a.signed_on, a.created_at)):
        latest[(agreement.organization_id, agreement.kind)] = agreement
    return list(latest.values())


def agreement_counts(agency_id: int, today: date) -> AgreementCounts:
    """Of the agreements in effect (the latest of each organization and kind):
    ``on_file`` those not expired (``expiring`` ones included), ``expiring``
    those that end within DUE_SOON_DAYS, ``expired`` those that ended."""
    states = [
        expiry_state(a.expires_on, today)
        for a in _in_effect(list(PartnerAgreement.objects.filter(agency_id=agency_id)))
    ]
    return AgreementCounts(
        on_file=sum(1 for s in states if s != EXPIRED),
        expiring=states.count(EXPIRING),
        expired=states.count(EXPIRED),
    )


def open_meeting_follow_ups(agency_id: int, today: date) -> int:
    """Meetings with follow-ups written down and not yet done. (``today`` is
    for the callers' symmetry: a follow-up is open until done, due or not.)"""
    return PartnerMeeting.objects.filter(
        agency_id=agency_id, follow_ups__isnull=False, follow_up_done=False
    ).count()


# --- Policies, for a user ------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    document: PolicyDocument
    state: str
    acknowledged_by_me: bool


def policy_rows(*, user: User, today: date) -> list[PolicyRow]:
    if not may_read_policies(user):
        raise NotFound
    documents = list(
        PolicyDocument.objects.filter(agency_id=user.agency_id)
        .select_related("current_version", "owner")
        .order_by("kind", "title", "id")
    )
    mine = set(
        PolicyAcknowledgement.objects.filter(
            user=user, version_id__in=[d.current_version_id for d in documents]
        ).values_list("version_id", flat=True)
    )
    return [
        PolicyRow(
            document=d,
            state=review_state(d.next_review_on, d.current_version_id is not None, today),
            acknowledged_by_me=d.current_version_id in mine,
        )
        for d in documents
    ]


@dataclass(frozen=True)
class MyPolicies:
    """The policies on file (with a current version) and those the user has
    still to acknowledge, so a page never congratulates on an empty set."""

    on_file: int
    to_acknowledge: list[PolicyDocument]


def my_policies(*, user: User, today: date) -> MyPolicies:
    rows = [r for r in policy_rows(user=user, today=today) if r.document.current_version_id]
    return MyPolicies(
        on_file=len(rows),
        to_acknowledge=[r.document for r in rows if not r.acknowledged_by_me],
    )


def policy_get(*, user: User, document_id: uuid.UUID) -> PolicyDocument:
    if not may_read_policies(user):
        raise NotFound
    document = (
        PolicyDocument.objects.select_related("current_version", "current_version__file", "owner")
        .filter(pk=document_id, agency_id=user.agency_id)
        .first()
    )
    if document is None:
        raise NotFound
    return document


def policy_versions(document: PolicyDocument) -> list[PolicyVersion]:
    return list(
        document.versions.select_related("file__data_key", "created_by").order_by("-number")
    )


def policy_reviews(document: PolicyDocument) -> list[PolicyReview]:
    return list(
        document.reviews.select_related("version", "reviewed_by").order_by(
            "-reviewed_on", "-recorded_at"
        )
    )


def acknowledged_by(*, user: User, version: PolicyVersion | None) -> bool:
    return (
        version is not None
        and PolicyAcknowledgement.objects.filter(version=version, user=user).exists()
    )


@dataclass(frozen=True)
class StaffAcknowledgement:
    staff: User
    acknowledged_at: object  # datetime | None


def acknowledgements(*, user: User, document: PolicyDocument) -> list[StaffAcknowledgement]:
    """Each active staff member and when they acknowledged the current
    version (None: not yet), for those who follow it up."""
    if not may_see_acknowledgements(user) or document.agency_id != user.agency_id:
        raise NotFound
    when = dict(
        PolicyAcknowledgement.objects.filter(version_id=document.current_version_id).values_list(
            "user_id", "acknowledged_at"
        )
    )
    return [
        StaffAcknowledgement(staff=s, acknowledged_at=when.get(s.pk))
        for s in active_staff(user.agency_id).order_by("username")
    ]


def owner_choices(*, user: User) -> list[User]:
    return list(active_staff(user.agency_id).order_by("username"))


# --- Partner meetings ----------------------------------------------------------------


def _meetings(user: User) -> QuerySet[PartnerMeeting]:
    if not may_read_meetings(user):
        raise NotFound
    return PartnerMeeting.objects.filter(agency_id=user.agency_id).select_related("organization")


def meeting_page(*, user: User, page: str | int | None) -> Page:  # type: ignore[type-arg]
    queryset = _meetings(user).order_by("-held_on", "-created_at", "id")
    return Paginator(queryset, PAGE_SIZE).get_page(page)


def meeting_get(*, user: User, meeting_id: uuid.UUID) -> PartnerMeeting:
    meeting = _meetings(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound
    return meeting


def meeting_staff_choices(*, user: User, meeting: PartnerMeeting | None = None) -> list[User]:
    """Active staff, and any the meeting named who have left since."""
    if not may_write_meetings(user):
        raise NotFound
    linked = Q(pk__in=meeting.staff.values("pk")) if meeting is not None else Q(pk__in=[])
    return list(
        User.objects.filter(Q(is_active=True) | linked, agency_id=user.agency_id).order_by(
            "username"
        )
    )


def organization_choices(*, user: User) -> list[Organization]:
    return list(Organization.objects.filter(agency_id=user.agency_id).order_by("name", "id"))


def partner_label(meeting: PartnerMeeting) -> str:
    return meeting.organization.name if meeting.organization else meeting.partner_name


# --- Partner agreements --------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    agreement: PartnerAgreement
    state: str  # "in_force" | "expiring" | "expired"
    superseded: bool  # a later agreement of the same organization and kind exists


def agreement_rows(*, user: User, today: date) -> list[AgreementRow]:
    if not may_read_agreements(user):
        raise NotFound
    agreements = list(
        PartnerAgreement.objects.filter(agency_id=user.agency_id)
        .select_related("organization", "file")
        .order_by("organization__name", "kind", "-signed_on", "-created_at")
    )
    in_effect = {a.pk for a in _in_effect(agreements)}
    return [
        AgreementRow(
            agreement=a, state=expiry_state(a.expires_on, today), superseded=a.pk not in in_effect
        )
        for a in agreements
    ]


def agreement_get(*, user: User, agreement_id: uuid.UUID, today: date) -> AgreementRow:
    if not may_read_agreements(user):
        raise NotFound
    for row in agreement_rows(user=user, today=today):
        if row.agreement.pk == agreement_id:
            return row
    raise NotFound
