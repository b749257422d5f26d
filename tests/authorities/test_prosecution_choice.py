"""Prosecution is part of the person's choice about law enforcement
(docs/adr/0026-shelter-and-agency-steps.md): after a recorded refusal, a
district attorney's office, its victim-witness program and federal
prosecutors are refused with the same reason as police, through the
services, the pages and the API, whatever consent exists; a later change of
mind opens only what the person named."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.authorities.law import law_contact_record
from haven.consent.gate import DisclosureRefused, Recipient, disclose
from haven.consent.models import Basis, Disclosure, InfoKind, Purpose
from haven.partners.models import GovernmentLevel, Organization, PartnerKind, Service
from haven.protocol.law import law_choice_record
from haven.protocol.models import (
    CaseStep,
    LawEnforcementChoice,
    LawEnforcementContact,
    Need,
    NeedCategory,
    Step,
    StepState,
)
from haven.protocol.needs import assessment_record
from haven.protocol.safety import danger_check_record
from haven.referrals.models import Referral
from haven.referrals.services import ReferralRequest, referral_send
from haven.reports.models import LawChoiceFact
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
REFUSED = "law_enforcement_refused"
KINDS = ["identity", "needs"]


@pytest.fixture
def category():
    return NeedCategory.objects.get(agency=None, code="shelter")


@pytest.fixture
def case(advocate, team, category):
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Prosecution Person")
    assessment_record(actor=advocate, case=case, ranked=[category.pk])
    return case


def partner(agency, category, name: str, kind: str) -> Service:
    """A partner of the directory with one service for the case's need."""
    org = Organization.objects.create(
        agency=agency, name=name, kind=kind, government_level=GovernmentLevel.LOCAL
    )
    service = Service.objects.create(agency=agency, organization=org, name=f"{name}: help")
    service.need_categories.add(category)
    return service


@pytest.fixture
def police(agency, category):
    return partner(agency, category, "Synthetic Police Department", PartnerKind.LAW_ENFORCEMENT)


@pytest.fixture
def da_program(agency, category):
    return partner(
        agency, category, "Synthetic DA Victim-Witness Program", PartnerKind.DA_VICTIM_WITNESS
    )


@pytest.fixture
def prosecutor(agency, category):
    return partner(agency, category, "Synthetic District Attorney", PartnerKind.PROSECUTOR)


@pytest.fixture
def consented(advocate, case, police, da_program, prosecutor):
    """Every consent there could be: to each partner for a referral, and to
    the prosecution and law enforcement categories for a contact."""
    for service in (police, da_program, prosecutor):
        give_consent(
            actor=advocate,
            case=case,
            organization=service.organization,
            purpose="services",
            kinds=KINDS,
        )
    give_consent(actor=advocate, case=case, category="prosecution", purpose="court", kinds=KINDS)
    give_consent(
        actor=advocate,
        case=case,
        category="law_enforcement",
        purpose="law_enforcement",
        kinds=KINDS,
    )
    return case


def refer(advocate, case, service) -> Referral:
    request = ReferralRequest(
        need_id=Need.objects.get(case=case).pk,
        organization_id=service.organization_id,
        service_id=service.pk,
        purpose="services",
        kinds=KINDS,
    )
    return referral_send(actor=advocate, case=case, request=request)


def contact(advocate, case, part: str, basis: str = "consent"):
    return law_contact_record(
        actor=advocate,
        case=case,
        part=part,
        basis=basis,
        agency_name="Synthetic District Attorney",
        contacted_on=timezone.localdate(),
        shared=["identity"],
    )


def written() -> tuple[int, ...]:
    return (
        Referral.objects.count(),
        LawEnforcementContact.objects.count(),
        Disclosure.objects.count(),
        AuditEvent.objects.filter(action=Action.REFERRAL_SENT).count(),
        AuditEvent.objects.filter(action=Action.LAW_CONTACT_RECORDED).count(),
    )


