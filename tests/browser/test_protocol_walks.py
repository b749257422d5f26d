"""The protocol walked in the browser, as an advocate does it.

A first contact in danger now, in Spanish: 911 called and the police did not
come, the backup plan right there, a safety plan, needs in the person's
order, a Spanish handout printed and explained, the person's no to law
enforcement, the tracker showing where every step stands, and the disclosure
gate refusing a contact on the page and over the API. Then a 16-year-old: the
under-18 warning, the mandated report waiting on the dashboard, closing
refused until the report is recorded, then closing.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep a full-page screenshot of each protocol page, under
protocol/, for review.
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from haven.people.models import Case
from haven.protocol.models import (
    LawEnforcementContact,
    MandatedReport,
    RightsExplained,
)

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")

NAME = "Marisol Ejemplovich"  # synthetic
BACKUP = "Call her cousin Ana (555-0142, synthetic); go to the 24-hour clinic on Sample St."
HANDOUT_TOPIC = "t_visa"
HANDOUT_TITLE = "Una visa para personas dañadas por trabajo o sexo forzado (visa T)"
# What the disclosure gate (haven/consent/gate.py) says while the person refuses.
GATE_REFUSAL = (
    "The person said no to law enforcement. Only a mandated report for a "
    "minor, or a 911 call in imminent danger, can go ahead until they "
    "change their choice."
)


def shot(tab, name: str) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        folder = Path(SHOTS) / "protocol"
        folder.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def case_id_of(tab) -> str:
    match = re.fullmatch(r"/cases/([0-9a-f-]{36})/", tab.path)
    assert match, tab.path
    return match.group(1)


def step_states(tab) -> dict[str, str]:
    """{step: state} of the tracker on the case page, from its data attributes."""
    return tab.page.evaluate(
        """() => Object.fromEntries(
          [...document.querySelectorAll("li[data-step]")].map(
            (row) => [row.dataset.step, row.dataset.state]
          )
        )"""
    )


def open_step(tab, step: str) -> None:
    """Follow the tracker's link to the page where ``step`` is worked."""
    tab.click_through(f"li[data-step={step}] .step__name")


def messages_text(tab) -> str:
    return (
        tab.page.inner_text("main .messages") if tab.page.locator("main .messages").count() else ""
    )


