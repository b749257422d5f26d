"""Who may do what with staff accounts. The only place these rules live."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The roles a signed-in, active staff member holds, cached on the object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_haven_roles", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("role", flat=True))
        user.__dict__["_haven_roles"] = cached
    return cached


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    return role in roles_of(user)


def can_manage_staff(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.ADMIN)
