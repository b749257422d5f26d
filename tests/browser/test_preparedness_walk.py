"""Organizational preparedness walked in the browser: an administrator
brings the agency's readiness up to date, and an auditor reads the report.

The agency has a team, an administrator, an advocate and an auditor. The
advocate has recorded six people (synthetic names, phones, dates of birth
and languages), so the report has something to count. The agency's
staff-safety policy was last approved more than a year ago, and its review
date has passed.

The administrator signs in and opens Preparedness from the main menu. The
readiness view says nobody is trained on the dynamics of human trafficking
(0 of the 3 staff) and that the staff-safety policy's review is overdue.
From there, the administrator records an in-service training on that topic,
held today for two hours, attended by the advocate and the administrator and
by five professionals from partner agencies; then records a review of the
staff-safety policy that found nothing to change, with the next review in a
year. Back on Preparedness: 2 of 3 trained, and the policy is current.

The auditor signs in in another browser, opens Reports from the main menu
and asks for the current quarter. The report is counted (inline under
HAVEN_ENV=test) and shown with its tables and their charts, each an SVG
image with a title and a description. Staff trained are exact (2 of the
agency's staff, 5 partners' staff); counts of people served go through the
small-number rule. The funder layout shows the same professionals trained.
No name, phone number, date of birth or record id of anyone served appears
in any page the auditor reaches, nor in the CSV files downloaded.

Every page reached passes axe-core and raises no CSP violation.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep a full-page screenshot of each page, under
preparedness/, for review.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from haven.jobs.models import Job, State
from haven.preparedness import services
from haven.preparedness.models import PolicyDocument, PolicyReview, ReviewOutcome
from haven.reports.forms import presets
from haven.reports.jobs import KIND
from haven.training.models import Event, Record
from tests import files
from tests.browser.conftest import Browsing
from tests.factories import record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")

# The people the advocate recorded (all synthetic): name, phone, date of
# birth, language, gender group, type of trafficking.
PEOPLE = [
    ("Synthetic Walk Person One", "+1 312 555 0101", date(1988, 3, 14), "spa", "woman", "labor"),
    ("Synthetic Walk Person Two", "+1 312 555 0102", date(1991, 7, 2), "spa", "woman", "sex"),
    ("Synthetic Walk Person Three", "+1 312 555 0103", date(1979, 11, 23), "vie", "man", "labor"),
    ("Synthetic Walk Person Four", "+1 312 555 0104", date(1995, 1, 9), "eng", "woman", "sex"),
    ("Synthetic Walk Person Five", "+1 312 555 0105", date(1983, 5, 30), "tir", "man", "both"),
    ("Synthetic Walk Person Six", "+1 312 555 0106", date(1999, 9, 17), "spa", "woman", "labor"),
]

TOPIC = "Dynamics of human trafficking"
EVENT_TITLE = "Recognising labor trafficking, with the county task force (synthetic)"
OUTSIDE = 5
POLICY_TITLE = "Home visits and the emergency shutdown (synthetic)"
# PolicyKind.STAFF_SAFETY's label, as readiness prefixes the policy's title.
POLICY_LABEL = f"Staff safety and emergency shutdown: {POLICY_TITLE}"
# What templates/preparedness/home.html adds, for screen readers, before a
# figure that needs attention.
ATTENTION = "Needs attention: "


def shot(tab: Browsing, name: str) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        folder = Path(SHOTS) / "preparedness"
        folder.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def _shipped_training_topics(transactional_db: None) -> None:
    """Haven's training topics, shipped by a data migration: the live
    server's transactional tests flush them with every other table."""
    migration = importlib.import_module("haven.training.migrations.0002_shipped_topics")
    migration.ship(apps, None)


def spoken(locator) -> str:
    """The text of ``locator`` as a screen reader reads it: hidden words
    included, white space collapsed."""
    return " ".join((locator.text_content() or "").split())


def readiness_row(tab: Browsing, section: str, label: str):
    """The row of the readiness table ``section`` whose heading is ``label``."""
    table = tab.page.locator(f"main section[aria-labelledby='readiness-{section}'] table")
    return table.locator("tbody tr").filter(
        has=tab.page.get_by_role("rowheader", name=label, exact=True)
    )


