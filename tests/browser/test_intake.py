"""A first contact in the browser: danger first, then language, then identity,
search before create."""

from __future__ import annotations

import pytest

from haven.people.models import Case
from tests.factories import record_intake

pytestmark = pytest.mark.browser


def fact(tab, label: str) -> str:
    """The value the case page shows under ``label``."""
    dd = tab.page.locator(f"xpath=//dt[normalize-space()={label!r}]/following-sibling::dd[1]")
    return dd.inner_text().strip()


def test_first_contact_records_a_person_and_finds_them_again(tab, advocate, team):
    record_intake(actor=advocate, team=team, danger="no", legal_name="Rosalind Achterberg")
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit("/intake/")
    tab.page.check("input[name=danger][value=yes]")
    tab.click_through("main button[type=submit]")

    # Step 2: how to speak with them. The danger warning stays in view.
    assert tab.path == "/intake/language/"
    assert tab.page.is_visible("text=call 911")
    tab.page.select_option("#id_language", "spa")
    tab.page.check("#id_interpreter_needed")
    tab.click_through("main button[type=submit]")

    # Step 3: who they are.
    assert tab.path == "/intake/person/"
    assert tab.page.is_visible("text=call 911")

    # The same name again: the existing record is offered first.
    tab.submit({"#id_legal_name": "rosalind ACHTERBERG"})
    assert tab.page.is_visible("text=This may be someone already recorded")
    assert Case.objects.count() == 1

    tab.submit({"#id_preferred_name": "Ros"})
    assert tab.path.startswith("/cases/")
    assert tab.page.is_visible("text=said they were in immediate danger")
    assert Case.objects.count() == 2
    # What was chosen at step 2 reached the record.
    assert fact(tab, "Language they speak best") == "Spanish"
    assert fact(tab, "Needs an interpreter") == "Yes"

    # The search is posted and swapped in by htmx: no address carries the name.
    tab.visit("/cases/")
    tab.page.fill("#id_q", "Rosalind Achterberg")
    tab.page.click("main form[role=search] button")
    tab.page.wait_for_selector("#case-results caption:has-text('people found')")
    assert tab.page.locator("#case-results tbody a").count() == 2
    assert "Rosalind" not in tab.page.url
    tab.check()
