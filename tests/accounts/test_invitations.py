"""Invitations: single use, 72 hours, and nothing changed by a bad one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.accounts import services
from haven.accounts.models import Invitation, Role, User
from haven.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = {"password1": "river stones and maple 9", "password2": "river stones and maple 9"}


@pytest.fixture
def invited(agency, team, admin_user):
    user, token = services.invitation_create(
        actor=admin_user,
        agency=agency,
        username="newcomer",
        email="new@example.org",
        display_name="New Comer",
        grants=[services.RoleGrant(role=Role.ADVOCATE, team=team)],
    )
    return user, token


def accept_url(token: str) -> str:
    return reverse("accounts:invitation_accept", args=[token])


def post_accept(client, token, data):
    """Open the link (its secret moves into the session), then post the form."""
    client.get(accept_url(token))
    return client.post(reverse("accounts:invitation_form"), data)


def test_admin_invites_through_the_page_and_sees_the_link_once(client_for, admin_user, team):
    client = client_for(admin_user)
    response = client.post(
        reverse("accounts:staff_invite"),
        {
            "display_name": "Robin Case",
            "username": "robin",
            "email": "robin@example.org",
            "roles": [Role.ADVOCATE],
            "team": team.pk,
        },
    )
    assert response.status_code == 200
    assert b"/invitation/" in response.content
    robin = User.objects.get(username="robin")
    assert not robin.is_active
    assert not robin.has_usable_password()
    assert list(robin.memberships.values_list("role", "team")) == [(Role.ADVOCATE, team.pk)]
    # Only the digest of the link's secret is stored.
    token = response.content.decode().split("/invitation/")[1].split("/")[0]
    assert token not in Invitation.objects.get(user=robin).token_hash
    assert AuditEvent.objects.filter(action=Action.INVITATION_SENT, actor=admin_user).count() == 1


def test_invitation_is_accepted_once(client, invited):
    user, token = invited
    response = post_accept(client, token, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(PASSWORD["password1"])
    client.logout()
    again = post_accept(
        client,
        token,
        {"password1": "another pass phrase 12", "password2": "another pass phrase 12"},
    )
    assert again.status_code == 404
    user.refresh_from_db()
    assert user.check_password(PASSWORD["password1"])


def test_expired_invitation_is_refused_and_changes_nothing(client, invited):
    user, token = invited
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = post_accept(client, token, PASSWORD)
    assert response.status_code == 404
    assert b"This link cannot be used" in response.content
    user.refresh_from_db()
    assert not user.is_active
    assert not user.has_usable_password()


def test_invitation_expires_after_72_hours(invited):
    user, _ = invited
    invitation = Invitation.objects.get(user=user)
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)


def test_unknown_invitation_token_is_404(client, invited):
    assert client.get(accept_url("not-a-real-token")).status_code == 404


def test_renewed_invitation_replaces_the_old_link(client, invited, admin_user):
    user, old = invited
    new = services.invitation_renew(actor=admin_user, user=user)
    assert client.get(accept_url(old)).status_code == 404
    assert client.get(accept_url(new), follow=True).status_code == 200


def test_weak_password_on_acceptance_explains_and_keeps_the_link(client, invited):
    user, token = invited
    response = post_accept(client, token, {"password1": "password", "password2": "password"})
    assert response.status_code == 400
    assert b"too common" in response.content
    user.refresh_from_db()
    assert not user.is_active
    assert client.get(accept_url(token), follow=True).status_code == 200


def test_invitation_form_rejects_a_team_of_another_agency(client_for, admin_user, outsider):
    foreign_team = outsider.memberships.exclude(team=None).first().team
    client = client_for(admin_user)
    response = client.post(
        reverse("accounts:staff_invite"),
        {
            "display_name": "Sam",
            "username": "sam",
            "email": "sam@example.org",
            "roles": [Role.ADVOCATE],
            "team": foreign_team.pk,
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="sam").exists()


def test_invitation_form_requires_a_team_for_team_roles(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("accounts:staff_invite"),
        {
            "display_name": "Sam",
            "username": "sam",
            "email": "sam@example.org",
            "roles": [Role.SUPERVISOR],
        },
    )
    assert response.status_code == 400
    assert b"Choose a team" in response.content
    assert not User.objects.filter(username="sam").exists()


def test_taken_username_is_refused(client_for, admin_user, advocate):
    response = client_for(admin_user).post(
        reverse("accounts:staff_invite"),
        {
            "display_name": "Dup",
            "username": advocate.username,
            "email": "d@example.org",
            "roles": [Role.INTAKE],
        },
    )
    assert response.status_code == 400
    assert User.objects.filter(username=advocate.username).count() == 1


@pytest.mark.parametrize("persona", ["advocate", "supervisor", "intake", "shelter", "auditor"])
def test_only_administrators_invite(client_for, all_personas, persona):
    client = client_for(all_personas[persona])
    assert client.get(reverse("accounts:staff_invite")).status_code == 404
    response = client.post(
        reverse("accounts:staff_invite"),
        {
            "display_name": "X",
            "username": "sneaky",
            "email": "x@example.org",
            "roles": [Role.ADMIN],
        },
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="sneaky").exists()
