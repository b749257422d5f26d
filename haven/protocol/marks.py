"""The protocol's marks on a case in a list (see haven.people.marks): each
read from rows stored in the clear, never from the person's sealed record.

A minor is a case with a mandated-report task: the task is opened exactly
when the person is under 18 (from their sealed date of birth, or the
estimate of age kept in the clear), so lists need not open any record to
know it (docs/adr/0025-case-list-marks-and-hand-off.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from haven.people.marks import CaseMark, register_activity, register_mark
from haven.protocol.models import CaseStep, Danger, DangerCheck, MandatedReport
from haven.protocol.policies import may_see_protocol
from haven.protocol.steps import OPEN_STATES

DANGER = "danger"
REPORT = "report"
OVERDUE = "overdue"
MINOR = "minor"


def in_danger(day: date) -> QuerySet[Any]:
    """The latest danger check answered yes: a later answer ends it."""
    later = DangerCheck.objects.filter(case_id=OuterRef("case_id"), at__gt=OuterRef("at"))
    return DangerCheck.objects.filter(answer=Danger.YES).exclude(Exists(later))


def report_waiting(day: date) -> QuerySet[Any]:
    return MandatedReport.objects.filter(status=MandatedReport.Status.OPEN)


def overdue(day: date) -> QuerySet[Any]:
    return CaseStep.objects.filter(state__in=OPEN_STATES, due_on__lt=day)


def minor(day: date) -> QuerySet[Any]:
    return MandatedReport.objects.all()


def last_step_change() -> Subquery:
    return Subquery(
        CaseStep.objects.filter(case_id=OuterRef("pk"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )


def register() -> None:
    register_mark(CaseMark(DANGER, _("Danger reported"), 0, in_danger, may_see_protocol))
    register_mark(
        CaseMark(REPORT, _("Mandated report waiting"), 1, report_waiting, may_see_protocol)
    )
    register_mark(CaseMark(OVERDUE, _("Overdue steps"), 2, overdue, may_see_protocol))
    register_mark(CaseMark(MINOR, _("A minor"), None, minor, may_see_protocol))
    register_activity(last_step_change)
