"""Attacks on signing in, second factors and sessions that Haven resists.

Attackers: an anonymous visitor at the sign-in page, a departed employee,
someone holding a stolen laptop with a live session, a password-only session.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from conftest import sign_in_for_real, totp_now
from haven.accounts import services
from haven.accounts.models import Role
from haven.audit.models import Action, AuditEvent
from tests.core.test_url_walk import AGENCY_OBJECT, ROUTES, SIGNED_IN
from tests.factories import TEST_PASSWORD, make_staff, record_intake

pytestmark = pytest.mark.django_db

WRONG = "definitely the wrong password"


def _login(client, username, password, **extra):
    return client.post(reverse("account_login"), {"login": username, "password": password}, **extra)


# --- The anonymous attacker at the sign-in page ----------------------------------------


def test_lockout_counts_case_and_whitespace_variants_of_a_name_together(advocate):
    client = Client()
    for variant in ("T-ADVOCATE", " t-advocate", "t-advocate ", "T-Advocate\t", "\u00a0t-advocate"):
        _login(client, variant, WRONG)
    # Five failures in five spellings lock the name: even the right password waits.
    response = _login(Client(), advocate.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, agency=advocate.agency).exists()


@pytest.mark.parametrize(
    "typed", ["Maria Gonzalez", "maria.gonzalez 1990-04-01", "555-0100", "Ana\u0301 Lo\u0301pez"]
)
def test_a_name_typed_in_the_sign_in_box_never_reaches_the_audit_trail(client, db, typed):
    _login(client, typed, WRONG)
    for event in AuditEvent.objects.all():
        stored = " ".join(
            str(v) for v in (event.object_type, event.object_id, event.detail, event.request_id)
        )
        for word in typed.split():
            assert word.lower() not in stored.lower()


OFF_SITE = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "http://testserver@evil.example/",
    " //evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_next_never_leaves_the_site(advocate, target):
    client = Client()
    first = client.post(
        reverse("account_login") + "?next=" + quote(target),
        {"login": advocate.username, "password": TEST_PASSWORD},
    )
    assert first["Location"] == reverse("mfa_authenticate")
    done = client.post(reverse("mfa_authenticate"), {"code": totp_now(advocate.totp_secret)})
    assert done.status_code == 302
    assert done["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_out_and_language_switch_never_redirect_off_site(client_for, advocate, target):
    client = client_for(advocate)
    responses = [
        client.post(reverse("account_logout"), {"next": target}),
        Client().post(reverse("accounts:set_language"), {"language": "es", "next": target}),
        Client().post(reverse("accounts:set_language"), {"language": "es"}, HTTP_REFERER=target),
    ]
    for response in responses:
        assert response.status_code == 302
        assert response["Location"] == "/", response["Location"]


def test_newlines_in_next_are_encoded_not_injected_as_headers(client_for, advocate):
    response = Client().post(
        reverse("accounts:set_language"), {"language": "es", "next": "/x\r\nSet-Cookie: a=b"}
    )
    assert response.status_code == 302
    assert "\n" not in response["Location"]
    assert "\r" not in response["Location"]
    assert "a" not in response.cookies


def test_next_is_escaped_on_the_sign_in_page(client):
    response = client.get(reverse("account_login"), {"next": '/"><script>alert(1)</script>'})
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


def test_unused_allauth_flows_are_not_reachable(client):
    for path in (
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/email/",
        "/accounts/login/code/",
        "/accounts/2fa/webauthn/signup/",
        "/accounts/2fa/webauthn/login/",
        "/admin/",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"username": "x", "email": "x@example.org"}).status_code in {
            403,
            404,
        }, path


def test_session_key_changes_at_each_sign_in_step(advocate):
    client = Client()
    client.get(reverse("account_login"))
    client.session.save()
    anonymous_key = client.session.session_key
    _login(client, advocate.username, TEST_PASSWORD)
    after_password = client.session.session_key
    client.post(reverse("mfa_authenticate"), {"code": totp_now(advocate.totp_secret)})
    signed_in = client.session.session_key
    # allauth keeps its half-done login in the anonymous session; the key
    # changes when the person is really signed in (after the second factor).
    assert signed_in not in {anonymous_key, after_password}
    assert client.get(reverse("desk:dashboard")).status_code == 200
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    # A browser-session cookie: it dies when the browser closes.
    assert not cookie["expires"]
    assert not cookie["max-age"]


# --- CSRF on every state-changing endpoint ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("account_logout", [], {}),
        ("accounts:set_language", [], {"language": "es"}),
        ("accounts:sign_out_everywhere", [], {}),
        ("accounts:staff_deactivate", ["member"], {}),
        ("accounts:staff_detail", ["member"], {"roles": ["admin"]}),
        ("accounts:staff_invite", [], {"display_name": "X", "username": "xx", "email": "x@x.org"}),
        ("accounts:team_create", [], {"name": "CSRF team"}),
        ("accounts:preferences", [], {"language": "es"}),
        ("usersessions_list", [], {}),
        ("account_change_password", [], {"oldpassword": TEST_PASSWORD}),
    ],
)
def test_state_changing_posts_need_the_csrf_token(admin_user, advocate, name, args, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    url = reverse(name, args=[advocate.pk for _ in args])
    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 403
    advocate.refresh_from_db()
    assert advocate.is_active
    assert AuditEvent.objects.count() == before


def test_sign_in_itself_needs_the_csrf_token(advocate):
    client = Client(enforce_csrf_checks=True)
    assert _login(client, advocate.username, TEST_PASSWORD).status_code == 403
    assert client.get(reverse("desk:dashboard")).status_code == 302


def test_the_api_accepts_no_writes(client_for, advocate):
    client = client_for(advocate)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/me", {}, content_type="application/json")
        assert response.status_code == 405


# --- A session with a password but no second factor ------------------------------------

ENROLMENT = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/i18n/")


@pytest.fixture
def password_only(agency, advocate):
    """An administrator (the strongest role) with no second factor, signed in
    through the real sign-in page."""
    user = make_staff(agency=agency, role=Role.ADMIN, mfa=False, username="not-enrolled")
    client = Client()
    assert _login(client, user.username, TEST_PASSWORD).status_code == 302
    return client, user


def test_a_password_only_session_reaches_nothing_but_enrolment(password_only, advocate, team):
    client, _ = password_only
    case = record_intake(actor=advocate, team=team, danger="no", legal_name="Synthetic Walker")
    objects = {"member": advocate, "case": case}
    checked = 0
    for name, route in ROUTES.items():
        # The JSON API answers 403 rather than redirecting: checked below.
        if route.kind not in {SIGNED_IN, AGENCY_OBJECT} or name.startswith(("mfa_", "api:")):
            continue
        url = reverse(name, kwargs=route.kwargs(objects))
        if url.startswith(ENROLMENT):
            continue
        response = getattr(client, route.method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
        checked += 1
    assert checked >= 10
    advocate.refresh_from_db()
    assert advocate.is_active
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/json")


def test_a_password_only_session_cannot_skip_enrolment_with_htmx(password_only):
    client, _ = password_only
    response = client.get(reverse("accounts:staff_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


# --- The departed (deactivated) employee ----------------------------------------------


def test_deactivation_during_sign_in_stops_at_the_second_factor(admin_user, advocate):
    client = Client()
    assert _login(client, advocate.username, TEST_PASSWORD)["Location"] == reverse(
        "mfa_authenticate"
    )
    services.staff_deactivate(actor=admin_user, member=advocate)
    client.post(reverse("mfa_authenticate"), {"code": totp_now(advocate.totp_secret)})
    assert client.get(reverse("desk:dashboard")).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_deactivated_employee_keeps_no_session_and_no_link(admin_user, agency):
    member, token = services.invitation_create(
        actor=admin_user,
        agency=agency,
        username="leaving-soon",
        email="l@example.org",
        display_name="Leaving",
        grants=[services.RoleGrant(role=Role.INTAKE)],
    )
    services.staff_deactivate(actor=admin_user, member=member)
    response = Client().get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 404

    worker = make_staff(agency=agency, role=Role.INTAKE, username="departing")
    web, api = Client(), Client()
    for client in (web, api):
        client.force_login(worker)
        assert client.get(reverse("desk:dashboard")).status_code == 200
    services.staff_deactivate(actor=admin_user, member=worker)
    assert web.get(reverse("desk:dashboard")).status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert _login(Client(), worker.username, WRONG).status_code == 200


# --- Someone with a stolen laptop --------------------------------------------------------


def test_sign_out_everywhere_also_ends_api_sessions(advocate):
    phone, laptop = Client(), Client()
    sign_in_for_real(phone, advocate)
    laptop.force_login(advocate)
    assert laptop.get("/api/v1/me").status_code == 200
    phone.post(reverse("accounts:sign_out_everywhere"))
    assert laptop.get("/api/v1/me").status_code == 401


def test_a_password_change_ends_the_other_sessions(advocate):
    owner = sign_in_for_real(Client(), advocate)
    thief = Client()
    thief.force_login(advocate)
    assert thief.get(reverse("desk:dashboard")).status_code == 200
    owner.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "a brand new passphrase 7",
            "password2": "a brand new passphrase 7",
        },
    )
    assert owner.get(reverse("desk:dashboard")).status_code == 200
    assert thief.get(reverse("desk:dashboard")).status_code == 302


@pytest.mark.parametrize(
    "name", ["mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"]
)
def test_second_factor_changes_on_a_live_session_ask_for_the_password(client_for, advocate, name):
    RecoveryCodes.activate(advocate)
    response = client_for(advocate).get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.parametrize("old", ["", "a guess at the old one"])
def test_changing_the_password_needs_the_current_one(real_client_for, advocate, old):
    client = real_client_for(advocate)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": old,
            "password1": "thief chose this one 1",
            "password2": "thief chose this one 1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("oldpassword")
    advocate.refresh_from_db()
    assert advocate.check_password(TEST_PASSWORD)


def _make_idle(client):
    session = client.session
    session["haven_seen"] -= 16 * 60
    session.save()


def test_an_idle_session_ends_for_htmx_api_and_public_pages_alike(client_for, advocate):
    for call in (
        lambda c: c.get(reverse("accounts:preferences"), HTTP_HX_REQUEST="true"),
        lambda c: c.get("/api/v1/me"),
        lambda c: c.get(reverse("account_login")),
        lambda c: c.get(reverse("accounts:session_check"), HTTP_HX_REQUEST="true"),
    ):
        client = client_for(advocate)
        client.get(reverse("desk:dashboard"))
        _make_idle(client)
        response = call(client)
        assert response.status_code in {204, 302, 401}
        if response.status_code == 204:
            assert response["HX-Redirect"] == reverse("account_login")
        assert client.get(reverse("desk:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED).count() == 4


def test_the_idle_check_page_never_extends_a_session(client_for, advocate):
    client = client_for(advocate)
    client.get(reverse("desk:dashboard"))
    seen = client.session["haven_seen"]
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}, {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}):
        session = client.session
        session["haven_seen"] = seen - 60
        session.save()
        client.get(reverse("accounts:session_check"), **headers)
        client.get(reverse("accounts:session_check") + "?x=1", **headers)
        assert client.session["haven_seen"] == seen - 60
