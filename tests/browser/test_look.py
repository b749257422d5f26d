"""One look on a desk and on a phone: the main pages at 1280 and 390 px wide,
none scrolling sideways on the phone, the menu behind a button there, the
sign-in and second-factor pages in the same frame, and the long language
lists as tick boxes with a filter.

Each page is saved as a screenshot under /tmp/look/ (name-width.png) for a
person to look at; the test asserts what can be measured.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import totp_now
from haven.accounts.models import Membership, Role
from tests.factories import TEST_PASSWORD, TeamFactory, make_staff, record_intake

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/look")  # noqa: S108 (screenshots for a person to look at, not data)


def shoot(tab, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    width = tab.page.viewport_size["width"]
    tab.page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def assert_no_sideways_scroll(tab) -> None:
    wide, window = tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= window, f"{tab.page.url} is {wide}px wide in a {window}px window"


@pytest.fixture
def worker(agency):
    team = TeamFactory(agency=agency, name="Harbor")
    user = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="rowan.advocate")
    Membership.objects.create(user=user, role=Role.INTAKE)
    for name, language, danger in (
        ("Guadalupe Ramírez Soto", "spa", "yes"),
        ("Emilia Cazares Carrera", "spa", "no"),
        ("Abdi Warsame Nuur", "som", "no"),
    ):
        case = record_intake(
            actor=user,
            team=team,
            danger=danger,
            legal_name=name,
            language=language,
            other_languages=("eng",),
        )
    user.last_case = case  # type: ignore[attr-defined]
    return user


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1280", "390"])
def test_main_pages_fit_the_screen_and_share_one_frame(new_browsing, worker, viewport):
    tab = new_browsing(viewport=viewport)
    phone = viewport is PHONE

    tab.visit("/accounts/login/")
    shoot(tab, "sign-in")
    assert tab.page.inner_text("h1") == "Sign in"
    tab.submit({"#id_login": worker.username, "#id_password": TEST_PASSWORD})
    assert tab.path == "/accounts/2fa/authenticate/"
    shoot(tab, "second-factor")
    assert tab.page.inner_text("h1") == "Your authenticator code"
    if phone:
        assert_no_sideways_scroll(tab)
    tab.submit({"#id_code": totp_now(worker.totp_secret)})
    assert tab.path == "/"

    pages = {
        "dashboard": "/",
        "case-list": "/cases/",
        "case": f"/cases/{worker.last_case.pk}/",
        "intake": "/intake/",
        "intake-language": "/intake/language/",
        "person-edit": f"/cases/{worker.last_case.pk}/person/",
    }
    for name, path in pages.items():
        response = tab.visit(path)
        assert response is not None
        assert response.status == 200, path
        shoot(tab, name)
        # Every page links the same icon and stylesheet.
        assert tab.page.locator("link[rel=icon][type='image/svg+xml']").count() == 1
        if phone:
            assert_no_sideways_scroll(tab)
        menu_button = tab.page.locator("header summary")
        home = tab.page.locator("header nav >> text=Home")
        if phone:
            assert menu_button.is_visible()
            assert not home.is_visible()
        else:
            assert not menu_button.is_visible()
            assert home.is_visible()


def test_the_menu_opens_behind_its_button_on_a_phone_by_touch_and_keyboard(new_browsing, worker):
    tab = new_browsing(viewport=PHONE)
    tab.sign_in(worker.username, worker.totp_secret)
    page = tab.page
    cases = page.locator("header nav a", has_text="Cases")
    assert not cases.is_visible()

    page.click("header summary")
    assert cases.is_visible()
    assert page.locator("header .menu__signout button").is_visible()
    assert_no_sideways_scroll(tab)
    shoot(tab, "menu-open")
    tab.check()
    tab.click_through("header nav >> text=Cases")
    assert tab.path == "/cases/"

    # The keyboard: Tab to the button, Enter opens, the links follow it.
    assert not cases.is_visible()
    page.focus("header summary")
    page.keyboard.press("Enter")
    assert cases.is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Home"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert not cases.is_visible()


def test_enrolment_shows_only_what_can_be_used_and_the_codes_lead_on(new_browsing, agency):
    user = make_staff(agency=agency, role=Role.ADVOCATE, mfa=False, username="new.person")
    for viewport in (DESK, PHONE):
        tab = new_browsing(viewport=viewport)
        tab.visit("/accounts/login/")
        tab.submit({"#id_login": user.username, "#id_password": TEST_PASSWORD})
        assert tab.path == "/accounts/2fa/totp/activate/"
        shoot(tab, "enrol")
        assert tab.page.inner_text("h1") == "Set up your second factor"
        # No menu of pages that would only bounce back here; signing out stays.
        assert tab.page.locator("header nav, header summary").count() == 0
        assert tab.page.locator("header a[href='/']").count() == 0
        assert tab.page.locator("header button", has_text="Sign out").is_visible()
        assert_no_sideways_scroll(tab)
    secret = tab.page.input_value("#authenticator_secret")
    tab.submit({"#id_code": totp_now(secret)})
    assert tab.path == "/accounts/2fa/recovery-codes/"
    shoot(tab, "recovery-codes")
    assert_no_sideways_scroll(tab)
    assert len(tab.page.input_value("#recovery_codes").split()) >= 8
    tab.click_through("main a.button >> text=Continue")
    assert tab.path == "/"


def test_long_language_lists_are_tick_boxes_with_the_agencys_languages_first(new_browsing, worker):
    tab = new_browsing(viewport=PHONE)
    tab.sign_in(worker.username, worker.totp_secret)
    tab.visit("/intake/")
    tab.page.check("input[name=danger][value=no]")
    tab.click_through("main button[type=submit]")
    assert tab.path == "/intake/language/"
    page = tab.page

    spoken = page.locator("#id_other_languages")
    # The languages this agency records most lead, under their own heading.
    first = spoken.locator("fieldset").first
    assert first.locator("legend").inner_text() == "Most used here"
    assert first.locator("li").all_inner_texts()[:2] == ["Spanish", "Somali"]
    assert spoken.locator("input[type=checkbox][value=spa]").count() == 1

    # The filter box is there once the script runs; ticked choices stay.
    spoken.locator("input[value=spa]").check()
    page.fill("#id_other_languages_filter", "khm")
    visible = spoken.locator("li:visible").all_inner_texts()
    assert [v.strip() for v in visible] == ["Spanish", "Khmer"]
    page.press("#id_other_languages_filter", "Enter")  # does not send the form
    assert tab.path == "/intake/language/"
    # Letters no language has: only the ticked one stays, and no group is empty.
    page.fill("#id_other_languages_filter", "zzz")
    assert spoken.locator("li:visible").all_inner_texts() == ["Spanish"]
    assert spoken.locator("fieldset:visible").count() == 1
    spoken.locator("input[value=spa]").uncheck()
    page.fill("#id_other_languages_filter", "zzzz")
    assert spoken.locator("[data-choice-none]").is_visible()
    page.fill("#id_other_languages_filter", "")
    assert_no_sideways_scroll(tab)
    shoot(tab, "language-list")
    tab.check()
