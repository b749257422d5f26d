"""Who may see which people and cases: the one place these rules live.

Everything outside a user's scope answers 404, exactly like a record that
does not exist (see docs/adr/0002-tenancy.md).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from haven.accounts.models import Role, User
from haven.accounts.policies import may_manage_staff, roles_of, teams_of
from haven.people.models import BreakGlass, Case

# Administrators and auditors never see identifying data (separation of duties).
_MAY_SEARCH = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.INTAKE, Role.SHELTER})
# Who may be assigned to or named on a case.
_WORK_CASES = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER})


def may_search_people(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _MAY_SEARCH)


def may_record_people(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR, Role.INTAKE})


def assigned_case_ids(user: User) -> QuerySet[Any]:
    """The ids of the cases assigned to ``user``, as a subquery."""
    return Case.assigned.through.objects.filter(user=user).values("case_id")


def visible_cases_q(user: User | AnonymousUser) -> Q:
    """A filter for the cases ``user`` may open, by role:

    * anyone who works cases (shelter staff too): the unrestricted cases
      assigned to them;
    * advocates: their teams' unrestricted cases;
    * supervisors: their teams' unrestricted cases;
    * intake: the cases they recorded themselves (minimal intake only);
    * restricted cases: only the staff named on them, whatever their role;
    * anyone: a case they opened by break-glass, while the window lasts;
    * administrators and auditors: none.

    Shelter staff get no case by their role: a site's residents are theirs to
    see through the resident view (haven.shelter), which shows what a stay
    needs and not the whole case (docs/adr/0026-shelter-and-agency-steps.md).
    """
    nothing = Q(pk__in=[])
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return nothing
    # Many-to-many parts are written as id subqueries rather than joins, so
    # the database never multiplies rows (and needs no DISTINCT) to answer.
    assigned = assigned_case_ids(user)
    named = Case.named_staff.through.objects.filter(user=user).values("case_id")
    emergency = BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values(
        "case_id"
    )
    roles = roles_of(user)
    open_scope = nothing
    if roles & _WORK_CASES:
        open_scope |= Q(pk__in=assigned)
    if Role.ADVOCATE in roles:
        open_scope |= Q(team_id__in=sorted(teams_of(user, Role.ADVOCATE)))
    if Role.SUPERVISOR in roles:
        open_scope |= Q(team_id__in=sorted(teams_of(user, Role.SUPERVISOR)))
    if Role.INTAKE in roles:
        open_scope |= Q(created_by=user)
    scope = (open_scope & Q(restricted=False)) | Q(restricted=True, pk__in=named)
    scope |= Q(pk__in=emergency)
    if not roles & _MAY_SEARCH:
        scope = nothing
    return Q(agency_id=user.agency_id) & scope


def may_open_case(user: User | AnonymousUser, case_id: uuid.UUID) -> bool:
    """Whether ``user`` may open the case: the check services repeat, so a
    change never rests on the caller having looked the case up first."""
    return Case.objects.filter(visible_cases_q(user), pk=case_id).exists()


def may_see_full_record(user: User | AnonymousUser) -> bool:
    """Intake staff see only the minimal intake they recorded; everyone else
    who may open a case sees all of it."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER})


def may_change_case(user: User | AnonymousUser) -> bool:
    """Closing and similar changes belong to the people who work the case."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR})


def may_break_glass(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR})


def may_see_restricted_fields(user: User | AnonymousUser) -> bool:
    """Immigration status and the like: only the advocates and supervisors
    who work cases, never intake or shelter staff."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR})


def may_manage_case(user: User | AnonymousUser, team_id: int) -> bool:
    """Staffing, restriction and destruction of a case belong to the
    supervisors of the case's team."""
    return team_id in teams_of(user, Role.SUPERVISOR)


def may_work_cases(user: User | AnonymousUser) -> bool:
    """Who may be assigned to or named on a case."""
    return bool(roles_of(user) & _WORK_CASES)


def may_take_case(user: User | AnonymousUser, team_id: int) -> bool:
    """Who may be handed a case of ``team_id`` or take it from the team's
    queue: the team's advocates and supervisors, while their account is active."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return team_id in teams_of(user, Role.ADVOCATE) | teams_of(user, Role.SUPERVISOR)


def my_teams_q(user: User | AnonymousUser) -> Q:
    """The cases of the teams ``user`` works as an advocate or supervisor
    (the "my team" view; visible_cases_q still decides what they may open)."""
    if not isinstance(user, User):
        return Q(pk__in=[])
    return Q(team_id__in=sorted(teams_of(user, Role.ADVOCATE) | teams_of(user, Role.SUPERVISOR)))


def may_configure_fields(user: User | AnonymousUser) -> bool:
    """Agency administrators decide what their agency records."""
    return may_manage_staff(user)
