"""Consent and the ledger over the JSON API: the same rules as the pages.
Roles that see the protocol read consents and the ledger; advocates and
supervisors record and withdraw them; everyone else, and every other agency,
gets 404 with nothing written and nothing audited. A refusal of the service
is a 422 located like a schema error, and writes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any, get_args

import pytest
from django.utils import timezone

from haven.api import consent as consent_api
from haven.api.protocol import InfoKindCode
from haven.audit.models import Action, AuditEvent
from haven.authorities import law
from haven.consent.gate import DisclosureRefused
from haven.consent.models import (
    Consent,
    ConsentForm,
    Disclosure,
    InfoKind,
    Purpose,
    RecipientCategory,
)
from haven.partners.models import Organization
from haven.protocol.models import CaseStep, LawEnforcementContact
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
CONSENTS = f"{API}/consents"
NOT_FOUND = {"detail": "Not Found"}
# Who the person shares with and why is read by those who see immigration status.
SEES = {"advocate", "supervisor"}
WORKS = {"advocate", "supervisor"}
PERSONAS = ["advocate", "supervisor", "shelter", "intake", "admin", "auditor", "outsider"]
WITNESS = "Synthetic Witness"


def today() -> date:
    return timezone.localdate()


def post(client, target: str, body: object):
    return client.post(target, json.dumps(body), content_type="application/json")


def snapshot() -> tuple[Any, ...]:
    """Every consent and its state, the ledger, and the consent step."""
    return (
        tuple(Consent.objects.order_by("pk").values_list("pk", "revoked_at", "expires_on")),
        Disclosure.objects.count(),
        LawEnforcementContact.objects.count(),
        tuple(CaseStep.objects.order_by("pk").values_list("step", "state")),
    )


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def new_actions(before_seq: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(seq__gt=before_seq)
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def personas(all_personas, outsider):
    return {**all_personas, "outsider": outsider}


@pytest.fixture
def case(intake, team, shelter):
    """A case every protocol role of the first agency may open: recorded by
    intake staff, on the advocates' team, and assigned to the shelter staff."""
    case = record_intake(actor=intake, team=team, danger="no", legal_name="Synthetic Consent")
    case.assigned.add(shelter)
    return case


@pytest.fixture
def legal_aid(agency):
    return Organization.objects.create(
        agency=agency, name="Sample Legal Aid (synthetic)", kind="legal"
    )


@pytest.fixture
def consent(advocate, case, legal_aid):
    """A consent to legal aid, recorded through the service."""
    return give_consent(
        actor=advocate,
        case=case,
        organization=legal_aid,
        purpose="legal",
        kinds=["identity", "contact"],
        purpose_note="Synthetic: T visa help",
    )


def consent_body(case, legal_aid, **override: object) -> dict[str, object]:
    return {
        "case": str(case.pk),
        "recipient_org": str(legal_aid.pk),
        "purpose": "legal",
        "kinds": ["contact", "identity"],
        "form": "verbal",
        "language": "spa",
        "witness": WITNESS,
        "interpreter": "Synthetic Interpreter",
        "purpose_note": "Synthetic: help with a T visa",
        "starts_on": today().isoformat(),
        "expires_on": (today() + timedelta(days=30)).isoformat(),
        **override,
    }


# --- The schema ------------------------------------------------------------------------


def test_the_codes_offered_are_the_models_codes():
    assert set(get_args(consent_api.PurposeCode)) == set(Purpose.values)
    assert set(get_args(consent_api.CategoryCode)) == set(RecipientCategory.values)
    assert set(get_args(consent_api.FormCode)) == set(ConsentForm.values)
    assert set(get_args(InfoKindCode)) == set(InfoKind.values)


def test_openapi_lists_the_routes_and_the_codes(client):
    document = client.get(f"{API}/openapi.json").json()
    paths = document["paths"]
    assert set(paths[f"{API}/consents"]) == {"get", "post"}
    assert set(paths[f"{API}/consents/{{consent_id}}"]) == {"get"}
    assert set(paths[f"{API}/consents/{{consent_id}}/revoke"]) == {"post"}
    assert set(paths[f"{API}/cases/{{case_id}}/disclosures"]) == {"get"}
    assert "201" in paths[f"{API}/consents"]["post"]["responses"]
    fields = document["components"]["schemas"]["ConsentIn"]["properties"]
    assert set(fields["purpose"]["enum"]) == set(Purpose.values)
    assert set(fields["form"]["enum"]) == set(ConsentForm.values)


# --- Recording and reading -------------------------------------------------------------