def test_first_contact_in_danger_walks_the_protocol_and_the_gate_holds(tab, advocate, team):
    page = tab.page
    tab.sign_in(advocate.username, advocate.totp_secret)

    # --- Intake: danger first, then language, then who they are. ------------
    tab.visit("/intake/")
    page.check("input[name=danger][value=yes]")
    tab.click_through("main button[type=submit]")
    assert tab.path == "/intake/language/"
    assert page.is_visible("text=call 911")
    page.select_option("#id_language", "spa")
    assert not page.is_checked("#id_interpreter_needed")  # the advocate speaks Spanish
    tab.click_through("main button[type=submit]")
    assert tab.path == "/intake/person/"
    assert page.is_visible("text=call 911")
    page.fill("#id_preferred_name", NAME)
    page.fill("#id_estimated_age", "29")  # an adult: the minors step does not apply
    tab.click_through("main button[type=submit]")
    case_id = case_id_of(tab)
    case_url = f"/cases/{case_id}/"
    assert page.is_visible("text=said they were in immediate danger")
    assert step_states(tab)["safety"] == "in_progress"
    shot(tab, "01-case-after-intake")

    # --- Safety: 911 called, the police did not come. -----------------------
    open_step(tab, "safety")
    assert tab.path == f"/cases/{case_id}/safety/"
    assert page.is_visible("text=Call 911 now, then record what happened below.")
    shot(tab, "02-safety-in-danger-now")
    page.check("input[name='danger-answer'][value=yes]")
    page.check("input[name='danger-called_911']")
    page.check("input[name='danger-outcome'][value=did_not_come]")
    tab.click_through("form[action$='/safety/danger/'] button[type=submit]")
    assert tab.path == f"/cases/{case_id}/safety/"
    backup = page.locator("#backup")
    assert backup.is_visible()
    assert "911 did not help: use the backup plan now" in backup.inner_text()
    assert "There is no backup plan yet" in backup.inner_text()
    shot(tab, "03-safety-911-did-not-help")

    # The prompt leads straight to the backup plan's field.
    page.click("#backup a[href='#id_plan-backup_plan']")
    # Scrolling may be smooth (the look honours reduced motion): wait for it.
    page.wait_for_function(
        """() => {
          const box = document.getElementById("id_plan-backup_plan").getBoundingClientRect();
          return box.top >= 0 && box.top < window.innerHeight;
        }""",
        timeout=3000,
    )
    page.fill("#id_plan-safe_contacts", "Ana, cousin (synthetic)")
    page.fill("#id_plan-code_word", "sunflower")
    page.fill("#id_plan-backup_plan", BACKUP)
    with tab.navigation():
        page.click("form[action$='/safety/plan/'] button[type=submit]")
    assert tab.path == f"/cases/{case_id}/safety/"
    assert page.is_visible("text=Saved as version 1.")
    assert BACKUP in page.inner_text("#backup .backup-plan")
    plan_facts = page.locator(
        "xpath=//dt[normalize-space()='If 911 does not help']/following-sibling::dd[1]"
    )
    assert plan_facts.inner_text().strip() == BACKUP
    shot(tab, "04-safety-plan-saved")

    # --- Needs: three, in the person's own order. ---------------------------
    tab.visit(case_url)
    open_step(tab, "needs")
    assert tab.path == f"/cases/{case_id}/needs/"
    order = ["Shelter", "Medical care", "Immigration"]
    for rank, label in enumerate(order, start=1):
        page.get_by_label(label, exact=True).fill(str(rank))
    shot(tab, "05-needs-ranking")
    tab.click_through("form[action$='/needs/assess/'] button[type=submit]")
    assert tab.path == f"/cases/{case_id}/needs/"
    assert page.is_visible("text=The assessment is saved.")
    # Each row's heading is the need's name, then its kind in a helptext span.
    shown = page.locator("tr[data-need] th[scope=row]").evaluate_all(
        "(cells) => cells.map((th) => th.firstChild.textContent.trim())"
    )
    assert shown == order, shown
    ranks = page.locator("tr[data-need] td:first-child").all_inner_texts()
    assert [r.strip() for r in ranks] == ["1", "2", "3"]
    shot(tab, "06-needs-saved")

    # --- Rights: a Spanish handout printed, and explained in Spanish. -------
    tab.visit(case_url)
    open_step(tab, "rights")
    assert tab.path == f"/cases/{case_id}/rights/"
    assert page.is_visible("text=The person's language: Spanish.")
    shot(tab, "07-rights")
    pdf_link = page.locator(
        f"tr[data-topic={HANDOUT_TOPIC}] a[href$='/{HANDOUT_TOPIC}/spa/handout.pdf']"
    )
    assert pdf_link.count() == 1
    response = page.request.get(tab.url(pdf_link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    text = " ".join(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages).split()
    )
    assert HANDOUT_TITLE in text, text[:500]
    spanish_words = {"usted", "para", "puede", "necesita", "que"}
    assert spanish_words <= set(re.findall(r"\w+", text.lower())), text[:500]
    assert NAME not in text, "a handout names no one"

    assert page.input_value("#id_language") == "spa", "the person's language comes first"
    page.select_option("#id_topic", HANDOUT_TOPIC)
    page.fill("#id_questions", "How long does it take? (synthetic)")
    tab.click_through("form[action$='/rights/explained/'] button[type=submit]")
    assert tab.path == f"/cases/{case_id}/rights/"
    assert page.is_visible("text=Saved: what was explained is on the case.")
    explained = RightsExplained.objects.get(case_id=case_id)
    assert (explained.topic, explained.language) == (HANDOUT_TOPIC, "spa")
    row = page.locator("section[aria-labelledby=explained-heading] tbody tr")
    assert row.count() == 1
    assert "Spanish" in row.inner_text()
    shot(tab, "08-rights-explained")

    # --- Law enforcement: the person says no. -------------------------------
    tab.visit(case_url)
    open_step(tab, "law_enforcement")
    assert tab.path == f"/cases/{case_id}/law-enforcement/"
    shot(tab, "09-law-before")
    page.check("input[name='choice-investigation'][value=no]")
    page.check("input[name='choice-prosecution'][value=no]")
    tab.click_through("form[action$='/law-enforcement/choice/'] button[type=submit]")
    assert page.is_visible("text=The person's choice is recorded.")
    assert page.locator("section[aria-labelledby=choice-heading] dd .badge").all_inner_texts() == [
        "Refused",
        "Refused",
    ]
    shot(tab, "10-law-said-no")

    # --- The tracker: every step where it should be. ------------------------
    tab.visit(case_url)
    assert step_states(tab) == {
        "safety": "done",
        "interpretation": "done",  # Spanish, spoken without an interpreter
        "needs": "done",
        "rights": "in_progress",
        "consent": "not_started",
        "law_enforcement": "done",
        "confidentiality": "not_started",
        "collaboration": "not_started",
        "documentation": "not_started",
        "staff_safety": "not_started",
        "minors": "not_applicable",
    }
    assert page.is_visible("text=The person said no to law enforcement.")
    shot(tab, "11-case-tracker")

    # --- A step set by hand: what stays confidential was explained. ---------
    tab.click_through("li[data-step=confidentiality] a.step-change")
    assert tab.path == f"/cases/{case_id}/protocol/confidentiality/"
    page.check("input[name=state][value=done]")
    shot(tab, "12-step-set-by-hand")
    tab.click_through("main form[method=post] button[type=submit]")
    assert tab.path == case_url
    assert step_states(tab)["confidentiality"] == "done"

    # --- The gate: a contact on the page is refused, nothing recorded. ------
    open_step(tab, "law_enforcement")
    # After the refusal the form does not even offer "the person agreed"...
    assert page.locator("input[name='contact-basis'][value=consent]").count() == 0
    # ...and a tampered form that sends it anyway is refused by the gate.
    page.locator("input[name='contact-basis']").first.evaluate(
        "radio => { radio.value = 'consent'; radio.checked = true; }"
    )
    page.fill("#id_contact-agency_name", "Sample County Sheriff (synthetic)")
    page.fill("#id_contact-contacted_on", timezone.localdate().isoformat())
    response = tab.click_through("form[action$='/law-enforcement/contact/'] button[type=submit]")
    assert response is not None
    assert response.status == 400
    summary = page.locator("section[aria-labelledby=contacts-heading] .error-summary")
    assert GATE_REFUSAL in summary.inner_text()
    assert page.is_visible("text=No contacts logged.")
    assert not LawEnforcementContact.objects.filter(case_id=case_id).exists()
    shot(tab, "12-law-contact-refused")

    # --- The gate over the API: 422 with the same reason. -------------------
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        tab.url(f"/api/v1/cases/{case_id}/law-enforcement/contacts"),
        data={
            "basis": "consent",
            "agency_name": "Sample County Sheriff (synthetic)",
            "contacted_on": timezone.localdate().isoformat(),
        },
        headers={"X-CSRFToken": csrf},
    )
    assert response.status == 422, response.text()
    problems = response.json()["detail"]
    assert [p["msg"] for p in problems] == [GATE_REFUSAL], problems
    assert problems[0]["loc"] == ["body", "basis"]
    assert not LawEnforcementContact.objects.filter(case_id=case_id).exists()


