"""The agency's own steps over the JSON API: administrators define them,
the case tracker shows them beside the protocol's, staff of their roles
work them and a supervisor of the case's team applies a newer version.
Everyone else gets 404 with nothing written; bad input is a 422 that
changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from haven.audit.models import Action, AuditEvent
from haven.people.services import case_close
from haven.protocol.models import AgencyStep, AgencyStepVersion, CaseStep
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
STEP = {
    "code": "task-force",
    "text": "Notify the county anti-trafficking task force within 5 days",
    "roles": ["advocate", "supervisor"],
    "applies": "minors",
    "due_days": 5,
    "checklist": ["Call the task force"],
}


def send(client, method: str, url: str, body: object = None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def state() -> tuple:
    return (
        tuple(AgencyStep.objects.values_list("code", "retired_at")),
        tuple(AgencyStepVersion.objects.values_list("number", "text", "due_days")),
        tuple(CaseStep.objects.order_by("pk").values_list("state", "agency_step_version")),
    )


def test_the_done_means_scenario_over_the_api(client_for, admin_user, advocate, supervisor, team):
    created = send(client_for(admin_user), "post", f"{API}/agency-steps", STEP)
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1
    minor = record_intake(actor=advocate, team=team, estimated_age=15)
    adult = record_intake(actor=advocate, team=team, estimated_age=40)

    shown = send(client_for(advocate), "get", f"{API}/cases/{minor.pk}/protocol").json()
    own = [s for s in shown["steps"] if s["kind"] == "agency"]
    assert len(own) == 1
    assert own[0]["step"] == "own-task-force"
    assert own[0]["version"] == 1
    assert own[0]["due_on"] == str(minor.opened_on + timedelta(days=5))
    assert own[0]["checklist"] == [{"text": "Call the task force", "ticked": False}]
    adult_steps = send(client_for(advocate), "get", f"{API}/cases/{adult.pk}/protocol").json()
    assert {s["kind"] for s in adult_steps["steps"]} == {"protocol"}

    worked = send(
        client_for(advocate),
        "put",
        f"{API}/cases/{minor.pk}/agency-steps/task-force",
        {"state": "done", "ticked": ["Call the task force"]},
    )
    assert worked.status_code == 200
    row = next(s for s in worked.json()["steps"] if s["kind"] == "agency")
    assert row["state"] == "done"
    assert row["checklist"] == [{"text": "Call the task force", "ticked": True}]

    revised = send(
        client_for(admin_user),
        "put",
        f"{API}/agency-steps/task-force",
        {**{k: v for k, v in STEP.items() if k != "code"}, "due_days": 3},
    )
    assert revised.json()["version"] == 2
    again = send(client_for(advocate), "get", f"{API}/cases/{minor.pk}/protocol").json()
    row = next(s for s in again["steps"] if s["kind"] == "agency")
    assert (row["version"], row["newer_version"]) == (1, 2)

    applied = send(
        client_for(supervisor), "post", f"{API}/cases/{minor.pk}/agency-steps/task-force/apply"
    )
    assert applied.status_code == 200
    row = next(s for s in applied.json()["steps"] if s["kind"] == "agency")
    assert (row["version"], row["newer_version"]) == (2, None)

    listed = send(client_for(advocate), "get", f"{API}/agency-steps").json()
    assert [(s["code"], s["version"]) for s in listed] == [("task-force", 2)]


@pytest.mark.parametrize(
    "changes",
    [
        {"text": ""},
        {"roles": ["wizard"]},
        {"roles": []},
        {"due_days": 0},
        {"due_days": 4000},
        {"applies": "weekdays"},
        {"applies": "trafficking_type", "applies_value": "smuggling"},
        {"applies": "team", "applies_value": "999999"},
        # Unicode digits and numbers past any id: refused, never a 500.
        {"applies": "team", "applies_value": "²"},
        {"applies": "team", "applies_value": "99999999999999999999999"},
        {"code": "minors"},
        {"code": "Not A Slug"},
        {"checklist": ["x" * 121]},
    ],
)
def test_bad_steps_are_422_and_change_nothing(client_for, admin_user, changes):
    before = state()
    response = send(client_for(admin_user), "post", f"{API}/agency-steps", {**STEP, **changes})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert state() == before


def test_only_administrators_define_and_others_get_404(
    client_for, all_personas, admin_user, outsider
):
    for name, user in all_personas.items():
        if name == "admin":
            continue
        response = send(client_for(user), "post", f"{API}/agency-steps", STEP)
        assert response.status_code == 404, name
    assert not AgencyStep.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.AGENCY_STEP_CHANGED).exists()
    # Another agency's administrator keeps their own steps, and never reaches ours.
    send(client_for(admin_user), "post", f"{API}/agency-steps", STEP)
    revise = {**{k: v for k, v in STEP.items() if k != "code"}, "text": "Theirs"}
    theirs = send(client_for(outsider), "put", f"{API}/agency-steps/task-force", revise)
    assert theirs.status_code == 404
    assert send(client_for(outsider), "get", f"{API}/agency-steps").json() == []
    assert AgencyStepVersion.objects.get().text == STEP["text"]


def test_applying_is_for_the_case_teams_supervisors_and_never_on_a_closed_case(
    client_for, admin_user, advocate, supervisor, intake, auditor, outsider, team
):
    send(client_for(admin_user), "post", f"{API}/agency-steps", {**STEP, "applies": "every"})
    case = record_intake(actor=advocate, team=team, estimated_age=40)
    send(
        client_for(admin_user),
        "put",
        f"{API}/agency-steps/task-force",
        {**{k: v for k, v in STEP.items() if k != "code"}, "applies": "every", "due_days": 9},
    )
    url = f"{API}/cases/{case.pk}/agency-steps/task-force/apply"
    before = state()
    for user in (advocate, intake, auditor, admin_user, outsider):
        assert send(client_for(user), "post", url).status_code == 404
    for user in (intake, auditor, admin_user, outsider):
        put = send(
            client_for(user),
            "put",
            f"{API}/cases/{case.pk}/agency-steps/task-force",
            {"state": "done"},
        )
        assert put.status_code == 404
    assert state() == before
    case_close(actor=advocate, case=case, reason="goals_met")
    closed = send(client_for(supervisor), "post", url)
    assert closed.status_code == 422
    assert "closed" in closed.json()["detail"][0]["msg"]
    assert not AuditEvent.objects.filter(action=Action.AGENCY_STEP_APPLIED).exists()
