"""How the protocol follows the people app: steps start with a case, the
first contact's danger answer is the first danger check, and a minor opens
the mandated-report task whenever their age becomes known."""

from __future__ import annotations

from typing import Any

from haven.accounts.models import User
from haven.people import signals
from haven.people.models import Case, Person
from haven.protocol.agency_steps import agency_steps_sync
from haven.protocol.minors import minor_check, open_report_blocks_closing
from haven.protocol.models import DangerCheck, Step, StepState
from haven.protocol.tracker import step_advance, steps_start

_AGE_FIELDS = frozenset({"date_of_birth", "estimated_age"})
_LANGUAGE_FIELDS = frozenset({"language", "interpreter_needed"})
# What the agency's own steps read besides age (agency_steps.case_facts).
_STEP_FIELDS = _AGE_FIELDS | frozenset({"trafficking_type"})


def _interpretation(case: Case, actor: User | None) -> None:
    person = case.person
    if person.language == "und":
        return
    state = StepState.IN_PROGRESS if person.interpreter_needed else StepState.DONE
    step_advance(case, Step.INTERPRETATION, state, actor)


def on_case_opened(sender: Any, case: Case, actor: User, **kwargs: Any) -> None:
    steps_start(case)
    if case.danger_at_intake:
        DangerCheck.objects.create(
            case=case, data_key_id=case.person.data_key_id, answer=case.danger_at_intake, by=actor
        )
        step_advance(case, Step.SAFETY, StepState.IN_PROGRESS, actor)
    _interpretation(case, actor)
    minor_check(case, actor)
    # After the minors check: a minor's case gets its minors-only steps.
    agency_steps_sync(case, opening=True)


def on_person_changed(
    sender: Any, person: Person, fields: list[str], actor: User, **kwargs: Any
) -> None:
    if not (_STEP_FIELDS | _LANGUAGE_FIELDS) & set(fields):
        return
    for case in Case.objects.filter(person=person, status=Case.Status.OPEN):
        case.person = person
        steps_start(case)
        if _LANGUAGE_FIELDS & set(fields):
            _interpretation(case, actor)
        if _AGE_FIELDS & set(fields):
            minor_check(case, actor)
        if _STEP_FIELDS & set(fields):
            agency_steps_sync(case)


signals.case_opened.connect(on_case_opened, dispatch_uid="protocol.case_opened")
signals.person_changed.connect(on_person_changed, dispatch_uid="protocol.person_changed")
if open_report_blocks_closing not in signals.close_checks:
    signals.close_checks.append(open_report_blocks_closing)
