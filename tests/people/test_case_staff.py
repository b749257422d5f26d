"""Staffing, restriction and destruction of a case: decided by the supervisors
of the case's team only, with colleagues who may work cases, and leaving no
way back to a destroyed person."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from haven.accounts.models import Membership, Role
from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.people.models import Alias, Case, Person, SearchEntry
from haven.people.selectors import case_get, people_matching
from haven.people.services import (
    case_open,
    case_staff_set,
    person_destroy_on_request,
)
from tests.factories import make_staff, record_intake
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db

NAME = "Synthetic Velmora Taskin"


@pytest.fixture
def case(advocate, team):
    return record_intake(
        actor=advocate,
        team=team,
        legal_name=NAME,
        aliases=["Velly"],
        phone="608-555-0161",
        immigration_status="no_status",
    )


@pytest.fixture
def teammate(agency, team):
    """A second advocate of the same team."""
    return make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-teammate")


@pytest.fixture
def other_supervisor(agency, other_team):
    return make_staff(agency=agency, role=Role.SUPERVISOR, team=other_team, username="t-sup2")


def staff_events():
    return AuditEvent.objects.filter(action=Action.CASE_STAFF_CHANGED)


def staffing(case):
    case = Case.objects.get(pk=case.pk)
    return (
        sorted(case.assigned.values_list("pk", flat=True)),
        case.restricted,
        sorted(case.named_staff.values_list("pk", flat=True)),
    )


def staff_url(case):
    return reverse("people:case_staff", args=[case.pk])


def destroy_url(case):
    return reverse("people:person_destroy", args=[case.pk])


# --- Who decides ----------------------------------------------------------------------


def test_a_supervisor_of_the_team_assigns_and_restricts(case, supervisor, advocate):
    assert case_staff_set(
        actor=supervisor, case=case, assigned=[advocate], restricted=True, named=[supervisor]
    )
    assert staffing(case) == ([advocate.pk], True, [supervisor.pk])
    [event] = staff_events()
    assert event.detail == {
        "assigned": [advocate.pk],
        "restricted": True,
        "named": [supervisor.pk],
    }
    assert NAME not in json.dumps(event.detail)


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter", "admin", "auditor"])
def test_no_one_else_in_the_team_decides(all_personas, case, supervisor, persona):
    with pytest.raises(NotFound):
        case_staff_set(
            actor=all_personas[persona],
            case=case,
            assigned=[],
            restricted=True,
            named=[all_personas[persona], supervisor],
        )
    with pytest.raises(NotFound):
        person_destroy_on_request(actor=all_personas[persona], case=case)
    assert staffing(case) == ([], False, [])
    assert Person.objects.filter(pk=case.person_id).exists()
    assert not staff_events().exists()


def test_a_supervisor_of_another_team_does_not_decide(case, other_supervisor):
    with pytest.raises(NotFound):
        case_staff_set(
            actor=other_supervisor,
            case=case,
            assigned=[other_supervisor],
            restricted=False,
            named=[],
        )
    with pytest.raises(NotFound):
        person_destroy_on_request(actor=other_supervisor, case=case)
    assert Person.objects.filter(pk=case.person_id).exists()


def test_another_agency_does_not_decide(case, outsider):
    Membership.objects.create(
        user=outsider, role=Role.SUPERVISOR, team=outsider.memberships.exclude(team=None)[0].team
    )
    with pytest.raises(NotFound):
        case_staff_set(actor=outsider, case=case, assigned=[], restricted=False, named=[])
    with pytest.raises(NotFound):
        person_destroy_on_request(actor=outsider, case=case)
    assert Person.objects.filter(pk=case.person_id).exists()


def test_an_inactive_supervisor_does_not_decide(case, supervisor):
    supervisor.is_active = False
    supervisor.save()
    with pytest.raises(NotFound):
        case_staff_set(actor=supervisor, case=case, assigned=[], restricted=False, named=[])
    with pytest.raises(NotFound):
        person_destroy_on_request(actor=supervisor, case=case)


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter", "admin", "auditor"])
def test_the_staff_and_destroy_pages_are_404_for_everyone_else(
    client_for, all_personas, case, persona
):
    client = client_for(all_personas[persona])
    for url in (staff_url(case), destroy_url(case)):
        assert client.get(url).status_code == 404
    assert client.post(staff_url(case), {"restricted": "on"}).status_code == 404
    assert client.post(destroy_url(case), {"confirm": "on"}).status_code == 404
    assert staffing(case) == ([], False, [])
    assert Person.objects.filter(pk=case.person_id).exists()


# --- Who can be chosen ----------------------------------------------------------------


@pytest.fixture
def unfit(agency, other_agency, team):
    """Staff who may not be assigned to or named on a case of the first agency."""
    inactive = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-gone")
    inactive.is_active = False
    inactive.save()
    foreign = make_staff(agency=other_agency, role=Role.ADVOCATE, team=None, username="t-foreign")
    return {
        "other agency": foreign,
        "inactive": inactive,
        "admin only": make_staff(agency=agency, role=Role.ADMIN, username="t-admin2"),
        "auditor only": make_staff(agency=agency, role=Role.AUDITOR, username="t-audit2"),
        "intake only": make_staff(agency=agency, role=Role.INTAKE, username="t-intake2"),
    }


@pytest.mark.parametrize(
    "kind", ["other agency", "inactive", "admin only", "auditor only", "intake only"]
)
@pytest.mark.parametrize("where", ["assigned", "named"])
def test_unfit_colleagues_are_refused_and_nothing_changes(case, supervisor, unfit, kind, where):
    chosen = unfit[kind]
    assigned = [chosen] if where == "assigned" else []
    named = [supervisor, chosen] if where == "named" else [supervisor]
    with pytest.raises(ValidationError):
        case_staff_set(actor=supervisor, case=case, assigned=assigned, restricted=True, named=named)
    assert staffing(case) == ([], False, [])
    assert not staff_events().exists()


@pytest.mark.parametrize(
    "kind", ["other agency", "inactive", "admin only", "auditor only", "intake only"]
)
def test_the_staff_form_does_not_offer_or_accept_unfit_colleagues(
    client_for, case, supervisor, unfit, kind
):
    client = client_for(supervisor)
    page = client.get(staff_url(case))
    offered = {u.pk for u in page.context["form"].fields["assigned"].queryset}
    assert unfit[kind].pk not in offered
    response = client.post(staff_url(case), {"assigned": [unfit[kind].pk]})
    assert response.status_code == 400
    assert staffing(case) == ([], False, [])


def test_restricting_requires_naming_oneself(case, supervisor, advocate):
    with pytest.raises(ValidationError) as refused:
        case_staff_set(
            actor=supervisor, case=case, assigned=[advocate], restricted=True, named=[advocate]
        )
    assert set(refused.value.message_dict) == {"named_staff"}
    assert staffing(case) == ([], False, [])


def test_the_staff_form_shows_the_refusal_on_the_named_staff(
    client_for, case, supervisor, advocate
):
    response = client_for(supervisor).post(
        staff_url(case), {"restricted": "on", "named_staff": [advocate.pk]}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["named_staff"]
    assert staffing(case) == ([], False, [])


def test_names_are_dropped_when_the_case_is_not_restricted(case, supervisor, advocate):
    case_staff_set(
        actor=supervisor, case=case, assigned=[], restricted=True, named=[supervisor, advocate]
    )
    case_staff_set(
        actor=supervisor, case=case, assigned=[], restricted=False, named=[supervisor, advocate]
    )
    assert staffing(case) == ([], False, [])


# --- After restricting ----------------------------------------------------------------


def test_after_restricting_unnamed_staff_get_404(
    client_for, case, supervisor, advocate, teammate, shelter, other_supervisor
):
    # Shelter staff assigned to the case, and their site housing the person.
    case.assigned.add(shelter)
    stay_at(case, site_of(shelter.memberships.get().team), actor=supervisor)
    case_staff_set(
        actor=supervisor,
        case=case,
        assigned=[advocate, teammate],
        restricted=True,
        named=[supervisor, advocate],
    )
    assert case_get(user=advocate, case_id=case.pk).pk == case.pk
    assert case_get(user=supervisor, case_id=case.pk).pk == case.pk
    # Assigned but not named, a teammate, shelter staff: all refused like a missing case.
    for user in (teammate, shelter, other_supervisor):
        with pytest.raises(NotFound):
            case_get(user=user, case_id=case.pk)
        client = client_for(user)
        for url in (
            reverse("desk:case_detail", args=[case.pk]),
            reverse("people:person_edit", args=[case.pk]),
            staff_url(case),
            destroy_url(case),
            f"/api/v1/cases/{case.pk}",
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        assert people_matching(user=user, name=NAME) == []
        client.logout()


# --- Destruction on request -----------------------------------------------------------


@pytest.fixture
def two_cases(case, supervisor, other_team):
    """The person has a second case, on another team the supervisor does not see."""
    second = case_open(actor=supervisor, person=case.person, team=other_team)
    return case, second


def test_destroy_removes_everything_and_audits_only_the_fact(
    stepped_up, two_cases, supervisor, advocate
):
    case, second = two_cases
    person = case.person
    data_key_id = person.data_key_id
    assert Alias.objects.filter(person=person).exists()
    assert SearchEntry.objects.filter(person=person).exists()
    client = stepped_up(supervisor)
    response = client.post(destroy_url(case), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:case_list")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Case.objects.filter(pk__in=[case.pk, second.pk]).exists()
    assert not Alias.objects.filter(person_id=person.pk).exists()
    assert not SearchEntry.objects.filter(person_id=person.pk).exists()
    assert not DataKey.objects.filter(pk=data_key_id).exists()
    [event] = AuditEvent.objects.filter(action=Action.PERSON_DESTROYED)
    assert event.detail == {"basis": "request"}
    assert event.object_id == str(person.pk)
    assert event.actor_id == supervisor.pk
    trail = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    for value in (NAME, "Velly", "555-0161", "no_status"):
        assert value not in trail
    assert people_matching(user=advocate, name=NAME) == []
    assert people_matching(user=advocate, phone="608-555-0161") == []


def test_after_destruction_the_old_urls_and_the_api_answer_404(stepped_up, two_cases, supervisor):
    case, second = two_cases
    client = stepped_up(supervisor)
    assert client.post(destroy_url(case), {"confirm": "on"}).status_code == 302
    for old in (case, second):
        for url in (
            reverse("desk:case_detail", args=[old.pk]),
            reverse("people:person_edit", args=[old.pk]),
            staff_url(old),
            destroy_url(old),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(destroy_url(old), {"confirm": "on"}).status_code == 404
        response = client.get(f"/api/v1/cases/{old.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
    listed = client.get("/api/v1/cases").json()
    assert str(case.pk) not in json.dumps(listed)
    assert AuditEvent.objects.filter(action=Action.PERSON_DESTROYED).count() == 1


def test_destroy_needs_the_confirmation(client_for, case, supervisor):
    response = client_for(supervisor).post(destroy_url(case), {})
    assert response.status_code == 400
    assert Person.objects.filter(pk=case.person_id).exists()
    assert not AuditEvent.objects.filter(action=Action.PERSON_DESTROYED).exists()


def test_destroy_page_is_404_for_a_supervisor_of_another_team(client_for, case, other_supervisor):
    client = client_for(other_supervisor)
    assert client.get(destroy_url(case)).status_code == 404
    assert client.post(destroy_url(case), {"confirm": "on"}).status_code == 404
    assert Person.objects.filter(pk=case.person_id).exists()


def test_a_restricted_case_not_naming_the_supervisor_cannot_be_destroyed_by_them(
    client_for, case, supervisor, agency, team
):
    second_supervisor = make_staff(
        agency=agency, role=Role.SUPERVISOR, team=team, username="t-sup-named"
    )
    case_staff_set(
        actor=second_supervisor,
        case=case,
        assigned=[],
        restricted=True,
        named=[second_supervisor],
    )
    client = client_for(supervisor)
    assert client.get(destroy_url(case)).status_code == 404
    assert client.post(destroy_url(case), {"confirm": "on"}).status_code == 404
    assert client.post(staff_url(case), {}).status_code == 404
    assert Person.objects.filter(pk=case.person_id).exists()
    assert staffing(case)[1] is True
