"""The agency's own steps: defined by its administrators, versioned, and
started on the cases they apply to beside the protocol's eleven
(docs/adr/0026-shelter-and-agency-steps.md, "The agency's own steps").

An agency step on a case is a ``CaseStep`` row whose ``step`` is ``own-``
and the step's code, with the version the case follows: the tracker, the
dashboard, the case list's overdue view, the API and the reports read the
one table. What a step says is the agency's procedure, never a fact about a
person, so it is stored in the clear; audit rows carry ids and codes only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.people.models import Case, TraffickingType
from haven.protocol.models import (
    AgencyStep,
    AgencyStepVersion,
    AppliesWhen,
    CaseStep,
    MandatedReport,
    ReportingContact,
    Step,
    StepState,
)
from haven.protocol.policies import (
    STEP_ROLES,
    may_apply_step_version,
    may_define_agency_steps,
    may_work_agency_step,
)

#: What marks an agency step's row among a case's steps: no protocol code
#: starts so, so the two never collide under the one (case, step) rule.
OWN = "own-"
#: An agency's step is due from 1 day to a year after it begins to apply.
MAX_DUE_DAYS = 365
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NO_VALUE = frozenset({AppliesWhen.EVERY, AppliesWhen.MINORS, AppliesWhen.ADULTS})
#: The states staff set an agency step to: any, since no record moves it.
STATES = (StepState.NOT_STARTED, StepState.IN_PROGRESS, StepState.DONE, StepState.NOT_APPLICABLE)
_OPEN = frozenset({StepState.NOT_STARTED, StepState.IN_PROGRESS})


def own(code: str) -> str:
    """The ``CaseStep.step`` of the agency step ``code``."""
    return OWN + code


def is_own(step: str) -> bool:
    return step.startswith(OWN)


@dataclass(frozen=True)
class StepValues:
    """What a version of an agency step says."""

    text: str
    roles: list[str]
    applies: str
    applies_value: str = ""
    due_days: int | None = None
    checklist: list[str] = field(default_factory=list)


# --- Checking what an administrator asks ----------------------------------------------------


def _check_code(agency_id: int, code: str) -> str:
    code = code.strip().lower()
    if not code:
        raise ValidationError({"code": [_("Give the step a short code, e.g. task-force.")]})
    if len(code) > limits.STEP_CODE or not _CODE.match(code):
        raise ValidationError(
            {
                "code": [
                    _(
                        "A code is at most %(n)s lowercase letters, digits and hyphens, "
                        "e.g. task-force."
                    )
                    % {"n": limits.STEP_CODE}
                ]
            }
        )
    if code in Step.values:
        raise ValidationError({"code": [_("This code is a step of the protocol: choose another.")]})
    if AgencyStep.objects.filter(agency_id=agency_id, code=code).exists():
        raise ValidationError({"code": [_("The agency already has a step with this code.")]})
    return code


def _check_applies(agency_id: int, applies: str, value: str) -> str:
    """The value ``applies`` needs, checked against the agency's own."""
    value = str(value or "").strip()
    if applies not in AppliesWhen.values:
        raise ValidationError({"applies": [_("Choose when the step applies.")]})
    if applies in _NO_VALUE:
        return ""
    if applies == AppliesWhen.TRAFFICKING_TYPE and value not in TraffickingType.values:
        raise ValidationError({"applies_value": [_("Choose a type of trafficking.")]})
    if applies == AppliesWhen.COUNTY and not (
        ReportingContact.objects.filter(agency_id=agency_id, county_id=value).exists()
    ):
        raise ValidationError(
            {"applies_value": [_("Choose a county on the agency's list of where to report.")]}
        )
    if applies == AppliesWhen.TEAM and not (
        value.isascii()
        and value.isdigit()
        and int(value) <= limits.LARGEST_ROW_ID
        and Team.objects.filter(agency_id=agency_id, pk=int(value)).exists()
    ):
        raise ValidationError({"applies_value": [_("Choose a team of the agency.")]})
    return value


