"""Two people for a destruction: one supervisor asks, another approves with a
fresh second factor, and only then is the record destroyed. Requests expire
after 72 hours; the requester, another agency's supervisor and a late answer
are refused with nothing changed; both sides are audited."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import step_up, totp_now
from haven.accounts import approvals
from haven.accounts.models import Approval, Membership, Role, TwoPersonRule
from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.people.models import Person
from haven.people.services import DESTROY_ON_REQUEST, person_destroy_on_request
from tests.factories import make_staff, record_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_supervisor(agency, other_team):
    return make_staff(
        agency=agency, role=Role.SUPERVISOR, team=other_team, username="t-supervisor-2"
    )


@pytest.fixture
def case(supervisor, team):
    return record_intake(actor=supervisor, team=team, preferred_name="Synthetic Quillane")


def ask(client_for, supervisor, case):
    client = client_for(supervisor)
    response = client.post(
        reverse("people:person_destroy", args=[case.pk]),
        {"confirm": "on", "second_factor": totp_now(supervisor.totp_secret)},
    )
    assert response.status_code == 302, response.content[:400]
    return Approval.objects.get(object_id=str(case.pk))


def exists(case) -> bool:
    return Person.objects.filter(pk=case.person_id).exists()


def answer(client, approval, choice="approve", **more):
    return client.post(
        reverse("accounts:approval_detail", args=[approval.pk]), {"answer": choice, **more}
    )


# --- The rule --------------------------------------------------------------------


def test_the_rule_is_on_by_default_once_there_are_two_supervisors(
    agency, supervisor, second_supervisor
):
    assert approvals.two_people_required(agency.pk)


def test_with_one_supervisor_the_default_lets_them_decide_alone(
    client_for, agency, supervisor, case
):
    assert not approvals.two_people_required(agency.pk)
    client = client_for(supervisor)
    client.post(
        reverse("people:person_destroy", args=[case.pk]),
        {"confirm": "on", "second_factor": totp_now(supervisor.totp_secret)},
    )
    assert not exists(case)
    assert not Approval.objects.exists()


def test_an_agency_can_ask_for_it_always_or_never(agency, supervisor, second_supervisor):
    TwoPersonRule.objects.create(agency=agency, required=False)
    assert not approvals.two_people_required(agency.pk)
    TwoPersonRule.objects.filter(agency=agency).update(required=True)
    Membership.objects.filter(user=second_supervisor).delete()
    assert approvals.two_people_required(agency.pk)


# --- Refused without a second supervisor, done with one ------------------------


def test_a_destruction_waits_for_a_second_supervisor(
    client_for, supervisor, second_supervisor, case
):
    approval = ask(client_for, supervisor, case)
    assert exists(case)
    assert (approval.state, approval.kind, approval.requested_by) == (
        Approval.State.WAITING,
        DESTROY_ON_REQUEST,
        supervisor,
    )
    assert approval.expires_at - approval.requested_at == timedelta(hours=72)
    event = AuditEvent.objects.get(action=Action.APPROVAL_REQUESTED)
    assert event.actor_id == supervisor.pk
    assert set(event.detail) == {"kind", "object_id", "requested_by"}
    # The case's page says it waits, and does not offer to ask again.
    page = client_for(supervisor).get(reverse("people:person_destroy", args=[case.pk]))
    assert "waits for another supervisor" in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()


def test_the_service_refuses_a_destruction_without_an_approval(supervisor, second_supervisor, case):
    with pytest.raises(ValidationError, match="second supervisor"):
        person_destroy_on_request(actor=supervisor, case=case)
    assert exists(case)


def test_a_second_supervisor_approves_and_the_record_is_destroyed(
    client_for, supervisor, second_supervisor, case
):
    approval = ask(client_for, supervisor, case)
    client = client_for(second_supervisor)
    response = answer(client, approval, second_factor=totp_now(second_supervisor.totp_secret))
    assert response.status_code == 302, response.content[:400]
    assert not exists(case)
    approval.refresh_from_db()
    assert (approval.state, approval.decided_by) == (Approval.State.APPROVED, second_supervisor)
    granted = AuditEvent.objects.get(action=Action.APPROVAL_GRANTED)
    destroyed = AuditEvent.objects.get(action=Action.PERSON_DESTROYED)
    assert granted.actor_id == second_supervisor.pk
    # Carried out as the supervisor who asked, who was allowed to.
    assert destroyed.actor_id == supervisor.pk


def test_approving_needs_the_approvers_own_fresh_second_factor(
    client_for, supervisor, second_supervisor, case
):
    approval = ask(client_for, supervisor, case)
    response = answer(client_for(second_supervisor), approval)
    assert response.status_code == 400
    assert exists(case)
    approval.refresh_from_db()
    assert approval.state == Approval.State.WAITING


def test_declining_destroys_nothing_and_is_audited(client_for, supervisor, second_supervisor, case):
    approval = ask(client_for, supervisor, case)
    response = answer(client_for(second_supervisor), approval, "decline")
    assert response.status_code == 302
    assert exists(case)
    approval.refresh_from_db()
    assert approval.state == Approval.State.DECLINED
    assert AuditEvent.objects.filter(action=Action.APPROVAL_DECLINED).count() == 1


def test_an_answered_request_cannot_be_answered_again(
    client_for, supervisor, second_supervisor, case
):
    approval = ask(client_for, supervisor, case)
    approvals.approval_decide(actor=second_supervisor, approval_id=approval.pk, approve=False)
    with pytest.raises(ValidationError, match="already answered"):
        approvals.approval_decide(actor=second_supervisor, approval_id=approval.pk, approve=True)
    assert exists(case)


def test_the_requester_withdraws(client_for, supervisor, second_supervisor, case):
    approval = ask(client_for, supervisor, case)
    client_for(supervisor).post(reverse("accounts:approval_withdraw", args=[approval.pk]))
    approval.refresh_from_db()
    assert approval.state == Approval.State.WITHDRAWN
    with pytest.raises(ValidationError):
        approvals.approval_decide(actor=second_supervisor, approval_id=approval.pk, approve=True)
    assert exists(case)


# --- Bad answers ---------------------------------------------------------------------


def test_the_requester_cannot_approve_their_own_request(
    client_for, supervisor, second_supervisor, case
):
    approval = ask(client_for, supervisor, case)
    client = client_for(supervisor)
    step_up(client, supervisor)
    response = answer(client, approval)
    assert response.status_code == 400  # the page says why; it offers no answer
    assert "another supervisor of the agency must answer" in response.content.decode()
    with pytest.raises(ValidationError, match="another supervisor"):
        approvals.approval_decide(actor=supervisor, approval_id=approval.pk, approve=True)
    assert exists(case)
    approval.refresh_from_db()
    assert approval.state == Approval.State.WAITING
    assert not AuditEvent.objects.filter(action=Action.APPROVAL_GRANTED).exists()


def test_another_agencys_supervisor_finds_nothing(
    client_for, supervisor, second_supervisor, case, other_agency
):
    approval = ask(client_for, supervisor, case)
    stranger = make_staff(agency=other_agency, role=Role.SUPERVISOR, username="t-far-supervisor")
    client = client_for(stranger)
    step_up(client, stranger)
    assert (
        client.get(reverse("accounts:approval_list")).content.decode().count(str(approval.pk)) == 0
    )
    assert answer(client, approval).status_code == 404
    with pytest.raises(NotFound):
        approvals.approval_decide(actor=stranger, approval_id=approval.pk, approve=True)
    assert exists(case)


def test_staff_who_are_not_supervisors_cannot_answer(
    client_for, supervisor, second_supervisor, admin_user, advocate, case
):
    approval = ask(client_for, supervisor, case)
    for user in (admin_user, advocate):
        client = client_for(user)
        assert client.get(reverse("accounts:approval_list")).status_code == 404
        assert answer(client, approval).status_code == 404
    assert exists(case)


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_request_expires_after_72_hours(client_for, supervisor, second_supervisor, case):
    approval = ask(client_for, supervisor, case)
    late = approval.requested_at + timedelta(hours=72)
    with _at(late), pytest.raises(ValidationError, match="expired"):
        approvals.approval_decide(actor=second_supervisor, approval_id=approval.pk, approve=True)
    assert exists(case)
    approval.refresh_from_db()
    assert approval.state == Approval.State.WAITING  # nothing written
    # Just inside the 72 hours the same answer is accepted.
    with _at(late - timedelta(seconds=1)):
        approvals.approval_decide(actor=second_supervisor, approval_id=approval.pk, approve=True)
    assert not exists(case)


def test_an_expired_request_can_be_asked_again(client_for, supervisor, second_supervisor, case):
    first = ask(client_for, supervisor, case)
    with _at(timezone.now() + timedelta(hours=73)):
        again = approvals.approval_request(
            actor=supervisor, kind=DESTROY_ON_REQUEST, object_id=str(case.pk)
        )
    assert again.pk != first.pk


def test_asking_twice_keeps_one_request(client_for, supervisor, second_supervisor, case):
    first = ask(client_for, supervisor, case)
    again = approvals.approval_request(
        actor=supervisor, kind=DESTROY_ON_REQUEST, object_id=str(case.pk)
    )
    assert again.pk == first.pk
    assert Approval.objects.count() == 1


def test_an_approval_fails_whole_when_the_requester_may_no_longer_destroy(
    client_for, supervisor, second_supervisor, case
):
    approval = ask(client_for, supervisor, case)
    Membership.objects.filter(user=supervisor).update(role=Role.ADVOCATE)
    with pytest.raises(ValidationError, match="may no longer"):
        approvals.approval_decide(actor=second_supervisor, approval_id=approval.pk, approve=True)
    assert exists(case)
    approval.refresh_from_db()
    assert approval.state == Approval.State.WAITING
    assert not AuditEvent.objects.filter(action=Action.APPROVAL_GRANTED).exists()


def test_the_list_shows_waiting_requests_to_supervisors(
    client_for, supervisor, second_supervisor, case
):
    approval = ask(client_for, supervisor, case)
    page = client_for(second_supervisor).get(reverse("accounts:approval_list"))
    assert reverse("accounts:approval_detail", args=[approval.pk]) in page.content.decode()
    # Nothing of the person is on it.
    assert "Quillane" not in page.content.decode()


def test_the_menu_tells_the_other_supervisors_a_request_waits(
    client_for, supervisor, second_supervisor, case
):
    ask(client_for, supervisor, case)
    assert (
        "1 waiting" in client_for(second_supervisor).get(reverse("desk:dashboard")).content.decode()
    )
    assert "1 waiting" not in client_for(supervisor).get(reverse("desk:dashboard")).content.decode()
