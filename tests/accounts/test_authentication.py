"""Signing in: password, second factor, lockout, timeouts, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import sign_in_for_real, totp_now
from haven.accounts.models import Role
from haven.audit.models import Action, AuditEvent
from tests.factories import TEST_PASSWORD, make_staff

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def test_wrong_password_gives_a_clear_message_and_no_session(client, advocate):
    response = post_login(client, advocate.username, "wrong password entirely")
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.agency_id == advocate.agency_id
    assert event.object_id == str(advocate.pk)


def test_unknown_user_name_is_audited_without_the_name(client, db):
    response = post_login(client, "someone-typed-a-name", "whatever password")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.agency_id is None
    assert "someone-typed-a-name" not in str(event.detail) + event.object_id


def test_password_then_totp_signs_in(client, advocate):
    sign_in_for_real(client, advocate)
    assert client.get(reverse("desk:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor=advocate).count() == 1


def test_wrong_totp_code_is_refused(client, advocate):
    assert post_login(client, advocate.username, TEST_PASSWORD)["Location"] == reverse(
        "mfa_authenticate"
    )
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert client.get(reverse("desk:dashboard")).status_code == 302


def test_a_totp_code_cannot_be_used_twice(advocate):
    first, second = Client(), Client()
    code = totp_now(advocate.totp_secret)
    post_login(first, advocate.username, TEST_PASSWORD)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    post_login(second, advocate.username, TEST_PASSWORD)
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    # Said as it is: the code was right, and is spent.
    assert "That code was already used." in response.content.decode()
    assert "_auth_user_id" not in second.session


def test_a_recovery_code_cannot_be_used_twice_and_says_so(advocate):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes.activate(advocate).generate_codes()[0]
    first, second = Client(), Client()
    post_login(first, advocate.username, TEST_PASSWORD)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    post_login(second, advocate.username, TEST_PASSWORD)
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "That recovery code was already used" in response.content.decode()
    assert "_auth_user_id" not in second.session


def test_a_rate_limited_code_is_not_compared(advocate, settings):
    # Past the limit the answer is the limit, even for a spent right code:
    # the reuse message must not become a way around the limit.
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "1/m/key"}
    client = Client()
    post_login(client, advocate.username, TEST_PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(advocate.totp_secret)})
    body = response.content.decode()
    assert "already used" not in body
    assert "_auth_user_id" not in client.session


def test_account_without_second_factor_can_only_enrol(client, agency):
    user = make_staff(agency=agency, role=Role.INTAKE, mfa=False, username="no-mfa")
    response = post_login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 302
    for name in ("desk:dashboard", "accounts:preferences", "audit:event_list"):
        assert client.get(reverse(name))["Location"] == reverse("mfa_activate_totp")
    # Enrolment follows the password at once, without asking for it again.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get("/api/v1/me").status_code == 403


def test_lockout_after_five_failures_says_the_same_for_unknown_names(client, advocate):
    for _ in range(5):
        post_login(client, advocate.username, "wrong password entirely")
    locked = post_login(client, advocate.username, TEST_PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed attempts" in locked.content
    for _ in range(5):
        post_login(client, "no-such-person", "wrong password entirely")
    unknown = post_login(client, "no-such-person", "anything at all")
    assert unknown.status_code == 429
    assert b"Too many failed attempts" in unknown.content
    # The fifth failure locks, and each attempt while locked is recorded too.
    known = AuditEvent.objects.filter(action=Action.LOCKED_OUT, object_id=str(advocate.pk))
    assert known.count() == 2
    anonymous = AuditEvent.objects.filter(action=Action.LOCKED_OUT, agency=None)
    assert anonymous.count() == 2


def test_lockout_page_is_the_same_for_known_and_unknown_names(advocate):
    def locked_page(username):
        client = Client()
        for _ in range(5):
            post_login(client, username, "wrong password entirely")
        response = post_login(client, username, "wrong password entirely")
        body = response.content.decode()
        # Strip the per-request tokens before comparing.
        return response.status_code, body.split("<main", 1)[1].split("</main>", 1)[0]

    assert locked_page(advocate.username) == locked_page("nobody-by-this-name")


def test_idle_session_is_signed_out(client_for, advocate, settings, monkeypatch):
    client = client_for(advocate)
    assert client.get(reverse("desk:dashboard")).status_code == 200
    settings.HAVEN_IDLE_TIMEOUT = timedelta(seconds=60)
    session = client.session
    session["haven_seen"] -= 120
    session.save()
    response = client.get(reverse("desk:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    # The browser drops what it kept of the pages.
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get(reverse("desk:dashboard")).status_code == 302
    event = AuditEvent.objects.get(action=Action.SESSION_EXPIRED)
    assert event.detail == {"reason": "idle"}


def test_session_older_than_the_absolute_limit_is_signed_out(client_for, advocate, settings):
    client = client_for(advocate)
    client.get(reverse("desk:dashboard"))
    session = client.session
    session["haven_started"] -= 13 * 3600
    session.save()
    assert client.get(reverse("desk:dashboard"))["Location"] == reverse("account_login")
    assert AuditEvent.objects.get(action=Action.SESSION_EXPIRED).detail == {"reason": "age"}


def test_session_check_does_not_count_as_activity(client_for, advocate):
    client = client_for(advocate)
    client.get(reverse("desk:dashboard"))
    seen = client.session["haven_seen"]
    session = client.session
    session["haven_seen"] = seen - 100
    session.save()
    assert client.get(reverse("accounts:session_check")).status_code == 200
    assert client.session["haven_seen"] == seen - 100


def test_sessions_are_listed_and_ended_everywhere(advocate):
    phone, laptop = Client(), Client()
    sign_in_for_real(phone, advocate)
    laptop.force_login(advocate)
    laptop.get(reverse("desk:dashboard"))
    assert UserSession.objects.filter(user=advocate).count() == 2
    listing = phone.get(reverse("usersessions_list"))
    assert listing.status_code == 200
    response = phone.post(reverse("accounts:sign_out_everywhere"))
    assert response["Location"] == reverse("account_login")
    assert laptop.get(reverse("desk:dashboard")).status_code == 302
    assert phone.get(reverse("desk:dashboard")).status_code == 302
    assert UserSession.objects.filter(user=advocate).count() == 0
    assert not Session.objects.filter(session_key__in=[laptop.session.session_key]).exists()
    assert AuditEvent.objects.filter(action=Action.SESSIONS_ENDED, actor=advocate).count() == 1


def test_where_a_user_is_signed_in_is_kept_without_a_write_per_page(client_for, advocate):
    client = client_for(advocate)
    client.get(reverse("desk:dashboard"))
    tracked = UserSession.objects.get(user=advocate)
    first_seen = tracked.last_seen_at
    # Within the refresh interval, from the same browser: nothing written.
    client.get(reverse("desk:dashboard"))
    tracked.refresh_from_db()
    assert tracked.last_seen_at == first_seen
    # Another browser on the same session is recorded at once.
    client.get(reverse("desk:dashboard"), HTTP_USER_AGENT="Another browser (synthetic)")
    tracked.refresh_from_db()
    assert tracked.user_agent == "Another browser (synthetic)"
    assert tracked.last_seen_at > first_seen
    # And once the interval has passed, the time seen moves on.
    session = client.session
    digest, at = session["haven_tracked"]
    session["haven_tracked"] = [digest, at - 3600]
    session.save()
    before = tracked.last_seen_at
    client.get(reverse("desk:dashboard"), HTTP_USER_AGENT="Another browser (synthetic)")
    tracked.refresh_from_db()
    assert tracked.last_seen_at > before
    # The session store holds a digest, not the address or the browser.
    assert "127.0.0.1" not in str(client.session["haven_tracked"])


def test_adding_a_second_factor_is_audited(client, agency, django_capture_on_commit_callbacks):
    user = make_staff(agency=agency, role=Role.INTAKE, mfa=False, username="enrolling")
    post_login(client, user.username, TEST_PASSWORD)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    # allauth announces the new authenticator once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.MFA_ADDED, actor=user).count() >= 1
    assert client.get(reverse("desk:dashboard")).status_code == 200


def test_wrong_second_factor_codes_are_capped_and_audited(client, advocate):
    post_login(client, advocate.username, TEST_PASSWORD)
    for _ in range(10):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(advocate.totp_secret)})
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert client.get(reverse("desk:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED, agency=advocate.agency).count() == 10


def test_changing_an_existing_second_factor_asks_for_the_password_again(client, advocate):
    first_step = post_login(client, advocate.username, TEST_PASSWORD)
    assert first_step["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_now(advocate.totp_secret)})
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_totp_secrets_are_stored_sealed(advocate):
    from allauth.mfa.models import Authenticator

    stored = Authenticator.objects.get(user=advocate, type=Authenticator.Type.TOTP).data
    assert advocate.totp_secret not in str(stored)
    assert stored["secret"].startswith("hv1:")


def test_enrolling_leads_to_the_recovery_codes_then_on_to_the_dashboard(client, agency):
    import re

    user = make_staff(agency=agency, role=Role.ADVOCATE, mfa=False, username="new.person")
    post_login(client, user.username, TEST_PASSWORD)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    # Only enrolment and signing out are offered: no menu of pages that bounce back.
    assert 'aria-label="Main"' not in page
    assert 'action="/accounts/logout/"' in page
    secret = re.search(r'id="authenticator_secret" value="([^"]+)"', page).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200, "just enrolled: the codes are shown without asking again"
    assert f'<a class="button" href="{reverse("desk:dashboard")}">Continue</a>' in (
        codes.content.decode()
    )
    # Only the codes: replacing the second factor just made, or making new
    # codes, still asks for the password again.
    for name in ("mfa_deactivate_totp", "mfa_generate_recovery_codes"):
        again = client.get(reverse(name))
        assert again.status_code == 302, name
        assert again["Location"].startswith(reverse("account_reauthenticate")), name


def test_second_factor_changes_later_still_ask_again(client, advocate):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(advocate)
    post_login(client, advocate.username, TEST_PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_now(advocate.totp_secret)})
    assert client.get(reverse("desk:dashboard")).status_code == 200
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_signing_out_clears_the_sites_data_and_nothing_else_does(client_for, advocate):
    client = client_for(advocate)
    page = client.get(reverse("desk:dashboard"))
    assert "Clear-Site-Data" not in page
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # A visitor who was never signed in is told nothing of the kind.
    assert "Clear-Site-Data" not in client.get(reverse("account_login"))
