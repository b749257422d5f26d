"""Confirmed vulnerabilities: every test here FAILS against the current code
and passes once the weakness is fixed. See the security report for details.

Nothing is marked xfail on purpose: a red test is the reminder.
"""

from __future__ import annotations

import logging

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import totp_now
from haven.accounts import selectors, services
from haven.accounts.models import Role, User
from haven.audit.models import Action, AuditEvent
from haven.core.models import Agency
from tests.factories import TEST_PASSWORD, make_staff

pytestmark = pytest.mark.django_db

NEW_PASSWORD = {"password1": "river stones and maple 9", "password2": "river stones and maple 9"}


def _login(client, username, password):
    return client.post(reverse("account_login"), {"login": username, "password": password})


# --- 1. Live link secrets are written to the application log -------------------------


def _invitation_url(admin_user):
    _, token = services.invitation_create(
        actor=admin_user,
        agency=admin_user.agency,
        username="newcomer",
        email="new@example.org",
        display_name="New Comer",
        grants=[services.RoleGrant(role=Role.INTAKE)],
    )
    return token, reverse("accounts:invitation_accept", args=[token])


def _setup_url():
    token = services.setup_link_issue()
    return token, reverse("accounts:setup", args=[token])


@pytest.mark.parametrize("link", ["invitation", "setup"])
def test_a_mistyped_password_does_not_write_the_live_link_secret_to_the_log(
    client, agency, caplog, link
):
    """A 400 (password too short, the commonest mistake) makes django.request log
    "Bad Request: /invitation/<token>/". The token is still valid: whoever reads
    the logs can claim the account (or, for setup, the whole installation)."""
    if link == "invitation":
        admin = make_staff(agency=agency, role=Role.ADMIN, username="t-admin")
        token, url = _invitation_url(admin)
        data = {"password1": "short", "password2": "short"}
    else:
        token, url = _setup_url()
        data = {"agency_name": "A", "display_name": "B", "username": "bb", "email": "x"}
    with caplog.at_level(logging.DEBUG):
        response = client.post(url, data)
    assert response.status_code == 400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged, "a live link secret reached the log"


# --- 2. Audit date filter: out-of-range dates crash the page ---------------------------


@pytest.mark.parametrize(
    ("time_zone", "query"),
    [
        ("America/Chicago", {"until": "9999-12-31"}),
        ("Asia/Tokyo", {"since": "0001-01-01"}),
    ],
)
def test_extreme_dates_on_the_audit_page_are_a_400_not_a_500(
    client_for, auditor, settings, time_zone, query
):
    settings.TIME_ZONE = time_zone
    client = client_for(auditor)
    client.raise_request_exception = False
    response = client.get(reverse("audit:event_list"), query)
    assert response.status_code < 500, response.status_code


# --- 3. Setup with a user name that is already taken crashes --------------------------


