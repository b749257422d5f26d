"""The protocol's steps: started with every case, moved by the records that
complete them, set by hand only where that makes sense, and read in a fixed
number of queries however many steps and cases there are."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.authorities.law import law_contact_record
from haven.authorities.minors import mandated_report_record
from haven.consent.gate import DisclosureRefused
from haven.people.services import case_close, person_details, person_update
from haven.protocol.law import law_choice_record
from haven.protocol.models import (
    CaseStep,
    ContactBasis,
    County,
    DangerCheck,
    LawEnforcementContact,
    MandatedReport,
    Step,
    StepState,
)
from haven.protocol.safety import danger_check_record, safety_plan_save
from haven.protocol.selectors import tracker
from haven.protocol.tracker import step_set
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def states(case) -> dict[str, str]:
    return dict(CaseStep.objects.filter(case=case).values_list("step", "state"))


def test_every_case_starts_with_every_step(advocate, team):
    case = record_intake(
        actor=advocate, team=team, danger="yes", language="spa", date_of_birth=date(1990, 1, 1)
    )
    found = states(case)
    assert set(found) == set(Step.values)
    assert found[Step.SAFETY] == StepState.IN_PROGRESS  # the first danger answer is recorded
    assert found[Step.INTERPRETATION] == StepState.DONE  # a language, no interpreter needed
    assert found[Step.MINORS] == StepState.NOT_APPLICABLE  # an adult
    assert found[Step.CONSENT] == StepState.NOT_STARTED
    assert found[Step.DOCUMENTATION] == StepState.NOT_STARTED
    assert found[Step.STAFF_SAFETY] == StepState.NOT_STARTED
    assert found[Step.NEEDS] == StepState.NOT_STARTED
    check = DangerCheck.objects.get(case=case)
    assert (check.answer, check.by) == ("yes", advocate)


def test_an_interpreter_needed_blocks_rights_until_arranged(advocate, team):
    case = record_intake(actor=advocate, team=team, language="som", interpreter_needed=True)
    rights = next(s for s in tracker(case, viewer=advocate).steps if s.step == Step.RIGHTS)
    assert rights.blockers
    step_set(actor=advocate, case=case, step=Step.INTERPRETATION, state=StepState.DONE)
    rights = next(s for s in tracker(case, viewer=advocate).steps if s.step == Step.RIGHTS)
    assert rights.blockers == []


def test_records_move_their_steps(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=30)
    safety_plan_save(actor=advocate, case=case, values={"backup_plan": "Synthetic plan B"})
    law_choice_record(actor=advocate, case=case, agrees=False)
    found = states(case)
    assert found[Step.SAFETY] == StepState.DONE
    assert found[Step.LAW_ENFORCEMENT] == StepState.DONE


@pytest.mark.parametrize(
    ("step", "state", "reason"),
    [
        (Step.SAFETY, StepState.DONE, ""),  # done only by its records
        (Step.RIGHTS, StepState.NOT_APPLICABLE, ""),  # a reason is required
        (Step.RIGHTS, "finished", ""),
        ("nonsense", StepState.DONE, ""),
        (Step.RIGHTS, StepState.NOT_APPLICABLE, "x" * 501),
    ],
)
def test_refused_step_changes_change_nothing(advocate, team, step, state, reason):
    case = record_intake(actor=advocate, team=team)
    before = (states(case), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        step_set(actor=advocate, case=case, step=step, state=state, reason=reason)
    assert (states(case), AuditEvent.objects.count()) == before


def test_not_applicable_keeps_its_reason_sealed(advocate, team):
    case = record_intake(actor=advocate, team=team)
    step_set(
        actor=advocate,
        case=case,
        step=Step.RIGHTS,
        state=StepState.NOT_APPLICABLE,
        reason="Synthetic reason: already explained elsewhere",
    )
    row = CaseStep.objects.get(case=case, step=Step.RIGHTS)
    assert row.reason == "Synthetic reason: already explained elsewhere"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM protocol_casestep WHERE id = %s", [row.pk.hex])
        raw = cursor.fetchone()
    if raw is None:  # PostgreSQL stores the uuid as uuid
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM protocol_casestep WHERE id = %s", [row.pk])
            raw = cursor.fetchone()
    assert b"Synthetic reason" not in bytes(raw[0])
    event = AuditEvent.objects.filter(action=Action.STEP_CHANGED).get()
    assert "Synthetic" not in str(event.detail)


def test_a_minor_opens_the_report_task_which_blocks_closing(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=16)
    assert MandatedReport.objects.get(case=case).status == MandatedReport.Status.OPEN
    assert states(case)[Step.MINORS] == StepState.IN_PROGRESS
    with pytest.raises(ValidationError, match="mandated report"):
        case_close(actor=advocate, case=case, reason="goals_met")
    now = timezone.now()
    mandated_report_record(
        actor=advocate,
        case=case,
        county=County.objects.get(name="Dane"),
        reported_to_kind="county",
        reported_to="Synthetic county intake line",
        method="phone",
        reported_at=now,
        minor_told_at=now - timedelta(minutes=5),
    )
    assert states(case)[Step.MINORS] == StepState.DONE
    case_close(actor=advocate, case=case, reason="goals_met")


def test_an_age_learned_later_opens_the_task(advocate, team):
    case = record_intake(actor=advocate, team=team)
    assert not MandatedReport.objects.filter(case=case).exists()
    current = person_details(case.person)
    from dataclasses import replace

    person_update(
        actor=advocate,
        case=case,
        details=replace(current, date_of_birth=timezone.localdate() - timedelta(days=365 * 15)),
        covering=["date_of_birth"],
    )
    assert MandatedReport.objects.filter(case=case).exists()


def test_the_gate_holds_a_refusal_except_for_a_minor_or_an_emergency(advocate, team):
    adult = record_intake(actor=advocate, team=team, estimated_age=30)
    law_choice_record(actor=advocate, case=adult, agrees=False)

    def contact(case, basis):
        return law_contact_record(
            actor=advocate,
            case=case,
            basis=basis,
            agency_name="Synthetic PD",
            contacted_on=timezone.localdate(),
        )

    with pytest.raises(DisclosureRefused):
        contact(adult, ContactBasis.CONSENT)
    assert AuditEvent.objects.filter(action=Action.DISCLOSURE_REFUSED).count() == 1
    with pytest.raises(DisclosureRefused):  # not a minor
        contact(adult, ContactBasis.MANDATED_MINOR)
    with pytest.raises(DisclosureRefused):  # no imminent danger recorded
        contact(adult, ContactBasis.EMERGENCY_911)
    assert not LawEnforcementContact.objects.exists()
    danger_check_record(actor=advocate, case=adult, answer="yes")
    contact(adult, ContactBasis.EMERGENCY_911)

    minor = record_intake(actor=advocate, team=team, estimated_age=15)
    law_choice_record(actor=advocate, case=minor, agrees=False)
    contact(minor, ContactBasis.MANDATED_MINOR)
    assert LawEnforcementContact.objects.count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"answer": "yes", "outcome": "did_not_come"}, "outcome"),  # an outcome without a call
        ({"answer": "yes", "called_911": True}, "outcome"),  # a call without an outcome
        ({"answer": "maybe"}, "answer"),
        ({"answer": "yes", "called_911": True, "outcome": "other"}, "note"),
        ({"answer": "no", "note": "bad\u202enote"}, "note"),
    ],
)
def test_contradictory_danger_answers_are_refused(advocate, team, values, field):
    case = record_intake(actor=advocate, team=team)
    before = (DangerCheck.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        danger_check_record(actor=advocate, case=case, **values)
    assert field in refused.value.message_dict
    assert (DangerCheck.objects.count(), AuditEvent.objects.count()) == before


def _queries(func, *args, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        func(*args, **kwargs)
    return len(captured)


def test_the_tracker_reads_in_a_fixed_number_of_queries(advocate, team):
    one = record_intake(actor=advocate, team=team, estimated_age=15, danger="yes")
    tracker(one, viewer=advocate)  # creates nothing more after the first read
    first = _queries(tracker, one, viewer=advocate)
    for n in range(3):
        danger_check_record(actor=advocate, case=one, answer="no")
        safety_plan_save(actor=advocate, case=one, values={"backup_plan": f"Plan {n}"})
    assert _queries(tracker, one, viewer=advocate) == first


def test_the_dashboard_lists_next_actions_and_overdue_steps(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Dash")
    case.assigned.add(advocate)
    CaseStep.objects.filter(case=case, step=Step.NEEDS).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    page = client_for(advocate).get(reverse("desk:dashboard")).content.decode()
    assert "Your next actions" in page
    assert "overdue" in page
    assert "Synthetic Dash" in page
    listed = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).latest("seq")
    assert str(case.person_id) in listed.detail["ids"]


def test_the_case_page_shows_the_tracker(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team)
    page = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk]))
    body = page.content.decode()
    assert 'data-step="safety"' in body
    assert 'data-step="minors"' in body
    assert "Coming in a later version" not in body  # every step is live now


def test_the_case_page_with_its_tracker_runs_a_fixed_number_of_queries(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team, danger="yes", estimated_age=16)
    client = client_for(advocate)
    url = reverse("desk:case_detail", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(4):
        danger_check_record(actor=advocate, case=case, answer="unsure")
        safety_plan_save(actor=advocate, case=case, values={"backup_plan": f"Plan {n}"})
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_the_migration_gives_cases_without_steps_their_steps(advocate, team):
    """The tracker only reads; a case left without its rows (opened before
    the tracker existed) gets them from the data migration."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("haven.protocol.migrations.0003_steps_for_every_case")
    case = record_intake(actor=advocate, team=team, estimated_age=30)
    kept = CaseStep.objects.get(case=case, step=Step.SAFETY)
    CaseStep.objects.filter(case=case).exclude(pk=kept.pk).delete()
    shown = {s.step: s.state for s in tracker(case, viewer=advocate).steps}
    assert CaseStep.objects.filter(case=case).count() == 1  # reading wrote nothing
    migration.add_missing_steps(apps, None)
    made = {row.step: row for row in CaseStep.objects.filter(case=case)}
    assert set(made) == set(Step.values)
    assert made[Step.SAFETY].pk == kept.pk
    assert made[Step.NEEDS].due_on == case.opened_on + timedelta(days=3)
    assert shown[Step.NEEDS] == StepState.NOT_STARTED
