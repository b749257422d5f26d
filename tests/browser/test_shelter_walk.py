"""Issue 18 walked in the browser: a shelter with a secret address, and the
agency's own steps.

The shelter. An advocate admits a person to a bed at "Site A". The shelter
staff of Site A see the resident on their home and residents pages and
record a check-in; the shelter staff of Site B and the front desk see
nothing of them, and a 404 for the stay's and the residents' addresses. The
advocate marks the stay compromised: the case's safety step is back in
progress, and the person is moved to Site B, whose staff now see them while
Site A's no longer do. A designated lockdown administrator closes Site A to
admissions for 3 days; admitting another person there is refused with the
day it reopens; the administrator reopens it and the admission goes through.

The agency's own step. An administrator adds "Notify the county
anti-trafficking task force within 5 days", for minors, on its settings
page; an advocate records a minor's first contact; the case's tracker shows
the step due in 5 days; an adult's case does not have it.

Everything is driven through the pages; only the world (sites, beds, staff,
the lockdown designation) is made by the services. Every page is also
looked at 375 px wide: it must not scroll sideways. All data is synthetic.
Set HAVEN_SHOTS to a folder (for example /tmp/haven-shots) to keep a
full-page screenshot of each page at 375 and 1280 px, under shelter/.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import formats, timezone, translation

from conftest import totp_now
from haven.accounts.models import Role
from haven.protocol.models import CaseStep, Step, StepState
from haven.protocol.tracker import step_advance
from haven.safety import services as safety_services
from haven.shelter.models import SiteClosure, Stay
from tests.browser.conftest import Browsing
from tests.factories import TEST_PASSWORD, make_staff, record_intake
from tests.shelter.stays_world import make_site

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}

PERSON = "Guadalupe Ramírez Soto"  # synthetic
OTHER = "Amara Okafor"  # synthetic
MINOR = "Lucía Herrera Vidal"  # synthetic
ADULT = "Rosalind Achterberg"  # synthetic
STEP_TEXT = "Notify the county anti-trafficking task force within 5 days"

# What reaches past the window's right edge: the culprits of sideways scrolling.
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-5)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.getBoundingClientRect().right}`)"""


def look(tab: Browsing, name: str) -> None:
    """The page as it is, on a phone too: it never scrolls sideways at 375 px.
    With HAVEN_SHOTS, a full-page screenshot at both widths."""
    page = tab.page
    folder = Path(SHOTS) / "shelter" if SHOTS else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    try:
        if folder is not None:
            page.screenshot(path=str(folder / f"{name}-375.png"), full_page=True)
        wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= window, (
            f"{tab.page.url} is {wide}px wide in a {window}px window: {page.evaluate(OVERFLOWING)}"
        )
    finally:
        page.set_viewport_size(DESK)


def sign_in(tab: Browsing, user, lands: str = "/") -> None:
    """The real sign-in page and the authenticator's code; each person signs
    in once, so no code is typed twice."""
    tab.visit("/accounts/login/")
    tab.submit({"#id_login": user.username, "#id_password": TEST_PASSWORD})
    assert tab.path == "/accounts/2fa/authenticate/", tab.page.url
    tab.submit({"#id_code": totp_now(user.totp_secret)})
    assert tab.path == lands, tab.page.url


def text_of(tab: Browsing) -> str:
    return str(tab.page.locator("body").inner_text())


def step_state(tab: Browsing, step: str) -> str | None:
    return tab.page.locator(f"ol.steps li[data-step='{step}']").first.get_attribute("data-state")


def admit(tab: Browsing, case_id, bed_label: str, expect_status: int):
    """From the case page, to its stays, and admit to ``bed_label``."""
    tab.visit(f"/cases/{case_id}/")
    tab.click_through("#shelter a:has-text('Stays and admitting')")
    assert tab.path == f"/cases/{case_id}/stays/"
    tab.page.select_option("#id_bed", label=bed_label)
    response = tab.click_through("form[action$='/stays/admit/'] button[type=submit]")
    assert response is not None
    assert response.status == expect_status, text_of(tab)
    return response


