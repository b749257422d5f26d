"""Every signed-in page in turn, for axe-core and the Content Security Policy,
plus a narrow phone-sized screen, and proof that the checks themselves bite."""

from __future__ import annotations

import pytest

from haven.accounts.models import Membership, Role
from tests.factories import TeamFactory, make_staff

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def assert_fits(tab, width: int) -> None:
    scroll_width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{tab.page.url} is {scroll_width}px wide on a {width}px screen"


def test_every_page_an_administrator_reaches_passes_axe_and_csp(tab, agency):
    team = TeamFactory(agency=agency, name="Lakeside")
    admin = make_staff(agency=agency, role=Role.ADMIN, username="quinn.admin")
    Membership.objects.create(user=admin, role=Role.AUDITOR)
    colleague = make_staff(
        agency=agency, role=Role.SUPERVISOR, team=team, username="sam.supervisor"
    )
    tab.sign_in(admin.username, admin.totp_secret)

    pages = [
        "/staff/",
        f"/staff/{colleague.pk}/",
        "/staff/invite/",
        "/teams/new/",
        "/me/preferences/",
        "/accounts/2fa/",
        "/accounts/sessions/",
        "/accounts/password/change/",
        "/accounts/session-check/",
        "/audit/",
    ]
    for path in pages:
        response = tab.visit(path)
        assert response is not None
        assert response.status == 200, path

    # A form sent back with errors.
    tab.visit("/staff/invite/")
    response = tab.click_through("main button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert tab.page.locator("main .errorlist").count() >= 3

    # The audit filter swaps the table in with htmx, under the same policy.
    tab.visit("/audit/")
    tab.page.select_option("#id_action", index=1)
    with tab.page.expect_response(lambda r: r.url.startswith(tab.url("/audit/?"))) as info:
        tab.page.click("main form.filters button[type=submit]")
    assert info.value.request.headers.get("hx-request") == "true"
    tab.page.wait_for_url("**/audit/?*")
    tab.check()

    # Pages for links and addresses that lead nowhere.
    for path, status in (("/invitation/" + "A" * 43 + "/", 404), ("/no-such-page/", 404)):
        response = tab.visit(path)
        assert response is not None
        assert response.status == status, path


def test_sign_in_page_and_dashboard_fit_a_360_pixel_screen(new_browsing, agency):
    team = TeamFactory(agency=agency, name="Westside")
    user = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="drew.advocate")
    Membership.objects.create(user=user, role=Role.ADMIN)
    tab = new_browsing(viewport=PHONE)

    tab.visit("/accounts/login/")
    assert_fits(tab, 360)
    tab.submit({"#id_login": user.username, "#id_password": "not the password at all"})
    assert tab.page.locator("main .errorlist").count() == 1
    assert_fits(tab, 360)
    tab.sign_in(user.username, user.totp_secret)
    assert_fits(tab, 360)
    tab.visit("/staff/")
    assert_fits(tab, 360)


def test_pages_are_served_with_the_content_security_policy(tab, db):
    response = tab.visit("/accounts/login/")
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_form_posts_carry_this_sites_origin(tab, db):
    """A "no-referrer" policy makes Chromium send "Origin: null" with every form
    post, which Django's CSRF check refuses: no form in Haven would work."""
    tab.visit("/accounts/login/")
    with tab.page.expect_request(lambda r: r.method == "POST") as info:
        response = tab.submit({"#id_login": "nobody.here", "#id_password": "not a password"})
    assert info.value.headers.get("origin") == tab.base_url
    assert response is not None
    assert response.status == 200
    assert tab.page.inner_text("h1") == "Sign in"


def test_csp_recorder_catches_a_violation(tab, db):
    """Proof that the recorder behind every other test is not blind."""
    tab.visit("/accounts/login/")
    tab.page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";
          document.body.append(script);
        }"""
    )
    tab.page.wait_for_function("window.__cspViolations.length > 0")
    assert tab.page.evaluate("window.__inlineRan") is None
    recorded = tab.page.evaluate("window.__cspViolations")
    assert recorded[0]["directive"] == "script-src-elem"
    # Python hears of it twice: from the page's report and from the console.
    tab.page.wait_for_timeout(100)
    assert any(v.get("directive") == "script-src-elem" for v in tab.csp_violations)
    assert any("Content Security Policy" in v.get("console", "") for v in tab.csp_violations)
    with pytest.raises(AssertionError, match="CSP violations"):
        tab.assert_no_csp_violations()
    tab.csp_violations.clear()  # expected here; the fixture would fail the test otherwise


def test_axe_check_catches_a_violation(tab, db):
    """Proof that the accessibility check behind every other test is not blind."""
    tab.visit("/accounts/login/")
    tab.page.evaluate(
        """() => {
          const image = document.createElement("img");
          image.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
          document.querySelector("main").append(image);
        }"""
    )
    with pytest.raises(AssertionError, match=r"image-alt \(critical\).*\n\s+at (#main > )?img\b"):
        tab.check()


def test_the_browser_reads_the_permissions_policy_as_written(tab, db):
    """Chromium denies what the policy denies, leaves security keys to
    Haven's own pages, and finds nothing in the header it does not know."""
    messages: list[str] = []
    tab.page.on("console", lambda message: messages.append(message.text))
    tab.visit("/accounts/login/")
    allowed = tab.page.evaluate(
        """() => Object.fromEntries(
            ["camera", "microphone", "geolocation", "payment", "usb", "fullscreen",
             "publickey-credentials-get", "publickey-credentials-create"]
            .map(f => [f, document.featurePolicy.allowsFeature(f)]))"""
    )
    assert allowed == {
        "camera": False,
        "microphone": False,
        "geolocation": False,
        "payment": False,
        "usb": False,
        "fullscreen": False,
        "publickey-credentials-get": True,
        "publickey-credentials-create": True,
    }
    assert not [m for m in messages if "Permissions-Policy" in m], messages