def refusal(send, *args, **kwargs) -> tuple[str, str]:
    """The gate's reason and message, checking nothing was written."""
    before = written()
    with pytest.raises(DisclosureRefused) as caught:
        send(*args, **kwargs)
    assert written() == before
    return caught.value.reason, caught.value.messages[0]


# --- Through the services --------------------------------------------------------------


def test_after_a_refusal_prosecutors_are_refused_as_police_are(
    advocate, consented, police, da_program, prosecutor
):
    case = consented
    law_choice_record(actor=advocate, case=case, agrees=False)
    police_refusal = refusal(refer, advocate, case, police)
    assert police_refusal[0] == REFUSED
    assert refusal(refer, advocate, case, da_program) == police_refusal
    assert refusal(refer, advocate, case, prosecutor) == police_refusal
    assert refusal(contact, advocate, case, "prosecution") == police_refusal
    assert refusal(contact, advocate, case, "investigation") == police_refusal
    reasons = AuditEvent.objects.filter(action=Action.DISCLOSURE_REFUSED)
    assert [e.detail["reason"] for e in reasons] == [REFUSED] * 5


def test_a_change_of_mind_to_prosecution_only_opens_the_prosecutor_and_not_the_police(
    advocate, consented, police, da_program, prosecutor
):
    case = consented
    law_choice_record(actor=advocate, case=case, agrees=False)
    law_choice_record(actor=advocate, case=case, prosecution=True, note="Only the DA (synthetic)")
    choice = LawEnforcementChoice.objects.filter(case=case).latest("at")
    assert (choice.investigation, choice.prosecution) == (False, True)
    assert refer(advocate, case, da_program).organization_id == da_program.organization_id
    assert refer(advocate, case, prosecutor).organization_id == prosecutor.organization_id
    row = contact(advocate, case, "prosecution")
    assert (row.part, row.basis) == ("prosecution", "consent")
    assert Disclosure.objects.get(record_id=str(row.pk)).purpose == Purpose.COURT
    assert refusal(refer, advocate, case, police)[0] == REFUSED
    assert refusal(contact, advocate, case, "investigation")[0] == REFUSED


def test_a_change_of_mind_to_police_only_keeps_the_prosecutor_refused(
    advocate, consented, police, da_program
):
    case = consented
    law_choice_record(actor=advocate, case=case, agrees=False)
    law_choice_record(actor=advocate, case=case, investigation=True, prosecution=False)
    assert refer(advocate, case, police)
    assert contact(advocate, case, "investigation").part == "investigation"
    assert refusal(refer, advocate, case, da_program)[0] == REFUSED
    assert refusal(contact, advocate, case, "prosecution")[0] == REFUSED


def test_before_any_choice_a_prosecutor_needs_only_a_consent(advocate, case, da_program):
    assert refusal(refer, advocate, case, da_program)[0] == "no_consent"
    give_consent(
        actor=advocate,
        case=case,
        organization=da_program.organization,
        purpose="services",
        kinds=KINDS,
    )
    assert refer(advocate, case, da_program)


def test_the_legal_bases_still_pass_a_refusal_of_both_parts(advocate, team):
    minor = record_intake(actor=advocate, team=team, estimated_age=16)
    law_choice_record(actor=advocate, case=minor, agrees=False)
    police = Recipient.law_enforcement("Synthetic Police")

    def send(case, basis):
        return disclose(
            actor=advocate,
            case=case,
            recipient=police,
            purpose=Purpose.SAFETY,
            kinds=[InfoKind.IDENTITY],
            basis=basis,
            channel="test",
            record=lambda row: None,
        )[1]

    assert send(minor, Basis.MANDATED_MINOR).basis == Basis.MANDATED_MINOR
    danger_check_record(actor=advocate, case=minor, answer="yes")
    assert send(minor, Basis.IMMINENT_DANGER).basis == Basis.IMMINENT_DANGER
    assert contact(advocate, minor, "investigation", basis="mandated_minor").basis == (
        "mandated_minor"
    )