def test_a_sixteen_year_old_needs_the_mandated_report_before_the_case_closes(tab, advocate, team):
    page = tab.page
    tab.sign_in(advocate.username, advocate.totp_secret)

    tab.visit("/intake/")
    page.check("input[name=danger][value=no]")
    tab.click_through("main button[type=submit]")
    page.select_option("#id_language", "eng")
    tab.click_through("main button[type=submit]")
    assert tab.path == "/intake/person/"
    page.fill("#id_preferred_name", "Jordan Samplekid")
    page.fill("#id_estimated_age", "16")
    tab.click_through("main button[type=submit]")
    case_id = case_id_of(tab)
    case_url = f"/cases/{case_id}/"
    assert page.is_visible("text=Under 18 today")
    assert step_states(tab)["minors"] == "in_progress"
    shot(tab, "20-case-minor")

    # The dashboard lists the report waiting, and leads to the case.
    tab.visit("/")
    waiting = page.locator("section[aria-labelledby=next-heading] li[data-kind=report]")
    assert waiting.is_visible()
    assert waiting.locator(f"a[href='{case_url}']").count() == 1
    shot(tab, "21-dashboard-report-waiting")
    tab.click_through(f"li[data-kind=report] a[href='{case_url}']")
    assert tab.path == case_url

    # Closing is refused while the report is open, and says why.
    close_form = f"form[action='/cases/{case_id}/close/']"
    page.select_option(f"{close_form} select[name=reason]", "goals_met")
    tab.click_through(f"{close_form} button[type=submit]")
    assert tab.path == case_url
    assert "record the mandated report before closing the case" in messages_text(tab)
    assert Case.objects.get(pk=case_id).status == Case.Status.OPEN
    shot(tab, "22-close-refused")

    # The mandated-report page: the counties, the report, the young person told.
    open_step(tab, "minors")
    assert tab.path == f"/cases/{case_id}/mandated-report/"
    counties = page.locator("#help-county option").all_inner_texts()
    assert {"Dane", "Milwaukee"} <= set(counties), counties
    shot(tab, "23-report-open")
    page.select_option("#help-county", label="Dane")
    tab.click_through("form.filters button[type=submit]")
    assert page.is_visible("text=The agency has no contacts saved for Dane County yet.")
    assert page.locator("#id_county option:checked").inner_text() == "Dane"

    now = timezone.localtime()
    page.select_option("#id_reported_to_kind", "county")
    page.fill("#id_reported_to", "Dane County child welfare intake line (synthetic)")
    page.check("input[name=method][value=phone]")
    page.fill("#id_reported_at", (now - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_minor_told_at", (now - timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M"))
    shot(tab, "24-report-filled")
    tab.click_through("form[method=post][action$='/mandated-report/'] button[type=submit]")
    assert tab.path == f"/cases/{case_id}/mandated-report/"
    assert page.is_visible("text=The mandated report is recorded.")
    report = MandatedReport.objects.get(case_id=case_id)
    assert report.status == MandatedReport.Status.REPORTED
    assert report.county.name == "Dane"
    assert report.method == "phone"
    assert report.minor_told_at is not None
    shot(tab, "25-report-recorded")

    tab.visit(case_url)
    assert step_states(tab)["minors"] == "done"
    page.select_option(f"{close_form} select[name=reason]", "goals_met")
    tab.click_through(f"{close_form} button[type=submit]")
    assert tab.path == case_url
    assert "The case is closed." in messages_text(tab)
    assert Case.objects.get(pk=case_id).status == Case.Status.CLOSED
    shot(tab, "26-case-closed")

    tab.visit("/")
    assert page.locator("section[aria-labelledby=reports-heading]").count() == 0
