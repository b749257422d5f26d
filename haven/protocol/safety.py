"""Safety: the danger question, 911 calls and their outcome, safety plans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.text import check_texts
from haven.people.models import Case
from haven.protocol.models import (
    SAFETY_PLAN_FIELDS,
    Danger,
    DangerCheck,
    PoliceOutcome,
    SafetyPlan,
    Step,
    StepState,
)
from haven.protocol.policies import ensure_may_work_protocol, may_check_danger
from haven.protocol.tracker import step_advance

# The plan's sections, in the order the page and the print show them.
PLAN_SECTIONS: tuple[tuple[str, Any], ...] = (
    ("safe_contacts", gettext_lazy("People to call who are safe")),
    ("safe_places", gettext_lazy("Safe places to go")),
    ("code_word", gettext_lazy("Code word")),
    ("emergency_bag", gettext_lazy("Emergency bag")),
    ("transport", gettext_lazy("How to leave quickly")),
    ("technology", gettext_lazy("Phone and online safety")),
    ("backup_plan", gettext_lazy("If 911 does not help")),
)
assert tuple(name for name, _label in PLAN_SECTIONS) == SAFETY_PLAN_FIELDS  # noqa: S101


def _check_text(errors: dict[str, list[str]], name: str, value: str, limit: int) -> None:
    check_texts(errors, [(name, value.strip(), limit)])


def danger_check_record(
    *,
    actor: User,
    case: Case,
    answer: str,
    called_911: bool = False,
    outcome: str = "",
    note: str = "",
) -> DangerCheck:
    """Record the answer to "are you in danger right now?" and, when 911 was
    called, what came of it."""
    if not may_check_danger(actor) or case.agency_id != actor.agency_id:
        raise NotFound
    errors: dict[str, list[str]] = {}
    if answer not in Danger.values:
        errors["answer"] = [_("Answer whether the person is in danger right now.")]
    if outcome and outcome not in PoliceOutcome.values:
        errors["outcome"] = [_("Choose one of the options offered.")]
    if outcome and not called_911:
        errors["outcome"] = [_("An outcome goes with a 911 call: tick that 911 was called.")]
    if called_911 and not outcome:
        errors["outcome"] = [_("Say what happened when 911 was called.")]
    if outcome == PoliceOutcome.OTHER and not note.strip():
        errors["note"] = [_("Say what happened.")]
    _check_text(errors, "note", note, limits.NOTE)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        check = DangerCheck(
            case=case,
            data_key_id=case.person.data_key_id,
            answer=answer,
            called_911=called_911,
            outcome=outcome,
            by=actor,
        )
        check.note = note.strip() or None
        check.save()
        step_advance(case, Step.SAFETY, StepState.IN_PROGRESS, actor)
        audit_record(
            action=Action.DANGER_CHECKED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"answer": answer, "called_911": called_911, "outcome": outcome},
        )
    return check


def safety_plan_save(*, actor: User, case: Case, values: Mapping[str, str]) -> SafetyPlan:
    """Save a new version of the case's safety plan. A plan needs its backup
    for when 911 does not help; the earlier versions stay as they were."""
    ensure_may_work_protocol(actor, case)
    unknown = set(values) - set(SAFETY_PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field."))
    cleaned = {name: (values.get(name) or "").strip() for name in SAFETY_PLAN_FIELDS}
    errors: dict[str, list[str]] = {}
    for name, value in cleaned.items():
        _check_text(errors, name, value, limits.LONG_NOTE)
    if not cleaned["backup_plan"]:
        errors.setdefault("backup_plan", []).append(
            _("Every safety plan has a backup for when 911 does not help.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        latest = SafetyPlan.objects.filter(case=case).aggregate(v=Max("version"))["v"] or 0
        plan = SafetyPlan(
            case=case, data_key_id=case.person.data_key_id, version=latest + 1, by=actor
        )
        for name, value in cleaned.items():
            setattr(plan, name, value or None)
        plan.save()
        step_advance(case, Step.SAFETY, StepState.DONE, actor)
        audit_record(
            action=Action.SAFETY_PLAN_SAVED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"version": plan.version},
        )
    return plan