def test_a_contact_with_prosecutors_goes_only_on_consent(advocate, team):
    """A 911 call or a mandated report never goes to a prosecutor, so it
    cannot open a way round the person's refusal."""
    minor = record_intake(actor=advocate, team=team, estimated_age=16)
    law_choice_record(actor=advocate, case=minor, agrees=False)
    danger_check_record(actor=advocate, case=minor, answer="yes")
    for basis in ("mandated_minor", "emergency_911"):
        before = written()
        with pytest.raises(ValidationError) as caught:
            contact(advocate, minor, "prosecution", basis=basis)
        assert "basis" in caught.value.message_dict
        assert written() == before


def test_agrees_alone_answers_both_parts_and_a_part_not_named_stays_refused(advocate, case):
    assert law_choice_record(actor=advocate, case=case, agrees=True).refused == frozenset()
    only = law_choice_record(actor=advocate, case=case, investigation=True)
    assert (only.investigation, only.prosecution) == (True, False)
    count = LawEnforcementChoice.objects.count()
    with pytest.raises(ValidationError):
        law_choice_record(actor=advocate, case=case, agrees=True, prosecution=False)
    with pytest.raises(ValidationError):
        law_choice_record(actor=advocate, case=case)
    assert LawEnforcementChoice.objects.count() == count


def test_the_report_counts_a_person_who_opens_either_part_as_choosing(advocate, case):
    law_choice_record(actor=advocate, case=case, agrees=False)
    law_choice_record(actor=advocate, case=case, prosecution=True)
    facts = LawChoiceFact.objects.filter(case_ref=case.pk).order_by("chosen_on", "id")
    assert sorted(f.agrees for f in facts) == [False, True]


# --- Through the pages -----------------------------------------------------------------


def choose(client, case, investigation: str, prosecution: str):
    return client.post(
        reverse("authorities:law_choice", args=[case.pk]),
        {"choice-investigation": investigation, "choice-prosecution": prosecution},
    )


def test_the_page_records_both_parts_and_shows_what_is_open(client_for, advocate, case):
    client = client_for(advocate)
    page = reverse("authorities:law", args=[case.pk])
    form = client.get(page).content.decode()
    assert "talk to police or investigators" in form
    assert "take part in a prosecution, with the district attorney" in form
    assert choose(client, case, "no", "no").status_code == 303
    body = client.get(page).content.decode()
    assert "The person said no to law enforcement." in body
    assert body.count("Refused") == 2
    assert choose(client, case, "no", "yes").status_code == 303
    body = client.get(page).content.decode()
    assert "The person said no to police and investigators." in body
    assert "The person said no to law enforcement." not in body
    assert "Open: they agree" in body
    step = CaseStep.objects.get(case=case, step=Step.LAW_ENFORCEMENT)
    assert step.state == StepState.DONE
    case_page = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert "The person said no to police and investigators; they agree" in case_page


def test_an_unanswered_part_is_refused_and_nothing_written(client_for, advocate, case):
    response = client_for(advocate).post(
        reverse("authorities:law_choice", args=[case.pk]), {"choice-investigation": "yes"}
    )
    assert response.status_code == 400
    assert "Choose the person&#x27;s answer." in response.content.decode()
    assert LawEnforcementChoice.objects.count() == 0


