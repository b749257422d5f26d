"""The privacy screen: one click or Alt+Shift+H covers the page at once."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def assert_hidden(tab, title: str) -> None:
    page = tab.page
    assert page.is_visible("#privacy-screen")
    assert page.is_hidden("#main")
    assert page.is_hidden("header")
    assert page.get_attribute("#main", "aria-hidden") == "true"
    assert page.title() == "…"
    assert title not in page.title()
    assert page.evaluate("document.activeElement.id") == "privacy-reveal"


def assert_shown(tab, title: str) -> None:
    page = tab.page
    assert page.is_hidden("#privacy-screen")
    assert page.is_visible("#main")
    assert page.get_attribute("#main", "aria-hidden") is None
    assert page.title() == title


def test_button_and_shortcut_hide_the_page_and_reveal_restores_it(tab, admin_user):
    tab.sign_in(admin_user.username, admin_user.totp_secret)
    page = tab.page
    title = page.title()
    assert_shown(tab, title)

    page.click("#privacy-toggle")
    assert_hidden(tab, title)
    tab.check()  # the covered page must be accessible too
    page.click("#privacy-reveal")
    assert_shown(tab, title)
    assert page.evaluate("document.activeElement.id") == "privacy-toggle"

    page.keyboard.press("Alt+Shift+H")
    assert_hidden(tab, title)
    page.keyboard.press("Alt+Shift+H")
    assert_shown(tab, title)

    page.keyboard.press("Alt+Shift+H")
    assert_hidden(tab, title)
    page.click("#privacy-reveal")
    assert_shown(tab, title)


def test_shortcut_works_while_typing_and_types_nothing(tab, db):
    tab.visit("/accounts/login/")
    page = tab.page
    title = page.title()
    page.fill("#id_login", "someone")
    page.focus("#id_login")
    page.keyboard.press("Alt+Shift+H")
    assert_hidden(tab, title)
    page.click("#privacy-reveal")
    assert_shown(tab, title)
    assert page.input_value("#id_login") == "someone"
