"""The agency's teams and staff over the JSON API: the ids that recording a
person, assigning a case and other operations need, so a client never needs
a database shell to find them. Schemas and routing only: who may list them,
and who may see roles, is decided in ``haven.accounts.policies``."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema

from haven.accounts import selectors
from haven.accounts.http import authenticated_user
from haven.accounts.models import Role, User
from haven.accounts.policies import may_see_staff_roles
from haven.api.common import NOT_FOUND
from haven.api.inputs import Coded
from haven.core.models import Team

router = Router(tags=["staff"])

RoleCode = Annotated[str, Coded(Role)]


class TeamOut(Schema):
    id: int = Field(description="The team_id other operations take.")
    name: str


class MembershipOut(Schema):
    role: RoleCode
    team_id: int | None = Field(description="Null for a role held across the agency.")


class StaffOut(Schema):
    id: int = Field(description="The staff id other operations take.")
    name: str
    team_ids: list[int] = Field(description="The teams the staff member works in.")
    roles: list[MembershipOut] | None = Field(
        description="Null unless you oversee staff (administrators, supervisors, auditors)."
    )


def team_out(team: Team) -> TeamOut:
    return TeamOut(id=team.pk, name=team.name)


def memberships_out(member: User) -> list[MembershipOut]:
    return sorted(
        (MembershipOut(role=m.role, team_id=m.team_id) for m in member.memberships.all()),
        key=lambda m: (m.role, m.team_id or 0),
    )


@router.get("/teams", response={200: list[TeamOut], **NOT_FOUND})
def team_list(request: HttpRequest) -> list[TeamOut]:
    """Your agency's active teams, by name."""
    user = authenticated_user(request)
    return [team_out(t) for t in selectors.active_teams(user=user)]


@router.get("/staff", response={200: list[StaffOut], **NOT_FOUND})
def staff_list(request: HttpRequest) -> list[StaffOut]:
    """Your agency's active staff, by name.

    Their roles are shown to administrators, supervisors and auditors; to others they are null.
    """
    user = authenticated_user(request)
    roles = may_see_staff_roles(user)
    return [
        StaffOut(
            id=member.pk,
            name=str(member),
            team_ids=sorted({m.team_id for m in member.memberships.all() if m.team_id}),
            roles=memberships_out(member) if roles else None,
        )
        for member in selectors.colleagues(user=user)
    ]


routers = (router,)
