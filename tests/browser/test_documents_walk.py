"""A case's files walked in the browser: documents, a scanned consent, a court order.

An advocate opens the case, goes to its Documents, and tries to keep a web
page dressed up as "statement.pdf": it is refused for what its bytes are, not
for its name, and nothing is kept. A real PDF with a description is kept and
comes back, byte for byte, as a download that is never shown in the page.
The advocate then records a consent signed on paper with the scan of the
signed form attached, and the consents table links to "The signed scan".

A supervisor of the case's team, in a browser of their own, goes to "What
has been shared" and records information given under a court order: without
the box saying a judge signed the order it is refused with the reason; with
it, and a copy of the order, it lands in the ledger as "Court order" with a
link to the copy.

All data is synthetic. Set HAVEN_SHOTS to a folder (for example
/tmp/haven-shots) to keep a full-page screenshot of each page, under
documents/, for review.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from haven.attachments.models import Attachment, Use
from haven.consent.models import Basis, Consent, ConsentForm, Disclosure
from tests import files
from tests.factories import record_intake

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("HAVEN_SHOTS", "")

NAME = "Dana Ejemplova (synthetic)"
STATEMENT = files.pdf("Statement of Dana Ejemplova (synthetic)")
STATEMENT_NOTE = "Signed statement of 3 May (synthetic)"
SCAN = files.pdf("Signed consent form (synthetic)")
ORDER = files.pdf("Order of the Dane County Circuit Court (synthetic)")
ORDER_REFERENCE = "Dane County Circuit Court, 2026CV000123, 2026-05-04 (synthetic)"
ORDER_RECIPIENT = "Clerk of the Dane County Circuit Court (synthetic)"
ORDER_GIVEN = "Name and date of birth, on a single printed page (synthetic)."
ORDER_TOLD = "Told by phone on 2026-05-05, in her language (synthetic)."
# What haven/attachments/filetypes.py says of markup, whatever its name.
MARKUP_REFUSAL = "Web pages"
# What haven/consent/court_orders.py says without the judge box ticked.
JUDGE_REFUSAL = "Only an order signed by a judge is a legal basis."

PDF = "application/pdf"


def shot(tab, name: str) -> None:
    """A full-page screenshot for a human to look at, when HAVEN_SHOTS is set."""
    if SHOTS:
        folder = Path(SHOTS) / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def attach(tab, selector: str, name: str, data: bytes, mime: str = PDF) -> None:
    tab.page.set_input_files(selector, files=[{"name": name, "mimeType": mime, "buffer": data}])


def fetched(tab, href: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of ``href``, fetched with the tab's own cookies."""
    response = tab.page.request.get(tab.url(href))
    assert response.status == 200, (href, response.status)
    return response.body(), response.headers


