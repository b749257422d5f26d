"""Law enforcement: the person's choice. Contacts with law enforcement and
Continued Presence requests send information out, so they go through the
gate in haven.authorities."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.text import check_texts
from haven.people.models import Case
from haven.protocol.models import (
    LawEnforcementChoice,
    Step,
    StepState,
)
from haven.protocol.policies import ensure_may_work_protocol
from haven.protocol.tracker import step_advance


def law_choice_record(
    *, actor: User, case: Case, agrees: bool, note: str = ""
) -> LawEnforcementChoice:
    """The person's choice about law enforcement. A change of mind is a new
    record: the history shows every choice and who recorded it."""
    ensure_may_work_protocol(actor, case)
    errors: dict[str, list[str]] = {}
    check_texts(errors, [("note", note.strip(), limits.NOTE)])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        choice = LawEnforcementChoice(
            case=case, data_key_id=case.person.data_key_id, agrees=agrees, by=actor
        )
        choice.note = note.strip() or None
        choice.save()
        step_advance(case, Step.LAW_ENFORCEMENT, StepState.DONE, actor)
        audit_record(
            action=Action.LAW_CHOICE_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"agrees": agrees},
        )
    return choice