def test_a_consent_recorded_is_listed_and_shown(client_for, advocate, shelter, case, legal_aid):
    client = client_for(advocate)
    seq = last_seq()
    response = post(client, CONSENTS, consent_body(case, legal_aid))
    assert response.status_code == 201, response.content
    created = response.json()
    assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.CONSENT_RECORDED]
    row = Consent.objects.get()
    assert created == {
        "id": str(row.pk),
        "case_id": str(case.pk),
        "recipient": {
            "organization_id": str(legal_aid.pk),
            "category": "",
            "label": "Sample Legal Aid (synthetic)",
        },
        "purpose": "legal",
        "kinds": ["contact", "identity"],
        "form": "verbal",
        "language": "spa",
        "interpreter": "Synthetic Interpreter",
        "starts_on": today().isoformat(),
        "expires_on": (today() + timedelta(days=30)).isoformat(),
        "in_force": True,
        "revoked_at": None,
        "revoked_by": None,
        "recorded_at": created["recorded_at"],
        "recorded_by": str(advocate),
        "purpose_note": "Synthetic: help with a T visa",
        "signature": "",
        "witness": WITNESS,
        "paper_kept": "",
        "revoke_note": "",
    }
    assert CaseStep.objects.get(case=case, step="consent").state == "done"
    # A consent to a category, ending later, is listed first.
    later = consent_body(
        case,
        legal_aid,
        recipient_org=None,
        recipient_category="law_enforcement",
        purpose="law_enforcement",
        kinds=["identity"],
        form="screen",
        signature="Synthetic Signature",
        witness="",
        expires_on=(today() + timedelta(days=60)).isoformat(),
    )
    second = post(client, CONSENTS, later)
    assert second.status_code == 201, second.content
    assert second.json()["recipient"] == {
        "organization_id": None,
        "category": "law_enforcement",
        "label": "Law enforcement",
    }
    assert client_for(shelter).get(f"{CONSENTS}?case={case.pk}").status_code == 404
    reader = client_for(advocate)
    seq = last_seq()
    listed = reader.get(f"{CONSENTS}?case={case.pk}")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [second.json()["id"], created["id"]]
    assert listed.json()[1] == created
    assert new_actions(seq) == [Action.PEOPLE_VIEWED]
    shown = reader.get(f"{CONSENTS}/{created['id']}")
    assert shown.status_code == 200
    assert shown.json() == created


def test_defaults_start_today_and_last_the_agencys_days(client_for, advocate, case, legal_aid):
    body = consent_body(case, legal_aid)
    del body["starts_on"], body["expires_on"], body["interpreter"], body["purpose_note"]
    response = post(client_for(advocate), CONSENTS, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["starts_on"] == today().isoformat()
    assert created["expires_on"] == (today() + timedelta(days=90)).isoformat()
    assert (created["interpreter"], created["purpose_note"]) == ("", "")


# --- Refusals ------------------------------------------------------------------------------

FORGED = "FORGED"
UNKNOWN = "UNKNOWN"


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


BAD = [
    # (override, expected loc under body, part of the message)
    ({"starts_on": days(10), "expires_on": days(5)}, ["consent", "expires_on"], "after it starts"),
    ({"starts_on": days(0), "expires_on": days(367)}, ["consent", "expires_on"], "a year"),
    ({"starts_on": days(-20), "expires_on": days(-1)}, ["consent", "expires_on"], "passed"),
    ({"starts_on": days(-31)}, ["consent", "starts_on"], "30 days"),
    ({"witness": ""}, ["consent", "witness"], "Name the witness"),
    ({"witness": "   "}, ["consent", "witness"], "Name the witness"),
    ({"form": "screen"}, ["consent", "signature"], "sign with their name"),
    ({"form": "paper"}, ["consent", "paper_kept"], "where the paper is kept"),
    ({"recipient_org": FORGED}, ["consent", "recipient_org"], "your agency's directory"),
    ({"recipient_org": UNKNOWN}, ["consent", "recipient_org"], "your agency's directory"),
    ({"recipient_category": "state"}, ["consent", "recipient_org"], "not both"),
    ({"recipient_org": None}, ["consent", "recipient_org"], "Say who"),
    ({"kinds": []}, ["consent", "kinds"], "Choose what information"),
    ({"language": "xx"}, ["consent", "language"], "language the consent"),
    ({"language": "und"}, ["consent", "language"], "language the consent"),
    # Refused by the schema before the service is asked.
    ({"kinds": ["identity", "bank_details"]}, ["consent", "kinds", 1], "'identity'"),
    ({"purpose": "curiosity"}, ["consent", "purpose"], "'services'"),
    ({"form": "telepathy"}, ["consent", "form"], "'paper'"),
    ({"recipient_category": "press"}, ["consent", "recipient_category"], "'federal'"),
    ({"recipient_org": "not-a-uuid"}, ["consent", "recipient_org"], "UUID"),
    ({"expires_on": "31/01/2025"}, ["consent", "expires_on"], "YYYY-MM-DD"),
    ({"witness": "a\x00b"}, ["consent", "witness"], "control characters"),
    ({"witness": "W" * 201}, ["consent", "witness"], "at most 200"),
    ({"purpose_note": "N" * 1001}, ["consent", "purpose_note"], "at most 1000"),
    ({"agency": 1}, ["consent", "agency"], "Extra inputs"),
]


@pytest.mark.parametrize(("override", "loc", "message"), BAD)
def test_a_refused_consent_is_a_located_422_and_writes_nothing(
    client_for, advocate, other_agency, case, legal_aid, override, loc, message
):
    if override.get("recipient_org") == FORGED:
        foreign = Organization.objects.create(
            agency=other_agency, name="Other Legal Aid (synthetic)", kind="legal"
        )
        override = {**override, "recipient_org": str(foreign.pk)}
    if override.get("recipient_org") == UNKNOWN:
        override = {**override, "recipient_org": str(uuid.uuid4())}
    client = client_for(advocate)
    before, seq = snapshot(), last_seq()
    response = post(client, CONSENTS, consent_body(case, legal_aid, **override))
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    # Each loc names the body parameter first; the body's fields are at its top.
    assert ["body", *loc[1:]] in [e["loc"] for e in errors], errors
    assert any(message in e["msg"] for e in errors), errors
    assert snapshot() == before
    # At most the case read; nothing recorded.
    assert set(new_actions(seq)) <= {Action.PEOPLE_VIEWED}


def test_the_list_needs_its_case(client_for, advocate):
    response = client_for(advocate).get(CONSENTS)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "case"]