def downloaded(tab, link) -> tuple[str, bytes]:
    """Click ``link``; the file the browser saves (its suggested name and bytes)."""
    with tab.page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_documents_a_scanned_consent_and_a_court_order_are_kept_sealed_and_handed_out(
    new_browsing, advocate, supervisor, team
):
    case = record_intake(actor=advocate, team=team, preferred_name=NAME, language="eng")
    case_url = f"/cases/{case.pk}/"
    documents_url = f"{case_url}documents/"
    consents_url = f"{case_url}consents/"
    disclosures_url = f"{case_url}disclosures/"
    court_order_url = f"{case_url}court-order/"

    # --- The advocate: from the case to its documents. ------------------------
    tab = new_browsing()
    page = tab.page
    tab.sign_in(advocate.username, advocate.totp_secret)
    tab.visit(case_url)
    shot(tab, "01-case")
    tab.click_through("#records a:text-is('Documents')")
    assert tab.path == documents_url
    assert page.is_visible("section[aria-labelledby=kept-heading] >> text=None yet.")
    shot(tab, "02-documents-empty")

    # --- A web page named like a PDF: refused for what it is. -----------------
    attach(tab, "#id_file", "statement.pdf", files.html_named_pdf())
    page.fill("#id_description", STATEMENT_NOTE)
    response = tab.click_through("form[action$='/documents/'] button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert tab.path == documents_url
    summary = page.locator("[data-error-summary]")
    assert MARKUP_REFUSAL in summary.inner_text()
    assert page.locator("tr[data-attachment]").count() == 0
    assert not Attachment.objects.filter(case=case).exists()
    shot(tab, "03-documents-refused")

    # --- A real PDF: kept, listed, and handed back as it was. -----------------
    attach(tab, "#id_file", "statement.pdf", STATEMENT)
    page.fill("#id_description", STATEMENT_NOTE)
    tab.click_through("form[action$='/documents/'] button[type=submit]")
    assert tab.path == documents_url
    assert page.is_visible("text=The file is kept, sealed.")
    rows = page.locator("tr[data-attachment]")
    assert rows.count() == 1
    row_text = rows.inner_text()
    assert "statement.pdf" in row_text
    assert STATEMENT_NOTE in row_text
    assert "Document" in row_text
    document = Attachment.objects.get(case=case)
    link = rows.locator("th a")
    href = link.get_attribute("href")
    assert href == f"/attachments/{document.pk}/"
    shot(tab, "04-documents-kept")

    name, data = downloaded(tab, link)
    assert name == "statement.pdf"
    assert data == STATEMENT
    assert tab.path == documents_url, "a download, not a page"
    body, headers = fetched(tab, href)
    assert body == STATEMENT
    assert headers["content-disposition"].startswith("attachment")
    assert headers["content-type"] == PDF
    assert headers["x-content-type-options"] == "nosniff"

    # --- A consent signed on paper, with the scan of the signed form. ---------
    tab.visit(case_url)
    tab.click_through("#records a:text-is('What has been shared')")
    assert tab.path == disclosures_url
    assert page.is_visible("text=Nothing has been shared.")
    assert page.locator("text=Record information given under a court order").count() == 0, (
        "only a supervisor of the team answers court orders"
    )
    tab.visit(consents_url)
    page.select_option("#id_recipient", "category:local")
    page.check("input[name=purpose][value=benefits]")
    page.get_by_label("Name, date of birth and gender", exact=True).check()
    page.check("input[name=form][value=paper]")
    attach(tab, "#id_scan", "consent-signed.pdf", SCAN)
    assert page.input_value("#id_language") == "eng", "the person's language comes first"
    shot(tab, "05-consent-filled")
    tab.click_through("form[action$='/consents/'] button[type=submit]")
    assert tab.path == consents_url
    assert page.is_visible("text=The consent is recorded.")
    in_force = page.locator("section[aria-labelledby=in-force-heading] tbody tr")
    assert in_force.count() == 1
    row_text = in_force.inner_text()
    assert "Local agencies" in row_text
    assert "Signed on paper" in row_text
    consent = Consent.objects.get(case=case)
    assert consent.form == ConsentForm.PAPER
    assert consent.scan is not None
    scan_link = in_force.locator("a:text-is('The signed scan')")
    assert scan_link.count() == 1
    scan_href = scan_link.get_attribute("href")
    assert scan_href == f"/attachments/{consent.scan_id}/"
    body, headers = fetched(tab, scan_href)
    assert body == SCAN
    assert headers["content-disposition"].startswith("attachment")
    shot(tab, "06-consent-recorded")

    # The documents page lists every file of the case, the scan among them.
    tab.visit(documents_url)
    assert page.locator("tr[data-attachment]").count() == 2
    shot(tab, "07-documents-with-scan")
    tab.sign_out()

    # --- A supervisor of the team: a court order. -----------------------------
    boss = new_browsing()
    them = boss.page
    boss.sign_in(supervisor.username, supervisor.totp_secret)
    boss.visit(case_url)
    boss.click_through("#records a:text-is('What has been shared')")
    assert boss.path == disclosures_url
    shot(boss, "08-disclosures-supervisor")
    boss.click_through("main a:text-is('Record information given under a court order')")
    assert boss.path == court_order_url
    shot(boss, "09-court-order-empty")

    def fill_order(*, judge: bool) -> None:
        them.fill("#id_reference", ORDER_REFERENCE)
        if judge:
            them.check("#id_signed_by_judge")
        attach(boss, "#id_copy", "court-order.pdf", ORDER)
        them.fill("#id_recipient_name", ORDER_RECIPIENT)
        them.select_option("#id_recipient_category", "state")
        assert them.input_value("#id_purpose") == "court"
        them.check("input[name=kinds][value=identity]")
        them.fill("#id_given", ORDER_GIVEN)
        them.fill("#id_person_told", ORDER_TOLD)

    # Without the judge: refused with the reason, nothing kept or shared.
    fill_order(judge=False)
    response = boss.click_through("form[action$='/court-order/'] button[type=submit]")
    assert response is not None
    assert response.status == 400
    assert boss.path == court_order_url
    summary = them.locator("[data-error-summary]").inner_text()
    assert JUDGE_REFUSAL in summary
    assert not Disclosure.objects.filter(case=case).exists()
    assert not Attachment.objects.filter(case=case, use=Use.COURT_ORDER).exists()
    shot(boss, "10-court-order-no-judge")

    # With it, and the copy attached again: in the ledger, with the copy.
    assert not them.is_checked("#id_signed_by_judge")
    fill_order(judge=True)
    boss.click_through("form[action$='/court-order/'] button[type=submit]")
    assert boss.path == disclosures_url
    assert them.is_visible("text=Recorded in what has been shared.")
    ledger = them.locator("main tbody tr")
    assert ledger.count() == 1
    row_text = ledger.inner_text()
    assert ORDER_RECIPIENT in row_text
    assert "Court order" in row_text
    assert ORDER_REFERENCE in row_text
    assert "Name, date of birth and gender" in row_text
    copy_link = ledger.locator("a:text-is('Copy of the order')")
    assert copy_link.count() == 1
    disclosure = Disclosure.objects.get(case=case)
    copy_href = copy_link.get_attribute("href")
    assert copy_href == f"/attachments/{disclosure.court_order_copy_id}/"
    name, data = downloaded(boss, copy_link)
    assert name == "court-order.pdf"
    assert data == ORDER
    shot(boss, "11-disclosures-court-order")

    # --- What the database keeps. ---------------------------------------------
    kept = {a.use: a for a in Attachment.objects.filter(case=case)}
    assert sorted(kept) == sorted([Use.DOCUMENT, Use.CONSENT, Use.COURT_ORDER])
    assert Attachment.objects.filter(case=case).count() == 3
    assert kept[Use.DOCUMENT].name == "statement.pdf"
    assert kept[Use.DOCUMENT].description == STATEMENT_NOTE
    assert kept[Use.DOCUMENT].uploaded_by == advocate
    assert kept[Use.CONSENT].pk == consent.scan_id
    assert kept[Use.CONSENT].uploaded_by == advocate
    assert kept[Use.COURT_ORDER].pk == disclosure.court_order_copy_id
    assert kept[Use.COURT_ORDER].uploaded_by == supervisor
    assert all(a.content_type == PDF for a in kept.values())
    assert disclosure.basis == Basis.COURT_ORDER
    assert disclosure.court_order == ORDER_REFERENCE
    assert disclosure.by == supervisor
    assert sorted(disclosure.kinds) == ["identity"]
    assert Disclosure.objects.filter(case=case, basis=Basis.COURT_ORDER).count() == 1