def check_values(agency_id: int, values: StepValues) -> StepValues:
    """``values`` as they are kept, or a refusal naming what is wrong."""
    errors: dict[str, list[str]] = {}
    text = (values.text or "").strip()
    if not text:
        errors["text"] = [_("Say what the step asks staff to do.")]
    elif len(text) > limits.LINE:
        errors["text"] = [_("At most %(n)s characters.") % {"n": limits.LINE}]
    roles = list(values.roles or [])
    if not roles or any(role not in STEP_ROLES for role in roles):
        errors["roles"] = [_("Choose who works it: advocates, supervisors or shelter staff.")]
    due = values.due_days
    if due is not None and (isinstance(due, bool) or not 1 <= due <= MAX_DUE_DAYS):
        errors["due_days"] = [
            _("A step is due from 1 to %(n)s days after it begins to apply, or has no deadline.")
            % {"n": MAX_DUE_DAYS}
        ]
    items = [str(item).strip() for item in values.checklist or [] if str(item).strip()]
    if len(items) > limits.CHECKLIST_ITEMS:
        errors["checklist"] = [_("At most %(n)s checklist items.") % {"n": limits.CHECKLIST_ITEMS}]
    elif any(len(item) > limits.CHECKLIST_ITEM for item in items):
        errors["checklist"] = [
            _("Each checklist item is at most %(n)s characters.") % {"n": limits.CHECKLIST_ITEM}
        ]
    elif len(set(items)) != len(items):
        errors["checklist"] = [_("Each checklist item is listed once.")]
    try:
        value = _check_applies(agency_id, values.applies, values.applies_value)
    except ValidationError as error:
        errors.update(error.message_dict)
        value = ""
    if errors:
        raise ValidationError(errors)
    return StepValues(
        text=text,
        roles=[role for role in STEP_ROLES if role in roles],
        applies=values.applies,
        applies_value=value,
        due_days=due,
        checklist=items,
    )


def _ensure_may_define(actor: User) -> None:
    if not may_define_agency_steps(actor):
        raise NotFound


def _new_version(
    actor: User, step: AgencyStep, values: StepValues, number: int
) -> AgencyStepVersion:
    version = AgencyStepVersion.objects.create(
        step=step,
        number=number,
        text=values.text,
        roles=values.roles,
        applies=values.applies,
        applies_value=values.applies_value,
        due_days=values.due_days,
        checklist=values.checklist,
        created_by=actor,
    )
    audit_record(
        action=Action.AGENCY_STEP_CHANGED,
        actor=actor,
        object_type="agency_step",
        object_id=step.pk,
        detail={"version": number},
    )
    return version


# --- Keeping the agency's steps --------------------------------------------------------------


def agency_step_create(*, actor: User, code: str, values: StepValues) -> AgencyStep:
    """A new step of the agency's own, at version 1, after its others. It
    starts on cases opened from now on (a supervisor may apply it to one
    already open)."""
    _ensure_may_define(actor)
    checked = check_values(actor.agency_id, values)
    code = _check_code(actor.agency_id, code)
    try:
        with transaction.atomic():
            last = AgencyStep.objects.filter(agency_id=actor.agency_id).aggregate(n=Max("position"))
            step = AgencyStep.objects.create(
                agency_id=actor.agency_id, code=code, position=(last["n"] or 0) + 1
            )
            _new_version(actor, step, checked, 1)
    except IntegrityError:
        # Another administrator made a step with this code meanwhile.
        raise ValidationError(
            {"code": [_("The agency already has a step with this code.")]}
        ) from None
    return step


def agency_step_revise(*, actor: User, code: str, values: StepValues) -> AgencyStepVersion:
    """An edit: a new version, for cases opened from now on. Open cases keep
    theirs; the same values again make no new version."""
    _ensure_may_define(actor)
    step = agency_step_of(actor.agency_id, code)
    if step.retired_at is not None:
        raise ValidationError(_("This step is retired: it no longer changes."))
    checked = check_values(actor.agency_id, values)
    with transaction.atomic():
        current = current_version(step)
        if (
            StepValues(
                current.text,
                current.roles,
                current.applies,
                current.applies_value,
                current.due_days,
                current.checklist,
            )
            == checked
        ):
            return current
        return _new_version(actor, step, checked, current.number + 1)


def agency_step_retire(*, actor: User, code: str) -> None:
    """No new case gets the step; the cases that have it keep it as it is."""
    _ensure_may_define(actor)
    step = agency_step_of(actor.agency_id, code)
    if step.retired_at is not None:
        return
    step.retired_at = timezone.now()
    step.save(update_fields=["retired_at"])
    audit_record(
        action=Action.AGENCY_STEP_CHANGED,
        actor=actor,
        object_type="agency_step",
        object_id=step.pk,
        detail={"retired": True},
    )


# --- Reading them ------------------------------------------------------------------------------


def agency_steps_of(agency_id: int, *, retired: bool = True) -> list[AgencyStep]:
    """The agency's steps in their order, each with ``current`` (its latest
    version) read in the same query."""
    steps = AgencyStep.objects.filter(agency_id=agency_id).prefetch_related("versions")
    if not retired:
        steps = steps.filter(retired_at__isnull=True)
    found = list(steps)
    for step in found:
        step.current = max(step.versions.all(), key=lambda v: v.number)  # type: ignore[attr-defined]
    return found


