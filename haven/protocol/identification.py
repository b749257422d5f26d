"""Identification: our plain-language screening of indicators, and the
results of licensed instruments (name, date, administrator, level only)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.text import text_problem
from haven.people.models import Case
from haven.protocol.models import InstrumentResult, Screening
from haven.protocol.policies import ensure_may_work_protocol
from haven.protocol.tracker import steps_start

INDICATORS = Path(__file__).resolve().parent / "data" / "indicators.json"
ANSWERS = ("yes", "no", "skipped")


@cache
def indicators() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(INDICATORS.read_text(encoding="utf-8"))
    return data


def level_for(score: int) -> dict[str, Any]:
    reached = [level for level in indicators()["levels"] if score >= level["min"]]
    return max(reached, key=lambda level: level["min"])


def screening_record(*, actor: User, case: Case, kind: str, answers: dict[str, str]) -> Screening:
    """Score the answers (a "yes" adds the question's weight) and keep them
    sealed. The level's guidance tells staff what to do next; a strong
    result is where the protocol's steps (already on every case) begin."""
    ensure_may_work_protocol(actor, case)
    screening = indicators()["screenings"].get(kind)
    if screening is None:
        raise ValidationError({"kind": [_("Choose the adult or the youth screening.")]})
    weights = {q["code"]: q["weight"] for q in screening["questions"]}
    if set(answers) - set(weights):
        raise ValidationError(_("These answers do not belong to this screening."))
    if any(value not in ANSWERS for value in answers.values()):
        raise ValidationError(_("Answer each question yes or no, or skip it."))
    score = sum(weights[code] for code, value in answers.items() if value == "yes")
    level = level_for(score)["code"]
    with transaction.atomic():
        row = Screening(
            case=case,
            data_key_id=case.person.data_key_id,
            kind=kind,
            version=indicators()["version"],
            score=score,
            level=level,
            by=actor,
        )
        row.answers = json.dumps(answers, sort_keys=True)
        row.save()
        steps_start(case)
        audit_record(
            action=Action.SCREENING_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"kind": kind, "level": level},
        )
    return row


def instrument_result_record(
    *,
    actor: User,
    case: Case,
    instrument: str,
    administered_on: date,
    administrator: str,
    level: str,
) -> InstrumentResult:
    ensure_may_work_protocol(actor, case)
    values = {
        "instrument": " ".join(instrument.split()),
        "administrator": " ".join(administrator.split()),
        "level": " ".join(level.split()),
    }
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        limit = limits.LINE if name == "administrator" else limits.SHORT_LINE
        if not value:
            errors[name] = [_("This field is required.")]
        elif problem := text_problem(value, limit):
            errors[name] = [problem]
    if administered_on > timezone.localdate():
        errors["administered_on"] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = InstrumentResult(
            case=case,
            data_key_id=case.person.data_key_id,
            instrument=values["instrument"],
            administered_on=administered_on,
            level=values["level"],
            by=actor,
        )
        row.administrator = values["administrator"]
        row.save()
        audit_record(
            action=Action.INSTRUMENT_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"instrument": values["instrument"]},
        )
    return row
