"""Failed API tokens: each audited (never its text), counted against the
client's address, and past the limit the address's token requests are
refused with 429 for a while, a right token included, without the token
even being checked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from haven.accounts.api_tokens import api_token_create
from haven.accounts.models import ApiToken, ApiTokenClient, User
from haven.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
UNKNOWN = "hv_" + "A" * 43
HOME = "127.0.0.1"  # the test client's address


def bearer(token: str, address: str = HOME, **headers: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "REMOTE_ADDR": address, **headers}


def issue(user, lifetime=timedelta(hours=8)) -> str:
    return api_token_create(user=user, lifetime=lifetime)


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.API_TOKEN_REFUSED).order_by("pk"))


def blocks() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.API_CLIENT_BLOCKED).order_by("pk"))


def fail_until_blocked(client, address: str = HOME, **headers: str) -> None:
    for _ in range(settings.HAVEN_API_TOKEN_FAILURES):
        assert client.get(ME, **bearer(UNKNOWN, address, **headers)).status_code == 401


# --- Each failure is audited ---------------------------------------------------------


def test_an_unknown_token_is_audited_on_the_installation_chain_without_its_text(client):
    assert client.get(ME, **bearer(UNKNOWN)).status_code == 401
    [event] = refusals()
    assert event.agency_id is None
    assert event.actor_id is None
    assert (event.object_type, event.object_id) == ("api_token", "")
    assert event.detail == {"reason": "unknown", "client": HOME}
    stored = " ".join(str(v) for v in AuditEvent.objects.values().get(pk=event.pk).values())
    assert UNKNOWN[3:] not in stored


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Bearer not-even-a-token", "malformed"),
        ("Bearer ", "malformed"),
        ("Bearer hv_" + "A" * 5000, "malformed"),
    ],
)
def test_a_malformed_token_is_audited_as_malformed(client, header, reason):
    assert client.get(ME, HTTP_AUTHORIZATION=header).status_code == 401
    [event] = refusals()
    assert event.detail == {"reason": reason, "client": HOME}


def _expired(token: str) -> None:
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))


def _revoked(token: str) -> None:
    ApiToken.objects.update(revoked_at=timezone.now())


def _inactive(token: str) -> None:
    User.objects.filter(api_tokens__isnull=False).update(is_active=False)


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [(_expired, "expired"), (_revoked, "revoked"), (_inactive, "inactive")],
)
def test_a_real_token_refused_is_audited_in_its_agency_with_its_prefix_only(
    client, advocate, spoil, reason
):
    token = issue(advocate)
    spoil(token)
    row = ApiToken.objects.get()
    assert client.get(ME, **bearer(token)).status_code == 401
    [event] = refusals()
    assert event.agency_id == advocate.agency_id
    assert (event.object_type, event.object_id) == ("api_token", str(row.pk))
    assert event.detail == {"reason": reason, "client": HOME, "prefix": token[:8]}
    stored = " ".join(str(v) for v in AuditEvent.objects.values().get(pk=event.pk).values())
    assert token[8:] not in stored


def test_a_right_token_writes_no_refusal(client, advocate):
    assert client.get(ME, **bearer(issue(advocate))).status_code == 200
    assert refusals() == []


def test_a_request_without_a_token_is_not_a_token_failure(client):
    assert client.get(ME).status_code == 401
    assert client.get(ME, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").status_code == 401
    assert refusals() == []
    assert not ApiTokenClient.objects.exists()


# --- Past the limit, the address is blocked ----------------------------------------------


def test_past_the_limit_the_address_gets_429_and_a_right_token_is_refused_too(client, advocate):
    token = issue(advocate)
    fail_until_blocked(client)
    response = client.get(ME, **bearer(UNKNOWN))
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= settings.HAVEN_API_TOKEN_LOCKOUT.total_seconds()
    assert response.json() == {
        "detail": "Too many attempts with a wrong token from this address. Try again in 15 minutes."
    }
    # The right token is refused without being checked: not even its last use is written.
    right = client.get(ME, **bearer(token))
    assert right.status_code == 429
    assert ApiToken.objects.get().last_used_at is None


def test_a_flood_writes_one_event_per_failure_until_the_block_then_only_the_block(client):
    limit = settings.HAVEN_API_TOKEN_FAILURES
    fail_until_blocked(client)
    for _ in range(3 * limit):
        assert client.get(ME, **bearer(UNKNOWN)).status_code == 429
    assert len(refusals()) == limit
    [block] = blocks()
    assert block.agency_id is None
    assert block.detail == {
        "client": HOME,
        "failures": limit,
        "minutes": int(settings.HAVEN_API_TOKEN_LOCKOUT.total_seconds() // 60),
    }


def test_the_block_ends_after_its_time_and_the_count_starts_again(client, advocate):
    token = issue(advocate)
    fail_until_blocked(client)
    assert client.get(ME, **bearer(token)).status_code == 429
    ApiTokenClient.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert client.get(ME, **bearer(token)).status_code == 200
    # One more failure is the first of a new count, not the limit plus one.
    assert client.get(ME, **bearer(UNKNOWN)).status_code == 401
    assert ApiTokenClient.objects.get().failures == 1
    assert len(blocks()) == 1


def test_failures_further_apart_than_the_window_do_not_add_up(client):
    limit = settings.HAVEN_API_TOKEN_FAILURES
    for _ in range(limit - 1):
        client.get(ME, **bearer(UNKNOWN))
    window = settings.HAVEN_API_TOKEN_LOCKOUT
    ApiTokenClient.objects.update(window_started_at=timezone.now() - window - timedelta(seconds=1))
    for _ in range(limit - 1):
        assert client.get(ME, **bearer(UNKNOWN)).status_code == 401
    assert blocks() == []


def test_another_address_is_not_blocked(client, advocate):
    token = issue(advocate)
    fail_until_blocked(client, "203.0.113.9")
    assert client.get(ME, **bearer(token, "203.0.113.9")).status_code == 429
    assert client.get(ME, **bearer(token, "203.0.113.10")).status_code == 200


def test_a_signed_in_session_from_a_blocked_address_still_works(client, client_for, advocate):
    """Only requests that bear a token are refused: a session has its own
    lockout, by user name."""
    fail_until_blocked(client)
    signed_in = client_for(advocate)
    assert signed_in.get(ME, **bearer(UNKNOWN)).status_code == 429
    assert signed_in.get(ME).status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_network(client, advocate):
    token = issue(advocate)
    fail_until_blocked(client, "2001:db8:1:2::1")
    assert client.get(ME, **bearer(token, "2001:db8:1:2::ffff")).status_code == 429
    assert client.get(ME, **bearer(token, "2001:db8:1:3::1")).status_code == 200
    [block] = blocks()
    assert block.detail["client"] == "2001:db8:1:2::/64"


def test_without_a_proxy_a_forwarded_address_changes_nothing(client, advocate):
    """X-Forwarded-For is the client's to write unless a proxy of ours sets it."""
    for n in range(settings.HAVEN_API_TOKEN_FAILURES):
        forged = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert client.get(ME, **bearer(UNKNOWN, **forged)).status_code == 401
    forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.200"}
    assert client.get(ME, **bearer(issue(advocate), **forged)).status_code == 429


def test_behind_a_proxy_each_client_is_counted_by_the_address_it_forwards(
    client, advocate, settings
):
    settings.HAVEN_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    token = issue(advocate)
    fail_until_blocked(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    blocked = client.get(ME, **bearer(token, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"))
    assert blocked.status_code == 429
    other = client.get(ME, **bearer(token, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8"))
    assert other.status_code == 200
    [block] = blocks()
    assert block.detail["client"] == "198.51.100.7"


def test_the_limit_and_its_time_are_those_of_the_settings(client, settings):
    settings.HAVEN_API_TOKEN_FAILURES = 2
    settings.HAVEN_API_TOKEN_LOCKOUT = timedelta(minutes=1)
    assert client.get(ME, **bearer(UNKNOWN)).status_code == 401
    assert client.get(ME, **bearer(UNKNOWN)).status_code == 401
    response = client.get(ME, **bearer(UNKNOWN))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Try again in 1 minute." in response.json()["detail"]
