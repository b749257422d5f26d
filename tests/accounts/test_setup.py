"""The one-time setup link that creates the first agency and administrator."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from haven.accounts import services
from haven.accounts.models import Membership, Role, SetupToken, User
from haven.audit.models import Action, AuditEvent
from haven.core.models import Agency

pytestmark = pytest.mark.django_db

GOOD = {
    "agency_name": "Harbor Services",
    "display_name": "Pat Admin",
    "username": "pat",
    "email": "pat@example.org",
    "password1": "a long enough passphrase 7",
    "password2": "a long enough passphrase 7",
}


def setup_url(token: str) -> str:
    return reverse("accounts:setup", args=[token])


def post_setup(client, token, data):
    """Open the link (its secret moves into the session), then post the form."""
    client.get(setup_url(token))
    return client.post(reverse("accounts:setup_form"), data)


def test_command_prints_link_once_and_keeps_it():
    out = io.StringIO()
    call_command("setup_link", stdout=out)
    assert "/setup/" in out.getvalue()
    assert SetupToken.objects.count() == 1
    again = io.StringIO()
    call_command("setup_link", stdout=again)
    assert "/setup/" not in again.getvalue()
    assert "already printed" in again.getvalue()
    assert SetupToken.objects.count() == 1


def test_command_with_new_replaces_the_pending_link():
    first = services.setup_link_issue()
    call_command("setup_link", "--new", stdout=io.StringIO())
    with pytest.raises(services.LinkInvalid):
        services.setup_token_get(first)


def test_command_says_nothing_about_setup_once_an_administrator_exists(admin_user):
    out = io.StringIO()
    call_command("setup_link", stdout=out)
    assert "/setup/" not in out.getvalue()
    assert SetupToken.objects.count() == 0


def test_setup_creates_agency_and_administrator_and_asks_for_a_second_factor(client):
    token = services.setup_link_issue()
    response = post_setup(client, token, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    user = User.objects.get(username="pat")
    assert user.agency.name == "Harbor Services"
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.ADMIN]
    assert AuditEvent.objects.filter(action=Action.SETUP_COMPLETED, actor=user).count() == 1
    # Signed in, but nothing but enrolment is open until a second factor exists.
    assert client.get(reverse("desk:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_setup_link_works_once(client):
    token = services.setup_link_issue()
    post_setup(client, token, GOOD)
    client.logout()
    response = post_setup(client, token, {**GOOD, "username": "second", "agency_name": "X"})
    assert response.status_code == 404
    assert User.objects.count() == 1
    assert Agency.objects.count() == 1


def test_expired_setup_link_is_refused(client):
    token = services.setup_link_issue()
    SetupToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(setup_url(token)).status_code == 404
    assert post_setup(client, token, GOOD).status_code == 404
    assert User.objects.count() == 0


def test_setup_with_weak_password_explains_and_changes_nothing(client):
    token = services.setup_link_issue()
    response = post_setup(client, token, {**GOOD, "password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert b"too short" in response.content
    assert User.objects.count() == 0
    assert Agency.objects.count() == 0
    assert SetupToken.objects.get().used_at is None


def test_setup_with_mismatched_passwords_changes_nothing(client):
    token = services.setup_link_issue()
    response = post_setup(client, token, {**GOOD, "password2": "something else entirely"})
    assert response.status_code == 400
    assert b"The two passwords differ." in response.content
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "Has Spaces"),
        ("username", "x" * 300),
        ("email", "not-an-email"),
        ("agency_name", ""),
        ("agency_name", "n" * 5000),
    ],
)
def test_setup_rejects_malformed_fields(client, field, value):
    token = services.setup_link_issue()
    response = post_setup(client, token, {**GOOD, field: value})
    assert response.status_code == 400
    assert User.objects.count() == 0
