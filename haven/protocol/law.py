"""Law enforcement: the person's choice. Contacts with law enforcement and
Continued Presence requests send information out, so they go through the
gate in haven.authorities."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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


def _parts(
    investigation: bool | None, prosecution: bool | None, agrees: bool | None
) -> tuple[bool, bool]:
    """The two parts of the choice: ``agrees`` alone answers both at once (a
    "yes" or "no" as it was recorded before prosecution was a part of its
    own); otherwise a part not named stays closed, so a change of mind opens
    only what the person named."""
    if agrees is not None:
        if investigation is not None or prosecution is not None:
            raise ValidationError(
                {
                    "agrees": [
                        _(
                            "Give either one answer for both parts or an answer for each "
                            "part, not both."
                        )
                    ]
                }
            )
        return agrees, agrees
    if investigation is None and prosecution is None:
        raise ValidationError({"investigation": [_("Choose the person's answer.")]})
    return bool(investigation), bool(prosecution)


def law_choice_record(
    *,
    actor: User,
    case: Case,
    investigation: bool | None = None,
    prosecution: bool | None = None,
    agrees: bool | None = None,
    note: str = "",
) -> LawEnforcementChoice:
    """The person's choice about law enforcement: whether they agree to talk
    to police or investigators (``investigation``) and to take part in a
    prosecution (``prosecution``). A change of mind is a new record: the
    history shows every choice and who recorded it."""
    ensure_may_work_protocol(actor, case)
    investigation, prosecution = _parts(investigation, prosecution, agrees)
    errors: dict[str, list[str]] = {}
    check_texts(errors, [("note", note.strip(), limits.NOTE)])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        choice = LawEnforcementChoice(
            case=case,
            data_key_id=case.person.data_key_id,
            investigation=investigation,
            prosecution=prosecution,
            by=actor,
        )
        choice.note = note.strip() or None
        choice.save()
        step_advance(case, Step.LAW_ENFORCEMENT, StepState.DONE, actor)
        audit_record(
            action=Action.LAW_CHOICE_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"investigation": investigation, "prosecution": prosecution},
        )
    return choice
