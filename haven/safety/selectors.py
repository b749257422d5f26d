"""Reads for staff safety, scoped by policy and audited.

Anything outside the reader's reach is a 404, like a record that does not
exist. A list records the ids it showed, in one event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound
from haven.people.models import Case
from haven.people.policies import visible_cases_q
from haven.people.selectors import audit_people_shown
from haven.safety.models import (
    CheckInAlert,
    Designation,
    PersonOfConcern,
    ReportNumberChange,
    SafetyChecklist,
    SafetyPolicy,
    Threat,
    Visit,
    VisitorAlert,
)
from haven.safety.places import OFFICE, place_choices, places_alerting
from haven.safety.policies import (
    ALERT_ROLES,
    ALERTS_BY_DEFAULT,
    LOCKDOWN_ROLES,
    may_keep_visitor_log,
    may_manage_safety,
    may_receive_alerts,
    may_see_concerns,
    may_see_staff_checklists,
    may_see_threat_log,
    receives_alerts_by_default,
    threats_visible_q,
)

PAGE_SIZE = 25
AnyAlert = TypeVar("AnyAlert", VisitorAlert, CheckInAlert)
# How many of a user's own cases a form offers to link.
LINKABLE = 50
# How long an acknowledged alert stays on the recipients' list.
ALERT_MEMORY = timedelta(hours=12)


def _shown(user: User, action: Action, object_type: str, ids: Sequence[object]) -> None:
    if ids:
        audit_record(
            action=action,
            actor=user,
            object_type=object_type,
            detail={"ids": [str(i) for i in ids]},
        )


def _page(queryset: QuerySet, number: str | int | None) -> Page:  # type: ignore[type-arg]
    return Paginator(queryset, PAGE_SIZE).get_page(number)


# --- Threats ---


def threat_page(*, user: User, page: str | int | None = 1) -> Page:  # type: ignore[type-arg]
    if not may_see_threat_log(user):
        raise NotFound
    shown = _page(
        Threat.objects.filter(threats_visible_q(user))
        .select_related("data_key", "recorded_by")
        .prefetch_related("targeted_staff")
        .order_by("-occurred_at", "pk"),
        page,
    )
    _shown(user, Action.THREATS_VIEWED, "threat", [t.pk for t in shown])
    return shown


def threat_get(*, user: User, threat_id: uuid.UUID) -> Threat:
    threat = (
        Threat.objects.filter(threats_visible_q(user), pk=threat_id)
        .select_related("data_key", "recorded_by")
        .first()
    )
    if threat is None:
        raise NotFound
    _shown(user, Action.THREATS_VIEWED, "threat", [threat.pk])
    return threat


def report_number_history(*, user: User, threat: Threat) -> list[ReportNumberChange]:
    """Every change of the threat's police report number, oldest first, for
    those who see the threat, and nothing for anyone else (its read is the
    threat's, audited by threat_get)."""
    visible = Threat.objects.filter(threats_visible_q(user), pk=threat.pk)
    return list(
        ReportNumberChange.objects.filter(threat__in=visible)
        .select_related("data_key", "changed_by")
        .order_by("changed_at", "pk")
    )


def linked_cases(*, user: User, cases: QuerySet[Case]) -> list[Case]:
    """The linked cases the reader may open; the others are not mentioned."""
    return list(cases.filter(visible_cases_q(user)).select_related("team"))


def linked_concerns(*, user: User, threat: Threat) -> list[PersonOfConcern]:
    """The persons of concern a threat names, for those who may see them; audited."""
    if not may_see_concerns(user):
        return []
    concerns = list(threat.concerns.select_related("data_key"))
    _shown(user, Action.CONCERNS_VIEWED, "person_of_concern", [c.pk for c in concerns])
    return concerns


def case_threats(*, user: User, case: Case) -> list[Threat]:
    """The threats linked to a case that the reader may see; audited."""
    threats = list(
        Threat.objects.filter(threats_visible_q(user), cases=case)
        .select_related("data_key")
        .order_by("-occurred_at")
    )
    _shown(user, Action.THREATS_VIEWED, "threat", [t.pk for t in threats])
    return threats


def case_concerns(*, user: User, case: Case) -> list[PersonOfConcern]:
    """The persons of concern linked to a case, for those who may see them; audited."""
    if not may_see_concerns(user):
        return []
    concerns = list(
        PersonOfConcern.objects.filter(agency_id=user.agency_id, cases=case)
        .select_related("data_key")
        .order_by("-created_at")
    )
    _shown(user, Action.CONCERNS_VIEWED, "person_of_concern", [c.pk for c in concerns])
    return concerns


# --- Persons of concern ---


def concern_page(*, user: User, page: str | int | None = 1) -> Page:  # type: ignore[type-arg]
    if not may_see_concerns(user):
        raise NotFound
    shown = _page(
        PersonOfConcern.objects.filter(agency_id=user.agency_id)
        .select_related("data_key")
        .order_by("-created_at", "pk"),
        page,
    )
    _shown(user, Action.CONCERNS_VIEWED, "person_of_concern", [c.pk for c in shown])
    return shown


def concern_choices(*, user: User) -> list[PersonOfConcern]:
    """Every person of concern, to link a threat to; audited as shown."""
    if not may_see_concerns(user):
        return []
    concerns = list(
        PersonOfConcern.objects.filter(agency_id=user.agency_id)
        .select_related("data_key")
        .order_by("-created_at")
    )
    _shown(user, Action.CONCERNS_VIEWED, "person_of_concern", [c.pk for c in concerns])
    return concerns


def concern_get(*, user: User, concern_id: uuid.UUID) -> PersonOfConcern:
    if not may_see_concerns(user):
        raise NotFound
    concern = (
        PersonOfConcern.objects.filter(pk=concern_id, agency_id=user.agency_id)
        .select_related("data_key")
        .first()
    )
    if concern is None:
        raise NotFound
    _shown(user, Action.CONCERNS_VIEWED, "person_of_concern", [concern.pk])
    return concern


def concern_threats(*, user: User, concern: PersonOfConcern) -> list[Threat]:
    """The threats linked to a person of concern that the reader may see."""
    return list(
        concern.threats.filter(threats_visible_q(user))
        .select_related("data_key")
        .order_by("-occurred_at")
    )


# --- Visitor log and alerts ---


def visit_page(*, user: User, page: str | int | None = 1) -> Page:  # type: ignore[type-arg]
    if not may_keep_visitor_log(user):
        raise NotFound
    shown = _page(
        Visit.objects.filter(agency_id=user.agency_id)
        .select_related("data_key", "screened_by")
        .order_by("-checked_in_at", "pk"),
        page,
    )
    _shown(user, Action.VISITS_VIEWED, "visit", [v.pk for v in shown])
    return shown


def visit_places(*, user: User) -> list[tuple[str, str]]:
    """Where the front desk may check a visitor in besides the office:
    (id, label), labels public by design."""
    if not may_keep_visitor_log(user):
        raise NotFound
    return place_choices(user.agency_id)


def alert_recipients(agency_id: int) -> list[User]:
    """The staff a visitor alert goes to: those designated who may see
    persons of concern, or, when there are none, every supervisor and
    administrator of the agency (an alert must always reach someone)."""
    designated = User.objects.filter(
        agency_id=agency_id, is_active=True, designations__duty=Designation.Duty.ALERTS
    )
    chosen = [u for u in designated if may_receive_alerts(u)]
    if chosen:
        return chosen
    return list(
        User.objects.filter(
            agency_id=agency_id, is_active=True, memberships__role__in=sorted(ALERTS_BY_DEFAULT)
        ).distinct()
    )


def _receives_agency_alerts(user: User) -> bool:
    """Whether ``user`` is among alert_recipients(their agency), asked of the
    user alone: every page asks, and the agency's supervisors and
    administrators need not be loaded to answer for one of them."""
    designated = User.objects.filter(
        agency_id=user.agency_id, is_active=True, designations__duty=Designation.Duty.ALERTS
    )
    chosen = [u for u in designated if may_receive_alerts(u)]
    if chosen:
        return user in chosen
    return user.is_active and receives_alerts_by_default(user)


def receives_alerts(user: User | AnonymousUser) -> bool:
    """The designated staff (or, by default, the supervisors and
    administrators) receive every alert of the agency; the staff of a place
    (a shelter's) those raised at it."""
    if not isinstance(user, User) or not may_receive_alerts(user):
        return False
    return _receives_agency_alerts(user) or bool(places_alerting(user))


def alerts_reaching_q(user: User | AnonymousUser) -> Q:
    """The alerts that reach ``user``: all of the agency's for its alert
    recipients, those raised at their places for a place's staff."""
    if not isinstance(user, User) or not may_receive_alerts(user):
        return Q(pk__in=[])
    agency = Q(agency_id=user.agency_id)
    if _receives_agency_alerts(user):
        return agency
    places = places_alerting(user) - {OFFICE}
    return agency & Q(visit__place__in=sorted(places)) if places else Q(pk__in=[])


def check_in_alerts_reaching_q(user: User | AnonymousUser) -> Q:
    """The alerts of the check-in limit that reach ``user``: all of the
    agency's for its alert recipients; none for a place's staff, since no
    visitor, and so no place, is involved."""
    if isinstance(user, User) and may_receive_alerts(user) and _receives_agency_alerts(user):
        return Q(agency_id=user.agency_id)
    return Q(pk__in=[])


def open_alert_count(*, user: User) -> int:
    """How many alerts wait for someone, of both kinds: all the live banner
    says, so it shows nobody's name and needs no audit."""
    if not receives_alerts(user):
        return 0
    visitors = VisitorAlert.objects.filter(alerts_reaching_q(user), acknowledged_at__isnull=True)
    check_ins = CheckInAlert.objects.filter(
        check_in_alerts_reaching_q(user), acknowledged_at__isnull=True
    )
    return visitors.count() + check_ins.count()


def _recent(alerts: QuerySet[AnyAlert]) -> QuerySet[AnyAlert]:
    """Open alerts, and those dealt with in the last hours, newest first."""
    since = timezone.now() - ALERT_MEMORY
    return alerts.filter(Q(acknowledged_at__isnull=True) | Q(raised_at__gte=since)).order_by(
        "-raised_at", "pk"
    )


def _visitor_alerts(user: User) -> QuerySet[VisitorAlert]:
    if not receives_alerts(user):
        raise NotFound
    return (
        _recent(VisitorAlert.objects.filter(alerts_reaching_q(user)))
        .select_related("visit", "visit__data_key", "acknowledged_by", "visit__screened_by")
        .prefetch_related("concerns", "concerns__data_key")
    )


def _alerts_audited(user: User, alerts: Sequence[VisitorAlert]) -> None:
    _shown(user, Action.VISITS_VIEWED, "visit", [a.visit_id for a in alerts])
    _shown(
        user,
        Action.CONCERNS_VIEWED,
        "person_of_concern",
        sorted({str(c.pk) for a in alerts for c in a.concerns.all()}),
    )


def alert_page(*, user: User, page: int = 1) -> Page:  # type: ignore[type-arg]
    """One page of the visitor alerts: open ones, and those dealt with in the
    last hours, newest first; a page past the end is the last one."""
    shown = _page(_visitor_alerts(user), page)
    _alerts_audited(user, list(shown))
    return shown


def alert_list(*, user: User) -> list[VisitorAlert]:
    """The newest 50 visitor alerts, for the API."""
    alerts = list(_visitor_alerts(user)[:50])
    _alerts_audited(user, alerts)
    return alerts


def check_in_alerts(*, user: User) -> list[CheckInAlert]:
    """The alerts of the check-in limit, open ones and those dealt with in
    the last hours, newest first. At most one an hour for each staff member,
    so a short list, shown whole. Staff names only: no audit is needed."""
    if not receives_alerts(user):
        raise NotFound
    return list(
        _recent(CheckInAlert.objects.filter(check_in_alerts_reaching_q(user))).select_related(
            "desk_user", "acknowledged_by"
        )
    )


# --- Designations ---


@dataclass(frozen=True)
class SafetySettings:
    """Who may be chosen for each duty, and who is chosen now."""

    alert_staff: list[User]
    admins: list[User]
    alerts: list[int]
    lockdown: list[int]
    two_to_end_lockdown: bool


def safety_settings(*, user: User) -> SafetySettings:
    """The agency's designations, for its administrators: staff names only."""
    if not may_manage_safety(user):
        raise NotFound
    active = User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("username")

    def holding(roles: frozenset[str]) -> list[User]:
        return list(active.filter(memberships__role__in=sorted(roles)).distinct())

    designated = list(
        Designation.objects.filter(agency_id=user.agency_id).values_list("user_id", "duty")
    )
    return SafetySettings(
        alert_staff=holding(ALERT_ROLES),
        admins=holding(LOCKDOWN_ROLES),
        alerts=[pk for pk, duty in designated if duty == Designation.Duty.ALERTS],
        lockdown=[pk for pk, duty in designated if duty == Designation.Duty.LOCKDOWN],
        two_to_end_lockdown=SafetyPolicy.objects.filter(
            agency_id=user.agency_id, two_to_end_lockdown=True
        ).exists(),
    )


# --- Linking cases ---


def case_choices(
    *, user: User, wanted: uuid.UUID | None = None, linked: list[Case] | None = None
) -> list[Case]:
    """Cases a form may link a threat or a person of concern to: the user's
    own caseload, the case they came from, and those already linked that they
    may open. Their names are shown, so the read is audited."""
    scope = Case.objects.filter(visible_cases_q(user)).select_related("person", "person__data_key")
    chosen = {c.pk: c for c in [*scope.filter(assigned=user)[:LINKABLE], *(linked or [])]}
    if wanted is not None:
        came_from = scope.filter(pk=wanted).first()
        if came_from is not None:
            chosen[came_from.pk] = came_from
    cases = list(chosen.values())
    audit_people_shown(user=user, people=[c.person for c in cases], where="safety")
    return cases


# --- Checklists ---


def checklist_of(*, user: User, owner_id: int) -> tuple[User, SafetyChecklist | None]:
    """A staff member's checklist: one's own, or anyone's for an administrator."""
    if owner_id != user.pk and not may_see_staff_checklists(user):
        raise NotFound
    owner = User.objects.filter(pk=owner_id, agency_id=user.agency_id).first()
    if owner is None:
        raise NotFound
    checklist = SafetyChecklist.objects.filter(user=owner).select_related("data_key").first()
    if checklist is not None and owner.pk != user.pk:
        audit_record(
            action=Action.CHECKLIST_VIEWED,
            actor=user,
            object_type="safety_checklist",
            object_id=checklist.pk,
            detail={"owner": owner.pk},
        )
    return owner, checklist


def checklist_overview(*, user: User) -> list[tuple[User, SafetyChecklist | None]]:
    """Every active staff member with their checklist, for administrators:
    only the answers to the items, not the notes, so no audit is needed."""
    if not may_see_staff_checklists(user):
        raise NotFound
    staff = list(User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("username"))
    checklists = {
        c.user_id: c
        for c in SafetyChecklist.objects.filter(user__in=staff).defer(
            "alternative_stay_notes", "emergency_contacts", "notes"
        )
    }
    return [(member, checklists.get(member.pk)) for member in staff]
