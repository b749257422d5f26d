"""Bearer tokens for the JSON API: issued by an operator, stored hashed, revocable."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from ninja import NinjaAPI

from haven.accounts.api_tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from haven.accounts.http import authenticated_user
from haven.accounts.models import ApiToken, Role, User
from haven.accounts.tokens import token_digest
from haven.api.api import api
from haven.audit.models import Action, AuditEvent
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"

# A throwaway API with an unsafe method, guarded exactly like the real one
# (same auth list), served through the real middleware by ``urls`` below.
probe = NinjaAPI(title="probe", urls_namespace="token-probe", docs_url=None, auth=api.auth)


@probe.post("/echo")
def echo(request):
    return {"username": authenticated_user(request).username}


urlpatterns = [path("api/probe/", probe.urls)]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def issue(user, lifetime=timedelta(hours=8)) -> str:
    return api_token_create(user=user, lifetime=lifetime)


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


# --- Using a token ------------------------------------------------------------


def test_token_opens_me(client, supervisor):
    response = client.get(ME, **bearer(issue(supervisor)))
    assert response.status_code == 200
    assert response.json()["username"] == supervisor.username
    assert response.json()["roles"] == ["supervisor"]


def test_token_works_without_a_second_factor_session(client, agency):
    # Tokens bypass sessions and so MfaRequiredMiddleware: the operator chose
    # to issue one for this account.
    user = make_staff(agency=agency, role=Role.INTAKE, mfa=False, username="t-nomfa")
    assert client.get(ME, **bearer(issue(user))).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer hv_" + "A" * 43,
        "Bearer not-even-a-token",
        "Bearer ",
        "Token hv_" + "A" * 43,
        "Bearer hv_" + "A" * 5000,
    ],
)
def test_wrong_token_is_401_json(client, header):
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Unauthorized"}


def test_expired_token_is_401(client, advocate):
    token = issue(advocate, lifetime=timedelta(minutes=5))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(ME, **bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_revoked_token_is_401_and_revocation_is_audited(client, admin_user, advocate):
    token = issue(advocate)
    assert client.get(ME, **bearer(token)).status_code == 200
    row = ApiToken.objects.get()
    api_token_revoke(actor=admin_user, token_id=row.pk)
    response = client.get(ME, **bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    event = AuditEvent.objects.get(action=Action.API_TOKEN_REVOKED)
    assert event.actor_id == admin_user.pk
    assert event.agency_id == advocate.agency_id
    assert (event.object_type, event.object_id) == ("api_token", str(row.pk))
    assert event.detail == {"user": advocate.pk}


def test_revoking_twice_records_one_event(admin_user, advocate):
    issue(advocate)
    row = ApiToken.objects.get()
    api_token_revoke(actor=admin_user, token_id=row.pk)
    api_token_revoke(actor=admin_user, token_id=row.pk)
    assert AuditEvent.objects.filter(action=Action.API_TOKEN_REVOKED).count() == 1


def test_deactivation_revokes_tokens(client, stepped_up, admin_user, advocate):
    token = issue(advocate)
    issue(advocate)
    admin = stepped_up(admin_user)
    response = admin.post(reverse("accounts:staff_deactivate", args=[advocate.pk]))
    assert response.status_code == 302
    fresh = Client()
    response = fresh.get(ME, **bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert not ApiToken.objects.filter(user=advocate, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action=Action.STAFF_DEACTIVATED)
    assert event.detail["api_tokens_revoked"] == 2


def test_token_of_an_inactive_user_is_refused_even_if_not_revoked(client, advocate):
    token = issue(advocate)
    # Deactivated some other way than staff_deactivate: the check still holds.
    User.objects.filter(pk=advocate.pk).update(is_active=False)
    assert client.get(ME, **bearer(token)).status_code == 401
    assert api_token_authenticate(token, address="127.0.0.1") is None


def test_token_is_stored_only_hashed(advocate):
    token = issue(advocate)
    row = ApiToken.objects.get()
    assert token.startswith("hv_")
    assert row.token_hash == token_digest(token)
    assert row.prefix == token[:8]
    stored = " ".join(str(value) for value in ApiToken.objects.values().get().values())
    assert token not in stored
    assert token[8:] not in stored


def test_last_used_is_written_at_most_once_a_minute(client, advocate):
    token = issue(advocate)
    assert ApiToken.objects.get().last_used_at is None
    client.get(ME, **bearer(token))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get(ME, **bearer(token))
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    client.get(ME, **bearer(token))
    assert ApiToken.objects.get().last_used_at > first - timedelta(minutes=2)


# --- CSRF: needed for sessions, not for tokens ---------------------------------


@pytest.mark.urls(__name__)
def test_bearer_post_needs_no_csrf_token(advocate):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/probe/echo", **bearer(issue(advocate)))
    assert response.status_code == 200
    assert response.json() == {"username": advocate.username}


@pytest.mark.urls(__name__)
def test_session_post_still_needs_a_csrf_token(advocate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate)
    response = client.post("/api/probe/echo")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}


@pytest.mark.urls(__name__)
def test_wrong_bearer_does_not_slip_past_csrf_on_a_session(advocate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate)
    response = client.post("/api/probe/echo", **bearer("hv_" + "A" * 43))
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}


def test_session_still_works_without_a_token(client_for, advocate):
    assert client_for(advocate).get(ME).status_code == 200


# --- Issuing ----------------------------------------------------------------------


def test_creation_is_audited(advocate):
    issue(advocate, lifetime=timedelta(days=7))
    row = ApiToken.objects.get()
    event = AuditEvent.objects.get(action=Action.API_TOKEN_CREATED)
    assert event.agency_id == advocate.agency_id
    assert event.actor_id is None
    assert (event.object_type, event.object_id) == ("api_token", str(row.pk))
    assert event.detail == {"user": advocate.pk, "lifetime_seconds": 7 * 86400}


@pytest.mark.parametrize("lifetime", [timedelta(0), timedelta(seconds=30), timedelta(days=31)])
def test_service_refuses_lifetimes_out_of_bounds(advocate, lifetime):
    with pytest.raises(ValidationError):
        issue(advocate, lifetime=lifetime)
    assert not ApiToken.objects.exists()


def test_service_refuses_an_inactive_user(advocate):
    advocate.is_active = False
    with pytest.raises(ValidationError):
        issue(advocate)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.API_TOKEN_CREATED).exists()


def test_command_prints_the_token_last(client, advocate):
    out = run_command(advocate.username)
    token = out.rstrip("\n").splitlines()[-1]
    assert token.startswith("hv_")
    row = ApiToken.objects.get()
    assert row.token_hash == token_digest(token)
    assert row.user == advocate
    lifetime = row.expires_at - row.created_at
    assert timedelta(hours=8) - timedelta(seconds=5) < lifetime <= timedelta(hours=8)
    assert client.get(ME, **bearer(token)).status_code == 200
    assert AuditEvent.objects.filter(action=Action.API_TOKEN_CREATED).count() == 1


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("8h", timedelta(hours=8)),
        ("7d", timedelta(days=7)),
        ("30d", timedelta(days=30)),
    ],
)
def test_command_accepts_lifetimes(advocate, expires, expected):
    run_command(advocate.username, "--expires", expires)
    row = ApiToken.objects.get()
    assert abs((row.expires_at - row.created_at) - expected) < timedelta(seconds=1)


@pytest.mark.parametrize(
    "expires",
    ["31d", "721h", "0m", "0d", "-1h", "8", "h", "8 hours", "1w", "1.5h", "", "99999999d"],
)
def test_command_refuses_bad_lifetimes_and_creates_nothing(advocate, expires):
    with pytest.raises(CommandError):
        run_command(advocate.username, "--expires", expires)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.API_TOKEN_CREATED).exists()


def test_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No staff member"):
        run_command("t-nobody")
    assert not ApiToken.objects.exists()


def test_command_refuses_an_inactive_user(advocate):
    advocate.is_active = False
    advocate.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="not an active account"):
        run_command(advocate.username)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.API_TOKEN_CREATED).exists()
