"""Rights education: what was explained to the person, in which language and
version, through which interpreter, and what they asked."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.text import check_texts
from haven.people.models import Case
from haven.protocol.library import handouts_for
from haven.protocol.models import RightsExplained, Step, StepState
from haven.protocol.policies import ensure_may_work_protocol
from haven.protocol.tracker import step_advance


def rights_explained_record(
    *,
    actor: User,
    case: Case,
    topic: str,
    language: str,
    explained_on: date,
    interpreter: str = "",
    questions: str = "",
) -> RightsExplained:
    """Record that a handout of the library was explained to the person. The
    version recorded is the one the library holds when this is recorded (an
    agency's own handout numbers its versions from 1 and is marked as such)."""
    ensure_may_work_protocol(actor, case)
    interpreter, questions = interpreter.strip(), questions.strip()
    handout = handouts_for(actor.agency_id).get((topic, language))
    errors: dict[str, list[str]] = {}
    if handout is None:
        errors["topic"] = [_("Choose a handout of the library in a language it exists in.")]
    if explained_on > timezone.localdate():
        errors["explained_on"] = [_("This date is in the future.")]
    check_texts(errors, [("interpreter", interpreter, 200), ("questions", questions, limits.NOTE)])
    if errors or handout is None:
        raise ValidationError(errors)
    with transaction.atomic():
        row = RightsExplained(
            case=case,
            data_key_id=case.person.data_key_id,
            topic=topic,
            language=language,
            version=handout.version,
            agency_material=handout.agency_material,
            explained_on=explained_on,
            by=actor,
        )
        row.interpreter = interpreter.strip() or None
        row.questions = questions.strip() or None
        row.save()
        step_advance(case, Step.RIGHTS, StepState.IN_PROGRESS, actor)
        audit_record(
            action=Action.RIGHTS_EXPLAINED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"topic": topic, "language": language, "version": handout.version},
        )
    return row
