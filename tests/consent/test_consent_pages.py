"""Consent on the case: recording one (every rule, every refusal), withdrawing
it, printing the form in the person's language, and the ledger of what left."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from haven.attachments.models import Attachment, Use
from haven.audit.models import Action, AuditEvent
from haven.consent.models import Consent, ConsentSettings
from haven.partners.models import Organization, PartnerKind
from haven.protocol.models import CaseStep, Step, StepState
from tests import files
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal_aid(agency):
    return Organization.objects.create(
        agency=agency, name="Sample Legal Aid (synthetic)", kind=PartnerKind.LEGAL
    )


@pytest.fixture
def case(advocate, team):
    return record_intake(
        actor=advocate, team=team, legal_name="Synthetic Consent Person", language="spa"
    )


def form_data(org, **changes):
    today = timezone.localdate()
    data = {
        "recipient": f"org:{org.pk}",
        "purpose": "legal",
        "kinds": ["identity", "contact"],
        "form": "verbal",
        "witness": "Staff witness (synthetic)",
        "language": "spa",
        "interpreter": "Certified interpreter (synthetic)",
        "starts_on": today.isoformat(),
        "expires_on": (today + timedelta(days=60)).isoformat(),
    }
    data.update(changes)
    return data


def url(name, case, *args):
    return reverse(f"consent:{name}", args=[case.pk, *args])


def test_recording_a_consent_shows_it_in_force_and_moves_the_step(
    client_for, advocate, case, legal_aid
):
    client = client_for(advocate)
    page = client.get(url("consents", case))
    assert page.status_code == 200
    # The default end date is the agency's default from today.
    assert page.context["form"].initial["expires_on"] == timezone.localdate() + timedelta(days=90)
    response = client.post(url("consents", case), form_data(legal_aid))
    assert response.status_code == 303
    consent = Consent.objects.get(case=case)
    assert (consent.recipient_org, consent.purpose, consent.kinds) == (
        legal_aid,
        "legal",
        ["contact", "identity"],
    )
    assert consent.interpreter == "Certified interpreter (synthetic)"
    body = client.get(url("consents", case)).content.decode()
    assert "Sample Legal Aid (synthetic)" in body
    assert CaseStep.objects.get(case=case, step=Step.CONSENT).state == StepState.DONE
    event = AuditEvent.objects.get(action=Action.CONSENT_RECORDED)
    assert "Synthetic Consent Person" not in str(event.detail)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expires_on": "2020-01-01", "starts_on": "2020-02-01"}, "must end after it starts"),
        ({"expires_on": "x"}, "Enter a valid date"),
        ({"witness": ""}, "Name the witness"),
        ({"form": "screen"}, "sign with their name"),
        ({"form": "paper"}, "Attach the scan of the signed paper"),
        ({"kinds": []}, "Choose what information may be shared"),
        ({"kinds": ["identity", "bank_details"]}, "Select a valid choice"),
        ({"purpose": ""}, "Choose the purpose"),
        ({"recipient": ""}, "Say who the information may go to"),
        ({"language": "xx"}, "Select a valid choice"),
        ({"witness": "A\u202ename"}, "hidden"),
    ],
)
def test_a_bad_consent_says_why_and_records_nothing(
    client_for, advocate, case, legal_aid, changes, message
):
    client = client_for(advocate)
    response = client.post(url("consents", case), form_data(legal_aid, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.exists()


def test_a_consent_longer_than_a_year_is_refused(client_for, advocate, case, legal_aid):
    today = timezone.localdate()
    response = client_for(advocate).post(
        url("consents", case),
        form_data(legal_aid, expires_on=(today + timedelta(days=400)).isoformat()),
    )
    assert response.status_code == 400
    assert "a year at most" in response.content.decode()
    assert not Consent.objects.exists()


def test_another_agencys_organization_cannot_be_named(client_for, advocate, case, other_agency):
    theirs = Organization.objects.create(agency=other_agency, name="Elsewhere Legal (synthetic)")
    response = client_for(advocate).post(url("consents", case), form_data(theirs))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Consent.objects.exists()


def test_withdrawing_a_consent(client_for, advocate, case, legal_aid):
    consent = give_consent(
        actor=advocate, case=case, organization=legal_aid, purpose="legal", kinds=["identity"]
    )
    client = client_for(advocate)
    assert client.get(url("consent_withdraw", case, consent.pk)).status_code == 200
    response = client.post(url("consent_withdraw", case, consent.pk), {"note": "Not now"})
    assert response.status_code == 303
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revoked_by == advocate
    assert consent.revoke_note == "Not now"
    again = client.post(url("consent_withdraw", case, consent.pk), {"note": ""})
    assert again.status_code == 400
    assert "already withdrawn" in again.content.decode()


def test_the_printed_form_is_in_the_language_it_was_explained_in(
    client_for, advocate, case, legal_aid
):
    consent = give_consent(
        actor=advocate,
        case=case,
        organization=legal_aid,
        purpose="legal",
        kinds=["identity"],
        language="spa",
    )
    response = client_for(advocate).get(url("consent_pdf", case, consent.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="consent.pdf"'
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Synthetic Consent Person" in text
    assert "Sample Legal Aid (synthetic)" in text
    assert "No tiene que firmar" in text
    assert "You do not have to sign" not in text
    assert AuditEvent.objects.filter(action=Action.DOCUMENT_PRINTED).exists()


def test_the_ledger_lists_what_left(client_for, advocate, case):
    from haven.authorities.law import law_contact_record

    give_consent(
        actor=advocate,
        case=case,
        category="law_enforcement",
        purpose="law_enforcement",
        kinds=["identity"],
    )
    law_contact_record(
        actor=advocate,
        case=case,
        basis="consent",
        agency_name="Sample Police (synthetic)",
        contacted_on=timezone.localdate(),
    )
    body = client_for(advocate).get(url("disclosures", case)).content.decode()
    assert "Sample Police (synthetic)" in body
    assert "The person&#x27;s consent" in body


def test_a_consent_of_another_case_is_404(client_for, advocate, case, team, legal_aid):
    other = record_intake(actor=advocate, team=team)
    consent = give_consent(
        actor=advocate, case=other, organization=legal_aid, purpose="legal", kinds=["identity"]
    )
    client = client_for(advocate)
    assert client.get(url("consent_withdraw", case, consent.pk)).status_code == 404
    assert client.get(url("consent_pdf", case, consent.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["intake", "admin", "auditor"])
def test_roles_without_the_protocol_cannot_record(client_for, all_personas, team, persona):
    case = record_intake(actor=all_personas["advocate"], team=team)
    org = Organization.objects.create(agency=case.agency, name="Sample (synthetic)")
    client = client_for(all_personas[persona])
    assert client.post(url("consents", case), form_data(org)).status_code == 404
    assert not Consent.objects.exists()


def test_the_administrator_sets_the_default_length(client_for, admin_user, advocate):
    client = client_for(admin_user)
    target = reverse("consent:settings")
    assert client.post(target, {"default_days": "400"}).status_code == 400
    assert client.post(target, {"default_days": "30"}).status_code == 303
    assert ConsentSettings.objects.get(agency=admin_user.agency).default_days == 30
    assert client_for(advocate).get(target).status_code == 404


def test_the_dashboard_lists_consents_ending_soon_without_names(
    client_for, advocate, case, legal_aid
):
    today = timezone.localdate()
    give_consent(
        actor=advocate,
        case=case,
        organization=legal_aid,
        purpose="legal",
        kinds=["identity"],
        expires_on=today + timedelta(days=5),
    )
    give_consent(
        actor=advocate,
        case=case,
        organization=legal_aid,
        purpose="services",
        kinds=["identity"],
        expires_on=today + timedelta(days=60),
    )
    case.assigned.add(advocate)
    body = client_for(advocate).get(reverse("desk:dashboard")).content.decode()
    # The case's line says the consent ends, linked to where it is renewed.
    section = body.split('id="next-heading"')[1].split("</section>")[0]
    consents = url("consents", case)
    assert f'<a href="{consents}">Legal help</a>: the consent ends in 5 days' in section
    assert "A referral for services" not in section  # not ending soon
    # Named once, on the case's one line, as everywhere for this role.
    assert section.count("Synthetic Consent Person") == 1


def test_after_recording_staff_go_back_where_they_came_from(client_for, advocate, case, legal_aid):
    client = client_for(advocate)
    back = f"/cases/{case.pk}/referrals/"
    response = client.post(url("consents", case), {**form_data(legal_aid), "next": back})
    assert response["Location"] == back
    # Never to another site, nor to another case.
    for elsewhere in ("https://evil.example/", "//evil.example/", "/cases/other/"):
        Consent.objects.all().delete()
        response = client.post(url("consents", case), {**form_data(legal_aid), "next": elsewhere})
        assert response["Location"] == url("consents", case)


def test_a_paper_consent_keeps_its_scan_sealed_with_the_person(
    client_for, advocate, case, legal_aid
):
    client = client_for(advocate)
    scan = files.pdf("Signed consent form (synthetic)")
    response = client.post(
        url("consents", case),
        form_data(legal_aid, form="paper", witness="", scan=files.uploaded(scan, "consent.pdf")),
    )
    assert response.status_code == 303
    consent = Consent.objects.get(case=case)
    assert consent.scan.use == Use.CONSENT
    assert consent.scan.case_id == case.pk
    page = client.get(url("consents", case)).content.decode()
    download = reverse("attachments:download", args=[consent.scan_id])
    assert download in page
    assert client.get(download).content == scan


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"form": "paper", "scan": "svg"}, "Web pages, SVG images"),
        ({"form": "verbal", "scan": "pdf"}, "A scan goes with a consent signed on paper"),
    ],
)
def test_a_bad_scan_says_why_and_records_nothing(
    client_for, advocate, case, legal_aid, changes, message
):
    data = files.svg_with_script() if changes["scan"] == "svg" else files.pdf()
    changes = {**changes, "scan": files.uploaded(data, "scan.pdf")}
    response = client_for(advocate).post(url("consents", case), form_data(legal_aid, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.exists()
    assert not Attachment.objects.exists()


def test_a_scan_must_be_a_pdf_or_an_image(client_for, advocate, case, legal_aid):
    response = client_for(advocate).post(
        url("consents", case),
        form_data(legal_aid, form="paper", witness="", scan=files.uploaded(files.wav(), "a.wav")),
    )
    assert response.status_code == 400
    assert "A scan must be a PDF or an image" in response.content.decode()
    assert not Consent.objects.exists()
