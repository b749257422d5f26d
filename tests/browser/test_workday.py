"""A working day in the browser, counting the user's actions: the most
urgent case from the dashboard, a hand-off from intake to an advocate, and
a filtered case list paged through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from haven.accounts.models import Membership, Role
from haven.people.models import Case
from haven.protocol.models import CaseStep, Step
from tests.factories import TeamFactory, make_staff, record_intake

pytestmark = pytest.mark.browser


def overdue(case: Case, days: int = 4) -> Case:
    CaseStep.objects.filter(case=case, step=Step.NEEDS).update(
        due_on=timezone.localdate() - timedelta(days=days)
    )
    return case


def test_the_most_urgent_case_opens_from_the_dashboard_in_one_action(tab, advocate, team):
    far = timezone.localdate() + timedelta(days=60)
    for n in range(4):
        late = record_intake(
            actor=advocate, team=team, advocate=advocate, legal_name=f"Synthetic Late {n}"
        )
        overdue(late)
    urgent = record_intake(
        actor=advocate, team=team, advocate=advocate, danger="yes", legal_name="Synthetic Urgent"
    )
    CaseStep.objects.filter(case=urgent).update(due_on=far)
    tab.sign_in(advocate.username, advocate.totp_secret)
    assert tab.path == "/"

    actions = 0
    tab.click_through("main ol.next-actions li:first-child a")
    actions += 1
    assert tab.path == f"/cases/{urgent.pk}/"
    assert actions == 1


def test_intake_hands_a_case_to_an_advocate_who_sees_it_as_new(
    new_browsing, intake, advocate, team
):
    desk = new_browsing()
    desk.sign_in(intake.username, intake.totp_secret)
    actions = 0
    desk.visit("/intake/")
    desk.page.check("input[name=danger][value=no]")
    desk.click_through("main button[type=submit]")
    actions += 2
    desk.page.select_option("#id_language", "spa")
    desk.click_through("main button[type=submit]")
    actions += 2
    desk.page.fill("#id_preferred_name", "Synthetic Handed")
    desk.page.select_option("#id_team", str(team.pk))
    desk.page.select_option("#id_advocate", str(advocate.pk))
    desk.click_through("main button[type=submit]")
    actions += 4
    assert desk.path == "/"
    assert desk.page.is_visible(f"text=Sent to {advocate.display_name} (North)")
    assert actions == 8
    case = Case.objects.get()
    assert list(case.assigned.all()) == [advocate]

    own = new_browsing()
    own.sign_in(advocate.username, advocate.totp_secret)
    line = own.page.locator("main ol.next-actions li", has_text="Synthetic Handed")
    assert line.count() == 1
    assert "New" in line.inner_text()
    assert "Assigned to you" in line.inner_text()
    own.visit("/cases/?view=new")
    assert own.page.locator("main tbody a", has_text="Synthetic Handed").count() == 1
    own.click_through("main tbody a:has-text('Synthetic Handed')")
    assert own.path == f"/cases/{case.pk}/"
    # Opened: no longer new.
    own.visit("/cases/?view=new")
    assert own.page.locator("main tbody a", has_text="Synthetic Handed").count() == 0


def test_the_case_list_filters_to_one_teams_overdue_cases_and_pages(tab, agency, team):
    south = TeamFactory(agency=agency, name="South")
    lead = make_staff(agency=agency, role=Role.SUPERVISOR, team=team)
    Membership.objects.create(user=lead, role=Role.SUPERVISOR, team=south)
    late = [
        record_intake(actor=lead, team=south, legal_name=f"Synthetic South {n}") for n in range(27)
    ]
    late += [
        record_intake(actor=lead, team=team, legal_name=f"Synthetic North {n}") for n in range(3)
    ]
    record_intake(actor=lead, team=south, legal_name="Synthetic On Time")
    CaseStep.objects.update(due_on=timezone.localdate() + timedelta(days=60))
    for case in late:
        overdue(case)

    tab.sign_in(lead.username, lead.totp_secret)
    tab.visit("/cases/")
    actions = 0
    tab.click_through("main nav a:has-text('Overdue')")
    actions += 1
    tab.page.select_option("#filter-team", str(south.pk))
    tab.click_through("main form[method=get] button[type=submit]")
    actions += 2
    assert "1\u201325 of 27" in tab.page.inner_text("#case-count")
    assert "view=overdue" in tab.page.url
    assert f"team={south.pk}" in tab.page.url
    assert tab.page.locator("main tbody tr").count() == 25
    assert tab.page.locator("main tbody", has_text="Synthetic North").count() == 0
    tab.click_through("main a[rel=next]")
    actions += 1
    assert "26\u201327 of 27" in tab.page.inner_text("#case-count")
    assert tab.page.locator("main tbody tr").count() == 2
    assert actions == 4
    assert "Synthetic" not in tab.page.url
