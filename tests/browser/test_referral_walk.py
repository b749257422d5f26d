"""A referral walked in the browser, from one agency to another on the same Haven.

An advocate of agency A records a person's need for shelter, finds the
partners in A's directory that list it (a shelter that is itself agency B on
this installation, and not a legal aid program that does not), and tries to
refer: the disclosure gate refuses, because the person has not consented.
The advocate records the consent (given aloud before a witness, explained in
Spanish through an interpreter) and sends the referral with only the two
kinds of information it covers. An advocate of agency B finds it in
"Referrals to us", reads exactly the consented fields (the name and the
need, never the phone number), accepts it and completes it. Back at A the
referral is completed, the need met, and the tracker's "Working with
partners" step done.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep a full-page screenshot of each page, under
referrals/, for review.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from haven.accounts.models import Role
from haven.consent.models import Consent, Disclosure
from haven.partners.models import Language, Organization, PartnerKind, Service
from haven.protocol.models import Need, NeedCategory, NeedStatus
from haven.referrals.models import Referral, ReferralStatus
from tests.factories import TeamFactory, make_staff, record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")

NAME = "Lucía Muestrareza"  # synthetic
PHONE = "608-555-0199"  # synthetic
SHELTER_NAME = "Sample Shelter (synthetic)"
SHELTER_SERVICE = "Emergency shelter beds (synthetic)"
LEGAL_NAME = "Sample Legal Aid (synthetic)"
LEGAL_SERVICE = "Immigration legal help (synthetic)"
INTERPRETER = "Certified interpreter (synthetic)"
WITNESS = "Second advocate (synthetic)"
OUTCOME = "A bed for 30 days, then transitional housing (synthetic)."
# What the disclosure gate (haven/consent/gate.py) says with no consent at all.
GATE_REFUSAL = "No consent is recorded for this person."


def shot(tab, name: str) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        folder = Path(SHOTS) / "referrals"
        folder.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def step_states(tab) -> dict[str, str]:
    """{step: state} of the tracker on the case page, from its data attributes."""
    return tab.page.evaluate(
        """() => Object.fromEntries(
          [...document.querySelectorAll("li[data-step]")].map(
            (row) => [row.dataset.step, row.dataset.state]
          )
        )"""
    )


def need_row_status(tab, label: str) -> str:
    """The "Where it stands" cell's first line for the need called ``label``."""
    row = tab.page.locator("tr[data-need]").filter(
        has=tab.page.locator("th[scope=row]", has_text=label)
    )
    assert row.count() == 1, label
    return row.locator("td").nth(1).evaluate("(td) => td.firstChild.textContent.trim()")


def fact(tab, term: str) -> str:
    """The text of the <dd> following the <dt> ``term`` on the page."""
    return (
        tab.page.locator(f"xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]")
        .first.inner_text()
        .strip()
    )


@pytest.fixture
def directory(advocate, other_agency):
    """Agency A's partners: B's shelter, which lists shelter in Spanish, and a
    legal aid program that does not list shelter at all."""
    agency = advocate.agency
    shelter_category = NeedCategory.objects.get(agency=None, code="shelter")
    immigration = NeedCategory.objects.get(agency=None, code="immigration")

    shelter = Organization.objects.create(
        agency=agency, name=SHELTER_NAME, kind=PartnerKind.SHELTER, haven_agency=other_agency
    )
    beds = Service.objects.create(agency=agency, organization=shelter, name=SHELTER_SERVICE)
    beds.need_categories.add(shelter_category)
    Language.objects.create(agency=agency, service=beds, code="spa")

    legal = Organization.objects.create(agency=agency, name=LEGAL_NAME, kind=PartnerKind.LEGAL)
    help_ = Service.objects.create(agency=agency, organization=legal, name=LEGAL_SERVICE)
    help_.need_categories.add(immigration)
    Language.objects.create(agency=agency, service=help_, code="spa")
    return {"shelter": shelter, "beds": beds, "legal": legal}


