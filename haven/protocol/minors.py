"""Minors: the mandated-report task a person under 18 opens, and the rule
that their case cannot close while it is open."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.people.models import Case
from haven.protocol.models import (
    MandatedReport,
    Step,
    StepState,
)
from haven.protocol.tracker import step_advance, step_reopen


def minor_check(case: Case, actor: User | None) -> MandatedReport | None:
    """Open the mandated-report task when the person is under 18 today;
    mark the step as not applying for an adult. Idempotent."""
    minor = case.person.is_minor_on(timezone.localdate())
    if minor is None:
        return None
    if not minor:
        step_advance(case, Step.MINORS, StepState.NOT_APPLICABLE, actor)
        return None
    report, created = MandatedReport.objects.get_or_create(
        case=case, defaults={"data_key_id": case.person.data_key_id}
    )
    if created:
        step_reopen(case, Step.MINORS, actor)
        audit_record(
            action=Action.MANDATED_REPORT_OPENED,
            actor=actor,
            agency=case.agency,
            object_type="case",
            object_id=case.pk,
        )
    return report


def open_report_blocks_closing(case: Case) -> str:
    """A close check (see haven.people.signals.close_checks)."""
    if MandatedReport.objects.filter(case=case, status=MandatedReport.Status.OPEN).exists():
        return _("This person is under 18: record the mandated report before closing the case.")
    return ""
