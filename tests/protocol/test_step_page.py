"""The tracker's page for setting one step by hand: only the states the
step may take, a reason when it does not apply, and refusals that change
nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.protocol.models import CaseStep, Step, StepState
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def state_of(case, step: str) -> str:
    return CaseStep.objects.get(case=case, step=step).state


def url(case, step: str) -> str:
    return reverse("protocol:step_update", args=[case.pk, step])


def test_the_case_page_links_each_settable_step_to_its_page(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team)
    body = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert f'href="{url(case, Step.RIGHTS)}"' in body
    assert f'href="{url(case, Step.SAFETY)}"' in body  # "not applicable" only
    assert f'href="{url(case, Step.STAFF_SAFETY)}"' in body  # set by hand


def test_the_page_offers_only_the_states_the_step_may_take(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team)
    client = client_for(advocate)
    rights = client.get(url(case, Step.RIGHTS))
    assert rights.status_code == 200
    assert [value for value, _label in rights.context["form"].fields["state"].choices] == [
        StepState.NOT_STARTED,
        StepState.IN_PROGRESS,
        StepState.DONE,
        StepState.NOT_APPLICABLE,
    ]
    safety = client.get(url(case, Step.SAFETY))
    assert [v for v, _ in safety.context["form"].fields["state"].choices] == [
        StepState.NOT_APPLICABLE
    ]
    assert client.get(url(case, "no-such-step")).status_code == 404


def test_a_step_set_by_hand_is_saved_and_shown_on_the_case(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team)
    client = client_for(advocate)
    response = client.post(url(case, Step.RIGHTS), {"state": StepState.DONE})
    assert response.status_code == 303
    assert response["Location"] == reverse("desk:case_detail", args=[case.pk])
    assert state_of(case, Step.RIGHTS) == StepState.DONE
    page = client.get(response["Location"]).content.decode()
    assert 'data-step="rights" data-state="done"' in page


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        # Not applicable needs its reason.
        (Step.RIGHTS, {"state": StepState.NOT_APPLICABLE, "reason": ""}, "reason"),
        # A step moved by its own records cannot be marked done by hand.
        (Step.SAFETY, {"state": StepState.DONE}, "Select a valid choice"),
        # A state that does not exist.
        (Step.RIGHTS, {"state": "finished"}, "Select a valid choice"),
        # A reason too long to keep.
        (Step.RIGHTS, {"state": StepState.NOT_APPLICABLE, "reason": "x" * 501}, "at most 500"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    client_for, advocate, team, step, data, message
):
    case = record_intake(actor=advocate, team=team)
    before = state_of(case, step)
    client = client_for(advocate)
    events = AuditEvent.objects.count()
    response = client.post(url(case, step), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="error-summary"' in response.content.decode()
    assert state_of(case, step) == before
    # Reading the case to show the form is the one event; nothing was changed.
    assert AuditEvent.objects.count() == events + 1


@pytest.mark.parametrize("persona", ["intake", "admin", "auditor"])
def test_roles_that_do_not_work_the_protocol_get_nothing(client_for, all_personas, team, persona):
    case = record_intake(actor=all_personas["advocate"], team=team)
    client = client_for(all_personas[persona])
    assert client.get(url(case, Step.RIGHTS)).status_code == 404
    assert client.post(url(case, Step.RIGHTS), {"state": StepState.DONE}).status_code == 404
    assert state_of(case, Step.RIGHTS) == StepState.NOT_STARTED


def test_another_agency_cannot_reach_the_step(client_for, advocate, outsider, team):
    case = record_intake(actor=advocate, team=team)
    client = client_for(outsider)
    assert client.get(url(case, Step.RIGHTS)).status_code == 404
    assert client.post(url(case, Step.RIGHTS), {"state": StepState.DONE}).status_code == 404
    assert state_of(case, Step.RIGHTS) == StepState.NOT_STARTED


def tracker_links(body: str) -> list[str]:
    """The addresses the tracker's steps link to (their titles and "Change")."""
    start = body.index('<ol class="steps"')
    return re.findall(r'href="([^"]+)"', body[start : body.index("</ol>", start)])


@pytest.mark.parametrize("role", ["advocate", "supervisor", "shelter"])
def test_every_step_links_to_a_page_the_viewer_can_open(request, client_for, advocate, team, role):
    """No link on the tracker bounces: each opens for the role that sees it."""
    viewer = request.getfixturevalue(role)
    case = record_intake(actor=advocate, team=team, language="spa", interpreter_needed=True)
    case.assigned.add(viewer)
    client = client_for(viewer)
    links = tracker_links(client.get(reverse("desk:case_detail", args=[case.pk])).content.decode())
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_every_step_has_somewhere_to_go_for_those_who_work_it(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team)
    body = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    names = re.findall(r'<(a|span) class="step__name"', body)
    assert len(names) == len(Step.values)
    # Minors has no page until the person is known to be under 18.
    assert names.count("span") <= 1


def test_the_change_page_says_why_its_choices_are_what_they_are(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team)
    client = client_for(advocate)
    safety = client.get(url(case, Step.SAFETY)).content.decode()
    assert "danger check" in safety
    assert "only say it does not apply" in safety
    rights = client.get(url(case, Step.RIGHTS)).content.decode()
    assert "You can set this step by hand." in rights
    assert "handout" in rights
