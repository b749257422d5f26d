"""Referrals over the JSON API: the same rules as the pages. Advocates and
supervisors send a need of the person to a partner through the disclosure
gate, which refuses (422, with its reason, writing nothing but its audit
event) whatever the person's consent does not cover. A partner agency on the
same installation sees its queue and, on opening one, exactly the consented
fields, and nothing else of the case. Everyone else gets 404 with nothing
written and nothing audited."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from haven.accounts.models import Role
from haven.audit.models import Action, AuditEvent
from haven.consent.models import Consent, Disclosure, InfoKind
from haven.consent.services import consent_revoke
from haven.core.models import DataKey
from haven.partners.models import Organization, Service
from haven.protocol.law import law_choice_record
from haven.protocol.models import Need, NeedCategory, NeedStatus
from haven.protocol.needs import assessment_record
from haven.protocol.safety import safety_plan_save
from haven.referrals.models import Referral, ReferralChange, ReferralPacket
from tests.factories import AgencyFactory, TeamFactory, give_consent, make_staff, record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
REFERRALS = f"{API}/referrals"
INBOX = f"{REFERRALS}/inbox"
NOT_FOUND = {"detail": "Not Found"}

PHONE = "608-555-0100"
PLAN_WORD = "Synthetic bluebird"
PLAN_BACKUP = "Synthetic: go to the library and call the hotline"
PARTNER = "Elsewhere Shelter (synthetic)"


def today() -> date:
    return timezone.localdate()


def post(client, target: str, body: object):
    return client.post(target, json.dumps(body), content_type="application/json")


def detail_of(referral_id: object) -> str:
    return f"{REFERRALS}/{referral_id}"


def status_of(referral_id: object) -> str:
    return f"{REFERRALS}/{referral_id}/status"


def snapshot() -> tuple[Any, ...]:
    """Everything a referral writes: the referral, its moves, its packet and
    key, the ledger, and the needs' statuses."""
    return (
        tuple(Referral.objects.order_by("pk").values_list("pk", "status")),
        ReferralChange.objects.count(),
        tuple(ReferralPacket.objects.order_by("pk").values_list("pk", "data_key_id")),
        DataKey.objects.count(),
        Disclosure.objects.count(),
        tuple(Need.objects.order_by("pk").values_list("pk", "status")),
    )


def last_seq() -> int:
    """The latest audit event of every agency's chain (two agencies are at work here)."""
    event = AuditEvent.objects.order_by("-pk").first()
    return event.pk if event else 0


