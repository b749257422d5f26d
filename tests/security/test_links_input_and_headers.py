"""One-time links, malformed input and response headers: attacks Haven resists."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from haven.accounts import services
from haven.accounts.models import Invitation, Role, SetupToken, User
from haven.audit.models import AuditEvent
from haven.core.models import Team
from tests.factories import TEST_PASSWORD, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = {"password1": "river stones and maple 9", "password2": "river stones and maple 9"}


def _invite(admin_user, username="newcomer"):
    return services.invitation_create(
        actor=admin_user,
        agency=admin_user.agency,
        username=username,
        email=f"{username}@example.org",
        display_name="New Comer",
        grants=[services.RoleGrant(role=Role.INTAKE)],
    )


# --- One-time links --------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["%00", "A" * 5000, "%F0%9F%92%A9", "%ED%A0%80", "..%2F..%2Fstaff", "'%20OR%201=1--"],
)
@pytest.mark.parametrize("kind", ["setup", "invitation"])
def test_odd_link_tokens_are_a_plain_404(client, admin_user, kind, token):
    _invite(admin_user)
    services.setup_link_issue()
    response = client.get(f"/{kind}/{token}/")
    assert response.status_code == 404
    response = client.post(f"/{kind}/{token}/", PASSWORD)
    assert response.status_code == 404
    assert not User.objects.filter(is_active=True).exclude(pk=admin_user.pk).exists()


def test_a_pending_setup_link_dies_once_an_administrator_exists(client, agency):
    token = services.setup_link_issue()
    make_staff(agency=agency, role=Role.ADMIN, username="first-admin")
    response = client.post(
        reverse("accounts:setup", args=[token]),
        {
            "agency_name": "Hijacked",
            "display_name": "X",
            "username": "hijacker",
            "email": "h@example.org",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="hijacker").exists()


def test_a_new_setup_link_kills_the_old_one(client):
    old = services.setup_link_issue()
    services.setup_link_issue()
    assert client.get(reverse("accounts:setup", args=[old])).status_code == 404
    assert SetupToken.objects.filter(used_at__isnull=True).count() == 2  # one of them expired


def test_opening_or_mistyping_an_invitation_does_not_spend_it(client, admin_user):
    member, token = _invite(admin_user)
    url = reverse("accounts:invitation_accept", args=[token])
    assert client.get(url, follow=True).status_code == 200
    assert client.post(url, {"password1": "abc", "password2": "xyz"}).status_code == 400
    assert Invitation.objects.get(user=member).used_at is None
    assert client.post(url, PASSWORD).status_code == 302
    assert Client().post(url, PASSWORD).status_code == 404


def test_accepting_an_invitation_in_an_admins_browser_ends_the_admins_session(
    client_for, admin_user
):
    _, token = _invite(admin_user)
    client = client_for(admin_user)
    client.post(reverse("accounts:invitation_accept", args=[token]), PASSWORD)
    # The browser now holds only the newcomer, who must enrol first.
    response = client.get(reverse("accounts:staff_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_invitation_links_ignore_the_host_header(client_for, admin_user, settings):
    client = client_for(admin_user)
    response = client.post(
        reverse("accounts:staff_invite"),
        {
            "display_name": "X Y",
            "username": "xy-user",
            "email": "xy@example.org",
            "roles": ["intake"],
        },
        HTTP_HOST="localhost",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert response.status_code == 200
    link = re.search(rb'value="([^"]+/invitation/[^"]+)"', response.content).group(1).decode()
    assert link.startswith(settings.HAVEN_BASE_URL.rstrip("/") + "/invitation/")


# --- Malformed input: a clear 4xx, nothing changed ------------------------------------


@pytest.fixture
def admin_client(client_for, admin_user):
    client = client_for(admin_user)
    client.raise_request_exception = False
    return client


def test_huge_and_odd_ids_are_404_or_400(admin_client, advocate):
    for path in ("/staff/99999999999999999999999/", "/staff/0/", "/staff/-1/", "/staff/1e3/"):
        assert admin_client.get(path).status_code == 404, path
    before = sorted(advocate.memberships.values_list("role", "team_id"))
    for team in ("99999999999999999999999", "-1", "1.5", "abc", "\x00"):
        response = admin_client.post(
            reverse("accounts:staff_detail", args=[advocate.pk]),
            {"roles": ["advocate"], "team": team},
        )
        assert response.status_code == 400, team
    assert sorted(advocate.memberships.values_list("role", "team_id")) == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("accounts:team_create", {"name": "a\x00b"}),
        ("accounts:team_create", {"name": "   "}),
        ("accounts:team_create", {"name": "x" * 201}),
        (
            "accounts:staff_invite",
            {
                "display_name": "N\x00",
                "username": "nul-user",
                "email": "n@x.org",
                "roles": ["intake"],
            },
        ),
        (
            "accounts:staff_invite",
            {"display_name": "N", "username": "T-ADMIN", "email": "n@x.org", "roles": ["intake"]},
        ),
        (
            "accounts:staff_invite",
            {"display_name": "N", "username": "new-user", "email": "n@x.org", "roles": ["root"]},
        ),
        ("accounts:preferences", {"language": "../../etc"}),
    ],
)
def test_malformed_form_posts_are_refused_and_change_nothing(admin_client, name, data):
    before = (AuditEvent.objects.count(), User.objects.count(), Team.objects.count())
    response = admin_client.post(reverse(name), data)
    assert response.status_code == 400
    assert (AuditEvent.objects.count(), User.objects.count(), Team.objects.count()) == before


def test_undecodable_bytes_and_foreign_content_types_are_not_a_500(admin_client):
    for body, content_type in (
        (b"name=%ED%A0%80%FF", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b'{"name": "JSON team"}', "application/json"),
        (b"--x\r\nbroken multipart", "multipart/form-data; boundary=x"),
    ):
        response = admin_client.post(
            reverse("accounts:team_create"), body, content_type=content_type
        )
        # Undecodable bytes become U+FFFD (a harmless name); the rest are refused.
        assert response.status_code in {302, 400}, (body, response.status_code)
    assert not Team.objects.filter(name="JSON team").exists()


def test_sign_in_survives_odd_input(db):
    client = Client(raise_request_exception=False)
    url = reverse("account_login")
    for data in (
        {"login": "a\x00b", "password": "p\x00"},
        {"login": "x" * 100_000, "password": "p" * 100_000},
        {"login": ["a", "b"], "password": ["p", "q"]},
        {"login": "\u202eevil\u200b", "password": "x"},
        {},
    ):
        assert client.post(url, data).status_code == 200
    assert client.post(url, b"\x00\xff", content_type="application/json").status_code < 500


def test_wrong_methods_are_405(admin_client, advocate):
    for method in ("put", "patch", "delete", "options"):
        for url in (
            reverse("accounts:staff_detail", args=[advocate.pk]),
            reverse("accounts:staff_deactivate", args=[advocate.pk]),
            reverse("accounts:sign_out_everywhere"),
            reverse("accounts:set_language"),
        ):
            assert getattr(admin_client, method)(url).status_code == 405, (method, url)
    advocate.refresh_from_db()
    assert advocate.is_active


def test_odd_headers_are_not_a_500(db):
    client = Client(raise_request_exception=False)
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    response = client.get(reverse("account_login"), HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert (
        client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="x" * 10_000).status_code == 200
    )
    client.cookies["django_language"] = "../../../../etc/passwd"
    assert client.get(reverse("account_login")).status_code == 200
    assert client.get(reverse("account_login"), HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"actor": "99999999999999999999999"},
        {"actor": "\x00"},
        {"action": "x" * 10_000},
        {"since": "2026-02-30"},
        {"before": "0"},
    ],
)
def test_audit_filters_refuse_odd_values_with_a_400(client_for, auditor, query):
    client = client_for(auditor)
    client.raise_request_exception = False
    assert client.get(reverse("audit:event_list"), query).status_code == 400


# --- Response headers and the content security policy ----------------------------------

INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\sstyle=|\son[a-z]+=", re.I
)


def test_security_headers_on_pages_errors_and_the_api(client_for, advocate):
    anonymous = Client(raise_request_exception=False)
    signed_in = client_for(advocate)
    csrf = Client(enforce_csrf_checks=True)
    responses = {
        "sign-in": anonymous.get(reverse("account_login")),
        "404": anonymous.get("/no/such/page/"),
        "400": anonymous.get("/", HTTP_HOST="evil.example"),
        "403 csrf": csrf.post(reverse("account_login"), {}),
        "dashboard": signed_in.get(reverse("desk:dashboard")),
        "api": signed_in.get("/api/v1/me"),
        "api 401": anonymous.get("/api/v1/me"),
    }
    for name, response in responses.items():
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["Referrer-Policy"] in {"no-referrer", "same-origin"}, name
        policy = response.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy, name
        assert "unsafe-inline" not in policy, name


def test_no_inline_script_style_or_handlers_on_any_page(agency, admin_user, advocate):
    from conftest import sign_in_for_real

    enrolling = make_staff(agency=agency, role=Role.INTAKE, mfa=False, username="enrolling")
    fresh = Client()
    fresh.post(reverse("account_login"), {"login": enrolling.username, "password": TEST_PASSWORD})
    admin = sign_in_for_real(Client(), admin_user)
    pages = [
        (fresh, "mfa_activate_totp", []),
        (fresh, "mfa_add_webauthn", []),
        (fresh, "mfa_index", []),
        (admin, "mfa_index", []),
        (admin, "mfa_deactivate_totp", []),
        (admin, "usersessions_list", []),
        (admin, "account_change_password", []),
        (admin, "accounts:staff_list", []),
        (admin, "accounts:staff_detail", [advocate.pk]),
        (admin, "accounts:staff_invite", []),
        (admin, "accounts:team_create", []),
        (admin, "accounts:preferences", []),
        (admin, "accounts:session_check", []),
        (admin, "desk:dashboard", []),
        (admin, "account_logout", []),
        (Client(), "account_login", []),
        (Client(), "account_inactive", []),
    ]
    for client, name, args in pages:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        found = INLINE.findall(response.content.decode())
        assert found == [], (name, found)