def test_setup_with_a_taken_user_name_is_a_400_not_a_500(capsys):
    """``create_agency`` leaves an invited (inactive) administrator, so no active
    administrator exists and the setup link still works. Choosing that user name
    on the setup page raises IntegrityError (500) instead of a form error."""
    call_command("create_agency", "First Agency", admin_username="pat", admin_email="p@x.org")
    capsys.readouterr()
    token = services.setup_link_issue()
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("accounts:setup", args=[token]),
        {
            "agency_name": "Second Agency",
            "display_name": "Someone",
            "username": "pat",
            "email": "someone@example.org",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 400, response.status_code
    assert not Agency.objects.filter(name="Second Agency").exists()


# --- 4. The name typed in the sign-in box is stored in clear by axes -----------------


def test_a_name_typed_in_the_sign_in_box_is_not_stored_anywhere(client, advocate):
    """The audit trail records no unknown name (ADR 0004), but axes keeps it in
    axes_accessattempt.username and .post_data ("login=Maria Gonzalez")."""
    _login(client, "Maria Gonzalez", "not the password at all")
    stored = []
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for row in model.objects.values():
            stored.extend(str(value) for value in row.values())
    assert not any("maria" in value.lower() for value in stored), stored


# --- 5. A deactivated account answers differently when its password is right ----------


def test_deactivated_account_with_the_right_password_looks_like_a_wrong_password(
    admin_user, advocate
):
    services.staff_deactivate(actor=admin_user, member=advocate)
    wrong = _login(Client(), advocate.username, "certainly not the password")
    right = _login(Client(), advocate.username, TEST_PASSWORD)
    # Today: wrong -> 200 with an error, right -> 302 to /accounts/inactive/:
    # a departed employee (or anyone) learns the password still matches.
    assert right.status_code == wrong.status_code
    assert right.get("Location") != reverse("account_inactive")


# --- 6. Signed-in pages may be kept by the browser cache -----------------------------


def _pages(client, admin_user, advocate):
    yield "staff list", client.get(reverse("accounts:staff_list"))
    yield "staff member", client.get(reverse("accounts:staff_detail", args=[advocate.pk]))
    yield "dashboard", client.get(reverse("desk:dashboard"))
    yield "API me", client.get("/api/v1/me")
    yield (
        "invitation link page (a live secret)",
        client.post(
            reverse("accounts:staff_invite"),
            {
                "display_name": "New Person",
                "username": "new-person",
                "email": "np@example.org",
                "roles": ["intake"],
            },
        ),
    )


def test_signed_in_pages_are_never_stored_by_the_browser(client_for, admin_user, advocate):
    """A shared front-desk computer or a stolen laptop keeps cached copies of the
    staff list and of the one-time invitation link after sign-out."""
    client = client_for(admin_user)
    missing = []
    for name, response in _pages(client, admin_user, advocate):
        assert response.status_code == 200, name
        if "no-store" not in response.get("Cache-Control", ""):
            missing.append(name)
    assert missing == [], f"no 'Cache-Control: no-store' on: {missing}"


# --- 7. MFA and login-by-default decided on request.path, not path_info ------------------


@pytest.fixture
def password_only_admin(agency):
    """An administrator who has typed a password but has no second factor yet."""
    user = make_staff(agency=agency, role=Role.ADMIN, mfa=False, username="no-second-factor")
    client = Client(raise_request_exception=False)
    _login(client, user.username, TEST_PASSWORD)
    assert client.get(reverse("accounts:staff_list")).status_code == 302
    return client


def test_script_name_prefix_does_not_lift_the_second_factor_requirement(password_only_admin):
    """The middlewares test ``request.path`` (SCRIPT_NAME + PATH_INFO) while URLs
    resolve on PATH_INFO. gunicorn takes SCRIPT_NAME from a ``SCRIPT_NAME`` request
    header sent through a same-host proxy (its default forwarded_allow_ips), so a
    request for /staff/ with SCRIPT_NAME=/accounts/2fa skips MfaRequiredMiddleware."""
    page = password_only_admin.get("/staff/", SCRIPT_NAME="/accounts/2fa")
    api = password_only_admin.get("/api/v1/me", SCRIPT_NAME="/accounts/2fa")
    assert page.status_code == 302, page.status_code
    assert "totp/activate" in page["Location"]
    assert api.status_code == 403, api.content


def test_script_name_prefix_does_not_lift_login_by_default():
    """With SCRIPT_NAME=/api an anonymous visitor passes LoginRequiredMiddleware:
    the idle page renders, and views that assume a user crash with a 500."""
    client = Client(raise_request_exception=False)
    for path in ("/accounts/session-check/", "/", "/staff/"):
        response = client.get(path, SCRIPT_NAME="/api")
        assert response.status_code == 302, (path, response.status_code)
        assert "/accounts/login/" in response["Location"]


# --- 8. Check-then-act on a stale account: an invitation for an enrolled account -----


def test_reinvite_racing_an_acceptance_cannot_take_over_an_enrolled_account(agency, admin_user):
    """staff_reinvite reads the member, then invitation_renew checks that stale
    object; invitation_accept never re-checks the account. If the invitee accepts
    between the two (two requests in flight), the admin receives a working link
    for an active, enrolled account. Using it replaces the password and signs in
    with NO second factor (the account has TOTP, so the MFA middleware is happy)."""
    member, first_link = services.invitation_create(
        actor=admin_user,
        agency=agency,
        username="newcomer",
        email="new@example.org",
        display_name="New Comer",
        grants=[services.RoleGrant(role=Role.INTAKE)],
    )
    # The admin's "make a new link" request has loaded the member...
    stale = selectors.staff_get(user=admin_user, pk=member.pk)
    # ...meanwhile the invitee accepts and enrols a second factor...
    invitee = Client()
    invitee.post(reverse("accounts:invitation_accept", args=[first_link]), NEW_PASSWORD)
    TOTP.activate(User.objects.get(pk=member.pk), generate_totp_secret())
    # ...and the admin's request carries on with what it read.
    try:
        second_link = services.invitation_renew(actor=admin_user, user=stale)
    except ValidationError:
        second_link = None
    attacker = Client()
    if second_link is not None:
        response = attacker.post(
            reverse("accounts:invitation_accept", args=[second_link]),
            {"password1": "attacker picked this 77", "password2": "attacker picked this 77"},
        )
        assert response.status_code == 404
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD["password1"])
    assert attacker.get(reverse("desk:dashboard")).status_code == 302


# --- 9. Failed sign-ins typed in another case escape the agency's audit trail ------------


def test_failed_sign_in_in_another_case_is_recorded_against_the_account(client, advocate):
    """allauth and axes fold case ("T-Advocate" is the advocate, and counts toward
    the lockout), but the audit receiver matches exactly, so the failure goes to
    the installation chain with no account: the agency's auditor never sees it."""
    _login(client, "T-Advocate", "a guessed password 1")
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.agency_id == advocate.agency_id
    assert event.object_id == str(advocate.pk)


# --- 10. Adding a second factor is audited after the commit, not with it -------------------


def test_adding_a_second_factor_is_audited_in_the_same_transaction(
    client, agency, django_capture_on_commit_callbacks
):
    """allauth sends authenticator_added from transaction.on_commit for TOTP, so the
    MFA_ADDED event is written in a later transaction; if that write fails (a
    locked database, a crash) the new second factor stays with no audit event."""
    user = make_staff(agency=agency, role=Role.INTAKE, mfa=False, username="enrolling")
    _login(client, user.username, TEST_PASSWORD)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    # Still inside the request's transaction: the change exists, so must its event.
    assert AuditEvent.objects.filter(action=Action.MFA_ADDED, actor=user).exists()


# --- 11. Any client chooses the request id stored in the audit trail ---------------------


def test_a_client_cannot_choose_the_request_id_written_to_the_audit_trail(
    client_for, advocate, settings
):
    """X-Request-ID is accepted from anyone (no proxy configured), so a user can
    stamp their audited actions with another request's id, or one id for all."""
    settings.HAVEN_PROXY_COUNT = 0
    forged = "0123456789abcdef" * 2
    client_for(advocate).post(
        reverse("accounts:preferences"), {"language": "es"}, HTTP_X_REQUEST_ID=forged
    )
    event = AuditEvent.objects.get(action=Action.LANGUAGE_CHANGED)
    assert event.request_id != forged
