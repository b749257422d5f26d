"""Training over the JSON API: schemas and routing only.

Training records, in-service events, topics, and the caller's own refresher
states. Who may see and do what is decided by ``haven.training.policies``
through the selectors and services of ``haven.training``: anything outside
the caller's reach answers 404 exactly like a record that does not exist,
and nothing is written. Bodies are JSON without files: a certificate is
attached through the record's page and read through ``GET /attachments/{id}``.

A service's refusal answers 422 at the field of the body it is about
(``["body", <field>]``).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx, QueryEx
from pydantic import StrictInt

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    out,
    page_of,
    page_out,
    refusals_at,
    staff_allowed,
    uuid_or_404,
    values_of,
)
from haven.api.inputs import LARGEST_ID, Day, Input, Line, StaffId, SummaryLine
from haven.training import selectors, services
from haven.training.models import Event, Record
from haven.training.policies import may_see_own_training

router = Router(tags=["training"])

Hours = Annotated[
    Decimal,
    Field(
        gt=0,
        le=40,
        max_digits=4,
        decimal_places=2,
        allow_inf_nan=False,
        description="More than 0, at most 40, to two decimals; e.g. 1.5.",
    ),
]
TopicId = Annotated[StrictInt, Field(gt=0, le=LARGEST_ID)]

# --- Input and output types ----------------------------------------------------------


class RecordIn(Input):
    staff_id: StaffId = Field(description="A current staff member of your agency.")
    topic_id: TopicId = Field(description="GET /trainings/topics.")
    completed_on: Day = Field(description="YYYY-MM-DD; not ahead, not before 1990.")
    hours: Hours
    provider: Line = Field(default="", description="Who gave the training.")
    partner_id: uuid.UUID | None = Field(
        default=None, description="A partner of your agency's directory who presented it."
    )


class EventIn(Input):
    topic_id: TopicId
    title: Line
    held_on: Day = Field(description="YYYY-MM-DD; not ahead, not before 1990.")
    hours: Hours
    staff_ids: list[StaffId] = Field(
        default_factory=list,
        max_length=services.MAX_ATTENDEES,
        description="Current staff members of your agency who attended: each gets a record.",
    )
    partner_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=services.MAX_PARTNERS,
        description="Partners of your agency's directory who presented.",
    )
    presenters: SummaryLine = Field(default="", description="The presenters' names, as text.")
    outside_professionals: StrictInt = Field(
        default=0, ge=0, le=services.MAX_OUTSIDE, description="Partners' staff who attended."
    )


class RecordOut(Schema):
    id: uuid.UUID
    staff_id: int
    topic_id: int
    topic: str
    completed_on: date
    hours: Decimal
    provider: str
    partner_id: uuid.UUID | None
    event_id: uuid.UUID | None
    certificate_id: uuid.UUID | None = Field(
        description="GET /attachments/{id}: administrators and supervisors."
    )
    recorded_at: str


class RecordPage(Schema):
    page: int
    pages: int
    total: int
    items: list[RecordOut] = Field(description="Latest completed first.")


class DueOut(Schema):
    topic_id: int
    topic: str
    months: int
    latest: date | None = Field(description="Your latest completion.")
    due_on: date | None
    state: str = Field(description="never, current, due_soon (within 30 days) or overdue.")


class EventOut(Schema):
    id: uuid.UUID
    topic_id: int
    topic: str
    title: str
    held_on: date
    hours: Decimal
    partner_ids: list[uuid.UUID]
    presenters: str
    outside_professionals: int
    staff_ids: list[int] = Field(description="The staff who attended.")


class EventPage(Schema):
    page: int
    pages: int
    total: int
    items: list[EventOut] = Field(description="Latest held first.")


class TopicOut(Schema):
    id: int
    label: str
    shipped: bool = Field(description="One of Haven's topics, rather than your agency's own.")
    refresher_months: int | None


# --- Helpers -------------------------------------------------------------------------

RecordId = PathEx[str, P(description="The training record's id, a UUID.")]
PageNumber = QueryEx[int, P(ge=1, le=1_000_000, description="From 1; 25 a page.")]


def _record_out(record: Record) -> RecordOut:
    return out(
        RecordOut, record, topic=record.topic.label, recorded_at=record.recorded_at.isoformat()
    )


def _event_out(event: Event) -> EventOut:
    return out(
        EventOut,
        event,
        topic=event.topic.label,
        partner_ids=sorted(p.pk for p in event.partners.all()),
        staff_ids=sorted(r.staff_id for r in event.records.all()),
    )


def _reader(request: HttpRequest) -> User:
    return staff_allowed(request, may_see_own_training)


# --- Routes (the fixed paths before /trainings/{id}) ---------------------------------


@router.get(
    "/trainings/due",
    response={200: list[DueOut], **NOT_FOUND},
)
def training_due(request: HttpRequest) -> list[DueOut]:
    """Your own refreshers: each topic your agency wants refreshed."""
    user = _reader(request)
    return [
        out(DueOut, r, topic=r.label, months=r.months or 0)
        for r in selectors.my_refreshers(user=user, today=timezone.localdate())
    ]


@router.get(
    "/trainings/topics",
    response={200: list[TopicOut], **NOT_FOUND},
)
def training_topics(request: HttpRequest) -> list[TopicOut]:
    """The training topics of your agency, with their refresher intervals."""
    user = _reader(request)
    return [
        out(TopicOut, r.topic, refresher_months=r.months) for r in selectors.topic_rows(user=user)
    ]


@router.get(
    "/trainings/events",
    response={200: EventPage, **NOT_FOUND, **REFUSED},
)
def training_event_list(request: HttpRequest, page: PageNumber = 1) -> EventPage:
    """In-service events of your agency, latest first.

    Administrators, supervisors and auditors.
    """
    user = authenticated_user(request)
    shown = selectors.event_page(user=user, page=page)
    items = [
        _event_out(e)
        for e in Event.objects.filter(pk__in=[e.pk for e in shown])
        .select_related("topic")
        .prefetch_related("partners", "records")
        .order_by("-held_on", "-recorded_at", "pk")
    ]
    return EventPage(**page_of(shown), items=items)


@router.post(
    "/trainings/events",
    response={201: EventOut, **WRITE_FAILURES},
)
def training_event_record(request: HttpRequest, event: EventIn) -> Status[EventOut]:
    """Record an in-service event and a training record for each staff member who attended.

    Administrators.
    """
    user = authenticated_user(request)
    values = values_of(services.EventValues, event)
    with refusals_at({"topic": "topic_id", "staff": "staff_ids", "partners": "partner_ids"}):
        row = services.event_record(actor=user, values=values)
    return Status(201, _event_out(row))


@router.get(
    "/trainings",
    response={200: RecordPage, **NOT_FOUND, **REFUSED},
)
def training_list(
    request: HttpRequest,
    page: PageNumber = 1,
    staff_id: QueryEx[int | None, P(ge=1, le=LARGEST_ID)] = None,
    topic_id: QueryEx[int | None, P(ge=1, le=LARGEST_ID)] = None,
    start: date | None = None,
    end: date | None = None,
) -> RecordPage:
    """Training records you may read, latest first.

    Administrators, supervisors and auditors read the agency's records; everyone else their own.
    Filter by staff member, topic and period (completed on or after `start`, on or before
    `end`).
    """
    user = authenticated_user(request)
    wanted = selectors.RecordFilter(staff_id=staff_id, topic_id=topic_id, start=start, end=end)
    return page_out(
        RecordPage, selectors.record_page(user=user, wanted=wanted, page=page), _record_out
    )


@router.post(
    "/trainings",
    response={201: RecordOut, **WRITE_FAILURES},
)
def training_record(request: HttpRequest, training: RecordIn) -> Status[RecordOut]:
    """Record a staff member's completed training.

    Administrators. JSON only: attach the certificate through the record's page.
    """
    user = authenticated_user(request)
    values = values_of(services.RecordValues, training)
    with refusals_at({"staff": "staff_id", "topic": "topic_id", "partner": "partner_id"}):
        row = services.training_record(actor=user, values=values)
    return Status(201, _record_out(selectors.record_get(user=user, record_id=row.pk)))


@router.get(
    "/trainings/{record_id}",
    response={200: RecordOut, **NOT_FOUND},
)
def training_detail(request: HttpRequest, record_id: RecordId) -> RecordOut:
    """One training record."""
    user = authenticated_user(request)
    return _record_out(selectors.record_get(user=user, record_id=uuid_or_404(record_id)))


routers = (router,)
