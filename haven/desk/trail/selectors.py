"""Reading the audit trail, scoped to the auditor's own agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.core.errors import NotFound
from haven.desk.trail.policies import may_view_audit

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None
    before_seq: int | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(*, user: User, filters: AuditFilter) -> list[AuditEvent]:
    """One page of the agency's events, newest first.

    Paging is by position in the chain rather than by offset, so the hundredth
    page costs what the first one does.
    """
    if not may_view_audit(user):
        raise NotFound
    events: QuerySet[AuditEvent] = AuditEvent.objects.filter(chain=user.agency_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor_id:
        events = events.filter(actor_id=filters.actor_id)
    if filters.since:
        events = events.filter(at__gte=_day_start(filters.since))
    if filters.until:
        events = events.filter(at__lt=_day_start(filters.until) + timedelta(days=1))
    if filters.before_seq:
        events = events.filter(seq__lt=filters.before_seq)
    return list(events.select_related("actor").order_by("-seq")[: PAGE_SIZE + 1])


def audit_actors(*, user: User) -> QuerySet[User]:
    if not may_view_audit(user):
        raise NotFound
    return User.objects.filter(agency_id=user.agency_id).order_by("username")
