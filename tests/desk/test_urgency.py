"""The dashboard: one line per case, its most urgent item first, the lines
in the same order, counts at the top, and names as the viewer's role sees
them everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.desk.urgency import urgent_lines
from haven.people.models import Case
from haven.people.services import case_opened_by
from haven.protocol.models import CaseStep, MandatedReport, Step
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.django_db


def overdue(case: Case, days: int) -> Case:
    CaseStep.objects.filter(case=case, step=Step.NEEDS).update(
        due_on=timezone.localdate() - timedelta(days=days)
    )
    return case


@pytest.fixture
def day(advocate, intake, team):
    far = timezone.localdate() + timedelta(days=60)
    cases = {
        "new": record_intake(
            actor=intake, team=team, advocate=advocate, legal_name="Synthetic New"
        ),
        "consent": record_intake(actor=advocate, team=team, advocate=advocate),
        "overdue": record_intake(actor=advocate, team=team, advocate=advocate),
        "report": record_intake(
            actor=advocate,
            team=team,
            advocate=advocate,
            estimated_age=15,
            legal_name="Synthetic Teen",
        ),
        "danger": record_intake(actor=advocate, team=team, advocate=advocate, danger="yes"),
    }
    CaseStep.objects.all().update(due_on=far)
    overdue(cases["overdue"], 5)
    overdue(cases["report"], 9)  # a report waiting outranks its overdue step
    MandatedReport.objects.filter(case=cases["report"]).update(
        opened_at=timezone.now() - timedelta(days=3, hours=1)
    )
    give_consent(
        actor=advocate,
        case=cases["consent"],
        purpose="services",
        kinds=["contact"],
        category="local",
        expires_on=timezone.localdate() + timedelta(days=4),
    )
    for name in ("consent", "overdue", "report", "danger"):
        # Opened already: only the first is new.
        case_opened_by(user=advocate, case=cases[name])
    return cases


def test_one_line_per_case_most_urgent_first(day, advocate):
    urgent = urgent_lines(user=advocate)
    assert [line.case.pk for line in urgent.lines] == [
        day[kind].pk for kind in ("danger", "report", "overdue", "consent", "new")
    ]
    assert [line.first.kind for line in urgent.lines] == [
        "danger",
        "report",
        "overdue",
        "consent",
        "new",
    ]
    report = urgent.lines[1]
    assert report.first.days == 3
    assert [item.kind for item in report.more] == ["overdue"]
    assert report.more[0].days == 9
    assert {kind: count for kind, _label, count, _q in urgent.counts} == {
        "danger": 1,
        "report": 1,
        "overdue": 2,
        "consent": 1,
        "referral": 0,
        "new": 1,
    }


def test_the_page_names_each_case_once_and_links_the_first_line(client_for, day, advocate):
    body = client_for(advocate).get(reverse("desk:dashboard")).content.decode()
    assert "waiting 3 days" in body
    assert "5 days overdue" in body
    # The minor's case is named (no "A person under 18" stand-in) exactly once.
    assert body.count("Synthetic Teen") == 1
    assert "A person under 18" not in body
    first = body.index('data-kind="danger"')
    assert reverse("desk:case_detail", args=[day["danger"].pk]) in body[first : first + 300]
    assert '?view=overdue">' in body
    listed = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED, actor=advocate).latest("seq")
    assert listed.detail["where"] == "dashboard"
    assert sorted(listed.detail["ids"]) == sorted(str(c.person_id) for c in day.values())


def test_a_role_that_may_not_see_names_sees_none(client_for, day, intake):
    body = client_for(intake).get(reverse("desk:dashboard")).content.decode()
    assert "Synthetic" not in body


def test_another_agencys_user_sees_none_of_it(client_for, day, outsider):
    assert urgent_lines(user=outsider).lines == []
    body = client_for(outsider).get(reverse("desk:dashboard")).content.decode()
    assert "Synthetic" not in body
    for case in day.values():
        assert str(case.pk) not in body


def test_a_team_queue_is_new_to_the_team(intake, supervisor, team):
    case = record_intake(actor=intake, team=team)
    lines = urgent_lines(user=supervisor).lines
    assert [(line.case.pk, line.first.kind, line.queued) for line in lines] == [
        (case.pk, "new", True)
    ]
