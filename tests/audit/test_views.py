"""The auditor's page: their agency's events only, filterable, paged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.desk.trail.selectors import PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_auditor_sees_own_agency_events_only(client_for, auditor, advocate, outsider):
    audit_record(action=Action.ROLES_CHANGED, actor=advocate, object_type="user", object_id=1)
    audit_record(action=Action.TEAM_CREATED, actor=outsider, object_type="team", object_id=77)
    response = client_for(auditor).get(reverse("audit:event_list"))
    assert response.status_code == 200
    events = response.context["events"]
    assert {e.agency_id for e in events} == {auditor.agency_id}
    assert outsider.username not in response.content.decode()


def test_filter_by_action_and_actor(client_for, auditor, advocate, supervisor):
    audit_record(action=Action.ROLES_CHANGED, actor=advocate, object_type="user", object_id=1)
    audit_record(action=Action.ROLES_CHANGED, actor=supervisor, object_type="user", object_id=2)
    audit_record(action=Action.TEAM_CREATED, actor=advocate, object_type="team", object_id=3)
    response = client_for(auditor).get(
        reverse("audit:event_list"), {"action": Action.ROLES_CHANGED, "actor": advocate.pk}
    )
    events = response.context["events"]
    assert [(e.action, e.actor_id, e.object_id) for e in events] == [
        (Action.ROLES_CHANGED, advocate.pk, "1")
    ]


def test_actor_of_another_agency_is_not_a_valid_filter(client_for, auditor, outsider):
    response = client_for(auditor).get(reverse("audit:event_list"), {"actor": outsider.pk})
    assert response.status_code == 400


def test_a_refused_filter_asked_through_htmx_says_why_in_the_table_it_replaces(client_for, auditor):
    response = client_for(auditor).get(
        reverse("audit:event_list"),
        {"since": "not a date"},
        headers={"HX-Request": "true", "HX-Target": "audit-results"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<html" not in page
    assert "data-error-summary" in page


def test_pages_walk_back_through_the_chain(client_for, auditor, advocate):
    for n in range(PAGE_SIZE + 5):
        audit_record(action=Action.TEAM_CREATED, actor=advocate, object_type="team", object_id=n)
    client = client_for(auditor)
    first = client.get(reverse("audit:event_list"), {"action": Action.TEAM_CREATED})
    assert len(first.context["events"]) == PAGE_SIZE
    assert first.context["next_query"]
    second = client.get(reverse("audit:event_list") + "?" + first.context["next_query"])
    ids = [e.object_id for e in second.context["events"]]
    assert ids == [str(n) for n in range(4, -1, -1)]
    assert second.context["next_query"] is None


def test_htmx_request_gets_only_the_table(client_for, auditor):
    response = client_for(auditor).get(reverse("audit:event_list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"<table>" in response.content


@pytest.mark.parametrize("persona", ["advocate", "supervisor", "intake", "shelter", "admin"])
def test_other_roles_get_404(client_for, all_personas, persona):
    assert client_for(all_personas[persona]).get(reverse("audit:event_list")).status_code == 404


def _object_cells(response) -> list[str]:
    import re

    body = response.content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", body[body.index("<tbody>") :], re.S)
    return [re.sub(r"\s+", " ", re.findall(r"<td>(.*?)</td>", r, re.S)[3]).strip() for r in rows]


def test_objects_are_named_as_people_read_them(client_for, auditor, advocate, team):
    from haven.accounts.models import Membership, Role
    from haven.jobs.models import Job
    from tests.factories import record_intake

    case = record_intake(actor=advocate, team=team, preferred_name="Guadalupe Ramírez Soto")
    job = Job.objects.create(agency=auditor.agency, created_by=auditor, kind="reports.run")
    audit_record(
        action=Action.ROLES_CHANGED, actor=advocate, object_type="user", object_id=advocate.pk
    )
    audit_record(action=Action.TEAM_CREATED, actor=advocate, object_type="team", object_id=team.pk)
    audit_record(action=Action.TEAM_CREATED, actor=advocate, object_type="job", object_id=job.pk)
    audit_record(action=Action.TEAM_CREATED, actor=advocate, object_type="case", object_id=case.pk)

    response = client_for(auditor).get(reverse("audit:event_list"))
    body = response.content.decode()
    cells = _object_cells(response)
    short = str(case.pk)[:8]
    for label in (
        f"Case <code>{short}</code>",
        f"Report job <code>{str(job.pk)[:8]}</code>",
        f"Team: {team.name}",
        f"Staff member: {advocate.display_name}",
    ):
        assert label in cells
    assert f"user {advocate.pk}" not in body
    assert "Guadalupe" not in body
    # The actor by name, not username.
    assert advocate.display_name in body

    # A viewer who may also open the case gets a link to it, never the name.
    Membership.objects.create(user=auditor, role=Role.ADVOCATE, team=team)
    response = client_for(auditor).get(reverse("audit:event_list"))
    link = reverse("desk:case_detail", args=[case.pk])
    assert f'<a href="{link}">Case</a> <code>{short}</code>' in _object_cells(response)
    assert "Guadalupe" not in response.content.decode()
