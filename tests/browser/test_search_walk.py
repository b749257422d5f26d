"""Finding someone from the dashboard, in at most two actions: type what you
have in the one search box, press Enter. Every action is counted; the name
never reaches the address. All data is synthetic."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import record_intake

pytestmark = pytest.mark.browser

NAME = "Guadalupe Ramírez Soto"


class Actions:
    """The user's actions on a page, counted as they are taken."""

    def __init__(self, tab) -> None:
        self.tab = tab
        self.taken = 0

    def fill(self, selector: str, value: str) -> None:
        self.tab.page.fill(selector, value)
        self.taken += 1

    def press_enter(self, selector: str) -> None:
        with self.tab.navigation():
            self.tab.page.press(selector, "Enter")
        self.taken += 1


def test_from_the_dashboard_a_person_is_found_in_two_actions(tab, advocate, team):
    record_intake(
        actor=advocate,
        team=team,
        legal_name=NAME,
        date_of_birth=date(1987, 3, 14),
        phone="608-555-4821",
    )
    record_intake(actor=advocate, team=team, legal_name="Tomasa Ramires")
    record_intake(actor=advocate, team=team, legal_name="Emilia Cazares Carrera")
    tab.sign_in(advocate.username, advocate.totp_secret)

    for typed in ("ramirez", "Guadalupe", "4821"):
        tab.visit("/")
        actions = Actions(tab)
        actions.fill("main form[role=search] input[name=q]", typed)
        actions.press_enter("main form[role=search] input[name=q]")
        assert actions.taken <= 2
        found = tab.page.locator("#found-exact tbody a")
        assert found.all_inner_texts() == [NAME], typed
        assert tab.path == "/cases/"
        assert typed not in tab.page.url
        assert NAME.split()[0] not in tab.page.url

    # The sound-alike is listed apart, after the exact match.
    assert tab.page.locator("#found-similar").count() == 0
    tab.visit("/")
    actions = Actions(tab)
    actions.fill("main form[role=search] input[name=q]", "ramirez")
    actions.press_enter("main form[role=search] input[name=q]")
    assert tab.page.locator("#found-similar tbody a").all_inner_texts() == ["Tomasa Ramires"]

    # One click more opens the case.
    tab.click_through(f"#found-exact tbody a:has-text('{NAME}')")
    assert tab.path.startswith("/cases/")


def test_a_search_the_case_list_refuses_says_why_in_place(tab, advocate, team):
    """The case list's box asks through HTMX: a refusal (400) is swapped in
    with its reason, not dropped."""
    record_intake(actor=advocate, team=team, legal_name=NAME)
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit("/cases/")
    tab.page.fill("main form[role=search] input[name=q]", "a")
    tab.page.press("main form[role=search] input[name=q]", "Enter")
    summary = tab.page.wait_for_selector("#case-results [data-error-summary]")
    assert "two letters" in summary.inner_text()
    assert tab.page.locator("#case-results table").count() == 0
    assert tab.path == "/cases/"
