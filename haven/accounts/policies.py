"""Who may do what with staff accounts. The only place these rules live."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User


def _memberships(user: User) -> frozenset[tuple[str, int | None]]:
    """(role, team id) of each membership, read once and cached on the
    object, which lives for one request: every policy asked during it
    answers from the same read."""
    cached: frozenset[tuple[str, int | None]] | None = getattr(user, "_haven_memberships", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("role", "team_id"))
        user.__dict__["_haven_memberships"] = cached
    return cached


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The roles a signed-in, active staff member holds."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(role for role, _team in _memberships(user))


def teams_of(user: User | AnonymousUser, role: Role) -> frozenset[int]:
    """The teams in which an active staff member holds ``role``."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(team for held, team in _memberships(user) if held == role and team)


def role_names(user: User | AnonymousUser) -> list[str]:
    """The roles a staff member holds, to show them (never to decide)."""
    return sorted(roles_of(user))


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    return role in roles_of(user)


def may_manage_staff(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.ADMIN)


def may_list_colleagues(user: User | AnonymousUser) -> bool:
    """Every staff member with a role may list the agency's active teams and
    staff by name and id: assigning a case, naming staff on a restricted one
    or recording who attended a training all need them."""
    return bool(roles_of(user))


# Who holds which role (and so who may open what) is for those who oversee
# the staff: administrators, supervisors and auditors.
_SEE_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR})


def may_see_staff_roles(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _SEE_ROLES)


def may_approve(user: User | AnonymousUser) -> bool:
    """A second supervisor's approval of an irreversible action: supervisors."""
    return has_role(user, Role.SUPERVISOR)


def may_set_two_person_rule(user: User | AnonymousUser) -> bool:
    """Whether the agency's destructions wait for a second supervisor: administrators."""
    return has_role(user, Role.ADMIN)
