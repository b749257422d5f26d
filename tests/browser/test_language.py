"""Switching to Spanish, before sign-in and on the profile.

The Spanish catalogue of Haven's own strings may still be incomplete, so these
tests assert on ``<html lang>`` and on strings Django and allauth translate.
"""

from __future__ import annotations

import pytest

from haven.accounts.models import Role
from tests.factories import make_staff

pytestmark = pytest.mark.browser


def html_lang(tab) -> str:
    return tab.page.get_attribute("html", "lang") or ""


def test_footer_switch_turns_the_sign_in_page_spanish(tab, db):
    tab.visit("/accounts/login/")
    assert html_lang(tab) == "en"
    assert tab.page.inner_text("label[for=id_password]").startswith("Password")

    tab.page.select_option("#footer-language", "es")
    tab.click_through("footer button[type=submit]")
    assert tab.path == "/accounts/login/"
    assert html_lang(tab) == "es"
    assert tab.page.input_value("#footer-language") == "es"
    # allauth's own label, from its Spanish catalogue.
    assert tab.page.inner_text("label[for=id_password]").startswith("Contraseña")

    tab.visit("/accounts/login/")
    assert html_lang(tab) == "es", "the choice is remembered"


def test_language_chosen_in_my_account_follows_the_user(tab, agency):
    user = make_staff(agency=agency, role=Role.ADMIN, username="riley.admin")
    tab.sign_in(user.username, user.totp_secret)
    assert html_lang(tab) == "en"

    tab.click_through("nav >> text=My account")
    assert tab.path == "/me/preferences/"
    tab.page.select_option("#id_language", "es")
    tab.click_through("main form:has(#id_language) button[type=submit]")
    assert tab.path == "/me/preferences/"
    assert html_lang(tab) == "es"
    assert tab.page.input_value("#id_language") == "es"
    user.refresh_from_db()
    assert user.language == "es"

    for path in ("/", "/staff/", "/accounts/2fa/"):
        tab.visit(path)
        assert html_lang(tab) == "es", path

    tab.sign_out()
    assert html_lang(tab) == "es", "the sign-in page follows the last choice"

    # Without any cookie the sign-in page is English again; signing in brings
    # Spanish back from the profile alone.
    tab.page.context.clear_cookies()
    tab.visit("/accounts/login/")
    assert html_lang(tab) == "en"
    tab.sign_in(user.username, user.totp_secret, offset=1)
    assert html_lang(tab) == "es"
    tab.visit("/me/preferences/")
    assert html_lang(tab) == "es"

    # The footer switch, signed in, also updates the profile.
    tab.page.select_option("#footer-language", "en")
    tab.click_through("footer button[type=submit]")
    assert tab.path == "/me/preferences/"
    assert html_lang(tab) == "en"
    user.refresh_from_db()
    assert user.language == "en"
