"""Reads for staff training, scoped by policy.

Training records are about staff, never about the people the agency serves:
reading them is not audited (a certificate's download is, by the
attachments app). Anything outside the reader's reach is a 404, like a
record that does not exist.

``topic_coverage`` and ``training_figures`` are the interface of the
readiness view and the reports: aggregates without identifying data, for an
agency id, with no user to check (their callers decide who sees them).

Refresher states: the due date is the latest completion plus the topic's
interval in months (the 31st falls back to the last day of a shorter month).
A refresher is *overdue* from the day after its due date, *due soon* from 30
days before it up to and including the due date itself, and *current* before
that. A topic without an interval is current once it was ever completed.
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.training.models import Event, Record, Refresher, Topic
from haven.training.policies import (
    may_keep_training,
    may_read_agency_training,
    may_see_overview,
    may_see_own_training,
)

PAGE_SIZE = 25
DUE_SOON_DAYS = 30


class DueState:
    NEVER = "never"
    CURRENT = "current"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


STATE_LABELS = {
    DueState.NEVER: _("Never trained"),
    DueState.CURRENT: _("Current"),
    DueState.DUE_SOON: _("Due within 30 days"),
    DueState.OVERDUE: _("Overdue"),
}


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` ahead; past the end of a shorter month, its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_state(latest: date | None, months: int | None, today: date) -> tuple[date | None, str]:
    """The due date of a refresher and its state on ``today``."""
    if latest is None:
        return None, DueState.NEVER
    if months is None:
        return None, DueState.CURRENT
    due_on = add_months(latest, months)
    if due_on < today:
        return due_on, DueState.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return due_on, DueState.DUE_SOON
    return due_on, DueState.CURRENT


# --- Topics and staff ---


def agency_topics_q(agency_id: int) -> Q:
    return Q(agency__isnull=True) | Q(agency_id=agency_id)


def topics_of(agency_id: int) -> list[Topic]:
    """Haven's topics first, in their order, then the agency's own by name."""
    return list(Topic.objects.filter(agency_topics_q(agency_id)).order_by("position", "name", "id"))


def intervals_of(agency_id: int) -> dict[int, int]:
    """The refresher interval in months of each topic that has one."""
    rows = Refresher.objects.filter(agency_id=agency_id, months__isnull=False)
    return {
        topic_id: months for topic_id, months in rows.values_list("topic_id", "months") if months
    }


def active_staff(agency_id: int) -> QuerySet[User]:
    """The agency's staff who can sign in and hold a role."""
    return (
        User.objects.filter(agency_id=agency_id, is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("display_name", "username", "pk")
    )


def _latest(agency_id: int, staff_ids: Iterable[int]) -> dict[tuple[int, int], date]:
    rows = (
        Record.objects.filter(agency_id=agency_id, staff_id__in=list(staff_ids))
        .values("staff_id", "topic_id")
        .annotate(latest=Max("completed_on"))
    )
    return {(r["staff_id"], r["topic_id"]): r["latest"] for r in rows}


@dataclass(frozen=True)
class TopicRow:
    topic: Topic
    months: int | None


def topic_rows(*, user: User) -> list[TopicRow]:
    """Every topic of the user's agency with its refresher interval."""
    if not may_see_own_training(user):
        raise NotFound
    months = intervals_of(user.agency_id)
    return [TopicRow(t, months.get(t.pk)) for t in topics_of(user.agency_id)]


# --- Refreshers ---


@dataclass(frozen=True)
class Refresh:
    topic_id: int
    label: str
    months: int | None
    latest: date | None
    due_on: date | None
    state: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def _refresh(topic: Topic, months: int | None, latest: date | None, today: date) -> Refresh:
    due_on, state = due_state(latest, months, today)
    return Refresh(topic.pk, topic.label, months, latest, due_on, state)


def my_refreshers(*, user: User, today: date) -> list[Refresh]:
    """The user's own refresher of each topic that has an interval."""
    if not may_see_own_training(user):
        raise NotFound
    months = intervals_of(user.agency_id)
    latest = _latest(user.agency_id, [user.pk])
    return [
        _refresh(t, months[t.pk], latest.get((user.pk, t.pk)), today)
        for t in topics_of(user.agency_id)
        if t.pk in months
    ]


@dataclass(frozen=True)
class MyTraining:
    """What the user's own training stands at, for the preparedness page."""

    topics: int  # topics of the agency
    trained: int  # of them, those the user has completed at least once
    due: list[Refresh]  # refreshers never done, overdue or due soon


def my_training(*, user: User, today: date) -> MyTraining:
    """The user's own training: topics ever completed and refreshers due."""
    topics = topics_of(user.agency_id)
    trained = set(
        Record.objects.filter(agency_id=user.agency_id, staff=user).values_list(
            "topic_id", flat=True
        )
    )
    return MyTraining(
        topics=len(topics),
        trained=sum(1 for t in topics if t.pk in trained),
        due=[r for r in my_refreshers(user=user, today=today) if r.state != DueState.CURRENT],
    )


@dataclass(frozen=True)
class OverviewRow:
    staff: User
    cells: list[Refresh]


@dataclass(frozen=True)
class Overview:
    topics: list[TopicRow]
    rows: list[OverviewRow]


def overview(*, user: User, today: date) -> Overview:
    """Each active staff member against each topic of the agency."""
    if not may_see_overview(user):
        raise NotFound
    rows = topic_rows(user=user)
    staff = list(active_staff(user.agency_id))
    latest = _latest(user.agency_id, [s.pk for s in staff])
    return Overview(
        topics=rows,
        rows=[
            OverviewRow(
                s,
                [_refresh(r.topic, r.months, latest.get((s.pk, r.topic.pk)), today) for r in rows],
            )
            for s in staff
        ],
    )


# --- For the readiness view and the reports ---


@dataclass(frozen=True)
class TopicCoverage:
    topic_id: int
    label: str
    staff_total: int
    # Trained and not overdue (a topic without interval: ever trained).
    current: int
    due_soon: int
    overdue: int
    never: int


def topic_coverage(agency_id: int, today: date) -> list[TopicCoverage]:
    """How many of the active staff are current on each topic of the agency.

    ``current`` includes those due soon: they are trained and not overdue;
    ``due_soon`` counts them again, apart, so a reader can warn of them.
    """
    staff_ids = list(active_staff(agency_id).values_list("pk", flat=True))
    latest = _latest(agency_id, staff_ids)
    months = intervals_of(agency_id)
    coverage = []
    for topic in topics_of(agency_id):
        counts: dict[str, int] = defaultdict(int)
        for staff_id in staff_ids:
            counts[due_state(latest.get((staff_id, topic.pk)), months.get(topic.pk), today)[1]] += 1
        coverage.append(
            TopicCoverage(
                topic_id=topic.pk,
                label=topic.label,
                staff_total=len(staff_ids),
                current=counts[DueState.CURRENT] + counts[DueState.DUE_SOON],
                due_soon=counts[DueState.DUE_SOON],
                overdue=counts[DueState.OVERDUE],
                never=counts[DueState.NEVER],
            )
        )
    return coverage


@dataclass(frozen=True)
class TrainingFigures:
    staff_trained: int
    hours: Decimal
    outside_professionals: int
    # (label, distinct staff trained on it), every topic of the agency, in order.
    by_topic: list[tuple[str, int]]


def training_figures(
    agency_id: int, start: date, end: date, team_id: int | None = None
) -> TrainingFigures:
    """Training completed in [start, end]: by staff with a membership in
    ``team_id`` when given; partners' staff at the in-service events held in
    the period, whatever the team."""
    records = Record.objects.filter(agency_id=agency_id, completed_on__range=(start, end))
    if team_id is not None:
        records = records.filter(staff__memberships__team_id=team_id).distinct()
    # The records themselves, once each (a membership join may repeat them).
    chosen = Record.objects.filter(pk__in=records.values("pk"))
    totals = chosen.aggregate(staff=Count("staff_id", distinct=True), hours=Sum("hours"))
    per_topic = dict(
        chosen.values("topic_id")
        .annotate(staff=Count("staff_id", distinct=True))
        .values_list("topic_id", "staff")
    )
    outside = Event.objects.filter(agency_id=agency_id, held_on__range=(start, end)).aggregate(
        n=Sum("outside_professionals")
    )["n"]
    return TrainingFigures(
        staff_trained=totals["staff"] or 0,
        hours=totals["hours"] or Decimal("0"),
        outside_professionals=outside or 0,
        by_topic=[(t.label, per_topic.get(t.pk, 0)) for t in topics_of(agency_id)],
    )


# --- Records ---


def records_visible_q(user: User) -> Q:
    """The agency's records for those who read them all; one's own for anyone else."""
    if not may_see_own_training(user):
        return Q(pk__in=[])
    scope = Q() if may_read_agency_training(user) else Q(staff_id=user.pk)
    return Q(agency_id=user.agency_id) & scope


@dataclass(frozen=True)
class RecordFilter:
    staff_id: int | None = None
    topic_id: int | None = None
    start: date | None = None
    end: date | None = None


def records_of(*, user: User, wanted: RecordFilter | None = None) -> QuerySet[Record]:
    """The records the user may read, latest first, narrowed by ``wanted``."""
    wanted = wanted or RecordFilter()
    records = Record.objects.filter(records_visible_q(user))
    if wanted.staff_id is not None:
        records = records.filter(staff_id=wanted.staff_id)
    if wanted.topic_id is not None:
        records = records.filter(topic_id=wanted.topic_id)
    if wanted.start is not None:
        records = records.filter(completed_on__gte=wanted.start)
    if wanted.end is not None:
        records = records.filter(completed_on__lte=wanted.end)
    return records.select_related("staff", "topic", "partner", "event").order_by(
        "-completed_on", "-recorded_at", "pk"
    )


def record_page(
    *, user: User, wanted: RecordFilter | None = None, page: str | int | None = 1
) -> Page:  # type: ignore[type-arg]
    if not may_see_own_training(user):
        raise NotFound
    return Paginator(records_of(user=user, wanted=wanted), PAGE_SIZE).get_page(page)


def record_get(*, user: User, record_id: uuid.UUID) -> Record:
    record = (
        Record.objects.filter(records_visible_q(user), pk=record_id)
        .select_related("staff", "topic", "partner", "event", "certificate", "recorded_by")
        .first()
    )
    if record is None:
        raise NotFound
    return record


# --- Events ---


def event_page(*, user: User, page: str | int | None = 1) -> Page:  # type: ignore[type-arg]
    if not may_read_agency_training(user):
        raise NotFound
    events = (
        Event.objects.filter(agency_id=user.agency_id)
        .select_related("topic")
        .annotate(attended=Count("records"))
        .order_by("-held_on", "-recorded_at", "pk")
    )
    return Paginator(events, PAGE_SIZE).get_page(page)


def event_get(*, user: User, event_id: uuid.UUID) -> Event:
    event = (
        Event.objects.filter(agency_id=user.agency_id, pk=event_id)
        .select_related("topic", "recorded_by")
        .first()
    )
    if event is None or not may_read_agency_training(user):
        raise NotFound
    return event


def event_attendees(event: Event) -> list[User]:
    return [r.staff for r in event.records.select_related("staff").order_by("staff__username")]


# --- Choices for the forms ---


def staff_choices(*, user: User) -> list[User]:
    if not may_keep_training(user):
        raise NotFound
    return list(active_staff(user.agency_id))
