"""The protocol's steps on a case: started when the case opens, moved by the
records that complete them, or set by hand with a reason."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.people.models import Case
from haven.protocol.models import CaseStep, Step, StepState
from haven.protocol.policies import ensure_may_work_protocol
from haven.protocol.steps import RULE, RULES

# and never over a step staff marked as not applying.
_FORWARD = {
    StepState.NOT_STARTED: {StepState.IN_PROGRESS, StepState.DONE, StepState.NOT_APPLICABLE},
    StepState.IN_PROGRESS: {StepState.DONE, StepState.NOT_APPLICABLE},
}


def steps_unstarted(case: Case, have: set[str]) -> list[CaseStep]:
    """The case's steps missing from ``have``, as they start: unsaved rows."""
    opened = case.opened_on
    return [
        CaseStep(
            case=case,
            data_key_id=case.person.data_key_id,
            step=rule.step,
            state=StepState.PENDING if rule.pending else StepState.NOT_STARTED,
            due_on=None if rule.due_days is None else opened + timedelta(days=rule.due_days),
        )
        for rule in RULES
        if rule.step not in have
    ]


def steps_start(case: Case) -> list[CaseStep]:
    """Create the case's steps that do not exist yet: all of them when the
    case opens, and those added to the protocol since, when a record moves one."""
    have = set(CaseStep.objects.filter(case=case).values_list("step", flat=True))
    return CaseStep.objects.bulk_create(steps_unstarted(case, have))


def step_advance(case: Case, step: Step, state: StepState, actor: User | None) -> None:
    """Move a step forward because a record completed part of it. Called
    inside the transaction of the service that made the record."""
    row = CaseStep.objects.filter(case=case, step=step).first()
    if row is None:
        steps_start(case)
        row = CaseStep.objects.get(case=case, step=step)
    if state == row.state or state not in _FORWARD.get(StepState(row.state), set()):
        return
    row.state = state
    row.updated_by = actor
    row.save(update_fields=["state", "updated_by", "updated_at"])


def step_reopen(case: Case, step: Step, actor: User | None) -> None:
    """Put a step back in progress: new facts (a minor discovered later)."""
    CaseStep.objects.filter(case=case, step=step).update(
        state=StepState.IN_PROGRESS, updated_by=actor, updated_at=timezone.now()
    )


def step_set(*, actor: User, case: Case, step: str, state: str, reason: str = "") -> None:
    """Staff set a step by hand: in progress, done, or not applicable with a
    reason. Steps completed by their own records cannot be set by hand."""
    ensure_may_work_protocol(actor, case)
    if step not in Step.values:
        raise ValidationError(_("Unknown step."))
    rule = RULE[Step(step)]
    if rule.pending:
        raise ValidationError(_("This step comes with a later version of Haven."))
    allowed = {StepState.NOT_APPLICABLE}
    if rule.manual:
        allowed |= {StepState.NOT_STARTED, StepState.IN_PROGRESS, StepState.DONE}
    if state not in allowed:
        raise ValidationError(_("This step moves on when its record is made."))
    reason = reason.strip()
    if state == StepState.NOT_APPLICABLE and not reason:
        raise ValidationError({"reason": [_("Say why this step does not apply.")]})
    if len(reason) > limits.SUMMARY:
        raise ValidationError({"reason": [_("This text is too long.")]})
    with transaction.atomic():
        steps_start(case)
        row = CaseStep.objects.select_for_update().get(case=case, step=step)
        row.state = state
        row.reason = reason if state == StepState.NOT_APPLICABLE else None
        row.updated_by = actor
        row.save()
        audit_record(
            action=Action.STEP_CHANGED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"step": step, "state": state},
        )
