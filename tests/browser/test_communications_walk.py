"""The communications log walked in the browser, from the roster to a verified export.

A supervisor adds a Hmong interpreter to the agency's roster, with the signed
confidentiality agreement (a PDF) valid for a year. An advocate reads the
roster (without the means to change it), opens the case, goes to its
Communications, and first tries to record a call a family member
interpreted without saying why no trained interpreter was used: refused with
the reason, nothing recorded. The advocate then records a phone call
interpreted by phone in Hmong by the roster interpreter, lands on the entry,
which names the interpreter, and adds an addendum saying why. Back on the log
both entries are listed, the addendum marked as one.

The advocate exports the record for the person themself as the verifiable
bundle. The standalone verifier, run as the recipient would run it (its own
Python, no Haven), says OK with the root hash Haven recorded; record.json
holds both communications, the interpreter named; one flipped byte in
record.json and the verifier fails. ``verify_integrity`` still passes.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep a full-page screenshot of each page, under
communications/, for review.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from haven.attachments.models import Use
from haven.communications.models import Communication, Interpreter
from haven.exports.models import RecordExport
from tests import files
from tests.factories import record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")

NAME = "Mai Xiong Qauv (synthetic)"
INTERPRETER = "Pa Nhia Piv Txwv (synthetic)"
DIALECT = "Hmong Daw (synthetic)"
AGREEMENT = files.pdf("Confidentiality agreement, signed (synthetic)")
SUMMARY = "Called about the T visa appointment (synthetic)"
DETAILS = "She said she can come on Tuesday morning (synthetic)."
ADDENDUM_REASON = "The appointment time was wrong in the first entry (synthetic)"
ADDENDUM_SUMMARY = "Appointment is Tuesday at 10:00, not 9:00 (synthetic)"
ADDENDUM_DETAILS = "Confirmed with her by a second call (synthetic)."
RELATIVE = "Her cousin (synthetic)"
# What haven/communications/services.py says of an ad hoc interpreter without a reason.
AD_HOC_REFUSAL = "Say why no trained interpreter was used"

VERIFIER = "haven/exports/verifier.py"


def shot(tab, name: str) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        folder = Path(SHOTS) / "communications"
        folder.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def fact(tab, term: str) -> str:
    """The text of the <dd> following the <dt> ``term`` on the page."""
    dd = tab.page.locator(f"xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]")
    return str(dd.first.inner_text()).strip()


def verifier(path: Path) -> subprocess.CompletedProcess[str]:
    """The standalone verifier, as a recipient runs it: isolated, no Haven."""
    return subprocess.run(
        [sys.executable, "-I", VERIFIER, str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def tampered(bundle: Path, target: Path, needle: str) -> None:
    """A copy of ``bundle`` whose record.json has one byte flipped, at the first
    letter of ``needle`` (its case changed, so the JSON stays valid)."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "record.json":
                at = data.index(needle.encode("ascii"))
                data = data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :]
            copy.writestr(item, data)


