"""Lockout after repeated failures, and signing out an idle session, in Chromium."""

from __future__ import annotations

import datetime
import time

import pytest

from haven.accounts.models import Role
from tests.browser.conftest import wait_until
from tests.factories import TEST_PASSWORD, make_staff

pytestmark = pytest.mark.browser

LOCKED_HEADING = "Too many failed attempts"
IDLE_MESSAGE = "You were signed out after a period of inactivity."


def attempt(tab, username: str, password: str):
    """One sign-in attempt from the sign-in form; returns (status, heading) of the answer."""
    if tab.page.locator("main #id_login").count() == 0:
        tab.visit("/accounts/login/")
    response = tab.submit({"#id_login": username, "#id_password": password})
    assert response is not None
    return response.status, tab.page.inner_text("h1")


def fail_until_locked(tab, username: str) -> list[str]:
    """Wrong passwords until the lockout page shows; returns the sign-in errors seen."""
    errors = []
    for number in range(1, 6):
        status, heading = attempt(tab, username, f"wrong password number {number}")
        if heading == LOCKED_HEADING:
            # The fifth failure is the one that reaches the limit.
            assert number == 5, f"locked out after only {number} failures"
            assert status == 429
            break
        assert status == 200
        assert heading == "Sign in"
        errors.append(tab.page.inner_text("main form .errorlist"))
    return errors


def test_lockout_after_five_failures_holds_the_right_password_and_unknown_names(
    new_browsing, agency, settings
):
    user = make_staff(agency=agency, role=Role.INTAKE, username="lee.intake")
    real, fake = new_browsing(), new_browsing()

    real_errors = fail_until_locked(real, user.username)
    assert len(real_errors) == 4
    assert all("not correct" in error for error in real_errors), real_errors
    status, heading = attempt(real, user.username, TEST_PASSWORD)
    assert (status, heading) == (429, LOCKED_HEADING)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"paused for {minutes} minutes" in real.page.inner_text("main")
    # The right password did not sign anyone in.
    real.visit("/")
    assert real.path.startswith("/accounts/login/"), real.page.url
    assert real.page.locator("header >> text=Sign out").count() == 0

    # A name with no account: the same answers, before and at the lockout.
    fake_errors = fail_until_locked(fake, "nobody.by.this.name")
    assert fake_errors == real_errors
    status, heading = attempt(fake, "nobody.by.this.name", TEST_PASSWORD)
    assert (status, heading) == (429, LOCKED_HEADING)
    attempt(real, user.username, TEST_PASSWORD)
    assert fake.page.inner_text("main") == real.page.inner_text("main")
    assert fake.page.title() == real.page.title()


def test_idle_session_is_signed_out_on_the_next_request(tab, admin_user, settings):
    settings.HAVEN_IDLE_TIMEOUT = datetime.timedelta(seconds=3)
    tab.sign_in(admin_user.username, admin_user.totp_secret)
    # The server last saw the user when it served the dashboard.
    served = tab.served_at()
    assert tab.page.get_attribute("body", "data-idle-timeout") == "3"

    # Past the server's idle limit, but before the page's own guard (idle + 2 s).
    wait_until(served + 3.5)
    tab.visit("/me/preferences/")
    assert tab.path.startswith("/accounts/login/"), tab.page.url
    assert IDLE_MESSAGE in tab.page.inner_text(".messages")
    tab.visit("/")
    assert tab.path.startswith("/accounts/login/"), "the session really ended"


def test_idle_session_ends_on_an_htmx_request_too(tab, agency, settings):
    settings.HAVEN_IDLE_TIMEOUT = datetime.timedelta(seconds=3)
    auditor = make_staff(agency=agency, role=Role.AUDITOR, username="jamie.auditor")
    tab.sign_in(auditor.username, auditor.totp_secret)
    tab.visit("/audit/")

    wait_until(tab.served_at() + 3.5)
    tab.page.select_option("#id_action", index=1)
    with tab.page.expect_response(lambda r: r.url.startswith(tab.url("/audit/?"))) as info:
        tab.page.click("main form.filters button[type=submit]")
    assert info.value.status == 204
    assert info.value.headers.get("hx-redirect") == "/accounts/login/"
    # htmx follows HX-Redirect with a full page load.
    tab.page.wait_for_url("**/accounts/login/")
    tab.check()
    assert IDLE_MESSAGE in tab.page.inner_text(".messages")


def test_activity_keeps_the_session_alive(tab, admin_user, settings):
    settings.HAVEN_IDLE_TIMEOUT = datetime.timedelta(seconds=3)
    tab.sign_in(admin_user.username, admin_user.totp_secret)
    started = time.monotonic()
    for step in range(1, 4):
        wait_until(started + 1.5 * step)
        tab.visit("/me/preferences/" if step % 2 else "/")
        assert not tab.path.startswith("/accounts/login/"), f"signed out at step {step}"
    assert time.monotonic() - started > 4, "the whole walk outlasted one idle period"


def test_idle_tab_covers_itself_and_ends_the_session(tab, advocate, settings):
    # An advocate receives no visitor alerts: no banner asks the server on its
    # own, so the tab's own guard is what ends the session.
    settings.HAVEN_IDLE_TIMEOUT = datetime.timedelta(seconds=3)
    tab.sign_in(advocate.username, advocate.totp_secret)
    served = tab.served_at()
    requests: list[str] = []
    tab.page.on("request", lambda request: requests.append(request.url))

    # Nobody touches the tab: haven.js sends it to the session check by itself.
    tab.page.wait_for_url("**/accounts/login/**", timeout=10_000)
    waited = time.monotonic() - served
    assert waited >= 4.9, f"the guard fired {waited:.1f} s after the page came, before idle + 2 s"
    assert tab.url("/accounts/session-check/") in requests
    tab.check()
    assert IDLE_MESSAGE in tab.page.inner_text(".messages")
    tab.visit("/")
    assert tab.path.startswith("/accounts/login/"), "the session really ended"