@pytest.fixture
def receiver(other_agency):
    """An advocate of agency B, the shelter."""
    team = TeamFactory(agency=other_agency, name="Shelter Team (synthetic)")
    return make_staff(
        agency=other_agency, role=Role.ADVOCATE, team=team, username="t-shelter-advocate"
    )


def test_a_referral_goes_through_consent_to_another_agency_and_comes_back_met(
    new_browsing, advocate, team, receiver, directory
):
    case = record_intake(
        actor=advocate, team=team, preferred_name=NAME, language="spa", phone=PHONE
    )
    case_url = f"/cases/{case.pk}/"
    needs_url = f"{case_url}needs/"
    referrals_url = f"{case_url}referrals/"

    # --- Agency A: the need, in the person's words. ---------------------------
    tab = new_browsing()
    page = tab.page
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit(needs_url)
    page.get_by_label("Shelter", exact=True).fill("1")
    tab.click_through("form[action$='/needs/assess/'] button[type=submit]")
    assert tab.path == needs_url
    assert page.is_visible("text=The assessment is saved.")
    need = Need.objects.get(case=case, category__code="shelter")
    assert need.status == NeedStatus.IDENTIFIED
    shot(tab, "01-needs")

    # --- The tracker leads to the referrals page. ----------------------------
    tab.visit(case_url)
    assert step_states(tab)["collaboration"] == "not_started"
    tab.click_through("li[data-step=collaboration] .step__name")
    assert tab.path == referrals_url
    assert page.is_visible("text=No referrals yet.")
    shot(tab, "02-referrals-empty")

    # --- Partners that list the need, in the person's language. --------------
    page.select_option("#need", str(need.pk))
    assert page.input_value("#language") == "spa", "the person's language comes first"
    tab.click_through("form.filters button[type=submit]")
    matches = page.locator("ul.matches li")
    assert matches.count() == 1, matches.all_inner_texts()
    assert SHELTER_NAME in matches.first.inner_text()
    assert LEGAL_NAME not in page.inner_text("main")
    shot(tab, "03-referrals-matches")

    # --- Refer: the gate refuses, nothing leaves. -----------------------------
    tab.click_through(f"ul.matches li[data-service='{directory['beds'].pk}'] a")
    new_url = tab.path
    assert new_url == f"{referrals_url}new/{need.pk}/{directory['beds'].pk}/"
    assert fact(tab, "Partner") == f"{SHELTER_NAME}: {SHELTER_SERVICE}"
    assert fact(tab, "How it arrives") == "In the partner's queue in Haven"
    assert page.locator("p.message--warning").count() == 0, "the shelter lists shelter"
    shot(tab, "04-referral-new")
    page.check("input[name=purpose][value=services]")
    page.check("input[name=kinds][value=identity]")
    page.check("input[name=kinds][value=needs]")
    response = tab.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert tab.path == new_url
    alert = page.locator("p.message--error[role=alert]")
    assert GATE_REFUSAL in alert.inner_text()
    assert not Referral.objects.filter(case=case).exists()
    assert not Disclosure.objects.filter(case=case).exists()
    shot(tab, "05-referral-refused")

    # --- Consent: the refusal leads to the consent page. ----------------------
    tab.click_through("p.message--error[role=alert] a")
    # The consent page, which remembers the referral waiting for it.
    assert tab.path == f"{case_url}consents/?next={new_url}"
    shot(tab, "06-consents-empty")
    page.select_option("#id_recipient", f"org:{directory['shelter'].pk}")
    page.check("input[name=purpose][value=services]")
    page.get_by_label("Name, date of birth and gender", exact=True).check()
    page.get_by_label("Needs and services", exact=True).check()
    page.check("input[name=form][value=verbal]")
    page.fill("#id_witness", WITNESS)
    assert page.input_value("#id_language") == "spa", "the person's language comes first"
    page.fill("#id_interpreter", INTERPRETER)
    shot(tab, "07-consent-filled")
    tab.click_through("form[action$='/consents/'] button[type=submit]")
    # Recorded, staff are back on the referral that waited for the consent.
    assert tab.path == new_url
    assert page.is_visible("text=The consent is recorded.")
    tab.visit(f"{case_url}consents/")
    in_force = page.locator("section[aria-labelledby=in-force-heading] tbody tr")
    assert in_force.count() == 1
    row_text = in_force.inner_text()
    assert SHELTER_NAME in row_text
    assert "Given aloud, with a witness" in row_text
    assert f"Interpreter: {INTERPRETER}" in row_text
    consent = Consent.objects.get(case=case)
    assert sorted(consent.kinds) == ["identity", "needs"]
    assert consent.language == "spa"
    shot(tab, "08-consent-recorded")

    # --- Send, with exactly the two kinds the consent covers. -----------------
    tab.visit(new_url)
    page.check("input[name=purpose][value=services]")
    page.check("input[name=kinds][value=identity]")
    page.check("input[name=kinds][value=needs]")
    tab.click_through("main form[method=post] button[type=submit]")
    referral = Referral.objects.get(case=case)
    assert tab.path == f"{referrals_url}{referral.pk}/"
    assert page.is_visible("text=The referral is sent.")
    assert page.locator("dd[data-status]").inner_text().strip() == "Sent"
    assert fact(tab, "What was shared") == "Name, date of birth and gender; Needs and services"
    assert referral.to_agency_id == receiver.agency_id
    shot(tab, "09-referral-sent")

    tab.visit(referrals_url)
    sent = page.locator(f"tr[data-referral='{referral.pk}']")
    assert sent.get_attribute("data-status") == "sent"
    assert SHELTER_NAME in sent.inner_text()
    tab.visit(needs_url)
    assert need_row_status(tab, "Shelter") == "Referred"
    tab.visit(case_url)
    assert step_states(tab)["collaboration"] == "in_progress"
    shot(tab, "10-case-referred")

    # --- Agency B: the queue, the packet, the answer. -------------------------
    other = new_browsing()
    them = other.page
    other.sign_in(receiver.username, receiver.totp_secret)
    other.click_through("header a[href='/referrals/']")
    assert other.path == "/referrals/"
    row = them.locator(f"tr[data-referral='{referral.pk}']")
    assert row.count() == 1
    assert row.get_attribute("data-status") == "sent"
    assert advocate.agency.name in row.inner_text()
    shot(other, "11-inbox")
    other.click_through(f"tr[data-referral='{referral.pk}'] th a")
    assert other.path == f"/referrals/{referral.pk}/"
    packet = them.locator("dl[data-packet]").inner_text()
    assert NAME in packet
    assert "Shelter" in packet
    assert PHONE not in them.content(), "the phone was not consented to"
    assert "Spanish" not in packet, "language was not consented to"
    shot(other, "12-inbox-referral")

    them.check("input[name=status][value=accepted]")
    other.click_through("main form[method=post] button[type=submit]")
    assert other.path == f"/referrals/{referral.pk}/"
    assert them.locator("dd[data-status]").inner_text().strip() == "Accepted"
    shot(other, "13-inbox-accepted")
    them.check("input[name=status][value=completed]")
    them.fill("#id_outcome", OUTCOME)
    other.click_through("main form[method=post] button[type=submit]")
    assert them.locator("dd[data-status]").inner_text().strip() == "Completed"
    assert them.locator("input[name=status]").count() == 0, "nothing more to answer"
    shot(other, "14-inbox-completed")

    # --- Agency A again: completed, met, done. --------------------------------
    tab.visit(f"{referrals_url}{referral.pk}/")
    assert page.locator("dd[data-status]").inner_text().strip() == "Completed"
    assert fact(tab, "Outcome") == OUTCOME
    history = page.locator("main ul li").all_inner_texts()
    assert [h.split(": ", 1)[1].split(" (")[0] for h in history[-3:]] == [
        "Sent",
        "Accepted",
        "Completed",
    ], history
    shot(tab, "15-referral-completed")
    tab.visit(needs_url)
    assert need_row_status(tab, "Shelter") == "Met"
    shot(tab, "16-needs-met")
    tab.visit(case_url)
    assert step_states(tab)["collaboration"] == "done"
    shot(tab, "17-case-done")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
