"""Reading the audit trail, scoped to the auditor's own agency.

An event names its object by type and id only (no identifying data goes in
an audit row). The page shows them as people read them: a staff member's or
a team's name, a partner's name, "Export job", "Case" with a link when the
viewer may open that case. A person served is never named here: a case is
"Case" and its link leads through the case page's own checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.desk.trail.policies import may_view_audit
from haven.jobs.models import Job
from haven.partners.models import Organization
from haven.people.models import Case
from haven.people.policies import visible_cases_q

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


# What each object type is called; a type not listed is shown as its name.
TYPE_LABELS: dict[str, str | Promise] = {
    "agency": _("Agency"),
    "api_token": _("API token"),
    "authenticator": _("Second factor"),
    "case": _("Case"),
    "check_in_alert": _("Check-in limit alert"),
    "contact": _("Partner contact"),
    "directory": _("Partner directory"),
    "interpreter": _("Interpreter"),
    "invitation": _("Invitation"),
    "job": _("Job"),
    "location": _("Partner location"),
    "lockdown": _("Lockdown"),
    "organization": _("Partner"),
    "partner_agreement": _("Partner agreement"),
    "partner_meeting": _("Partner meeting"),
    "person": _("Person served"),
    "person_of_concern": _("Person of concern"),
    "policy": _("Policy"),
    "referral": _("Referral"),
    "report": _("Report"),
    "report_settings": _("Report settings"),
    "safety": _("Staff safety"),
    "safety_checklist": _("Safety checklist"),
    "service": _("Partner service"),
    "setup": _("Setup"),
    "team": _("Team"),
    "threat": _("Threat"),
    "training_event": _("Training event"),
    "training_record": _("Training record"),
    "training_topic": _("Training topic"),
    "user": _("Staff member"),
    "visit": _("Visit"),
    "visitor_alert": _("Visitor alert"),
}

# A job is named by what it makes (haven.jobs.registry kinds).
JOB_LABELS: dict[str, str | Promise] = {
    "exports.record": _("Export job"),
    "reports.run": _("Report job"),
}


@dataclass(frozen=True)
class ObjectLabel:
    text: str
    url: str = ""
    # A short reference to tell two objects of one type apart.
    reference: str = ""


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    object: ObjectLabel | None


def _ids(events: list[AuditEvent], object_type: str) -> set[str]:
    return {e.object_id for e in events if e.object_type == object_type and e.object_id}


def _int_ids(ids: set[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def _uuid_ids(ids: set[str]) -> list[uuid.UUID]:
    found = []
    for i in ids:
        try:
            found.append(uuid.UUID(i))
        except ValueError:
            continue
    return found


def event_rows(*, user: User, events: list[AuditEvent]) -> list[EventRow]:
    """The events with their objects named for ``user`` (a few queries per page)."""
    if not may_view_audit(user):
        raise NotFound
    agency_id = user.agency_id
    staff = {
        str(u.pk): str(u)
        for u in User.objects.filter(agency_id=agency_id, pk__in=_int_ids(_ids(events, "user")))
    }
    teams = {
        str(t.pk): t.name
        for t in Team.objects.filter(agency_id=agency_id, pk__in=_int_ids(_ids(events, "team")))
    }
    partners = {
        str(o.pk): o.name
        for o in Organization.objects.filter(
            agency_id=agency_id, pk__in=_uuid_ids(_ids(events, "organization"))
        )
    }
    jobs = {
        str(pk): kind
        for pk, kind in Job.objects.filter(
            agency_id=agency_id, pk__in=_uuid_ids(_ids(events, "job"))
        ).values_list("pk", "kind")
    }
    # Only the cases the viewer may open get a link; the case page checks again.
    openable = {
        str(pk)
        for pk in Case.objects.filter(
            visible_cases_q(user), pk__in=_uuid_ids(_ids(events, "case"))
        ).values_list("pk", flat=True)
    }
    return [EventRow(e, _label(e, staff, teams, partners, jobs, openable)) for e in events]


def _label(
    event: AuditEvent,
    staff: dict[str, str],
    teams: dict[str, str],
    partners: dict[str, str],
    jobs: dict[str, str],
    openable: set[str],
) -> ObjectLabel | None:
    kind, object_id = event.object_type, event.object_id
    if not kind:
        return None
    named = {"user": staff, "team": teams, "organization": partners}.get(kind, {})
    if object_id in named:
        return ObjectLabel(f"{TYPE_LABELS[kind]}: {named[object_id]}")
    if kind == "job" and object_id in jobs:
        text = JOB_LABELS.get(jobs[object_id], TYPE_LABELS["job"])
        return ObjectLabel(str(text), "", object_id[:8])
    text = TYPE_LABELS.get(kind, kind.replace("_", " ").capitalize())
    url = ""
    if kind == "case" and object_id in openable:
        url = reverse("desk:case_detail", args=[object_id])
    return ObjectLabel(str(text), url, object_id[:8])