def standing(tab: Browsing, section: str, label: str) -> tuple[str, str]:
    """(Where it stands, Details) of a readiness row, as the page says them."""
    row = readiness_row(tab, section, label)
    expect(row).to_have_count(1)
    cells = row.locator("td")
    return spoken(cells.nth(0)), spoken(cells.nth(1))


def report_table(tab: Browsing, key: str) -> dict[str, str]:
    """A report table as {row heading: its first figure}, the total included."""
    section = tab.page.locator(f"main section[aria-labelledby='table-{key}']")
    expect(section).to_have_count(1)
    rows = section.locator("tbody tr, tfoot tr")
    found = {}
    for n in range(rows.count()):
        row = rows.nth(n)
        found[row.locator("th").inner_text().strip()] = row.locator("td").first.inner_text().strip()
    return found


def assert_charts(tab: Browsing) -> None:
    """Each table of the report beside its chart: an SVG image named by its
    <title> and described by its <desc>."""
    tables = tab.page.locator("main section.report-table")
    count = tables.count()
    assert count > 0
    for n in range(count):
        table = tables.nth(n)
        svg = table.locator("svg[role=img]")
        expect(svg).to_have_count(1)
        title = svg.locator("title")
        desc = svg.locator("desc")
        assert title.text_content().strip(), "every chart has a title"
        assert desc.text_content().strip().startswith(("Bar chart.", "No data.")), (
            desc.text_content()
        )
        labelled_by = (svg.get_attribute("aria-labelledby") or "").split()
        assert labelled_by == [title.get_attribute("id"), desc.get_attribute("id")]
        expect(table.locator("table")).to_have_count(1)