def test_a_stay_at_a_secret_site_compromised_moved_and_the_site_closed_and_reopened(
    new_browsing, agency, team, other_team, advocate, shelter, intake, admin_user
):
    site_a = make_site(agency, team, "Site A")
    site_b = make_site(agency, other_team, "Site B")
    shelter_b = make_staff(
        agency=agency, role=Role.SHELTER, team=other_team, username="t-shelter-b"
    )
    safety_services.safety_settings_save(
        actor=admin_user,
        alert_user_ids=[],
        lockdown_user_ids=[admin_user.pk],
        two_to_end_lockdown=False,
    )
    case = record_intake(
        actor=advocate, team=team, advocate=advocate, preferred_name=PERSON, language="spa"
    )
    other = record_intake(actor=advocate, team=team, advocate=advocate, preferred_name=OTHER)
    # The safety plan was made: the compromise puts it back in progress.
    step_advance(case, Step.SAFETY, StepState.DONE, advocate)

    # --- The advocate admits the person to a bed at Site A. -------------------
    adv = new_browsing(viewport=DESK)
    sign_in(adv, advocate)
    adv.visit(f"/cases/{case.pk}/")
    look(adv, "01-case-page")
    adv.click_through("#shelter a:has-text('Stays and admitting')")
    look(adv, "02-case-stays-empty")
    adv.page.select_option("#id_bed", label="Site A: Room 1, Bed 1")
    adv.page.fill("#id_safety_notes", "Prefers a room near the stairs (synthetic).")
    adv.click_through("form[action$='/stays/admit/'] button[type=submit]")
    stay_a = Stay.objects.get(case=case)
    assert adv.path == f"/shelter/stays/{stay_a.pk}/"
    assert "The person is admitted." in text_of(adv)
    assert PERSON in text_of(adv)
    look(adv, "03-stay-admitted")

    # --- Site A's shelter staff: the resident, and a check-in. ----------------
    staff_a = new_browsing(viewport=DESK)
    sign_in(staff_a, shelter, lands="/shelter/")
    staff_a.visit("/shelter/")
    assert PERSON in text_of(staff_a)
    look(staff_a, "04-shelter-a-home")
    staff_a.click_through(f"main a[href='/shelter/sites/{site_a.pk}/residents/']")
    assert PERSON in text_of(staff_a)
    look(staff_a, "05-shelter-a-residents")
    staff_a.click_through(f"main a[href='/shelter/stays/{stay_a.pk}/']")
    staff_a.page.check("input[name=wellbeing][value=fine]")
    staff_a.page.fill("#id_note", "Settled in, had dinner (synthetic).")
    staff_a.click_through("form[action$='/check-in/'] button[type=submit]")
    assert "The check-in is recorded." in text_of(staff_a)
    assert "Settled in, had dinner (synthetic)." in text_of(staff_a)
    look(staff_a, "06-shelter-a-stay-checked-in")

    # --- Site B's shelter staff and the front desk: nothing of them. ----------
    staff_b = new_browsing(viewport=DESK)
    sign_in(staff_b, shelter_b, lands="/shelter/")
    staff_b.visit("/shelter/")
    assert "Site B" in text_of(staff_b)
    assert PERSON not in text_of(staff_b)
    look(staff_b, "07-shelter-b-home-empty")
    desk = new_browsing(viewport=DESK)
    sign_in(desk, intake)
    assert PERSON not in text_of(desk)
    for tab in (staff_b, desk):
        for path in (
            f"/shelter/stays/{stay_a.pk}/",
            f"/shelter/sites/{site_a.pk}/residents/",
            f"/cases/{case.pk}/stays/",
        ):
            response = tab.visit(path)
            assert response is not None
            assert response.status == 404, (tab.path, response.status)
            assert PERSON not in text_of(tab)

    # --- The advocate: the location is compromised. ---------------------------
    adv.visit(f"/shelter/stays/{stay_a.pk}/")
    adv.click_through("form[action$='/compromised/'] button[type=submit]")
    assert "The stay is marked compromised." in text_of(adv)
    # The advocate may not close the site: told whom to ask, not sent to a 404.
    assert adv.page.locator(f"main a[href='/shelter/sites/{site_a.pk}/close/']").count() == 0
    assert str(admin_user) in adv.page.locator("main .alert--warning").inner_text()
    look(adv, "08-stay-compromised-advocate")
    adv.visit(f"/cases/{case.pk}/")
    assert step_state(adv, Step.SAFETY) == StepState.IN_PROGRESS
    assert CaseStep.objects.get(case=case, step=Step.SAFETY).state == StepState.IN_PROGRESS

    # Moved to Site B, from the compromised stay.
    adv.visit(f"/shelter/stays/{stay_a.pk}/")
    adv.page.select_option("#id_bed", label="Site B: Room 1, Bed 1")
    adv.click_through("form[action$='/move/'] button[type=submit]")
    stay_b = Stay.objects.get(case=case, site=site_b)
    assert adv.path == f"/shelter/stays/{stay_b.pk}/"
    assert "The person is moved." in text_of(adv)
    look(adv, "09-stay-moved-to-b")
    adv.click_through("main a[href$='/stays/']")
    look(adv, "10-case-stays-two")

    # Site A no longer houses them; Site B does.
    staff_a.visit(f"/shelter/sites/{site_a.pk}/residents/")
    assert PERSON not in text_of(staff_a)
    staff_b.visit(f"/shelter/sites/{site_b.pk}/residents/")
    assert PERSON in text_of(staff_b)
    look(staff_b, "11-shelter-b-residents")

    # --- A lockdown administrator closes Site A for 3 days. -------------------
    boss = new_browsing(viewport=DESK)
    sign_in(boss, admin_user)
    boss.visit("/shelter/sites/")
    look(boss, "12-sites-list")
    boss.click_through(f"main a[href='/shelter/sites/{site_a.pk}/']")
    look(boss, "13-site-a")
    boss.click_through(f"main a[href='/shelter/sites/{site_a.pk}/close/']")
    look(boss, "14-site-a-close-form")
    boss.page.select_option("#id_days", "3")
    boss.page.select_option("#id_why", "compromised")
    boss.click_through("main button[type=submit]")
    closure = SiteClosure.objects.get(site=site_a)
    assert closure.ends_at - closure.starts_at == timedelta(days=3)
    assert "Closed to new admissions until" in text_of(boss)
    look(boss, "15-site-a-closed")

    # Admitting anyone to Site A is refused, with the day it reopens.
    with translation.override("en"):
        reopens = formats.date_format(timezone.localtime(closure.ends_at), "DATE_FORMAT")
    # The bed says so before it is chosen, and the refusal says what to do.
    closed_bed = f"Site A: Room 1, Bed 1 (closed to admissions until {reopens})"
    admit(adv, other.pk, closed_bed, expect_status=400)
    assert (
        f"This site is closed to new admissions until {reopens}. Choose a bed at another "
        "site, or put the person on the waiting list."
    ) in text_of(adv)
    assert not Stay.objects.filter(case=other).exists()
    look(adv, "16-admit-refused-closed")

    # Reopened, it admits again.
    boss.click_through("main form button[type=submit]")
    assert "The site takes admissions again." in text_of(boss)
    look(boss, "17-site-a-reopened")
    admit(adv, other.pk, "Site A: Room 1, Bed 1", expect_status=200)
    assert Stay.objects.filter(case=other, site=site_a, ends_on__isnull=True).exists()
    assert "The person is admitted." in text_of(adv)


