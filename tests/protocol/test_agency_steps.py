"""The agency's own steps: defined by an administrator, started on the
cases they apply to, versioned, worked by the roles they name, and counted
like the protocol's own; bad input and refusals change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.people.models import Case, TraffickingType
from haven.people.services import case_close, case_open, person_details, person_update
from haven.protocol.agency_steps import (
    StepValues,
    agency_step_apply,
    agency_step_create,
    agency_step_retire,
    agency_step_revise,
    agency_step_set,
    own,
)
from haven.protocol.models import (
    AgencyStep,
    AgencyStepVersion,
    CaseStep,
    County,
    ReportingContact,
    StepState,
)
from haven.protocol.selectors import overdue_steps, tracker
from tests.factories import make_staff, record_intake, record_person

pytestmark = pytest.mark.django_db

TASK_FORCE = "Notify the county anti-trafficking task force within 5 days"


def minors_step(admin, **changes) -> AgencyStep:
    values = StepValues(
        text=TASK_FORCE,
        roles=["advocate", "supervisor"],
        applies="minors",
        due_days=5,
        checklist=["Call the task force", "Send the written notice"],
    )
    return agency_step_create(actor=admin, code="task-force", values=replace(values, **changes))


def own_rows(case: Case):
    return CaseStep.objects.filter(case=case, agency_step_version__isnull=False)


def own_row(case: Case) -> CaseStep:
    return CaseStep.objects.get(case=case, step=own("task-force"))


def opened(actor, team, days_ago: int, **values) -> Case:
    person = record_person(actor=actor, **values)
    return case_open(
        actor=actor,
        person=person,
        team=team,
        opened_on=timezone.localdate() - timedelta(days=days_ago),
    )


# --- Done means --------------------------------------------------------------------------


def test_a_minors_step_shows_on_a_minors_case_due_in_5_days_and_not_on_an_adults(
    admin_user, advocate, team
):
    minors_step(admin_user)
    minor = record_intake(actor=advocate, team=team, estimated_age=15)
    adult = record_intake(actor=advocate, team=team, estimated_age=34)
    unknown = record_intake(actor=advocate, team=team)

    row = own_row(minor)
    assert row.state == StepState.NOT_STARTED
    assert row.due_on == minor.opened_on + timedelta(days=5)
    assert not own_rows(adult).exists()
    assert not own_rows(unknown).exists()

    shown = tracker(minor, viewer=advocate)
    mine = [s for s in shown.steps if s.kind == "agency"]
    assert [(s.label, s.version, s.due_on) for s in mine] == [(TASK_FORCE, 1, row.due_on)]
    # After the protocol's eleven.
    assert shown.steps[-1].kind == "agency"
    assert len(shown.steps) == 12
    assert all(s.kind == "protocol" for s in tracker(adult, viewer=advocate).steps)


def test_the_step_counts_in_the_overdue_view_the_dashboard_and_the_case_page(
    client_for, admin_user, advocate, team
):
    minors_step(admin_user)
    late = opened(advocate, team, days_ago=8, estimated_age=15)
    # Every protocol step done or not applying: only the agency's is late.
    CaseStep.objects.filter(case=late, agency_step_version__isnull=True).update(
        state=StepState.DONE
    )
    assert own_row(late).due_on == timezone.localdate() - timedelta(days=3)

    found = overdue_steps(Case.objects.filter(pk=late.pk))
    assert found[late.pk].count == 1
    assert found[late.pk].step == own("task-force")
    assert found[late.pk].label.startswith("Notify the county")

    client = client_for(advocate)
    listed = client.get(reverse("people:case_list"), {"view": "overdue"})
    assert listed.context["listing"].cases
    assert {case.pk for case in listed.context["listing"].cases} == {late.pk}
    page = client.get(reverse("desk:case_detail", args=[late.pk])).content.decode()
    assert TASK_FORCE in page
    assert "The agency&#x27;s own step" in page or "The agency's own step" in page
    assert "badge--overdue" in page


def test_a_minor_discovered_later_gets_the_step_due_from_that_day(admin_user, advocate, team):
    minors_step(admin_user)
    case = opened(advocate, team, days_ago=20)
    assert not own_rows(case).exists()
    person_update(
        actor=advocate,
        case=case,
        details=replace(
            person_details(case.person),
            date_of_birth=timezone.localdate() - timedelta(days=365 * 15),
        ),
        covering=["date_of_birth"],
    )
    row = own_row(case)
    assert row.began_on == timezone.localdate()
    assert row.due_on == timezone.localdate() + timedelta(days=5)


def test_adults_type_and_team_steps_apply_by_what_the_case_says(
    admin_user, advocate, team, other_team
):
    adults = StepValues(text="Offer the adult support group", roles=["advocate"], applies="adults")
    agency_step_create(actor=admin_user, code="group", values=adults)
    agency_step_create(
        actor=admin_user,
        code="labor",
        values=StepValues(
            text="Call the labor office",
            roles=["advocate"],
            applies="trafficking_type",
            applies_value=TraffickingType.LABOR,
        ),
    )
    agency_step_create(
        actor=admin_user,
        code="north",
        values=StepValues(
            text="North team intake call",
            roles=["advocate"],
            applies="team",
            applies_value=str(other_team.pk),
        ),
    )
    adult = record_intake(
        actor=advocate, team=team, estimated_age=30, trafficking_type=TraffickingType.LABOR
    )
    minor = record_intake(actor=advocate, team=team, estimated_age=15)
    codes = set(own_rows(adult).values_list("step", flat=True))
    assert codes == {own("group"), own("labor")}
    assert not own_rows(minor).exists()


def test_a_step_that_stops_applying_goes_unless_someone_worked_it(admin_user, advocate, team):
    agency_step_create(
        actor=admin_user,
        code="labor",
        values=StepValues(
            text="Call the labor office",
            roles=["advocate"],
            applies="trafficking_type",
            applies_value=TraffickingType.LABOR,
        ),
    )
    case = record_intake(actor=advocate, team=team, trafficking_type=TraffickingType.LABOR)

    def change_type(value):
        person_update(
            actor=advocate,
            case=case,
            details=replace(person_details(case.person), trafficking_type=value),
            covering=["trafficking_type"],
        )

    change_type(TraffickingType.SEX)
    assert not own_rows(case).exists()
    change_type(TraffickingType.LABOR)
    agency_step_set(actor=advocate, case=case, code="labor", state=StepState.IN_PROGRESS)
    change_type(TraffickingType.SEX)
    assert own_rows(case).get().state == StepState.IN_PROGRESS


def test_a_county_step_applies_once_the_mandated_report_names_the_county(
    admin_user, advocate, team
):
    dane = County.objects.get(name__startswith="Dane")
    ReportingContact.objects.create(agency=advocate.agency, county=dane, name="Synthetic CPS")
    agency_step_create(
        actor=admin_user,
        code="dane",
        values=StepValues(
            text="Tell the Dane County coordinator",
            roles=["advocate"],
            applies="county",
            applies_value=dane.fips,
        ),
    )
    from haven.authorities.minors import mandated_report_record

    case = record_intake(actor=advocate, team=team, estimated_age=15)
    assert not own_rows(case).exists()
    now = timezone.now()
    mandated_report_record(
        actor=advocate,
        case=case,
        county=dane,
        reported_to_kind="county",
        reported_to="Synthetic CPS",
        method="phone",
        reported_at=now - timedelta(minutes=10),
        minor_told_at=now - timedelta(minutes=20),
    )
    assert own_rows(case).get().step == own("dane")


# --- Versions ------------------------------------------------------------------------------


def test_a_later_version_leaves_open_cases_alone_until_a_supervisor_applies_it(
    admin_user, advocate, supervisor, team, client_for
):
    minors_step(admin_user)
    before = record_intake(actor=advocate, team=team, estimated_age=15)
    agency_step_set(
        actor=advocate,
        case=before,
        code="task-force",
        state=StepState.IN_PROGRESS,
        ticked=["Call the task force"],
    )
    agency_step_revise(
        actor=admin_user,
        code="task-force",
        values=StepValues(
            text="Notify the task force within 3 days",
            roles=["advocate", "supervisor"],
            applies="minors",
            due_days=3,
            checklist=["Call the task force"],
        ),
    )
    after = record_intake(actor=advocate, team=team, estimated_age=16)
    assert own_row(after).agency_step_version.number == 2
    assert own_row(after).due_on == after.opened_on + timedelta(days=3)
    kept = own_row(before)
    assert (kept.agency_step_version.number, kept.due_on) == (1, before.opened_on + timedelta(5))

    # The supervisor sees the newer version and applies it.
    page = client_for(supervisor).get(reverse("desk:case_detail", args=[before.pk]))
    assert "A newer version of this step exists" in page.content.decode()
    response = client_for(supervisor).post(
        reverse("protocol:agency_step_apply", args=[before.pk, "task-force"])
    )
    assert response.status_code == 303
    applied = own_row(before)
    assert applied.agency_step_version.number == 2
    assert applied.due_on == before.opened_on + timedelta(days=3)
    assert applied.state == StepState.IN_PROGRESS
    assert applied.ticked == ["Call the task force"]
    event = AuditEvent.objects.filter(action=Action.AGENCY_STEP_APPLIED).get()
    assert event.detail == {"agency_step": applied.agency_step_version.step_id, "version": 2}
    # The earlier version is kept as it was.
    assert AgencyStepVersion.objects.get(number=1).due_days == 5


def test_a_closed_case_never_changes_version(admin_user, advocate, supervisor, team, client_for):
    minors_step(admin_user, applies="every")
    case = record_intake(actor=advocate, team=team, estimated_age=30)
    agency_step_revise(
        actor=admin_user,
        code="task-force",
        values=StepValues(text="Another text", roles=["advocate"], applies="every", due_days=9),
    )
    case_close(actor=advocate, case=case, reason="goals_met")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        agency_step_apply(actor=supervisor, case=case, code="task-force")
    response = client_for(supervisor).post(
        reverse("protocol:agency_step_apply", args=[case.pk, "task-force"])
    )
    assert response.status_code == 400
    assert "This case is closed" in response.content.decode()
    assert own_row(case).agency_step_version.number == 1
    assert not AuditEvent.objects.filter(action=Action.AGENCY_STEP_APPLIED).exists()


def test_the_same_values_again_make_no_new_version_and_retired_steps_start_nowhere(
    admin_user, advocate, team
):
    step = minors_step(admin_user, applies="every")
    same = agency_step_revise(
        actor=admin_user,
        code="task-force",
        values=StepValues(
            text=TASK_FORCE,
            roles=["supervisor", "advocate"],
            applies="every",
            due_days=5,
            checklist=["Call the task force", "Send the written notice"],
        ),
    )
    assert same.number == 1
    assert step.versions.count() == 1
    agency_step_retire(actor=admin_user, code="task-force")
    assert not own_rows(record_intake(actor=advocate, team=team)).exists()


# --- Working it ------------------------------------------------------------------------------


def test_staff_of_the_roles_named_work_it_on_its_page(client_for, admin_user, advocate, team):
    minors_step(admin_user)
    case = record_intake(actor=advocate, team=team, estimated_age=15)
    client = client_for(advocate)
    url = reverse("protocol:agency_step", args=[case.pk, "task-force"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"state": "done", "ticked": ["Send the written notice"]})
    assert response.status_code == 303
    row = own_row(case)
    assert (row.state, row.ticked) == (StepState.DONE, ["Send the written notice"])
    event = AuditEvent.objects.filter(action=Action.STEP_CHANGED).latest("seq")
    assert event.detail == {"step": own("task-force"), "state": "done", "ticked": 1}

    bad = client.post(url, {"state": "not_applicable", "reason": ""})
    assert bad.status_code == 400
    assert "Say why this step does not apply." in bad.content.decode()
    unknown_item = client.post(url, {"state": "done", "ticked": ["Something else"]})
    assert unknown_item.status_code == 400
    assert own_row(case).state == StepState.DONE


def test_only_the_roles_of_the_version_work_it(admin_user, advocate, supervisor, team, shelter):
    minors_step(admin_user, roles=["shelter"])
    case = record_intake(actor=advocate, team=team, estimated_age=15)
    with pytest.raises(NotFound):
        agency_step_set(actor=advocate, case=case, code="task-force", state="done")
    assert own_row(case).state == StepState.NOT_STARTED


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 201}, "text"),
        ({"roles": []}, "roles"),
        ({"roles": ["admin"]}, "roles"),
        ({"roles": ["wizard"]}, "roles"),
        ({"due_days": 0}, "due_days"),
        ({"due_days": 366}, "due_days"),
        ({"due_days": 3650}, "due_days"),
        ({"applies": "tuesdays"}, "applies"),
        ({"applies": "trafficking_type", "applies_value": "smuggling"}, "applies_value"),
        ({"applies": "trafficking_type", "applies_value": ""}, "applies_value"),
        ({"applies": "county", "applies_value": "55025"}, "applies_value"),
        ({"applies": "team", "applies_value": "999999"}, "applies_value"),
        ({"applies": "team", "applies_value": "north"}, "applies_value"),
        ({"checklist": ["x" * 121]}, "checklist"),
        ({"checklist": [f"item {n}" for n in range(13)]}, "checklist"),
        ({"checklist": ["same", "same"]}, "checklist"),
    ],
)
def test_bad_steps_are_refused_and_nothing_is_saved(admin_user, changes, field):
    with pytest.raises(ValidationError) as refused:
        minors_step(admin_user, **changes)
    assert field in refused.value.message_dict
    assert not AgencyStep.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.AGENCY_STEP_CHANGED).exists()


@pytest.mark.parametrize("code", ["", "minors", "safety", "Has Spaces", "x" * 33, "own-"])
def test_bad_codes_are_refused(admin_user, code):
    with pytest.raises(ValidationError) as refused:
        agency_step_create(
            actor=admin_user,
            code=code,
            values=StepValues(text="A step", roles=["advocate"], applies="every"),
        )
    assert "code" in refused.value.message_dict
    assert not AgencyStep.objects.exists()


def test_a_county_or_team_of_another_agency_is_refused(admin_user, outsider):
    dane = County.objects.get(name__startswith="Dane")
    ReportingContact.objects.create(agency=outsider.agency, county=dane, name="Their CPS")
    foreign_team = outsider.memberships.exclude(team=None).first()
    for applies, value in [
        ("county", dane.fips),
        ("team", str(foreign_team.team_id) if foreign_team else "1"),
    ]:
        with pytest.raises(ValidationError):
            minors_step(admin_user, applies=applies, applies_value=value)
    assert not AgencyStep.objects.exists()


def test_the_settings_page_adds_and_refuses_with_a_clear_message(client_for, admin_user):
    client = client_for(admin_user)
    url = reverse("protocol:agency_steps")
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {"code": "task-force", "text": "", "roles": ["advocate"], "applies": "minors"},
    )
    assert bad.status_code == 400
    bad = client.post(
        url,
        {
            "code": "task-force",
            "text": TASK_FORCE,
            "roles": ["advocate"],
            "applies": "minors",
            "due_days": "0",
        },
    )
    assert bad.status_code == 400
    assert "from 1 to 365 days" in bad.content.decode()
    assert not AgencyStep.objects.exists()
    good = client.post(
        url,
        {
            "code": "task-force",
            "text": TASK_FORCE,
            "roles": ["advocate", "supervisor"],
            "applies": "minors",
            "due_days": "5",
            "checklist": "Call the task force\nSend the written notice\n",
        },
    )
    assert good.status_code == 303
    version = AgencyStepVersion.objects.get()
    assert version.checklist == ["Call the task force", "Send the written notice"]
    edit = reverse("protocol:agency_step_edit", args=["task-force"])
    assert client.get(edit).status_code == 200
    changed = client.post(
        edit,
        {"text": TASK_FORCE, "roles": ["advocate"], "applies": "minors", "due_days": "7"},
    )
    assert changed.status_code == 303
    assert AgencyStepVersion.objects.count() == 2
    assert TASK_FORCE in client.get(url).content.decode()


# --- Who may ---------------------------------------------------------------------------------


def test_only_administrators_define_steps(client_for, all_personas, outsider):
    for name, user in all_personas.items():
        response = client_for(user).get(reverse("protocol:agency_steps"))
        assert response.status_code == (200 if name == "admin" else 404), name
        if name != "admin":
            with pytest.raises(NotFound):
                minors_step(user)
    assert not AgencyStep.objects.exists()


def test_only_the_case_teams_supervisors_apply_and_others_get_404(
    client_for, admin_user, advocate, supervisor, intake, auditor, outsider, team, other_team
):
    minors_step(admin_user, applies="every")
    case = record_intake(actor=advocate, team=team)
    agency_step_revise(
        actor=admin_user,
        code="task-force",
        values=StepValues(text="Version two", roles=["advocate"], applies="every"),
    )
    other_supervisor = make_staff(agency=advocate.agency, role="supervisor", team=other_team)
    url = reverse("protocol:agency_step_apply", args=[case.pk, "task-force"])
    work = reverse("protocol:agency_step", args=[case.pk, "task-force"])
    for user in (advocate, intake, auditor, admin_user, other_supervisor, outsider):
        assert client_for(user).post(url).status_code == 404
        if user is not advocate:  # the advocate works it, but does not apply versions
            assert client_for(user).get(work).status_code == 404
    assert own_row(case).agency_step_version.number == 1
    assert not AuditEvent.objects.filter(action=Action.AGENCY_STEP_APPLIED).exists()
    assert client_for(supervisor).post(url).status_code == 303


def test_a_code_taken_meanwhile_by_another_administrator_is_a_clear_refusal(
    admin_user, monkeypatch
):
    """Two administrators saving the same new code at once: the second one's
    check ran before the first one's row existed, so the database's own rule
    decides, and the answer is the same message, with nothing half-written."""
    from haven.protocol import agency_steps

    minors_step(admin_user)
    versions = AgencyStepVersion.objects.count()
    # The second administrator's check saw no such code yet.
    monkeypatch.setattr(agency_steps, "_check_code", lambda agency_id, code: code)

    with pytest.raises(ValidationError) as refused:
        minors_step(admin_user)

    assert refused.value.message_dict == {"code": ["The agency already has a step with this code."]}
    assert AgencyStep.objects.count() == 1
    assert AgencyStepVersion.objects.count() == versions
