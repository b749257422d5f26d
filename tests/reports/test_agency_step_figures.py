"""The agency's own steps count in reports: per step, the cases that had
it, done and overdue, through the small-number rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from haven.people.services import case_open
from haven.protocol.agency_steps import StepValues, agency_step_create, agency_step_set
from haven.reports.figures import Scope, report
from tests.factories import record_intake, record_person

pytestmark = pytest.mark.django_db


def test_each_step_counts_its_cases_done_and_overdue(admin_user, advocate, team):
    agency_step_create(
        actor=admin_user,
        code="task-force",
        values=StepValues(
            text="Notify the county anti-trafficking task force within 5 days",
            roles=["advocate"],
            applies="minors",
            due_days=5,
        ),
    )
    today = timezone.localdate()
    minors = [record_intake(actor=advocate, team=team, estimated_age=15) for _n in range(3)]
    case_open(
        actor=advocate,
        person=record_person(actor=advocate, estimated_age=16),
        team=team,
        opened_on=today - timedelta(days=9),
    )
    record_intake(actor=advocate, team=team, estimated_age=40)
    agency_step_set(actor=advocate, case=minors[0], code="task-force", state="done")

    def figures(threshold: int):
        scope = Scope(advocate.agency_id, today - timedelta(days=30), today, threshold)
        found = report(scope).table("agency_steps")
        return [(row.key, [str(f) for f in row.figures]) for row in found.rows]

    exact = figures(1)
    assert exact == [("task-force", ["4", "1", "1"])]
    assert figures(5) == [("task-force", ["<5", "<5", "<5"])]
