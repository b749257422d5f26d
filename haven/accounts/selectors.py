"""Reads of staff accounts, always scoped to the asking user's agency."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from haven.accounts.models import Membership, User
from haven.accounts.policies import may_list_colleagues, may_manage_staff
from haven.core.errors import NotFound
from haven.core.models import Team


def staff_list(*, user: User) -> QuerySet[User]:
    if not may_manage_staff(user):
        raise NotFound
    return (
        User.objects.filter(agency_id=user.agency_id)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("team"))
        )
        .order_by("-is_active", "username")
    )


def staff_get(*, user: User, pk: int) -> User:
    """A staff member of the asker's agency, or 404 exactly like a missing one."""
    member = staff_list(user=user).filter(pk=pk).first()
    if member is None:
        raise NotFound
    return member


def team_list(*, user: User) -> QuerySet[Team]:
    if not may_manage_staff(user):
        raise NotFound
    return Team.objects.filter(agency_id=user.agency_id).order_by("name")


def colleagues(*, user: User) -> QuerySet[User]:
    """The agency's active staff who hold a role, by name, with their
    memberships (what of them the caller may see is the caller's to decide
    with ``may_see_staff_roles``)."""
    if not may_list_colleagues(user):
        raise NotFound
    return (
        User.objects.filter(agency_id=user.agency_id, is_active=True, memberships__isnull=False)
        .distinct()
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("team"))
        )
        .order_by("display_name", "username", "pk")
    )


def active_teams(*, user: User) -> QuerySet[Team]:
    """The agency's active teams, by name."""
    if not may_list_colleagues(user):
        raise NotFound
    return Team.objects.filter(agency_id=user.agency_id, is_active=True).order_by("name", "pk")