# --- Who may -------------------------------------------------------------------------------


def reads(case, consent) -> dict[str, str]:
    return {
        "list": f"{CONSENTS}?case={case.pk}",
        "detail": f"{CONSENTS}/{consent.pk}",
        "ledger": f"{API}/cases/{case.pk}/disclosures",
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("read", ["list", "detail", "ledger"])
def test_reads_answer_the_roles_that_see_the_protocol(
    client_for, personas, case, consent, persona, read
):
    client = client_for(personas[persona])
    before, seq = snapshot(), last_seq()
    response = client.get(reads(case, consent)[read])
    if persona in SEES:
        assert response.status_code == 200, response.content
        # The read of the case is audited, and covers everything the answer shows.
        assert new_actions(seq) == [Action.PEOPLE_VIEWED]
        event = AuditEvent.objects.get(seq__gt=seq)
        assert (event.object_id, event.detail["ids"]) == (str(case.pk), [str(case.person_id)])
    else:
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert new_actions(seq) == []
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_advocates_and_supervisors_record_a_consent(
    client_for, personas, case, legal_aid, persona
):
    client = client_for(personas[persona])
    before, seq = snapshot(), last_seq()
    response = post(client, CONSENTS, consent_body(case, legal_aid))
    if persona in WORKS:
        assert response.status_code == 201, response.content
        assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.CONSENT_RECORDED]
    else:
        assert response.status_code == 404, response.content
        assert response.json() == NOT_FOUND
        assert snapshot() == before
        assert new_actions(seq) == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_advocates_and_supervisors_withdraw_a_consent(client_for, personas, consent, persona):
    client = client_for(personas[persona])
    before, seq = snapshot(), last_seq()
    response = post(client, f"{CONSENTS}/{consent.pk}/revoke", {})
    if persona in WORKS:
        assert response.status_code == 200, response.content
        assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.CONSENT_REVOKED]
    else:
        assert response.status_code == 404, response.content
        assert response.json() == NOT_FOUND
        assert snapshot() == before
        assert new_actions(seq) == []


def test_another_agency_gets_404_everywhere_and_nothing_is_audited(
    client_for, outsider, case, consent, legal_aid
):
    client = client_for(outsider)
    before, seq = snapshot(), last_seq()
    for target in reads(case, consent).values():
        response = client.get(target)
        assert response.status_code == 404, target
        assert response.json() == NOT_FOUND
    created = post(client, CONSENTS, consent_body(case, legal_aid))
    revoked = post(client, f"{CONSENTS}/{consent.pk}/revoke", {"note": "Synthetic"})
    for response in (created, revoked):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert snapshot() == before
    assert new_actions(seq) == []


def test_a_case_out_of_reach_hides_its_consents(client_for, shelter, intake, other_team, advocate):
    # Not assigned to the shelter staff: they cannot open the case.
    elsewhere = record_intake(actor=intake, team=other_team, danger="no")
    consent = give_consent(
        actor=advocate, case=elsewhere, category="local", purpose="benefits", kinds=["needs"]
    )
    client = client_for(shelter)
    seq = last_seq()
    for target in reads(elsewhere, consent).values():
        assert client.get(target).status_code == 404, target
    assert new_actions(seq) == []