def test_an_agency_step_for_minors_reaches_a_minor_case_due_in_five_days(
    new_browsing, agency, team, advocate, admin_user
):
    boss = new_browsing(viewport=DESK)
    sign_in(boss, admin_user)
    boss.click_through("main a[href='/protocol/agency-steps/']")
    look(boss, "20-agency-steps-empty")
    page = boss.page
    page.fill("#id_code", "task-force")
    page.fill("#id_text", STEP_TEXT)
    page.check("input[name=roles][value=advocate]")
    page.select_option("#id_applies", "minors")
    page.fill("#id_due_days", "5")
    boss.click_through("form[action='/protocol/agency-steps/'] button[type=submit]")
    assert boss.path == "/protocol/agency-steps/"
    assert STEP_TEXT in text_of(boss)
    look(boss, "21-agency-steps-one")
    boss.click_through("main a[href='/protocol/agency-steps/task-force/']")
    look(boss, "22-agency-step-edit")

    # An advocate records a minor's first contact, through the pages.
    adv = new_browsing(viewport=DESK)
    sign_in(adv, advocate)
    adv.visit("/intake/")
    adv.page.check("input[name=danger][value=no]")
    adv.click_through("main button[type=submit]")
    adv.page.select_option("#id_language", "spa")
    adv.click_through("main button[type=submit]")
    assert adv.path == "/intake/person/"
    today = timezone.localdate()
    adv.page.fill("#id_preferred_name", MINOR)
    adv.page.fill("#id_date_of_birth", date(today.year - 15, 1, 1).isoformat())
    adv.click_through("main button[type=submit]")
    assert adv.path.startswith("/cases/")
    step = adv.page.locator("ol.steps li[data-step='own-task-force']")
    assert step.count() == 1
    due = (today + timedelta(days=5)).isoformat()
    assert STEP_TEXT in step.inner_text()
    assert f"Due {due}" in step.inner_text()
    look(adv, "23-minor-case-tracker")
    adv.click_through("ol.steps li[data-step='own-task-force'] a.step-change")
    look(adv, "24-minor-case-agency-step")

    # An adult's case does not have it.
    adult = record_intake(
        actor=advocate,
        team=team,
        advocate=advocate,
        preferred_name=ADULT,
        date_of_birth=date(today.year - 34, 1, 1),
    )
    adv.visit(f"/cases/{adult.pk}/")
    assert adv.page.locator("ol.steps li[data-step='minors']").count() == 1
    assert adv.page.locator("ol.steps li[data-step='own-task-force']").count() == 0
    assert STEP_TEXT not in text_of(adv)
