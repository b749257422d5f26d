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