@pytest.mark.parametrize("bad", ["not-an-id", "00000000-0000-4000-8000-000000000000"])
def test_a_malformed_or_unknown_id_is_404(client_for, advocate, bad):
    client = client_for(advocate)
    seq = last_seq()
    for response in (
        client.get(f"{CONSENTS}?case={bad}"),
        client.get(f"{CONSENTS}/{bad}"),
        client.get(f"{API}/cases/{bad}/disclosures"),
        post(client, f"{CONSENTS}/{bad}/revoke", {}),
    ):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert new_actions(seq) == []


def test_an_unknown_case_in_the_body_is_404(client_for, advocate, case, legal_aid):
    body = {**consent_body(case, legal_aid), "case": str(uuid.uuid4())}
    client = client_for(advocate)
    before, seq = snapshot(), last_seq()
    response = post(client, CONSENTS, body)
    assert response.status_code == 404
    assert snapshot() == before
    assert new_actions(seq) == []


# --- Withdrawing ---------------------------------------------------------------------------


def test_a_consent_is_withdrawn_once(client_for, advocate, supervisor, consent):
    target = f"{CONSENTS}/{consent.pk}/revoke"
    response = post(client_for(advocate), target, {"note": "Synthetic: changed her mind"})
    assert response.status_code == 200, response.content
    withdrawn = response.json()
    assert withdrawn["id"] == str(consent.pk)
    assert withdrawn["in_force"] is False
    assert withdrawn["revoked_at"] is not None
    assert (withdrawn["revoked_by"], withdrawn["revoke_note"]) == (
        str(advocate),
        "Synthetic: changed her mind",
    )
    other = client_for(supervisor)
    before, seq = snapshot(), last_seq()
    again = post(other, target, {"note": ""})
    assert again.status_code == 422, again.content
    [error] = again.json()["detail"]
    assert error["loc"] == ["body", "note"]
    assert "already withdrawn" in error["msg"]
    assert snapshot() == before
    assert new_actions(seq) == [Action.PEOPLE_VIEWED]
    assert AuditEvent.objects.filter(action=Action.CONSENT_REVOKED).count() == 1
    shown = other.get(f"{CONSENTS}/{consent.pk}").json()
    assert shown == withdrawn


def test_a_withdrawal_note_is_checked(client_for, advocate, consent):
    target = f"{CONSENTS}/{consent.pk}/revoke"
    for body, loc in (
        ({"note": "a\x00b"}, ["body", "note"]),
        ({"note": "N" * 1001}, ["body", "note"]),
        ({"note": "ok", "when": "now"}, ["body", "when"]),
    ):
        before = snapshot()
        response = post(client_for(advocate), target, body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == loc
        assert snapshot() == before


# --- The ledger ----------------------------------------------------------------------------


def test_the_ledger_lists_a_law_enforcement_contact_made_through_the_gate(
    client_for, advocate, shelter, case
):
    client = client_for(advocate)
    body = {
        "case": str(case.pk),
        "recipient_category": "law_enforcement",
        "purpose": "law_enforcement",
        "kinds": ["identity"],
        "form": "screen",
        "language": "eng",
        "signature": "Synthetic Signature",
    }
    created = post(client, CONSENTS, body)
    assert created.status_code == 201, created.content
    assert client.get(f"{API}/cases/{case.pk}/disclosures").json() == []
    law.law_contact_record(
        actor=advocate,
        case=case,
        basis="consent",
        agency_name="Synthetic Police Department",
        contacted_on=today(),
        shared=["identity"],
    )
    row = Disclosure.objects.get()
    assert client_for(shelter).get(f"{API}/cases/{case.pk}/disclosures").status_code == 404
    listed = client_for(advocate).get(f"{API}/cases/{case.pk}/disclosures")
    assert listed.status_code == 200
    assert listed.json() == [
        {
            "id": str(row.pk),
            "at": listed.json()[0]["at"],
            "by": str(advocate),
            "recipient": {
                "organization_id": None,
                "categories": ["law_enforcement"],
                "label": "Synthetic Police Department",
            },
            "purpose": "law_enforcement",
            "kinds": ["identity"],
            "basis": "consent",
            "consent_id": created.json()["id"],
            "channel": "law_enforcement_contact",
        }
    ]
    # Withdrawn, the consent covers nothing more; what left stays in the ledger.
    client = client_for(advocate)  # the test client was signed in as shelter staff
    revoked = post(client, f"{CONSENTS}/{created.json()['id']}/revoke", {})
    assert revoked.status_code == 200, revoked.content
    with pytest.raises(DisclosureRefused, match="withdrew"):
        law.law_contact_record(
            actor=advocate,
            case=case,
            basis="consent",
            agency_name="Synthetic Police Department",
            contacted_on=today(),
        )
    assert [d["id"] for d in client.get(f"{API}/cases/{case.pk}/disclosures").json()] == [
        str(row.pk)
    ]