def test_the_pages_refuse_the_prosecutor_after_a_refusal_and_allow_it_once_chosen(
    client_for, advocate, consented, da_program
):
    case = consented
    client = client_for(advocate)
    choose(client, case, "no", "no")
    need = Need.objects.get(case=case)
    new = reverse("referrals:referral_new", args=[case.pk, need.pk, da_program.pk])
    sent = {"purpose": "services", "kinds": KINDS}
    contact_url = reverse("authorities:law_contact", args=[case.pk])
    with_da = {
        "contact-part": "prosecution",
        "contact-basis": "consent",
        "contact-agency_name": "Synthetic District Attorney",
        "contact-contacted_on": timezone.localdate().isoformat(),
        "contact-shared": "identity",
    }
    before = written()
    for response in (client.post(new, sent), client.post(contact_url, with_da)):
        assert response.status_code == 400
        assert "The person said no to law enforcement. Only a mandated report" in (
            response.content.decode()
        )
    assert written() == before
    choose(client, case, "no", "yes")
    assert client.post(new, sent).status_code == 303
    assert client.post(contact_url, with_da).status_code == 303
    assert LawEnforcementContact.objects.get().part == "prosecution"
    police_contact = {**with_da, "contact-part": "investigation"}
    assert client.post(contact_url, police_contact).status_code == 400


# --- Through the API -------------------------------------------------------------------


def api_post(client, path: str, body: object):
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")


def test_the_api_records_both_parts_and_keeps_agrees_alone_working(client_for, advocate, case):
    client = client_for(advocate)
    choices = f"/cases/{case.pk}/law-enforcement/choices"
    old_client = api_post(client, choices, {"agrees": False})
    assert old_client.status_code == 201, old_client.content
    assert {k: old_client.json()[k] for k in ("investigation", "prosecution", "agrees")} == {
        "investigation": False,
        "prosecution": False,
        "agrees": False,
    }
    tracker = client.get(f"{API}/cases/{case.pk}/protocol").json()
    assert (tracker["law_refused"], tracker["prosecution_refused"]) == (True, True)
    opened = api_post(client, choices, {"prosecution": True, "note": "Only the DA (synthetic)"})
    assert opened.status_code == 201
    assert (opened.json()["investigation"], opened.json()["prosecution"]) == (False, True)
    assert opened.json()["agrees"] is False
    tracker = client.get(f"{API}/cases/{case.pk}/protocol").json()
    assert (tracker["law_refused"], tracker["prosecution_refused"]) == (True, False)
    count = LawEnforcementChoice.objects.count()
    for bad in ({"agrees": True, "prosecution": False}, {}, {"prosecution": "yes"}):
        response = api_post(client, choices, bad)
        assert response.status_code == 422, bad
    assert LawEnforcementChoice.objects.count() == count
    listed = client.get(f"{API}{choices}").json()
    assert [(c["investigation"], c["prosecution"]) for c in listed] == [
        (False, True),
        (False, False),
    ]


def test_the_api_refuses_the_prosecutor_after_a_refusal_and_allows_it_once_chosen(
    client_for, advocate, consented, da_program, police
):
    case = consented
    client = client_for(advocate)
    need = Need.objects.get(case=case)
    api_post(client, f"/cases/{case.pk}/law-enforcement/choices", {"agrees": False})

    def referral(service):
        return {
            "case": str(case.pk),
            "need": str(need.pk),
            "organization": str(service.organization_id),
            "service": str(service.pk),
            "purpose": "services",
            "kinds": KINDS,
        }

    contacts = f"/cases/{case.pk}/law-enforcement/contacts"
    with_da = {
        "part": "prosecution",
        "basis": "consent",
        "agency_name": "Synthetic District Attorney",
        "contacted_on": timezone.localdate().isoformat(),
    }
    before = written()
    for response in (
        api_post(client, "/referrals", referral(da_program)),
        api_post(client, contacts, with_da),
    ):
        assert response.status_code == 422, response.content
        [error] = response.json()["detail"]
        assert error["msg"].startswith("The person said no to law enforcement.")
    assert written() == before
    api_post(client, f"/cases/{case.pk}/law-enforcement/choices", {"prosecution": True})
    assert api_post(client, "/referrals", referral(da_program)).status_code == 201
    made = api_post(client, contacts, with_da)
    assert made.status_code == 201
    assert made.json()["part"] == "prosecution"
    refused = api_post(client, "/referrals", referral(police))
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"].startswith("The person said no to law enforcement.")
