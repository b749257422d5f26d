"""The person record in the browser: the three-step intake, editing the person,
restricting a case to named staff, destruction on request, the agency's field
settings, and one form used with the keyboard alone.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep a full-page screenshot of each page for review.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from haven.accounts.models import Role
from haven.people.models import Case, FieldSetting, Person
from tests.factories import make_staff, record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")


def shot(tab, name: str) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fact(tab, label: str) -> str:
    """The value the case page shows under ``label``."""
    dd = tab.page.locator(f"xpath=//dt[normalize-space()={label!r}]/following-sibling::dd[1]")
    return dd.inner_text().strip()


def field_errors(tab, selector: str) -> str:
    """The error text tied to a field (or its fieldset) by aria-describedby,
    as a screen reader announces it with the field."""
    return tab.page.evaluate(
        """(selector) => {
          const field = document.querySelector(selector);
          const holders = [field, field.closest("fieldset")].filter(Boolean);
          const ids = holders.flatMap(
            (el) => (el.getAttribute("aria-describedby") || "").split(" ")
          );
          return ids
            .map((id) => id && document.getElementById(id))
            .filter((el) => el && el.classList.contains("errorlist"))
            .map((el) => el.innerText.trim())
            .join(" ");
        }""",
        selector,
    )


def case_id_of(tab) -> str:
    match = re.fullmatch(r"/cases/([0-9a-f-]{36})/", tab.path)
    assert match, tab.path
    return match.group(1)


def test_three_step_intake_with_an_estimated_age_of_16_warns_under_18(tab, advocate, team):
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit("/intake/")
    shot(tab, "intake-1-danger")
    tab.page.check("input[name=danger][value=no]")
    tab.click_through("main button[type=submit]")

    assert tab.path == "/intake/language/"
    assert tab.page.is_visible("text=Step 2 of 3")
    assert not tab.page.is_visible("text=call 911 now")
    page = tab.page
    page.select_option("#id_language", "som")
    page.fill("#id_dialect", "Maay")
    page.check("#id_interpreter_needed")
    page.select_option("#id_english_ability", "not_well")
    # Tick boxes now, not Ctrl-click lists.
    ticks = {"other_languages": ["arb", "eng"], "reads": ["som"], "writes": ["som", "arb"]}
    for field, codes in ticks.items():
        for code in codes:
            page.check(f"#id_{field} input[value={code}]")
    shot(tab, "intake-2-language")
    tab.click_through("main button[type=submit]")

    assert tab.path == "/intake/person/"
    assert page.is_visible("text=Step 3 of 3")
    assert page.input_value("#id_team") == str(team.pk), "the worker's own team comes first"
    page.fill("#id_preferred_name", "Sahra Testcase")
    page.fill("#id_legal_name", "Sahra Example Testcase")
    page.fill("#id_aliases", "Sari\nS. T.")
    page.fill("#id_estimated_age", "16")
    page.fill("#id_phone", "555-0100")
    page.select_option("#id_call_safety", "safe")
    page.select_option("#id_text_safety", "unsafe")
    page.select_option("#id_voicemail_safety", "unsafe")
    page.fill("#id_contact_notes", "Only after 6 p.m. (synthetic note)")
    shot(tab, "intake-3-person")
    tab.click_through("main button[type=submit]")

    assert tab.path.startswith("/cases/"), tab.path
    assert page.is_visible("text=Recorded. Sent to the")
    assert page.is_visible("text=Under 18 today")
    assert page.inner_text("main h1") == "Sahra Testcase (Sahra Example Testcase)"
    assert fact(tab, "Age, if the date of birth is not known").startswith("16 (estimated on ")
    assert fact(tab, "Language they speak best") == "Somali"
    assert fact(tab, "Dialect") == "Maay"
    assert fact(tab, "Needs an interpreter") == "Yes"
    assert fact(tab, "How well they speak English") == "Not well"
    assert fact(tab, "Other languages they speak") == "English, Arabic"
    assert fact(tab, "Languages they write") == "Somali, Arabic"
    assert fact(tab, "Other names") == "Sari, S. T."
    assert fact(tab, "Is it safe to send a text?") == "Not safe"
    assert fact(tab, "Is it safe to leave a voicemail?") == "Not safe"
    shot(tab, "case-under-18")

    # The wizard is spent: starting over begins at the danger question.
    tab.visit("/intake/person/")
    assert tab.path == "/intake/"


def test_editing_the_person_shows_on_the_case_page(tab, advocate, team):
    case = record_intake(
        actor=advocate, team=team, preferred_name="Lior Sample", text_safety="safe"
    )
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit(f"/cases/{case.pk}/")
    assert fact(tab, "Is it safe to send a text?") == "Safe"
    tab.click_through("main >> text=Change the person's details")
    assert tab.path == f"/cases/{case.pk}/person/"
    assert tab.page.input_value("#id_preferred_name") == "Lior Sample"
    shot(tab, "person-edit")

    tab.page.fill("#id_preferred_name", "Lio Sample")
    tab.page.select_option("#id_text_safety", "unsafe")
    tab.click_through("main button[type=submit]")

    assert tab.path == f"/cases/{case.pk}/"
    assert tab.page.is_visible("text=Saved.")
    assert tab.page.inner_text("main h1") == "Lio Sample"
    assert fact(tab, "Name they want to be called") == "Lio Sample"
    assert fact(tab, "Is it safe to send a text?") == "Not safe"


def test_supervisor_restricts_a_case_and_an_unnamed_advocate_gets_404(
    new_browsing, supervisor, advocate, team, agency
):
    named = make_staff(
        agency=agency,
        role=Role.ADVOCATE,
        team=team,
        username="t-named",
        display_name="Noor Named",
    )
    supervisor.display_name = "Sam Supervisor"
    supervisor.save(update_fields=["display_name"])
    case = record_intake(actor=supervisor, team=team, preferred_name="Kit Sample")

    # The advocate of the same team opens the case while it is unrestricted.
    advocate_tab = new_browsing()
    advocate_tab.sign_in(advocate.username, advocate.totp_secret)
    response = advocate_tab.visit(f"/cases/{case.pk}/")
    assert response is not None
    assert response.status == 200

    tab = new_browsing()
    tab.sign_in(supervisor.username, supervisor.totp_secret)
    tab.visit(f"/cases/{case.pk}/")
    tab.click_through("main >> text=Staff and access")
    assert tab.path == f"/cases/{case.pk}/staff/"
    shot(tab, "case-staff")

    # Restricted to a colleague only: refused, with the reason on the field.
    tab.page.check("#id_restricted")
    tab.page.check("label:has-text('Noor Named') input[name=named_staff]")
    response = tab.click_through("main button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert "Name yourself too" in field_errors(tab, "#id_named_staff")
    assert not Case.objects.get(pk=case.pk).restricted
    shot(tab, "case-staff-error")

    tab.page.check("label:has-text('Sam Supervisor') input[name=named_staff]")
    tab.click_through("main button[type=submit]")
    assert tab.path == f"/cases/{case.pk}/"
    assert tab.page.is_visible("text=Saved.")
    access = fact(tab, "Access")
    assert "Noor Named" in access
    assert "Sam Supervisor" in access
    assert advocate.display_name not in access

    # Not named: the case is now indistinguishable from one that does not exist.
    response = advocate_tab.visit(f"/cases/{case.pk}/")
    assert response is not None
    assert response.status == 404
    assert advocate_tab.page.inner_text("h1") == "Page not found"
    assert "Kit Sample" not in advocate_tab.page.content()
    shot(advocate_tab, "case-restricted-404")
    assert named.pk in set(Case.objects.get(pk=case.pk).named_staff.values_list("pk", flat=True))


def test_destroying_a_record_on_request_needs_the_tick_and_then_is_final(tab, supervisor, team):
    case = record_intake(actor=supervisor, team=team, preferred_name="Ash Sample")
    tab.sign_in(supervisor.username, supervisor.totp_secret)
    tab.visit(f"/cases/{case.pk}/")
    tab.click_through("main >> text=Destroy at the person's request")
    assert tab.path == f"/cases/{case.pk}/destroy/"
    shot(tab, "person-destroy")

    # Without the tick nothing happens, and the box says why.
    response = tab.click_through("main button[type=submit]")
    assert response is not None
    assert response.status == 400
    unticked_error = field_errors(tab, "#id_confirm")
    assert unticked_error, "the refusal is announced with the box"
    assert Person.objects.filter(pk=case.person_id).exists()
    shot(tab, "person-destroy-error")

    # With the keyboard alone: Tab to the box, Space to tick, Tab to the
    # button, Enter to submit.
    page = tab.page
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_confirm":
            break
    else:
        pytest.fail("Tab never reached the confirmation box")
    shot(tab, "person-destroy-focus")
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; })()"
    )
    assert ring, "the focused box shows a focus ring"
    page.keyboard.press("Space")
    assert page.is_checked("#id_confirm")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with tab.navigation():
        page.keyboard.press("Enter")

    assert tab.path == "/cases/"
    assert page.is_visible("text=The record is destroyed")
    assert not Person.objects.filter(pk=case.person_id).exists()
    response = tab.visit(f"/cases/{case.pk}/")
    assert response is not None
    assert response.status == 404

    # Checked last, so the rest of the path is exercised either way: the refusal
    # must say what to do, not Django's generic "This field is required."
    assert "required" not in unticked_error.lower(), unticked_error
    assert "tick" in unticked_error.lower() or "confirm" in unticked_error.lower(), unticked_error


def test_administrator_hides_and_renames_fields_and_the_intake_worker_sees_it(
    new_browsing, admin_user, intake, team
):
    admin_tab = new_browsing()
    admin_tab.sign_in(admin_user.username, admin_user.totp_secret)
    admin_tab.visit("/settings/person-record/")
    shot(admin_tab, "field-settings")
    admin_tab.page.select_option("#id_mode_dialect", FieldSetting.Mode.HIDDEN.value)
    admin_tab.page.fill("#id_label_legal_name", "Name on documents")
    admin_tab.click_through("main button[type=submit]")
    assert admin_tab.path == "/settings/person-record/"
    assert admin_tab.page.is_visible("text=Saved.")
    assert admin_tab.page.input_value("#id_mode_dialect") == "hidden"
    assert admin_tab.page.input_value("#id_label_legal_name") == "Name on documents"

    tab = new_browsing()
    tab.sign_in(intake.username, intake.totp_secret)
    tab.visit("/intake/")
    tab.page.check("input[name=danger][value=unsure]")
    tab.click_through("main button[type=submit]")
    assert tab.path == "/intake/language/"
    assert tab.page.locator("#id_dialect").count() == 0
    assert tab.page.get_by_label("Dialect").count() == 0
    assert "Dialect" not in tab.page.inner_text("main")
    assert tab.page.locator("#id_language").is_visible()
    tab.click_through("main button[type=submit]")

    assert tab.path == "/intake/person/"
    assert tab.page.inner_text("label[for=id_legal_name]") == "Name on documents:"
    assert tab.page.get_by_label("Legal name").count() == 0
    tab.page.select_option("#id_team", label=team.name)
    tab.submit({"#id_legal_name": "Rae Example Sample"})
    # The front desk hands the case on and goes back to the desk.
    assert tab.path == "/", tab.path
    assert tab.page.is_visible("text=Recorded. Sent to the")
    person = Case.objects.latest("created_at").person
    assert not person.dialect
