"""First setup and invitations, end to end in Chromium, each ending with a second factor."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from conftest import totp_now
from haven.accounts import services
from haven.accounts.models import Invitation, Membership, Role, User
from tests.factories import TeamFactory, make_staff

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern meadow copper 7781"


def enrol_totp(tab) -> str:
    """On the activation page: read the secret shown, send the current code."""
    assert tab.path == "/accounts/2fa/totp/activate/", tab.page.url
    secret = tab.page.input_value("#authenticator_secret")
    assert len(secret) >= 16, secret
    tab.submit({"#id_code": totp_now(secret)})
    assert tab.path == "/accounts/2fa/recovery-codes/", tab.page.url
    codes = tab.page.input_value("#recovery_codes").split()
    assert len(codes) >= 8, codes
    return secret


def test_first_administrator_sets_up_enrols_totp_and_signs_in_again(tab, db):
    token = services.setup_link_issue()

    response = tab.visit(f"/setup/{token}/")
    assert response is not None
    assert response.status == 200
    tab.submit(
        {
            "#id_agency_name": "Riverbend Outreach",
            "#id_display_name": "Avery Example",
            "#id_username": "avery.admin",
            "#id_email": "avery.admin@example.org",
            "#id_password1": NEW_PASSWORD,
            "#id_password2": NEW_PASSWORD,
        }
    )
    # Signed in, but nothing but enrolment is open until a second factor exists.
    assert tab.path == "/accounts/2fa/totp/activate/", tab.page.url
    assert "Your agency is ready" in tab.page.inner_text(".messages")
    tab.visit("/")
    assert tab.path == "/accounts/2fa/totp/activate/", tab.page.url

    secret = enrol_totp(tab)
    user = User.objects.get(username="avery.admin")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Membership.objects.filter(user=user, role=Role.ADMIN).exists()

    tab.click_through("nav >> text=Home")
    assert tab.path == "/"
    assert "Welcome, Avery Example" in tab.page.inner_text("h1")
    assert "Riverbend Outreach" in tab.page.inner_text("main")

    tab.sign_out()
    tab.visit("/")
    assert tab.path.startswith("/accounts/login/"), "signed out means signed out"

    # The code used for activation is spent; the next window's code is not.
    tab.sign_in("avery.admin", secret, password=NEW_PASSWORD, offset=1)
    assert "Welcome, Avery Example" in tab.page.inner_text("h1")

    # The setup link was single-use.
    tab.sign_out()
    response = tab.visit(f"/setup/{token}/")
    assert response is not None
    assert response.status == 404
    assert tab.page.inner_text("h1") == "This link cannot be used"


def test_invitation_is_accepted_with_a_password_and_totp(new_browsing, agency):
    TeamFactory(agency=agency, name="Harbor Team")
    admin = make_staff(
        agency=agency, role=Role.ADMIN, username="casey.admin", display_name="Casey Example"
    )
    admin_tab = new_browsing()
    admin_tab.sign_in(admin.username, admin.totp_secret)

    admin_tab.click_through("nav >> text=Staff")
    assert admin_tab.path == "/staff/"
    admin_tab.click_through("main >> text=Invite a staff member")
    assert admin_tab.path == "/staff/invite/"
    page = admin_tab.page
    page.fill("#id_display_name", "Jordan Sample")
    page.fill("#id_username", "jordan.sample")
    page.fill("#id_email", "jordan.sample@example.org")
    page.check("input[name=roles][value=advocate]")
    page.select_option("#id_team", label="Harbor Team")
    admin_tab.click_through("main button[type=submit]")
    assert page.inner_text("h1") == "Invitation link"
    link = page.input_value("#invitation-link")
    assert link.startswith(admin_tab.url("/invitation/")), link

    invited = User.objects.get(username="jordan.sample")
    assert not invited.is_active
    assert Invitation.objects.filter(user=invited, used_at__isnull=True).count() == 1

    newcomer = new_browsing()
    response = newcomer.visit(link.removeprefix(newcomer.base_url))
    assert response is not None
    assert response.status == 200
    assert "jordan.sample" in newcomer.page.inner_text("main")
    newcomer.submit({"#id_password1": NEW_PASSWORD, "#id_password2": NEW_PASSWORD})
    secret = enrol_totp(newcomer)
    newcomer.click_through("nav >> text=Home")
    assert newcomer.path == "/"
    assert "Welcome, Jordan Sample" in newcomer.page.inner_text("h1")
    assert "Advocate — Harbor Team" in newcomer.page.inner_text("main")

    invited.refresh_from_db()
    assert invited.is_active
    assert invited.has_usable_password()
    assert Authenticator.objects.filter(user=invited, type=Authenticator.Type.TOTP).exists()

    # Signing in afresh works with the new password and the enrolled authenticator.
    newcomer.sign_out()
    newcomer.sign_in("jordan.sample", secret, password=NEW_PASSWORD, offset=1)

    # The link was spent: opening it again, from any browser, says so with a 404.
    stranger = new_browsing()
    response = stranger.visit(link.removeprefix(stranger.base_url))
    assert response is not None
    assert response.status == 404
    assert stranger.page.inner_text("h1") == "This link cannot be used"
    assert stranger.page.locator("#id_password1").count() == 0