def new_actions(before: int) -> list[str]:
    """What was audited since, in order. Signing in as each persona in turn
    (one test client) is audited too, and is left out here."""
    return list(
        AuditEvent.objects.filter(pk__gt=before)
        .exclude(action=Action.SIGN_IN)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Fixtures --------------------------------------------------------------------------


@pytest.fixture
def case(advocate, team, shelter):
    """A person whose record holds more than any referral may carry: a
    phone, an immigration status and a safety plan."""
    case = record_intake(
        actor=advocate,
        team=team,
        danger="no",
        legal_name="Synthetic Referred Person",
        date_of_birth=date(1990, 4, 2),
        preferred_name="Sam Synthetic",
        phone=PHONE,
        immigration_status="t_visa",
    )
    case.assigned.add(shelter)
    safety_plan_save(
        actor=advocate, case=case, values={"code_word": PLAN_WORD, "backup_plan": PLAN_BACKUP}
    )
    return case


@pytest.fixture
def category():
    return NeedCategory.objects.get(agency=None, code="shelter")


@pytest.fixture
def need(advocate, case, category):
    assessment_record(actor=advocate, case=case, ranked=[category.pk])
    return Need.objects.get(case=case)


@pytest.fixture
def partner(agency, other_agency):
    """The other agency, as a partner in the first agency's directory."""
    return Organization.objects.create(
        agency=agency, name=PARTNER, kind="shelter", haven_agency=other_agency
    )


@pytest.fixture
def service(agency, partner, category):
    found = Service.objects.create(agency=agency, organization=partner, name="Emergency beds")
    found.need_categories.add(category)
    return found


@pytest.fixture
def consent(advocate, case, partner):
    return give_consent(
        actor=advocate,
        case=case,
        organization=partner,
        purpose="services",
        kinds=["identity", "needs"],
    )


@pytest.fixture
def receiver(other_agency):
    """An advocate of the partner agency."""
    return make_staff(
        agency=other_agency,
        role=Role.ADVOCATE,
        team=TeamFactory(agency=other_agency, name="Partner Team"),
        username="t-receiver",
    )


def body(case, need, partner, service, /, **override: object) -> dict[str, object]:
    return {
        "case": str(case.pk),
        "need": str(need.pk),
        "organization": str(partner.pk),
        "service": str(service.pk),
        "purpose": "services",
        "kinds": ["identity", "needs"],
        "message": "",
        "follow_up_on": (today() + timedelta(days=7)).isoformat(),
        "outside_expertise_confirmed": False,
        **override,
    }


@pytest.fixture
def sent(client_for, advocate, case, need, partner, service, consent):
    """A referral of the shelter need, sent through the API to the partner agency."""
    response = post(client_for(advocate), REFERRALS, body(case, need, partner, service))
    assert response.status_code == 201, response.content
    return Referral.objects.get(pk=response.json()["id"])


# --- The schema ------------------------------------------------------------------------


def test_openapi_lists_the_referral_routes(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert set(paths[REFERRALS]) == {"get", "post"}
    assert set(paths[INBOX]) == {"get"}
    assert set(paths[f"{REFERRALS}/{{referral_id}}"]) == {"get"}
    assert set(paths[f"{REFERRALS}/{{referral_id}}/status"]) == {"post"}
    assert "201" in paths[REFERRALS]["post"]["responses"]


# --- Sending ---------------------------------------------------------------------------


def test_a_referral_sent_is_listed_with_exactly_what_left(
    client_for, advocate, shelter, case, need, partner, service, consent
):
    seq = last_seq()
    response = post(client_for(advocate), REFERRALS, body(case, need, partner, service))
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    created = response.json()
    assert created == {
        "side": "sender",
        "id": str(referral.pk),
        "case_id": str(case.pk),
        "need": {"id": str(need.pk), "label": created["need"]["label"]},
        "partner": PARTNER,
        "organization_id": str(partner.pk),
        "service_id": str(service.pk),
        "to_agency": True,
        "purpose": "services",
        "kinds": ["identity", "needs"],
        "status": "sent",
        "follow_up_on": (today() + timedelta(days=7)).isoformat(),
        "outside_expertise": False,
        "sent_at": created["sent_at"],
        "sent_by": advocate.display_name,
        "outcome": "",
        "sent": {
            "need": created["need"]["label"],
            "fields": [
                {"name": "preferred_name", "value": "Sam Synthetic"},
                {"name": "legal_name", "value": "Synthetic Referred Person"},
                {"name": "date_of_birth", "value": "1990-04-02"},
            ],
            "needs": [created["need"]["label"]],
            "safety_plan": [],
            "message": "",
        },
        "moves": ["withdrawn"],
    }
    assert created["need"]["label"] == "Shelter"
    assert PHONE not in response.content.decode()
    assert new_actions(seq) == [
        Action.PEOPLE_VIEWED,
        Action.REFERRAL_SENT,
        Action.DISCLOSURE_ALLOWED,
    ]
    ledger = Disclosure.objects.get()
    assert (ledger.channel, ledger.record_id, ledger.consent_id) == (
        "referral",
        str(referral.pk),
        consent.pk,
    )
    assert Need.objects.get(pk=need.pk).status == NeedStatus.REFERRED
    assert ReferralPacket.objects.get().referral_id == referral.pk
    # Shelter staff do not see referrals (who the person shares with and why).
    assert client_for(shelter).get(REFERRALS, {"case": str(case.pk)}).status_code == 404
    listed = client_for(advocate).get(REFERRALS, {"case": str(case.pk)})
    assert listed.status_code == 200
    [row] = listed.json()
    assert row == created
    detail = client_for(advocate).get(detail_of(referral.pk))
    assert detail.json() == created


def test_the_list_is_newest_first(client_for, advocate, supervisor, sent, case, category):
    # A second partner outside Haven, for another need of the same person.
    second = NeedCategory.objects.get(agency=None, code="immigration")
    assessment_record(actor=advocate, case=case, ranked=[category.pk, second.pk])
    other = Organization.objects.create(agency=case.agency, name="Synthetic Legal Aid")
    give_consent(actor=advocate, case=case, organization=other, purpose="legal", kinds=["identity"])
    second_need = Need.objects.get(case=case, category=second)
    response = post(
        client_for(supervisor),
        REFERRALS,
        {
            "case": str(case.pk),
            "need": str(second_need.pk),
            "organization": str(other.pk),
            "purpose": "legal",
            "kinds": ["identity"],
            "outside_expertise_confirmed": True,
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["to_agency"], created["outside_expertise"], created["service_id"]) == (
        False,
        True,
        None,
    )
    assert created["follow_up_on"] is None
    # A partner outside Haven answers through the sender.
    assert created["moves"] == ["accepted", "declined", "withdrawn"]
    listed = client_for(advocate).get(REFERRALS, {"case": str(case.pk)}).json()
    assert [r["id"] for r in listed] == [created["id"], str(sent.pk)]
    assert listed[0]["sent_by"] == supervisor.display_name
    assert ReferralPacket.objects.count() == 1  # nothing sealed for a partner outside Haven


# --- The gate refuses ------------------------------------------------------------------


def assert_refused(client, payload: dict[str, object], reason: str) -> str:
    """A 422 with the gate's reason, nothing written, and the refusal audited."""
    before, seq = snapshot(), last_seq()
    response = post(client, REFERRALS, payload)
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["type"] == "refused"
    assert error["loc"] == ["body"]
    assert snapshot() == before
    assert Referral.objects.count() == 0
    assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.DISCLOSURE_REFUSED]
    event = AuditEvent.objects.filter(pk__gt=seq, action=Action.DISCLOSURE_REFUSED).get()
    assert event.detail["reason"] == reason
    return str(error["msg"])


def test_without_a_consent_the_gate_refuses(client_for, advocate, case, need, partner, service):
    message = assert_refused(client_for(advocate), body(case, need, partner, service), "no_consent")
    assert message == "No consent is recorded for this person."


def test_a_consent_to_another_partner_does_not_open_the_gate(
    client_for, advocate, agency, case, need, partner, service
):
    other = Organization.objects.create(agency=agency, name="Synthetic Clinic", kind="medical")
    give_consent(
        actor=advocate, case=case, organization=other, purpose="services", kinds=["identity"]
    )
    message = assert_refused(
        client_for(advocate), body(case, need, partner, service), "other_recipient"
    )
    assert message == "No consent names this recipient. Record a consent for them first."


def test_a_consent_for_another_purpose_does_not_open_the_gate(
    client_for, advocate, case, need, partner, service
):
    give_consent(
        actor=advocate, case=case, organization=partner, purpose="legal", kinds=["identity"]
    )
    message = assert_refused(
        client_for(advocate), body(case, need, partner, service), "other_purpose"
    )
    assert message == "The consent for this recipient is for another purpose."


def test_sharing_one_kind_more_than_consented_is_refused_and_says_which(
    client_for, advocate, case, need, partner, service, consent
):
    payload = body(case, need, partner, service, kinds=["identity", "needs", "contact"])
    message = assert_refused(client_for(advocate), payload, "kinds_not_covered")
    assert message == f"The consent does not cover: {InfoKind.CONTACT.label}."


def test_an_expired_consent_is_refused(client_for, advocate, case, need, partner, service, consent):
    Consent.objects.filter(pk=consent.pk).update(
        starts_on=today() - timedelta(days=30), expires_on=today() - timedelta(days=1)
    )
    message = assert_refused(client_for(advocate), body(case, need, partner, service), "expired")
    assert message.startswith("This consent expired on ")


def test_a_withdrawn_consent_is_refused(
    client_for, advocate, case, need, partner, service, consent
):
    consent_revoke(actor=advocate, consent=consent)
    message = assert_refused(client_for(advocate), body(case, need, partner, service), "revoked")
    assert message.startswith("The person withdrew this consent on ")


def test_a_refusal_of_law_enforcement_overrides_an_older_consent_to_it(
    client_for, advocate, agency, case, need
):
    police = Organization.objects.create(
        agency=agency, name="Synthetic Police Department", kind="law_enforcement"
    )
    give_consent(
        actor=advocate,
        case=case,
        organization=police,
        purpose="law_enforcement",
        kinds=["identity", "needs"],
    )
    law_choice_record(actor=advocate, case=case, agrees=False)
    payload = {
        "case": str(case.pk),
        "need": str(need.pk),
        "organization": str(police.pk),
        "purpose": "law_enforcement",
        "kinds": ["identity", "needs"],
        "outside_expertise_confirmed": True,
    }
    message = assert_refused(client_for(advocate), payload, "law_enforcement_refused")
    assert message.startswith("The person said no to law enforcement.")


# --- The partner agency ----------------------------------------------------------------


def test_the_partner_agency_sees_its_queue_and_exactly_the_consented_fields(
    client_for, receiver, sent, other_agency
):
    client = client_for(receiver)
    seq = last_seq()
    queue = client.get(INBOX)
    assert queue.status_code == 200
    assert queue.json() == [
        {
            "id": str(sent.pk),
            "from_agency": "Test Agency",
            "purpose": "services",
            "status": "sent",
            "sent_at": queue.json()[0]["sent_at"],
            "follow_up_on": (today() + timedelta(days=7)).isoformat(),
        }
    ]
    assert new_actions(seq) == []  # the queue shows nothing about the person
    response = client_for(receiver).get(detail_of(sent.pk))
    assert response.status_code == 200, response.content
    shown = response.json()
    assert shown == {
        "side": "receiver",
        "id": str(sent.pk),
        "from_agency": "Test Agency",
        "purpose": "services",
        "status": "sent",
        "sent_at": shown["sent_at"],
        "packet": {
            "need": "Shelter",
            "person": [
                {"label": "Name they want to be called", "value": "Sam Synthetic"},
                {"label": "Legal name", "value": "Synthetic Referred Person"},
                {"label": "Date of birth", "value": "1990-04-02"},
            ],
            "needs": ["Shelter"],
            "safety_plan": [],
            "message": "",
        },
        "moves": ["accepted", "declined"],
    }
    text = response.content.decode()
    for withheld in (PHONE, "T visa", "t_visa", PLAN_WORD, PLAN_BACKUP, str(sent.case_id)):
        assert withheld not in text
    # Opening it is audited, as the referral's, never as the case's.
    assert new_actions(seq) == [Action.REFERRAL_VIEWED]
    event = AuditEvent.objects.get(action=Action.REFERRAL_VIEWED)
    assert (event.object_type, event.object_id, event.actor_id) == (
        "referral",
        str(sent.pk),
        receiver.pk,
    )


def test_the_partner_agency_gets_404_for_everything_else_of_the_case(client_for, receiver, sent):
    case_id = sent.case_id
    seq = last_seq()
    for target in (
        f"{API}/cases/{case_id}",
        f"{API}/cases/{case_id}/protocol",
        f"{API}/cases/{case_id}/needs",
        f"{API}/cases/{case_id}/safety-plans",
        f"{API}/consents?case={case_id}",
        f"{API}/cases/{case_id}/disclosures",
        f"{REFERRALS}?case={case_id}",
        f"/cases/{case_id}/",
        f"/cases/{case_id}/referrals/",
        f"/cases/{case_id}/referrals/{sent.pk}/",
        f"/cases/{case_id}/consents/",
    ):
        response = client_for(receiver).get(target)
        assert response.status_code == 404, target
    assert new_actions(seq) == []


def test_accepting_then_completing_moves_the_need(client_for, advocate, receiver, sent, need):
    seq = last_seq()
    accepted = post(client_for(receiver), status_of(sent.pk), {"status": "accepted"})
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["side"], accepted.json()["status"]) == ("receiver", "accepted")
    assert accepted.json()["moves"] == ["completed", "declined"]
    assert accepted.json()["packet"]["need"] == "Shelter"
    assert new_actions(seq) == [Action.REFERRAL_VIEWED, Action.REFERRAL_CHANGED]
    assert Need.objects.get(pk=need.pk).status == NeedStatus.IN_PROGRESS
    completed = post(
        client_for(receiver),
        status_of(sent.pk),
        {"status": "completed", "outcome": "Synthetic: a bed for two weeks"},
    )
    assert completed.status_code == 200, completed.content
    assert (completed.json()["status"], completed.json()["moves"]) == ("completed", [])
    assert Need.objects.get(pk=need.pk).status == NeedStatus.MET
    # The sender reads the outcome the partner recorded.
    mine = client_for(advocate).get(detail_of(sent.pk)).json()
    assert (mine["status"], mine["outcome"]) == ("completed", "Synthetic: a bed for two weeks")
    assert list(sent.changes.values_list("status", flat=True)) == [
        "sent",
        "accepted",
        "completed",
    ]


def test_declining_destroys_the_packet_and_its_key(client_for, receiver, advocate, sent, need):
    packet = ReferralPacket.objects.get(referral=sent)
    response = post(client_for(receiver), status_of(sent.pk), {"status": "declined"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["packet"]) == ("declined", None)
    assert not ReferralPacket.objects.filter(pk=packet.pk).exists()
    assert not DataKey.objects.filter(pk=packet.data_key_id).exists()
    assert Need.objects.get(pk=need.pk).status == NeedStatus.IDENTIFIED
    again = client_for(receiver).get(detail_of(sent.pk)).json()
    assert (again["status"], again["packet"]) == ("declined", None)
    # The sender keeps its record of what left.
    mine = client_for(advocate).get(detail_of(sent.pk)).json()
    assert (mine["status"], mine["sent"]["fields"][0]["value"]) == ("declined", "Sam Synthetic")


def test_a_move_not_allowed_now_is_refused(client_for, advocate, receiver, sent):
    before, seq = snapshot(), last_seq()
    # The sender cannot answer for a partner that answers in Haven.
    response = post(client_for(advocate), status_of(sent.pk), {"status": "accepted"})
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [
        {
            "type": "refused",
            "loc": ["body", "status"],
            "msg": "This referral cannot move to that state now.",
        }
    ]
    # ...nor can the partner complete what it has not accepted.
    response = post(client_for(receiver), status_of(sent.pk), {"status": "completed"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]
    # "sent" is no move at all.
    response = post(client_for(receiver), status_of(sent.pk), {"status": "sent"})
    assert response.status_code == 422
    assert snapshot() == before
    assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.REFERRAL_VIEWED]


def test_the_sender_withdraws_and_the_packet_goes(client_for, advocate, receiver, sent, need):
    response = post(
        client_for(advocate), status_of(sent.pk), {"status": "withdrawn", "outcome": ""}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["side"], response.json()["status"]) == ("sender", "withdrawn")
    assert ReferralPacket.objects.count() == 0
    assert Need.objects.get(pk=need.pk).status == NeedStatus.IDENTIFIED
    assert client_for(receiver).get(detail_of(sent.pk)).json()["packet"] is None


# --- Roles and outsiders ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["intake", "admin", "auditor", "shelter"])
def test_only_advocates_and_supervisors_send(
    client_for, all_personas, role, case, need, partner, service, consent
):
    before, seq = snapshot(), last_seq()
    response = post(client_for(all_personas[role]), REFERRALS, body(case, need, partner, service))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert snapshot() == before
    assert new_actions(seq) == []


@pytest.mark.parametrize("role", ["intake", "admin", "auditor"])
def test_roles_that_do_not_see_the_protocol_get_404_for_referrals(
    client_for, all_personas, role, sent
):
    user = all_personas[role]
    before, seq = snapshot(), last_seq()
    assert client_for(user).get(REFERRALS, {"case": str(sent.case_id)}).status_code == 404
    assert client_for(user).get(detail_of(sent.pk)).status_code == 404
    assert client_for(user).get(INBOX).status_code == 404
    response = post(client_for(user), status_of(sent.pk), {"status": "withdrawn"})
    assert response.status_code == 404
    assert snapshot() == before
    assert new_actions(seq) == []


def test_shelter_staff_neither_read_nor_move_referrals(client_for, shelter, sent):
    before, seq = snapshot(), last_seq()
    assert client_for(shelter).get(detail_of(sent.pk)).status_code == 404
    response = post(client_for(shelter), status_of(sent.pk), {"status": "withdrawn"})
    assert response.status_code == 404
    assert snapshot() == before
    assert new_actions(seq) == []


def test_an_agency_neither_sending_nor_receiving_gets_404_with_nothing_audited(client_for, sent):
    third = AgencyFactory(name="Third Agency")
    stranger = make_staff(
        agency=third,
        role=Role.SUPERVISOR,
        team=TeamFactory(agency=third, name="Third Team"),
        username="t-stranger",
    )
    before, seq = snapshot(), last_seq()
    assert client_for(stranger).get(detail_of(sent.pk)).json() == NOT_FOUND
    response = post(client_for(stranger), status_of(sent.pk), {"status": "declined"})
    assert response.status_code == 404
    assert client_for(stranger).get(REFERRALS, {"case": str(sent.case_id)}).status_code == 404
    assert client_for(stranger).get(INBOX).json() == []
    assert snapshot() == before
    assert new_actions(seq) == []


def test_the_partner_agencys_other_roles_get_404_with_nothing_audited(
    client_for, other_agency, sent
):
    clerk = make_staff(agency=other_agency, role=Role.INTAKE, username="t-partner-intake")
    before, seq = snapshot(), last_seq()
    assert client_for(clerk).get(INBOX).status_code == 404
    assert client_for(clerk).get(detail_of(sent.pk)).status_code == 404
    assert post(client_for(clerk), status_of(sent.pk), {"status": "accepted"}).status_code == 404
    assert snapshot() == before
    assert new_actions(seq) == []


def test_a_missing_or_malformed_referral_is_404(client_for, advocate, sent):
    seq = last_seq()
    for target in (detail_of(uuid.uuid4()), detail_of("not-a-uuid"), detail_of("1")):
        assert client_for(advocate).get(target).json() == NOT_FOUND, target
    assert post(client_for(advocate), status_of(uuid.uuid4()), {"status": "withdrawn"}).json() == (
        NOT_FOUND
    )
    assert new_actions(seq) == []


def test_a_case_out_of_reach_is_404_with_nothing_audited(
    client_for, advocate, outsider, case, need, partner, service, consent
):
    before, seq = snapshot(), last_seq()
    response = post(client_for(outsider), REFERRALS, body(case, need, partner, service))
    assert response.status_code == 404
    assert client_for(outsider).get(REFERRALS, {"case": str(case.pk)}).status_code == 404
    unknown = body(case, need, partner, service, case=str(uuid.uuid4()))
    assert post(client_for(advocate), REFERRALS, unknown).status_code == 404
    assert snapshot() == before
    assert new_actions(seq) == []


# --- Bad input -------------------------------------------------------------------------


def assert_unchanged_422(client, payload: dict[str, object], *, audited: list[str]) -> Any:
    before, seq = snapshot(), last_seq()
    response = post(client, REFERRALS, payload)
    assert response.status_code == 422, response.content
    assert snapshot() == before
    assert new_actions(seq) == audited
    return response.json()["detail"]


def test_an_unknown_kind_is_a_schema_error(client_for, advocate, case, need, partner, service):
    payload = body(case, need, partner, service, kinds=["identity", "diary"])
    [error] = assert_unchanged_422(client_for(advocate), payload, audited=[])
    assert error["loc"] == ["body", "kinds", 1]
    assert error["type"] == "literal_error"


def test_an_unknown_field_is_a_schema_error(client_for, advocate, case, need, partner, service):
    payload = body(case, need, partner, service, basis="court_order")
    [error] = assert_unchanged_422(client_for(advocate), payload, audited=[])
    assert (error["loc"], error["type"]) == (["body", "basis"], "extra_forbidden")


def test_another_agencys_partner_is_refused_at_organization(
    client_for, advocate, other_agency, case, need, partner, service, consent
):
    theirs = Organization.objects.create(agency=other_agency, name="Their Synthetic Partner")
    payload = body(case, need, partner, service, organization=str(theirs.pk))
    errors = assert_unchanged_422(client_for(advocate), payload, audited=[Action.PEOPLE_VIEWED])
    assert errors == [
        {
            "type": "refused",
            "loc": ["body", "organization"],
            "msg": "Choose a partner from your agency's directory.",
        }
    ]


def test_a_follow_up_in_the_past_is_refused(
    client_for, advocate, case, need, partner, service, consent
):
    yesterday = (today() - timedelta(days=1)).isoformat()
    payload = body(case, need, partner, service, follow_up_on=yesterday)
    errors = assert_unchanged_422(client_for(advocate), payload, audited=[Action.PEOPLE_VIEWED])
    assert [e["loc"] for e in errors] == [["body", "follow_up_on"]]


def test_a_message_needs_case_notes_shared(
    client_for, advocate, case, need, partner, service, consent
):
    payload = body(case, need, partner, service, message="Synthetic: she prefers mornings")
    errors = assert_unchanged_422(client_for(advocate), payload, audited=[Action.PEOPLE_VIEWED])
    assert [e["loc"] for e in errors] == [["body", "message"]]
    assert "case note" in errors[0]["msg"]


def test_a_need_the_partner_does_not_list_needs_confirming(
    client_for, advocate, agency, case, need, partner, consent
):
    beds = Service.objects.create(agency=agency, organization=partner, name="Job training")
    payload = body(case, need, partner, beds)
    errors = assert_unchanged_422(client_for(advocate), payload, audited=[Action.PEOPLE_VIEWED])
    assert [e["loc"] for e in errors] == [["body", "outside_expertise_confirmed"]]
    confirmed = post(
        client_for(advocate), REFERRALS, {**payload, "outside_expertise_confirmed": True}
    )
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["outside_expertise"] is True