def test_the_administrator_brings_readiness_up_to_date_and_the_auditor_sees_no_one(
    new_browsing, admin_user, advocate, auditor, team
):
    today = timezone.localdate()
    # --- The agency as it was: six people recorded, a policy past its review. --
    cases = [
        record_intake(
            actor=advocate,
            team=team,
            preferred_name=name,
            phone=phone,
            date_of_birth=born,
            language=language,
            gender_group=gender,
            trafficking_type=kind,
        )
        for name, phone, born, language, gender, kind in PEOPLE
    ]
    approved = today - timedelta(days=400)
    document = services.policy_save(
        actor=admin_user,
        values=services.PolicyValues(
            kind="staff_safety", title=POLICY_TITLE, owner_id=admin_user.pk
        ),
        first_version=services.VersionValues(
            approved_on=approved,
            next_review_on=today - timedelta(days=35),
            file=files.accepted(files.pdf("Synthetic staff safety policy"), "staff-safety.pdf"),
        ),
    )
    staff_total = 3  # the administrator, the advocate and the auditor
    next_year = services.add_years(today, 1)

    # Nothing the auditor may ever see of the people served.
    secrets: list[str] = []
    for (name, phone, born, *_rest), case in zip(PEOPLE, cases, strict=True):
        secrets += [
            name,
            name.removeprefix("Synthetic Walk "),
            phone,
            phone.replace(" ", ""),
            phone.removeprefix("+1 ").replace(" ", ""),
            born.isoformat(),
            born.strftime("%m/%d/%Y"),
            born.strftime("%d/%m/%Y"),
            born.strftime("%B %-d, %Y"),
            str(case.pk),
            str(case.person_id),
        ]
    secrets.append("Synthetic Walk")

    def nobody_named(tab: Browsing, text: str | None = None) -> None:
        said = tab.page.content() if text is None else text
        for secret in secrets:
            assert secret not in said, f"{tab.page.url} shows {secret!r}"

    # --- The administrator: Preparedness, from the main menu. -----------------
    boss = new_browsing()
    page = boss.page
    boss.sign_in(admin_user.username, admin_user.totp_secret)
    shot(boss, "01-admin-dashboard")
    boss.click_through("header nav a[href='/preparedness/']")
    assert boss.path == "/preparedness/"
    expect(page.locator("main h1")).to_have_text("Preparedness")
    expect(page.locator("#readiness-training")).to_contain_text("Staff trained, by topic")
    assert standing(boss, "training", TOPIC) == (
        f"{ATTENTION}0 of {staff_total} (0%)",
        f"{staff_total} never trained",
    )
    assert standing(boss, "policies", POLICY_LABEL) == (
        f"{ATTENTION}Review overdue",
        f"acknowledged by 0 of {staff_total} (0%)",
    )
    shot(boss, "02-readiness-before")

    # --- The in-service training: from the topic's row to the form. -----------
    boss.click_through(
        "main section[aria-labelledby='readiness-training'] a[href='/training/overview/'] >> "
        f"text='{TOPIC}'"
    )
    assert boss.path == "/training/overview/"
    boss.click_through("main a[href='/training/events/new/']")
    assert boss.path == "/training/events/new/"
    expect(page.locator("main h1")).to_have_text("Record an in-service event")
    page.select_option("#id_topic", label=TOPIC)
    page.fill("#id_title", EVENT_TITLE)
    page.fill("#id_held_on", today.isoformat())
    page.fill("#id_hours", "2")
    page.get_by_label(str(advocate), exact=True).check()
    page.get_by_label(str(admin_user), exact=True).check()
    expect(page.get_by_label(str(auditor), exact=True)).not_to_be_checked()
    page.fill("#id_outside_professionals", str(OUTSIDE))
    shot(boss, "03-event-filled")
    response = boss.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    event = Event.objects.get(agency=admin_user.agency)
    assert boss.path == f"/training/events/{event.pk}/"
    expect(page.locator("main .messages")).to_contain_text("The in-service training is recorded.")
    expect(page.locator("main h1")).to_have_text(EVENT_TITLE)
    assert event.held_on == today
    assert event.hours == 2
    assert event.outside_professionals == OUTSIDE
    assert set(Record.objects.filter(event=event).values_list("staff_id", flat=True)) == {
        advocate.pk,
        admin_user.pk,
    }
    shot(boss, "04-event-recorded")

    # --- The policy review: from the policy's row to "No changes needed". -----
    boss.click_through("header nav a[href='/preparedness/']")
    boss.click_through(
        f"main section[aria-labelledby='readiness-policies'] "
        f"a[href='/preparedness/policies/{document.pk}/']"
    )
    assert boss.path == f"/preparedness/policies/{document.pk}/"
    expect(page.locator("main h1")).to_have_text(POLICY_TITLE)
    boss.click_through(f"main a[href='/preparedness/policies/{document.pk}/review/']")
    assert boss.path == f"/preparedness/policies/{document.pk}/review/"
    expect(page.locator("main h1")).to_have_text(f"Review of “{POLICY_TITLE}”, version 1")
    expect(page.locator("#id_reviewed_on")).to_have_value(today.isoformat())
    page.fill("#id_reviewed_on", today.isoformat())
    page.fill("#id_next_review_on", next_year.isoformat())
    shot(boss, "05-review-filled")
    response = boss.click_through("main form[method=post] button[type=submit]")
    assert response is not None
    assert response.status == 200
    assert boss.path == f"/preparedness/policies/{document.pk}/"
    expect(page.locator("main .messages")).to_contain_text("The review is recorded.")
    review = PolicyReview.objects.get(document=document)
    assert review.outcome == ReviewOutcome.NO_CHANGES
    assert review.reviewed_on == today
    assert review.next_review_on == next_year
    assert review.reviewed_by == admin_user
    document.refresh_from_db()
    assert document.next_review_on == next_year
    shot(boss, "06-review-recorded")

    # --- Back on Preparedness: the readiness view has changed. ----------------
    boss.click_through("header nav a[href='/preparedness/']")
    assert boss.path == "/preparedness/"
    # One staff member (the auditor) is still never trained on the topic.
    assert standing(boss, "training", TOPIC) == (
        f"{ATTENTION}2 of {staff_total} (67%)",
        "1 never trained",
    )
    assert standing(boss, "policies", POLICY_LABEL) == (
        "Current",
        f"acknowledged by 0 of {staff_total} (0%)",
    )
    assert "readiness__row--ok" in (
        readiness_row(boss, "policies", POLICY_LABEL).get_attribute("class") or ""
    )
    assert PolicyDocument.objects.get(pk=document.pk).next_review_on == next_year
    shot(boss, "07-readiness-after")

    # --- The auditor: the report, from the main menu. -------------------------
    reader = new_browsing(accept_downloads=True)
    them = reader.page
    reader.sign_in(auditor.username, auditor.totp_secret)
    nobody_named(reader)
    reader.click_through("header nav a[href='/reports/']")
    assert reader.path == "/reports/"
    expect(them.locator("main h1")).to_have_text("What the agency did")
    nobody_named(reader)
    shot(reader, "08-reports-form")

    # This quarter, the first of the presets.
    quarter = presets(today)[0]
    assert quarter.start <= today <= quarter.end
    # Starting a report is a POST: each preset is a button of its own small form.
    preset = them.locator("main form.inline-form button").filter(has_text=quarter.label)
    expect(preset).to_have_count(1)
    response = reader.click_through(f"main form.inline-form button:text-is('{quarter.label}')")
    assert response is not None
    assert response.status == 200
    job = Job.objects.get(created_by=auditor, kind=KIND)
    assert job.state == State.DONE
    assert reader.path == f"/reports/runs/{job.pk}/?layout=summary"
    expect(them.locator("#figures-heading")).to_contain_text(
        f"From {quarter.start.isoformat()} to {quarter.end.isoformat()}"
    )
    expect(them.locator("#figures-heading")).to_contain_text("all teams")
    assert_charts(reader)
    # The six people served, through the small-number rule (threshold 5).
    assert "<5" in them.locator("main").inner_text(), "small counts are shown as <5"
    professionals = report_table(reader, "professionals")
    assert professionals == {
        "Agency staff": "2",
        "Partners' staff at in-service training": str(OUTSIDE),
        "Total": str(2 + OUTSIDE),
    }
    chart = them.locator("main section[aria-labelledby='table-professionals'] svg[role=img]")
    described = f"Bar chart. Agency staff: 2, Partners' staff at in-service training: {OUTSIDE}."
    assert spoken(chart.locator("title")) == "Professionals trained (People)"
    assert spoken(chart.locator("desc")) == described
    # Named by its title and its description together (aria-labelledby both).
    expect(chart).to_have_accessible_name(f"Professionals trained (People) {described}")
    trained = report_table(reader, "training")
    assert trained[TOPIC] == "2"
    assert trained["Total"] == "2"
    nobody_named(reader)
    shot(reader, "09-report-summary")

    # The CSV, as the browser downloads it.
    def downloaded() -> str:
        with them.expect_download() as info:
            them.click("main a:text-is('Download as CSV')")
        path = info.value.path()
        assert path is not None
        return Path(path).read_text(encoding="utf-8-sig")

    def professionals_in(text: str) -> None:
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["Period", quarter.start.isoformat(), quarter.end.isoformat()]
        assert ["Smallest count shown", "5"] in rows
        title, column = "Professionals trained", "People"
        assert [title, "Agency staff", column, "2"] in rows
        assert [title, "Partners' staff at in-service training", column, str(OUTSIDE)] in rows
        assert [title, "Total", column, str(2 + OUTSIDE)] in rows

    summary_csv = downloaded()
    professionals_in(summary_csv)
    assert "<5" in summary_csv, "the published figures, not the true counts"
    nobody_named(reader, summary_csv)
    reader.assert_all_pages_checked()

    # The funder layout: the same figures, arranged for the funder.
    reader.click_through("main nav a:text-is('Funder layout')")
    assert reader.path == f"/reports/runs/{job.pk}/?layout=funder"
    expect(them.locator("main h1")).to_have_text("Funder report")
    assert_charts(reader)
    assert report_table(reader, "professionals") == professionals
    nobody_named(reader)
    shot(reader, "10-report-funder")
    funder_csv = downloaded()
    professionals_in(funder_csv)
    nobody_named(reader, funder_csv)

    # The auditor's readiness view: counts, and no one served.
    reader.click_through("header nav a[href='/preparedness/']")
    assert standing(reader, "training", TOPIC)[0] == f"{ATTENTION}2 of {staff_total} (67%)"
    assert standing(reader, "policies", POLICY_LABEL)[0] == "Current"
    nobody_named(reader)
    shot(reader, "11-auditor-readiness")

    for tab in (boss, reader):
        tab.assert_no_csp_violations()
        tab.assert_all_pages_checked()
        assert not tab.page_errors, tab.page_errors
