"""Intake ends by handing the case on: to a team's queue, or to an advocate
of that team, who sees it as new until they first open it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from haven.accounts.models import Role
from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.people.models import Case, CaseOpened, Person
from haven.people.selectors import new_case_ids
from haven.people.services import case_staff_set, case_take
from tests.factories import make_staff, record_intake

pytestmark = pytest.mark.django_db


def test_a_case_sent_to_an_advocate_is_new_to_them_until_they_open_it(
    client_for, intake, advocate, supervisor, team
):
    case = record_intake(actor=intake, team=team, advocate=advocate, legal_name="Synthetic Ana")
    assert list(case.assigned.all()) == [advocate]
    assert case.queued_at is None
    assert new_case_ids(user=advocate) == {case.pk}
    # Not in a queue: the team's supervisor has nothing new.
    assert new_case_ids(user=supervisor) == set()
    event = AuditEvent.objects.get(action=Action.CASE_HANDED_OFF)
    assert event.detail == {"team": team.pk, "advocate": advocate.pk}
    assert "Ana" not in str(event.detail)

    assert client_for(advocate).get(reverse("desk:case_detail", args=[case.pk])).status_code == 200
    assert new_case_ids(user=advocate) == set()
    assert CaseOpened.objects.filter(case=case, user=advocate).count() == 1
    # A second open records nothing more.
    client_for(advocate).get(reverse("desk:case_detail", args=[case.pk]))
    assert CaseOpened.objects.filter(case=case).count() == 1


def test_a_case_sent_to_the_queue_is_new_to_the_team_until_someone_takes_it(
    client_for, intake, advocate, supervisor, team, agency
):
    colleague = make_staff(agency=agency, role=Role.ADVOCATE, team=team, mfa=False)
    case = record_intake(actor=intake, team=team)
    assert case.queued_at is not None
    assert new_case_ids(user=advocate) == {case.pk}
    assert new_case_ids(user=supervisor) == {case.pk}

    case_take(actor=advocate, case_id=case.pk)
    case.refresh_from_db()
    assert case.queued_at is None
    assert list(case.assigned.all()) == [advocate]
    assert new_case_ids(user=supervisor) == set()  # no longer waiting in the queue
    assert new_case_ids(user=advocate) == {case.pk}  # theirs, not opened yet
    event = AuditEvent.objects.get(action=Action.CASE_TAKEN)
    assert (event.actor_id, event.object_id, event.detail) == (
        advocate.pk,
        str(case.pk),
        {"team": team.pk},
    )
    # Taken first by someone else: a message, not a second assignment.
    with pytest.raises(ValidationError):
        case_take(actor=colleague, case_id=case.pk)
    assert list(case.assigned.all()) == [advocate]


def test_the_intake_page_hands_off_and_says_what_happens_next(client_for, intake, advocate, team):
    client = client_for(intake)
    client.post(reverse("people:intake_start"), {"danger": "no"})
    client.post(reverse("people:intake_language"), {"language": "spa"})
    response = client.post(
        reverse("people:intake_identity"),
        {
            "team": team.pk,
            "advocate": advocate.pk,
            "legal_name": "Synthetic Handoff",
            "trafficking_type": "unknown",
            "record_anyway": "on",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("desk:dashboard")
    body = response.content.decode()
    assert f"Sent to {advocate.display_name} (North)" in body
    case = Case.objects.get()
    assert list(case.assigned.all()) == [advocate]


def test_the_intake_page_says_the_team_queue(client_for, intake, team):
    client = client_for(intake)
    client.post(reverse("people:intake_start"), {"danger": "no"})
    client.post(reverse("people:intake_language"), {"language": "spa"})
    response = client.post(
        reverse("people:intake_identity"),
        {"team": team.pk, "trafficking_type": "unknown", "record_anyway": "on"},
        follow=True,
    )
    assert "Sent to the North team&#x27;s queue" in response.content.decode()


@pytest.mark.parametrize("who", ["other team", "other agency", "inactive", "shelter", "intake"])
def test_a_case_goes_only_to_an_active_advocate_of_its_team(
    who, client_for, intake, agency, team, other_team, outsider
):
    advocate = {
        "other team": lambda: make_staff(agency=agency, role=Role.ADVOCATE, team=other_team),
        "other agency": lambda: outsider,
        "inactive": lambda: make_staff(
            agency=agency, role=Role.ADVOCATE, team=team, is_active=False
        ),
        "shelter": lambda: make_staff(agency=agency, role=Role.SHELTER, team=team),
        "intake": lambda: make_staff(agency=agency, role=Role.INTAKE, team=team),
    }[who]()
    people = Person.objects.count()
    with pytest.raises(ValidationError) as refused:
        record_intake(actor=intake, team=team, advocate=advocate)
    assert "advocate" in refused.value.message_dict
    assert (Person.objects.count(), Case.objects.count()) == (people, 0)
    # The page says so on the field, and records nothing either.
    client = client_for(intake)
    client.post(reverse("people:intake_start"), {"danger": "no"})
    client.post(reverse("people:intake_language"), {"language": "spa"})
    response = client.post(
        reverse("people:intake_identity"),
        {"team": team.pk, "advocate": advocate.pk, "trafficking_type": "unknown"},
    )
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_only_the_team_takes_from_its_queue(intake, team, other_team, agency, outsider, shelter):
    case = record_intake(actor=intake, team=team)
    elsewhere = make_staff(agency=agency, role=Role.ADVOCATE, team=other_team)
    for user in (elsewhere, outsider, shelter, intake):
        with pytest.raises(NotFound):
            case_take(actor=user, case_id=case.pk)
    case.refresh_from_db()
    assert case.queued_at is not None
    assert not case.assigned.exists()
    assert not AuditEvent.objects.filter(action=Action.CASE_TAKEN).exists()


def test_the_take_page_assigns_and_opens_the_case(client_for, intake, advocate, team):
    case = record_intake(actor=intake, team=team)
    response = client_for(advocate).post(reverse("people:case_take", args=[case.pk]))
    assert response.status_code == 303
    assert response["Location"] == reverse("desk:case_detail", args=[case.pk])
    assert list(case.assigned.all()) == [advocate]
    again = client_for(advocate).post(reverse("people:case_take", args=[case.pk]), follow=True)
    assert "no longer waiting" in again.content.decode()


def test_assigning_again_makes_a_case_new_again(client_for, intake, advocate, supervisor, team):
    case = record_intake(actor=intake, team=team, advocate=advocate)
    client_for(advocate).get(reverse("desk:case_detail", args=[case.pk]))
    assert new_case_ids(user=advocate) == set()
    case_staff_set(actor=supervisor, case=case, assigned=[], restricted=False, named=[])
    case_staff_set(actor=supervisor, case=case, assigned=[advocate], restricted=False, named=[])
    assert new_case_ids(user=advocate) == {case.pk}


def test_the_api_hands_off_and_takes(client_for, intake, advocate, team, other_team, outsider):
    client = client_for(intake)
    body = {"team_id": team.pk, "danger": "no", "advocate_id": advocate.pk}
    response = client.post("/api/v1/people", body, content_type="application/json")
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["case_id"])
    assert list(case.assigned.all()) == [advocate]
    refused = client.post(
        "/api/v1/people",
        {**body, "advocate_id": outsider.pk},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert Case.objects.count() == 1
    # A colleague of another team: the service refuses, at the field the client sent.
    elsewhere = make_staff(agency=team.agency, role=Role.ADVOCATE, team=other_team)
    wrong_team = client.post(
        "/api/v1/people", {**body, "advocate_id": elsewhere.pk}, content_type="application/json"
    )
    assert wrong_team.status_code == 422
    assert [p["loc"] for p in wrong_team.json()["detail"]] == [["body", "advocate_id"]]
    assert Case.objects.count() == 1

    queued = client.post(
        "/api/v1/people", {"team_id": team.pk, "danger": "no"}, content_type="application/json"
    )
    queued_id = queued.json()["case_id"]
    api = client_for(advocate)
    listed = api.get("/api/v1/cases?view=new").json()
    assert {item["id"] for item in listed} == {str(case.pk), queued_id}
    assert all(item["new"] for item in listed)
    taken = api.post(f"/api/v1/cases/{queued_id}/take")
    assert taken.status_code == 200
    assert api.post(f"/api/v1/cases/{queued_id}/take").status_code == 422
    api.get(f"/api/v1/cases/{case.pk}")  # opening through the API marks it too
    assert {item["id"] for item in api.get("/api/v1/cases?view=new").json()} == {queued_id}


def test_a_queued_case_is_taken_from_its_own_page(client_for, intake, advocate, team):
    """Opened from the dashboard's "in your team's queue" line, the case page
    itself offers to take it; once taken, it no longer does."""
    case = record_intake(actor=intake, team=team)
    client = client_for(advocate)
    page = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    take = reverse("people:case_take", args=[case.pk])
    assert f'action="{take}"' in page
    assert client.post(take).status_code == 303
    case.refresh_from_db()
    assert list(case.assigned.all()) == [advocate]
    again = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert f'action="{take}"' not in again


def test_the_front_desk_is_not_offered_the_case_it_recorded(client_for, intake, team):
    case = record_intake(actor=intake, team=team)
    page = client_for(intake).get(reverse("desk:case_detail", args=[case.pk]))
    assert reverse("people:case_take", args=[case.pk]) not in page.content.decode()