def agency_step_of(agency_id: int, code: str) -> AgencyStep:
    step = AgencyStep.objects.filter(agency_id=agency_id, code=code).first()
    if step is None:
        raise NotFound
    return step


def current_version(step: AgencyStep) -> AgencyStepVersion:
    return step.versions.order_by("-number").first()  # type: ignore[return-value]


# --- When a step applies to a case ----------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What applies-when reads: in the clear, or already decided on the case."""

    minor: bool
    adult: bool
    trafficking_type: str
    county: str
    team_id: int


def case_facts(case: Case) -> CaseFacts:
    """A minor has the mandated-report task (opened exactly when the person
    is under 18); an adult's case had the Minors step decided not to apply,
    with no task. The county is the one recorded on the mandated report."""
    report = MandatedReport.objects.filter(case=case).values("county_id").first()
    minors = (
        CaseStep.objects.filter(case=case, step=Step.MINORS).values_list("state", flat=True).first()
    )
    return CaseFacts(
        minor=report is not None,
        adult=report is None and minors == StepState.NOT_APPLICABLE,
        trafficking_type=case.person.trafficking_type,
        county=str(report["county_id"] or "") if report else "",
        team_id=case.team_id,
    )


def applies_to(version: AgencyStepVersion, facts: CaseFacts) -> bool:
    match version.applies:
        case AppliesWhen.EVERY:
            return True
        case AppliesWhen.MINORS:
            return facts.minor
        case AppliesWhen.ADULTS:
            return facts.adult
        case AppliesWhen.TRAFFICKING_TYPE:
            return facts.trafficking_type == version.applies_value
        case AppliesWhen.COUNTY:
            return bool(facts.county) and facts.county == version.applies_value
        case AppliesWhen.TEAM:
            return str(facts.team_id) == version.applies_value
    return False


def _row(case: Case, step: AgencyStep, version: AgencyStepVersion, began: date) -> CaseStep:
    return CaseStep(
        case=case,
        data_key_id=case.person.data_key_id,
        step=own(step.code),
        state=StepState.NOT_STARTED,
        agency_step_version=version,
        began_on=began,
        due_on=None if version.due_days is None else began + timedelta(days=version.due_days),
    )


def _untouched(row: CaseStep) -> bool:
    return row.state == StepState.NOT_STARTED and not row.ticked and row.updated_by_id is None


def agency_steps_sync(case: Case, *, opening: bool = False) -> None:
    """Start the agency's steps that apply to an open case and have no row
    yet, and drop those that stopped applying before anyone worked them.

    Called when the case opens (after the minors check, so a minor's case
    gets its minors-only steps) and when the facts they read change. A step
    starting at opening counts its due time from the opening; one that
    begins to apply later (a minor discovered later) from that day. Only
    the steps the agency had when the case opened start by themselves: a
    step added since reaches an open case when a supervisor applies it. A
    row someone has worked stays, whatever changes.
    """
    if case.status != Case.Status.OPEN:
        return
    facts = case_facts(case)
    today = timezone.localdate()
    began = case.opened_on if opening else max(case.opened_on, today)
    rows = {
        version_of(row).step_id: row
        for row in CaseStep.objects.filter(
            case=case, agency_step_version__isnull=False
        ).select_related("agency_step_version")
    }
    new = []
    for step in agency_steps_of(case.agency_id, retired=False):
        row = rows.get(step.pk)
        if row is None:
            current = step.current  # type: ignore[attr-defined]
            if step.created_at <= case.created_at and applies_to(current, facts):
                new.append(_row(case, step, current, began))
        elif not applies_to(row.agency_step_version, facts) and _untouched(row):  # type: ignore[arg-type]
            row.delete()
    CaseStep.objects.bulk_create(new, ignore_conflicts=True)


# --- On one case --------------------------------------------------------------------------------


def case_agency_step(case: Case, code: str) -> CaseStep:
    """The case's row of the agency step ``code``, with its version."""
    row = (
        CaseStep.objects.filter(case=case, step=own(code), agency_step_version__isnull=False)
        .select_related("agency_step_version__step", "data_key")
        .first()
    )
    if row is None:
        raise NotFound
    return row


def version_of(row: CaseStep) -> AgencyStepVersion:
    """The version an agency step's row follows (a protocol step has none)."""
    if row.agency_step_version is None:
        raise NotFound
    return row.agency_step_version


