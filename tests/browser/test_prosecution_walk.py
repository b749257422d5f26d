"""On a phone (375 px wide), the person's choice about law enforcement in
its two parts: a refusal of both, then a change of mind that opens only the
prosecution; the page says what is open and what is refused, and never
scrolls sideways."""

from __future__ import annotations

import pytest
from django.utils import timezone

from haven.authorities.law import law_contact_record
from haven.protocol.models import LawEnforcementChoice
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def assert_no_sideways_scroll(tab) -> None:
    wide, window = tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= window, f"{tab.page.url} is {wide}px wide in a {window}px window"


def choose(tab, investigation: str, prosecution: str) -> None:
    page = tab.page
    page.check(f"input[name='choice-investigation'][value={investigation}]")
    page.check(f"input[name='choice-prosecution'][value={prosecution}]")
    tab.click_through("form[action$='/law-enforcement/choice/'] button[type=submit]")
    assert page.is_visible("text=The person's choice is recorded.")


def test_a_change_of_mind_opens_only_the_prosecution_on_a_phone(new_browsing, advocate, team):
    case = record_intake(actor=advocate, team=team, legal_name="Guadalupe Ramírez Soto")
    tab = new_browsing(viewport=PHONE)
    page = tab.page
    tab.sign_in(advocate.username, advocate.totp_secret)
    law_page = f"/cases/{case.pk}/law-enforcement/"
    tab.visit(law_page)
    assert_no_sideways_scroll(tab)

    choose(tab, "no", "no")
    badges = "section[aria-labelledby=choice-heading] dd .badge"
    assert page.locator(badges).all_inner_texts() == ["Refused", "Refused"]
    assert page.is_visible("text=The person said no to law enforcement.")

    choose(tab, "no", "yes")
    assert page.locator(badges).all_inner_texts() == ["Refused", "Open: they agree"]
    assert page.is_visible("text=The person said no to police and investigators.")
    latest = LawEnforcementChoice.objects.filter(case=case).latest("at")
    assert (latest.investigation, latest.prosecution) == (False, True)

    # A contact with the prosecutor, logged, shows in the stacked table.
    give_consent(
        actor=advocate, case=case, category="prosecution", purpose="court", kinds=["identity"]
    )
    law_contact_record(
        actor=advocate,
        case=case,
        part="prosecution",
        basis="consent",
        agency_name="Sample County District Attorney (synthetic)",
        contacted_on=timezone.localdate(),
        purpose="A first meeting with the victim-witness coordinator (synthetic)",
    )
    tab.visit(law_page)
    rows = page.locator("section[aria-labelledby=contacts-heading] tbody tr")
    assert rows.count() == 1
    assert "Prosecutors or their victim-witness program" in rows.inner_text()
    assert_no_sideways_scroll(tab)