def test_an_interpreted_call_and_its_addendum_leave_in_a_bundle_that_verifies(
    new_browsing, advocate, supervisor, team, tmp_path
):
    case = record_intake(actor=advocate, team=team, preferred_name=NAME, language="hmn")
    case_url = f"/cases/{case.pk}/"
    log_url = f"{case_url}communications/"
    new_url = f"{log_url}new/"
    export_url = f"{case_url}export/"
    valid_until = timezone.localdate() + timedelta(days=365)

    # --- The supervisor: a Hmong interpreter on the roster. -------------------
    boss = new_browsing()
    them = boss.page
    boss.sign_in(supervisor.username, supervisor.totp_secret)
    boss.click_through("header a[href='/interpreters/']")
    assert boss.path == "/interpreters/"
    assert them.is_visible("text=No interpreters yet.")
    them.fill("#id_name", INTERPRETER)
    them.select_option("#id_kind", "contractor")
    them.check("input[name=languages][value=hmn]")
    them.fill("#id_dialects", DIALECT)
    them.select_option("#id_gender", "woman")
    them.set_input_files(
        "#id_agreement",
        files=[{"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": AGREEMENT}],
    )
    them.fill("#id_agreement_expires_on", valid_until.isoformat())
    assert them.is_checked("#id_active")
    shot(boss, "01-roster-filled")
    boss.click_through("form[action='/interpreters/'] button[type=submit]")
    assert boss.path == "/interpreters/"
    assert them.is_visible("text=The interpreter is on the roster.")
    interpreter = Interpreter.objects.get(agency=supervisor.agency)
    row = them.locator(f"tr[data-interpreter='{interpreter.pk}']")
    row_text = row.inner_text()
    assert INTERPRETER in row_text
    assert "Hmong" in row_text
    assert DIALECT in row_text
    assert "Contract interpreter" in row_text
    assert f"On file, until {valid_until.isoformat()}" in row_text
    assert row.locator("a:text-is('Open')").get_attribute("href") == (
        f"/attachments/{interpreter.agreement_id}/"
    )
    assert interpreter.languages == ["hmn"]
    assert interpreter.agreement_expires_on == valid_until
    assert interpreter.agreement is not None
    assert interpreter.agreement.use == Use.AGREEMENT
    assert interpreter.agreement.case_id is None
    shot(boss, "02-roster-added")
    boss.sign_out()

    # --- The advocate reads the roster, and cannot change it. -----------------
    tab = new_browsing()
    page = tab.page
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.click_through("header a[href='/interpreters/']")
    assert tab.path == "/interpreters/"
    row = page.locator(f"tr[data-interpreter='{interpreter.pk}']")
    assert INTERPRETER in row.inner_text()
    assert row.locator(f"a[href='/interpreters/{interpreter.pk}/']").count() == 0
    assert page.locator("form[action='/interpreters/']").count() == 0
    shot(tab, "03-roster-advocate")

    # --- From the case to its communications. ---------------------------------
    tab.visit(case_url)
    tab.click_through("#records a:text-is('Communications')")
    assert tab.path == log_url
    assert page.is_visible("text=Nothing recorded yet.")
    shot(tab, "04-log-empty")
    tab.click_through("main a:text-is('Record a communication')")
    assert tab.path == new_url
    assert page.input_value("#id_language") == "hmn", "the person's language comes first"
    assert page.input_value("#id_occurred_at"), "now, to start with"
    assert page.is_checked("#id_with_person")
    assert page.is_checked(f"input[name=staff_ids][value='{advocate.pk}']")
    assert page.is_checked("input[name=interpretation][value=none]")
    shot(tab, "05-new-empty")

    # A family member interpreted, and no reason given: refused, nothing kept.
    page.select_option("#id_channel", "phone")
    page.fill("#id_summary", SUMMARY)
    page.check("input[name=interpretation][value=phone]")
    page.select_option("#id_ad_hoc", "family")
    page.fill("#id_ad_hoc_name", RELATIVE)
    response = tab.click_through("form[action$='/communications/new/'] button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert tab.path == new_url
    summary = page.locator("[data-error-summary]").inner_text()
    assert AD_HOC_REFUSAL in summary
    assert "Why no trained interpreter was used" in summary
    assert not Communication.objects.filter(case=case).exists()
    shot(tab, "06-new-family-refused")

    # The roster interpreter, by phone, in Hmong.
    page.select_option("#id_ad_hoc", "")
    page.fill("#id_ad_hoc_name", "")
    page.select_option("#id_channel", "phone")
    page.fill("#id_summary", SUMMARY)
    page.fill("#id_details", DETAILS)
    page.select_option("#id_language", "hmn")
    page.check("input[name=interpretation][value=phone]")
    page.select_option("#id_interpreter", label=f"{INTERPRETER} (Hmong)")
    shot(tab, "07-new-filled")
    tab.click_through("form[action$='/communications/new/'] button[type=submit]")
    entry = Communication.objects.get(case=case)
    entry_url = f"{log_url}{entry.pk}/"
    assert tab.path == entry_url
    assert page.is_visible("text=The communication is recorded.")
    assert page.locator("main h1").inner_text() == "Communication no. 1"
    assert fact(tab, "How") == "Phone"
    assert fact(tab, "Summary") == SUMMARY
    assert fact(tab, "Details") == DETAILS
    assert fact(tab, "Language spoken") == "Hmong"
    assert fact(tab, "Interpretation") == f"By phone: {INTERPRETER}"
    assert "The person" in fact(tab, "Who took part")
    assert entry.interpreter_id == interpreter.pk
    assert entry.agreement_warning == ""
    shot(tab, "08-entry")

    # An addendum, with its reason.
    page.fill("#id_addendum_reason", ADDENDUM_REASON)
    page.fill("#id_summary", ADDENDUM_SUMMARY)
    page.fill("#id_details", ADDENDUM_DETAILS)
    tab.click_through("form[action$='/addendum/'] button[type=submit]")
    added = Communication.objects.get(case=case, addendum_to=entry)
    assert tab.path == f"{log_url}{added.pk}/"
    assert page.is_visible("text=The addendum is recorded. The entry itself is unchanged.")
    assert page.locator("main h1").inner_text() == "Communication no. 2"
    note = page.locator("main .message--info").inner_text()
    assert "This is an addendum to communication no. 1" in note
    assert ADDENDUM_REASON in note
    assert fact(tab, "Summary") == ADDENDUM_SUMMARY
    shot(tab, "09-addendum")

    # The entry itself is unchanged, and lists its addendum.
    tab.click_through("main .message--info a:text-is('communication no. 1')")
    assert tab.path == entry_url
    assert fact(tab, "Summary") == SUMMARY
    addenda = page.locator("section[aria-labelledby=addenda-heading] li")
    assert addenda.count() == 1
    assert ADDENDUM_SUMMARY in addenda.inner_text()
    assert addenda.locator("a").get_attribute("href") == f"{log_url}{added.pk}/"

    # The log: both, newest first, the addendum marked.
    shot(tab, "10-entry-with-addendum")
    tab.click_through("main a:text-is('Back to the communications')")
    assert tab.path == log_url
    rows = page.locator("tr[data-entry]")
    assert rows.count() == 2
    newest, first = rows.nth(0), rows.nth(1)
    assert newest.get_attribute("data-entry") == str(added.pk)
    assert newest.locator("th").inner_text() == f"Addendum: {ADDENDUM_SUMMARY}"
    assert first.locator("th").inner_text() == SUMMARY
    assert f"By phone: {INTERPRETER}" in first.inner_text()
    shot(tab, "11-log")

    # --- The export, for the person, as the verifiable bundle. -----------------
    tab.visit(case_url)
    tab.click_through("#records a:text-is('Export the record')")
    assert tab.path == export_url
    page.check("input[name=audience][value=person]")
    page.check("input[name=output][value=bundle]")
    shot(tab, "12-export")
    # The export is made in the background: the page follows it, and offers
    # the file once it is ready (at once here: jobs run inline under tests).
    tab.click_through("form[action$='/export/'] button[type=submit]")
    assert tab.path.startswith("/jobs/"), tab.path
    shot(tab, "13-export-ready")
    with page.expect_download() as info:
        page.click("main a:text-is('Download the file')")
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    bundle = tmp_path / download.suggested_filename
    download.save_as(bundle)

    exported = RecordExport.objects.get(case=case)
    assert exported.communications == 2
    checked = verifier(bundle)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("OK"), checked.stdout
    assert exported.root in checked.stdout, "the root hash Haven recorded"

    with zipfile.ZipFile(bundle) as archive:
        record = json.loads(archive.read("record.json"))
    assert record["audience"] == "person"
    sent = record["communications"]
    assert [c["seq"] for c in sent] == [1, 2]
    assert sent[0]["interpreter"] == INTERPRETER
    assert sent[0]["interpretation"] == "By phone"
    assert sent[0]["language"] == "Hmong"
    assert sent[0]["summary"] == SUMMARY
    assert sent[0]["details"] == DETAILS
    assert sent[0]["haven_hash"] == entry.hash
    assert sent[1]["addendum_to"] == 1
    assert sent[1]["addendum_reason"] == ADDENDUM_REASON
    assert sent[1]["summary"] == ADDENDUM_SUMMARY
    assert sent[1]["haven_hash"] == added.hash

    # One byte changed in record.json, and the bundle no longer verifies.
    forged = tmp_path / "forged.zip"
    tampered(bundle, forged, INTERPRETER)
    refused = verifier(forged)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout.startswith("FAILED"), refused.stdout
    assert "record.json" in refused.stdout

    # The export page lists the export with its root hash.
    tab.visit(export_url)
    earlier = page.locator("section[aria-labelledby=earlier-heading] tbody tr")
    assert earlier.count() == 1
    assert exported.root in earlier.inner_text()
    shot(tab, "13-export-earlier")

    # --- And the log's chains and the audit trail verify. ---------------------
    call_command("verify_integrity")