def agency_step_apply(*, actor: User, case: Case, code: str) -> CaseStep:
    """A supervisor of the case's team moves one open case to the step's
    current version (or starts a step added since the case opened). Its due
    date counts from the day the step began to apply on the case; ticked
    items the new checklist still has stay ticked."""
    if case.agency_id != actor.agency_id or not may_apply_step_version(actor, case):
        raise NotFound
    step = agency_step_of(case.agency_id, code)
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed: its steps stay as they were."))
    if step.retired_at is not None:
        raise ValidationError(_("This step is retired: it no longer changes."))
    with transaction.atomic():
        current = current_version(step)
        row = (
            CaseStep.objects.select_for_update()
            .filter(case=case, step=own(code), agency_step_version__isnull=False)
            .select_related("agency_step_version")
            .first()
        )
        if row is not None and row.agency_step_version_id == current.pk:
            raise ValidationError(_("This case already follows the step's current version."))
        if not applies_to(current, case_facts(case)):
            raise ValidationError(_("The step's current version does not apply to this case."))
        if row is None:
            row = _row(case, step, current, max(case.opened_on, timezone.localdate()))
        else:
            began = row.began_on or case.opened_on
            row.agency_step_version = current
            row.due_on = None if current.due_days is None else began + timedelta(current.due_days)
            row.ticked = [item for item in row.ticked if item in current.checklist]
            row.updated_by = actor
        row.save()
        audit_record(
            action=Action.AGENCY_STEP_APPLIED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"agency_step": step.pk, "version": current.number},
        )
    return row


def agency_step_set(
    *,
    actor: User,
    case: Case,
    code: str,
    state: str,
    reason: str = "",
    ticked: list[str] | None = None,
) -> CaseStep:
    """Staff holding one of the version's roles set the step's state (not
    applicable with a reason) and tick its checklist items."""
    if case.agency_id != actor.agency_id:
        raise NotFound
    row = case_agency_step(case, code)
    version = version_of(row)
    if not may_work_agency_step(actor, version.roles):
        raise NotFound
    if state not in STATES:
        raise ValidationError({"state": [_("Choose a state for the step.")]})
    reason = (reason or "").strip()
    if state == StepState.NOT_APPLICABLE and not reason:
        raise ValidationError({"reason": [_("Say why this step does not apply.")]})
    if len(reason) > limits.SUMMARY:
        raise ValidationError({"reason": [_("This text is too long.")]})
    chosen = list(dict.fromkeys(ticked or []))
    if any(item not in version.checklist for item in chosen):
        raise ValidationError({"ticked": [_("Tick only items of this step's checklist.")]})
    with transaction.atomic():
        row = CaseStep.objects.select_for_update().get(pk=row.pk)
        row.state = state
        row.reason = reason if state == StepState.NOT_APPLICABLE else None
        row.ticked = [item for item in version.checklist if item in chosen]
        row.updated_by = actor
        row.save()
        audit_record(
            action=Action.STEP_CHANGED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"step": row.step, "state": state, "ticked": len(row.ticked)},
        )
    return row


# --- For reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepFigures:
    code: str
    label: str
    applied: int
    done: int
    overdue: int


def agency_step_figures(
    agency_id: int, start: date, end: date, team_id: int | None = None
) -> list[StepFigures]:
    """True counts, per agency step, over the cases open at some time in the
    period: how many had the step, how many have it done, how many are
    overdue today. Counted in the database; reports publish them through
    the small-number rule."""
    rows: Any = CaseStep.objects.filter(
        agency_step_version__step__agency_id=agency_id,
        case__opened_on__lte=end,
    ).filter(Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=start))
    if team_id is not None:
        rows = rows.filter(case__team_id=team_id)
    today = timezone.localdate()
    counts = {
        row["agency_step_version__step_id"]: row
        for row in rows.order_by()
        .values("agency_step_version__step_id")
        .annotate(
            applied=Count("pk"),
            done=Count("pk", filter=Q(state=StepState.DONE)),
            overdue=Count("pk", filter=Q(state__in=_OPEN, due_on__lt=today)),
        )
    }
    return [
        StepFigures(
            step.code,
            step.current.text,  # type: ignore[attr-defined]
            counts.get(step.pk, {}).get("applied", 0),
            counts.get(step.pk, {}).get("done", 0),
            counts.get(step.pk, {}).get("overdue", 0),
        )
        for step in agency_steps_of(agency_id)
        if step.pk in counts or step.retired_at is None
    ]


def current_numbers(agency_id: int) -> dict[int, int]:
    """Each of the agency's steps' latest version number, by step id."""
    rows = (
        AgencyStepVersion.objects.filter(step__agency_id=agency_id)
        .values("step_id")
        .annotate(n=Max("number"))
        .order_by()
    )
    return {row["step_id"]: row["n"] for row in rows}
