"""The agency's own protocol steps over the JSON API: schemas and routing only.

Administrators keep the steps (an edit is a new version, for cases opened
from then on); everyone who sees the protocol may read them. A refusal of
the role answers 404 like a route that does not exist; the rules live in
``haven.protocol.agency_steps``, whose refusals answer 422 at the field they
are about. Working a step on a case, and applying its newer version, are
routes of the case's tracker (``haven.api.protocol``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import StrictInt

from haven.accounts.models import User
from haven.api.common import NOT_FOUND, WRITE_FAILURES, refusals_at, staff_allowed
from haven.api.inputs import ChecklistItem, Coded, Input, Line, StepCode
from haven.core import limits
from haven.protocol import agency_steps
from haven.protocol.agency_steps import StepValues
from haven.protocol.models import AgencyStep, AppliesWhen
from haven.protocol.policies import may_define_agency_steps, may_see_protocol

router = Router(tags=["agency steps"])

StepRole = Literal["advocate", "supervisor", "shelter"]
CodePath = PathEx[str, P(description="The step's code, e.g. task-force.")]


class AgencyStepVersionIn(Input):
    """What a version of the step says."""

    text: Line = Field(description="What staff do, in one line.")
    roles: list[StepRole] = Field(max_length=3, description="Who works it.")
    applies: Annotated[str, Coded(AppliesWhen)] = Field(description="Which cases it applies to.")
    applies_value: Annotated[str, Field(max_length=20, strict=True)] = Field(
        default="",
        description="The trafficking type's code, the county's FIPS code (a county on the "
        "agency's list of where to report) or the team's id; empty otherwise.",
    )
    due_days: StrictInt | None = Field(
        default=None,
        description="Due 1 to 365 days after the step begins to apply; null: no deadline.",
    )
    checklist: list[ChecklistItem] = Field(default=[], max_length=limits.CHECKLIST_ITEMS)


class AgencyStepIn(AgencyStepVersionIn):
    code: StepCode = Field(description="Lowercase letters, digits and hyphens; never changes.")


class AgencyStepOut(Schema):
    id: int
    code: str
    position: int
    retired_at: datetime | None
    version: int = Field(description="The current version: the one new cases get.")
    text: str
    roles: list[StepRole]
    applies: Annotated[str, Coded(AppliesWhen)]
    applies_value: str
    due_days: int | None
    checklist: list[str]


def _step_out(step: AgencyStep) -> AgencyStepOut:
    current = agency_steps.current_version(step)
    return AgencyStepOut(
        id=step.pk,
        code=step.code,
        position=step.position,
        retired_at=step.retired_at,
        version=current.number,
        text=current.text,
        roles=current.roles,
        applies=current.applies,
        applies_value=current.applies_value,
        due_days=current.due_days,
        checklist=current.checklist,
    )


def _values(body: AgencyStepVersionIn) -> StepValues:
    return StepValues(
        text=body.text,
        roles=list(body.roles),
        applies=body.applies,
        applies_value=body.applies_value,
        due_days=body.due_days,
        checklist=list(body.checklist),
    )


def _may_read(user: User) -> bool:
    return may_see_protocol(user) or may_define_agency_steps(user)


@router.get("/agency-steps", response={200: list[AgencyStepOut], **NOT_FOUND})
def agency_step_list(request: HttpRequest) -> list[AgencyStepOut]:
    """The agency's own steps, each with its current version, in their order."""
    user = staff_allowed(request, _may_read)
    return [_step_out(step) for step in agency_steps.agency_steps_of(user.agency_id)]


@router.post("/agency-steps", response={201: AgencyStepOut, **WRITE_FAILURES})
def agency_step_create(request: HttpRequest, body: AgencyStepIn) -> Status[AgencyStepOut]:
    """Add a step of the agency's own.

    It starts on cases opened from now on that it applies to. Administrators only.
    """
    user = staff_allowed(request, may_define_agency_steps)
    with refusals_at():
        step = agency_steps.agency_step_create(actor=user, code=body.code, values=_values(body))
    return Status(201, _step_out(step))


@router.put("/agency-steps/{code}", response={200: AgencyStepOut, **WRITE_FAILURES})
def agency_step_revise(
    request: HttpRequest, code: CodePath, body: AgencyStepVersionIn
) -> AgencyStepOut:
    """Change a step: a new version.

    Cases opened from now on follow it; open cases keep theirs unless a supervisor applies
    it. The same values again make no new version. Administrators only.
    """
    user = staff_allowed(request, may_define_agency_steps)
    with refusals_at():
        agency_steps.agency_step_revise(actor=user, code=code, values=_values(body))
    return _step_out(agency_steps.agency_step_of(user.agency_id, code))


@router.post("/agency-steps/{code}/retire", response={200: AgencyStepOut, **NOT_FOUND})
def agency_step_retire(request: HttpRequest, code: CodePath) -> AgencyStepOut:
    """Retire a step.

    No new case gets it; the cases that have it keep it. Administrators only.
    """
    user = staff_allowed(request, may_define_agency_steps)
    agency_steps.agency_step_retire(actor=user, code=code)
    return _step_out(agency_steps.agency_step_of(user.agency_id, code))


routers = (router,)
