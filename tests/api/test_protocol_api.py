"""The protocol over the JSON API: the same rules as the pages. Each role
reads and records what its policy allows and gets 404 for the rest with
nothing written and nothing audited; bad input is a 422 located like a
schema error, and changes nothing; the disclosure gate has the last word."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.protocol import law, needs
from haven.protocol.models import (
    CaseStep,
    ContinuedPresence,
    DangerCheck,
    InstrumentResult,
    LawEnforcementChoice,
    LawEnforcementContact,
    MandatedReport,
    Need,
    NeedAssessment,
    NeedCategory,
    NeedChange,
    RightsExplained,
    SafetyPlan,
    Screening,
)
from tests.factories import consent_to_law_enforcement, record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOT_FOUND = {"detail": "Not Found"}
SEES = {"advocate", "supervisor", "shelter"}
WORKS = {"advocate", "supervisor"}
CHECKS_DANGER = {"advocate", "supervisor", "shelter", "intake"}
PERSONAS = ["advocate", "supervisor", "shelter", "intake", "admin", "auditor", "outsider"]
MODELS = (
    DangerCheck,
    SafetyPlan,
    NeedAssessment,
    Need,
    NeedChange,
    RightsExplained,
    LawEnforcementChoice,
    LawEnforcementContact,
    ContinuedPresence,
    Screening,
    InstrumentResult,
)


def today() -> date:
    return timezone.localdate()


def send(client, method: str, url: str, body: object = None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def snapshot() -> tuple[Any, ...]:
    """Every protocol record, the steps' states and the reports' statuses."""
    return (
        tuple(model.objects.count() for model in MODELS),
        tuple(CaseStep.objects.order_by("pk").values_list("state", "due_on")),
        tuple(MandatedReport.objects.order_by("pk").values_list("status", "reported_at")),
        tuple(Need.objects.order_by("pk").values_list("status", "rank")),
    )


def new_actions(before_seq: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(seq__gt=before_seq)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def category(code: str) -> NeedCategory:
    return NeedCategory.objects.get(agency=None, code=code)


@pytest.fixture
def personas(all_personas, outsider):
    return {**all_personas, "outsider": outsider}


@pytest.fixture
def case(intake, team, shelter):
    """A case every protocol role of the first agency may open: recorded by
    intake staff, on the advocates' team, and assigned to the shelter staff."""
    case = record_intake(actor=intake, team=team, danger="no", legal_name="Synthetic Protocol")
    case.assigned.add(shelter)
    return case


@pytest.fixture
def minor_case(intake, team, shelter):
    born = today().replace(year=today().year - 15) - timedelta(days=3)
    case = record_intake(
        actor=intake, team=team, danger="no", legal_name="Synthetic Young", date_of_birth=born
    )
    case.assigned.add(shelter)
    return case


@pytest.fixture
def worked(case, advocate):
    """The case with a need and the person's consent to law enforcement."""
    needs.assessment_record(actor=advocate, case=case, ranked=[category("food").pk])
    law.law_choice_record(actor=advocate, case=case, agrees=True)
    consent_to_law_enforcement(advocate, case)
    consent_to_law_enforcement(advocate, case, purpose="immigration")
    return case


def url(case, tail: str) -> str:
    return f"{API}/cases/{case.pk}/{tail}"


def report_body(**override: object) -> dict[str, object]:
    now = timezone.now()
    return {
        "county_fips": "55025",
        "reported_to_kind": "county",
        "reported_to": "Synthetic intake line",
        "method": "phone",
        "reported_at": (now - timedelta(minutes=5)).isoformat(),
        "minor_told_at": (now - timedelta(minutes=30)).isoformat(),
        "reference": "REF-1",
        "outcome": "unknown",
        **override,
    }


# --- Reading ---------------------------------------------------------------------------

READS = [
    "protocol",
    "danger-checks",
    "safety-plans",
    "needs",
    "rights-explained",
    "law-enforcement/choices",
    "law-enforcement/contacts",
    "continued-presence",
    "screenings",
    "instrument-results",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("tail", READS)
def test_reads_answer_the_roles_that_see_the_protocol(client_for, personas, case, persona, tail):
    client = client_for(personas[persona])
    before, seq = snapshot(), last_seq()
    response = client.get(url(case, tail))
    # Continued Presence is immigration relief: not for shelter staff.
    sees = SEES - {"shelter"} if tail == "continued-presence" else SEES
    if persona in sees:
        assert response.status_code == 200, response.content
        # The read of the case is audited, and covers everything the answer shows.
        assert new_actions(seq) == [Action.PEOPLE_VIEWED]
        event = AuditEvent.objects.get(seq__gt=seq)
        assert event.detail["ids"] == [str(case.person_id)]
    else:
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert new_actions(seq) == []
    assert snapshot() == before


@pytest.mark.parametrize("tail", [*READS, "mandated-report", "safety-plans/1"])
def test_a_malformed_or_unknown_case_id_is_404(client_for, advocate, tail):
    client = client_for(advocate)
    seq = last_seq()
    for case_id in ("not-a-case", uuid.uuid4()):
        response = client.get(f"{API}/cases/{case_id}/{tail}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert new_actions(seq) == []


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", ["/rights/library", "/need-categories"])
def test_library_and_categories_answer_the_roles_that_see_the_protocol(
    client_for, personas, persona, path
):
    response = client_for(personas[persona]).get(API + path)
    # Not about a person: another agency's advocate sees their own agency's.
    if persona in {*SEES, "outsider"}:
        assert response.status_code == 200
        assert response.json()
    else:
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_the_library_lists_handouts_without_their_bodies(client_for, advocate):
    body = client_for(advocate).get(f"{API}/rights/library").json()
    t_visa = next(h for h in body if (h["topic"], h["language"]) == ("t_visa", "eng"))
    assert set(t_visa) == {"topic", "language", "version", "title", "agency_material"}
    assert t_visa["agency_material"] is False


def test_the_tracker_shows_each_step(client_for, advocate, case):
    body = client_for(advocate).get(url(case, "protocol")).json()
    assert body["law_refused"] is False
    assert body["backup_needed"] is False
    steps = {s["step"]: s for s in body["steps"]}
    assert body["steps"][0]["step"] == "safety"
    safety = steps["safety"]
    assert set(safety) >= {"step", "state", "next_action", "due_on", "overdue", "reason"}
    assert safety["settable_states"] == ["not_applicable"]
    assert steps["rights"]["settable_states"] == [
        "not_started",
        "in_progress",
        "done",
        "not_applicable",
    ]
    assert steps["consent"]["state"] == "not_started"
    assert steps["documentation"]["state"] == "not_started"
    assert steps["staff_safety"]["state"] == "not_started"


# --- Recording: who may ------------------------------------------------------------------


def write_cases(case, minor_case):
    """(method, url, body, roles allowed) for every operation that records."""
    need = Need.objects.get(case=case)
    on = today().isoformat()
    return {
        "step": ("put", url(case, "protocol/rights"), {"state": "in_progress"}, WORKS),
        "danger": ("post", url(case, "danger-checks"), {"answer": "no"}, CHECKS_DANGER),
        "plan": ("post", url(case, "safety-plans"), {"backup_plan": "Synthetic plan"}, WORKS),
        "needs": ("post", url(case, "needs"), {"ranked": [category("housing").pk]}, WORKS),
        "need": ("patch", url(case, f"needs/{need.pk}"), {"status": "referred"}, WORKS),
        "rights": (
            "post",
            url(case, "rights-explained"),
            {"topic": "t_visa", "language": "eng", "explained_on": on},
            WORKS,
        ),
        "choice": ("post", url(case, "law-enforcement/choices"), {"agrees": True}, WORKS),
        "contact": (
            "post",
            url(case, "law-enforcement/contacts"),
            {"basis": "consent", "agency_name": "Synthetic PD", "contacted_on": on},
            WORKS,
        ),
        "presence": (
            "post",
            url(case, "continued-presence"),
            {"requested_on": on, "requesting_agency": "Synthetic HSI"},
            WORKS,
        ),
        "report": ("put", url(minor_case, "mandated-report"), report_body(), WORKS),
        "screening": (
            "post",
            url(case, "screenings"),
            {"kind": "adult", "answers": {"adult.threats": "yes", "adult.debt_owed": "no"}},
            WORKS,
        ),
        "instrument": (
            "post",
            url(case, "instrument-results"),
            {
                "instrument": "TVIT",
                "administered_on": on,
                "administrator": "Synthetic Staff",
                "level": "high",
            },
            WORKS,
        ),
    }


WRITES = [
    "step",
    "danger",
    "plan",
    "needs",
    "need",
    "rights",
    "choice",
    "contact",
    "presence",
    "report",
    "screening",
    "instrument",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", WRITES)
def test_writes_answer_only_the_roles_their_policy_allows(
    client_for, personas, worked, minor_case, persona, operation
):
    method, target, body, allowed = write_cases(worked, minor_case)[operation]
    client = client_for(personas[persona])
    before, seq = snapshot(), last_seq()
    response = send(client, method, target, body)
    if persona in allowed:
        assert response.status_code in {200, 201}, response.content
        assert snapshot() != before
        actions = new_actions(seq)
        assert actions[0] == Action.PEOPLE_VIEWED
        assert len(actions) >= 2
    else:
        assert response.status_code == 404, response.content
        assert response.json() == NOT_FOUND
        assert snapshot() == before
        assert new_actions(seq) == []


def test_intake_records_a_danger_check_but_does_not_see_its_note(
    client_for, intake, advocate, case
):
    body = {"answer": "yes", "called_911": True, "outcome": "other", "note": "Synthetic note"}
    response = send(client_for(intake), "post", url(case, "danger-checks"), body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["answer"], created["called_911"], created["outcome"]) == (
        "yes",
        True,
        "other",
    )
    assert created["note"] is None
    listed = client_for(advocate).get(url(case, "danger-checks")).json()
    assert listed[0]["note"] == "Synthetic note"
    assert set(listed[0]) == {"id", "answer", "called_911", "outcome", "note", "at"}
    tracker = client_for(advocate).get(url(case, "protocol")).json()
    assert tracker["backup_needed"] is True
    assert tracker["steps"][0]["blockers"]


# --- Bad input ----------------------------------------------------------------------------

TOMORROW = "TOMORROW"


def resolve(value: object) -> object:
    if value == TOMORROW:
        return (today() + timedelta(days=1)).isoformat()
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    return value


BAD = [
    # (operation, override body or None to replace it, expected loc, message)
    ("danger", {"answer": "no", "outcome": "helped"}, ["check", "outcome"], "911 call"),
    ("danger", {"answer": "no", "called_911": True}, ["check", "outcome"], "911 was called"),
    ("danger", {"answer": "maybe"}, ["check", "answer"], "'yes', 'no' or 'unsure'"),
    ("danger", {"answer": "no", "called_911": "yes"}, ["check", "called_911"], "boolean"),
    ("danger", {"answer": "no", "note": "a\x00b"}, ["check", "note"], "control characters"),
    ("danger", {"answer": "no", "agency_id": 1}, ["check", "agency_id"], "Extra inputs"),
    ("step", {"state": "finished"}, ["change", "state"], "'not_started'"),
    ("step", {"state": "pending"}, ["change", "state"], "'not_started'"),
    ("step", {"state": "not_applicable"}, ["change", "reason"], "Say why"),
    ("step", {"state": "done", "extra": 1}, ["change", "extra"], "Extra inputs"),
    ("plan", {"backup_plan": "   "}, ["plan", "backup_plan"], "backup"),
    ("plan", {"backup_plan": "x" * 4001}, ["plan", "backup_plan"], "at most 4000"),
    ("plan", {"backup_plan": "ok", "version": 3}, ["plan", "version"], "Extra inputs"),
    ("needs", {"ranked": "DUPLICATE"}, ["assessment", "ranked"], "each need once"),
    ("needs", {"ranked": []}, ["assessment", "ranked"], "at least one"),
    ("needs", {"ranked": "FOREIGN"}, ["assessment", "ranked"], "from the list"),
    ("needs", {"ranked": ["1"]}, ["assessment", "ranked", 0], "valid integer"),
    ("need", {"status": "done"}, ["change", "status"], "'identified'"),
    ("rights", {"explained_on": TOMORROW}, ["explained", "explained_on"], "future"),
    ("rights", {"topic": "no_such_topic"}, ["explained", "topic"], "Choose a handout"),
    ("rights", {"language": "fra"}, ["explained", "topic"], "Choose a handout"),
    ("rights", {"explained_on": "31/01/2025"}, ["explained", "explained_on"], "YYYY-MM-DD"),
    ("choice", {"agrees": "yes"}, ["choice", "agrees"], "boolean"),
    ("choice", {"agrees": True, "by": 1}, ["choice", "by"], "Extra inputs"),
    ("contact", {"contacted_on": TOMORROW}, ["contact", "contacted_on"], "future"),
    ("contact", {"agency_name": "   "}, ["contact", "agency_name"], "Name the agency"),
    ("contact", {"basis": "curiosity"}, ["contact", "basis"], "'consent'"),
    ("presence", {"requested_on": TOMORROW}, ["presence", "requested_on"], "future"),
    ("presence", {"status": "granted"}, ["presence", "decided_on"], "date of the decision"),
    ("report", {"county_fips": "99999"}, ["report", "county_fips"], "Wisconsin county"),
    ("report", {"county_fips": "Dane"}, ["report", "county_fips"], "pattern"),
    ("report", {"reported_at": "FUTURE_TIME"}, ["report", "reported_at"], "future"),
    ("report", {"minor_told_at": None}, ["report", "minor_told_at"], "Tell the young"),
    ("report", {"reported_at": "2025-01-31T10:00"}, ["report", "reported_at"], "UTC offset"),
    ("report", {"outcome": "screened_out"}, ["report", "other_resources"], "other help"),
    ("report", {"reported_to_kind": "fbi"}, ["report", "reported_to_kind"], "'county'"),
    ("screening", {"answers": {"adult.nope": "yes"}}, ["screening", "answers"], "do not belong"),
    (
        "screening",
        {"kind": "youth", "answers": {"adult.threats": "yes"}},
        ["screening", "answers"],
        "do not belong",
    ),
    (
        "screening",
        {"answers": {"adult.threats": "maybe"}},
        ["screening", "answers", "adult.threats"],
        "'yes', 'no'",
    ),
    ("screening", {"kind": "child"}, ["screening", "kind"], "'adult' or 'youth'"),
    ("instrument", {"administered_on": TOMORROW}, ["result", "administered_on"], "future"),
    ("instrument", {"level": ""}, ["result", "level"], "required"),
]


@pytest.mark.parametrize(("operation", "override", "loc", "message"), BAD)
def test_bad_input_is_a_located_422_and_changes_nothing(
    client_for, advocate, other_agency, worked, minor_case, operation, override, loc, message
):
    method, target, body, _allowed = write_cases(worked, minor_case)[operation]
    override = dict(resolve(override))  # type: ignore[arg-type]
    if override.get("ranked") == "DUPLICATE":
        override["ranked"] = [category("food").pk, category("food").pk]
    if override.get("ranked") == "FOREIGN":
        own = NeedCategory.objects.create(
            agency=other_agency, code="synthetic", label="Synthetic", term="immediate"
        )
        override["ranked"] = [own.pk]
    if override.get("reported_at") == "FUTURE_TIME":
        override["reported_at"] = (timezone.now() + timedelta(hours=1)).isoformat()
    body = {**body, **override}
    client = client_for(advocate)
    before, seq = snapshot(), last_seq()
    response = send(client, method, target, body)
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    # Each loc names the body parameter first; the body's fields are at its top.
    assert ["body", *loc[1:]] in [e["loc"] for e in errors], errors
    assert any(message in e["msg"] for e in errors), errors
    assert snapshot() == before
    # At most the case read; nothing recorded.
    assert set(new_actions(seq)) <= {Action.PEOPLE_VIEWED}


def test_an_unknown_step_is_404_and_a_step_moved_by_its_record_is_refused(
    client_for, advocate, case
):
    client = client_for(advocate)
    before, seq = snapshot(), last_seq()
    assert send(client, "put", url(case, "protocol/teatime"), {"state": "done"}).status_code == 404
    assert new_actions(seq) == []
    response = send(client, "put", url(case, "protocol/safety"), {"state": "done"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "state"]
    assert "record is made" in response.json()["detail"][0]["msg"]
    assert snapshot() == before


def test_a_step_set_by_hand_shows_in_the_tracker(client_for, advocate, shelter, case):
    body = {"state": "not_applicable", "reason": "Synthetic: already explained elsewhere"}
    response = send(client_for(advocate), "put", url(case, "protocol/confidentiality"), body)
    assert response.status_code == 200, response.content
    step = next(s for s in response.json()["steps"] if s["step"] == "confidentiality")
    assert (step["state"], step["reason"]) == ("not_applicable", body["reason"])
    assert AuditEvent.objects.filter(action=Action.STEP_CHANGED).count() == 1
    shown = client_for(shelter).get(url(case, "protocol")).json()
    assert next(s for s in shown["steps"] if s["step"] == "confidentiality")["reason"]


# --- Safety plans, needs, screenings ----------------------------------------------------------


def test_safety_plans_keep_every_version(client_for, advocate, shelter, case):
    client = client_for(advocate)
    for n in (1, 2):
        created = send(client, "post", url(case, "safety-plans"), {"backup_plan": f"Plan {n}"})
        assert created.status_code == 201
        assert created.json()["version"] == n
    listed = client_for(shelter).get(url(case, "safety-plans")).json()
    assert [v["version"] for v in listed] == [2, 1]
    assert set(listed[0]) == {"version", "at"}
    first = client.get(url(case, "safety-plans/1")).json()
    assert (first["version"], first["backup_plan"], first["code_word"]) == (1, "Plan 1", "")
    seq = last_seq()
    for missing in ("3", "0", "x", "1.0", "99999999999"):
        response = client.get(url(case, f"safety-plans/{missing}"))
        assert response.status_code == 404, missing
    assert new_actions(seq) == []


def test_needs_are_ranked_and_move_through_their_states(client_for, advocate, shelter, case):
    client = client_for(advocate)
    categories = client.get(f"{API}/need-categories").json()
    ids = {c["code"]: c["id"] for c in categories}
    body = {"ranked": [ids["shelter"], ids["food"]], "note": "Synthetic"}
    created = send(client, "post", url(case, "needs"), body)
    assert created.status_code == 201, created.content
    assert [(n["category"]["code"], n["rank"], n["status"]) for n in created.json()] == [
        ("shelter", 1, "identified"),
        ("food", 2, "identified"),
    ]
    assert created.json()[0]["category"]["label"] == "Shelter"
    need_id = created.json()[1]["id"]
    changed = send(client, "patch", url(case, f"needs/{need_id}"), {"status": "met"})
    assert changed.status_code == 200
    assert changed.json()["status"] == "met"
    listed = client_for(shelter).get(url(case, "needs")).json()
    assert [(n["category"]["code"], n["status"]) for n in listed] == [
        ("shelter", "identified"),
        ("food", "met"),
    ]


def test_a_need_of_another_case_or_agency_is_404(
    client_for, advocate, outsider, case, worked, intake, team
):
    other = record_intake(actor=outsider, team=outsider.memberships.exclude(team=None)[0].team)
    needs.assessment_record(actor=outsider, case=other, ranked=[category("food").pk])
    foreign = Need.objects.get(case=other)
    second = record_intake(actor=intake, team=team, danger="no")
    needs.assessment_record(actor=advocate, case=second, ranked=[category("food").pk])
    sibling = Need.objects.get(case=second)
    client = client_for(advocate)
    before, seq = snapshot(), last_seq()
    for need_id in (foreign.pk, sibling.pk, uuid.uuid4(), "not-a-need"):
        response = send(client, "patch", url(case, f"needs/{need_id}"), {"status": "met"})
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert snapshot() == before
    assert new_actions(seq) == []


def test_screenings_are_listed_without_their_answers(client_for, advocate, shelter, case):
    answers = {"adult.threats": "yes", "adult.debt_owed": "yes", "adult.papers_kept": "skipped"}
    created = send(
        client_for(advocate), "post", url(case, "screenings"), {"kind": "adult", "answers": answers}
    )
    assert created.status_code == 201, created.content
    assert "answers" not in created.json()
    listed = client_for(shelter).get(url(case, "screenings"))
    assert listed.status_code == 200
    row = listed.json()[0]
    assert set(row) == {"id", "kind", "version", "score", "level", "at"}
    assert row["kind"] == "adult"
    assert "adult.threats" not in listed.content.decode()


def test_rights_explained_records_the_library_version(client_for, advocate, case):
    client = client_for(advocate)
    on = today().isoformat()
    body = {"topic": "t_visa", "language": "spa", "explained_on": on, "interpreter": "Synth"}
    created = send(client, "post", url(case, "rights-explained"), body)
    assert created.status_code == 201, created.content
    listed = client.get(url(case, "rights-explained")).json()
    assert [(r["topic"], r["language"], r["interpreter"]) for r in listed] == [
        ("t_visa", "spa", "Synth")
    ]
    assert listed[0]["version"] >= 1


# --- The disclosure gate ------------------------------------------------------------------------


def test_a_refusal_blocks_contacts_on_consent(client_for, advocate, supervisor, case):
    client = client_for(advocate)
    refused = send(
        client, "post", url(case, "law-enforcement/choices"), {"agrees": False, "note": "Synth"}
    )
    assert refused.status_code == 201
    assert refused.json()["agrees"] is False
    contact = {
        "basis": "consent",
        "agency_name": "Synthetic PD",
        "contacted_on": today().isoformat(),
        "officer": "Synthetic Officer",
    }
    other = client_for(supervisor)
    before, seq = snapshot(), last_seq()
    response = send(other, "post", url(case, "law-enforcement/contacts"), contact)
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "basis"]
    assert "said no to law enforcement" in error["msg"]
    assert snapshot() == before
    assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.DISCLOSURE_REFUSED]
    gate = AuditEvent.objects.get(action=Action.DISCLOSURE_REFUSED)
    assert gate.detail == {
        "reason": "law_enforcement_refused",
        "basis": "consent",
        "purpose": "law_enforcement",
        "kinds": ["identity"],
        "categories": ["law_enforcement"],
        "organization": "",
    }
    assert "Synthetic" not in json.dumps(gate.detail)
    # Continued Presence goes through the same gate.
    presence = {"requested_on": today().isoformat(), "requesting_agency": "Synthetic HSI"}
    response = send(client, "post", url(case, "continued-presence"), presence)
    assert response.status_code == 422
    assert "said no to law enforcement" in response.json()["detail"][0]["msg"]
    assert response.json()["detail"][0]["loc"] == ["body"]
    assert ContinuedPresence.objects.count() == 0
    tracker = client.get(url(case, "protocol")).json()
    assert tracker["law_refused"] is True
    history = client.get(url(case, "law-enforcement/choices")).json()
    assert [(c["agrees"], c["note"]) for c in history] == [(False, "Synth")]
    # A change of mind, with the person's consent, opens the gate again.
    send(client, "post", url(case, "law-enforcement/choices"), {"agrees": True})
    consent_to_law_enforcement(advocate, case)
    response = send(client, "post", url(case, "law-enforcement/contacts"), contact)
    assert response.status_code == 201, response.content
    listed = client.get(url(case, "law-enforcement/contacts")).json()
    assert [(c["basis"], c["officer"]) for c in listed] == [("consent", "Synthetic Officer")]


def test_without_a_consent_a_consent_contact_is_refused(client_for, advocate, case):
    contact = {"basis": "consent", "agency_name": "PD", "contacted_on": today().isoformat()}
    response = send(client_for(advocate), "post", url(case, "law-enforcement/contacts"), contact)
    assert response.status_code == 422
    assert "No consent is recorded" in response.json()["detail"][0]["msg"]
    assert LawEnforcementContact.objects.count() == 0
    # With a consent, sharing more than it allows is refused too, and says what.
    consent_to_law_enforcement(advocate, case)
    response = send(
        client_for(advocate),
        "post",
        url(case, "law-enforcement/contacts"),
        {**contact, "shared": ["identity", "safety_plan"]},
    )
    assert response.status_code == 422
    assert "Safety plan" in response.json()["detail"][0]["msg"]
    assert LawEnforcementContact.objects.count() == 0


def test_a_mandated_report_for_a_minor_goes_through_despite_a_refusal(
    client_for, advocate, shelter, minor_case, case
):
    client = client_for(advocate)
    assert send(client, "post", url(minor_case, "law-enforcement/choices"), {"agrees": False})
    shown = client.get(url(minor_case, "mandated-report"))
    assert shown.status_code == 200
    assert shown.json()["status"] == "open"
    response = send(client, "put", url(minor_case, "mandated-report"), report_body())
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["status"] == "reported"
    assert report["county"]["fips"] == "55025"
    assert (report["reported_to"], report["reference"]) == ("Synthetic intake line", "REF-1")
    assert not AuditEvent.objects.filter(action=Action.DISCLOSURE_REFUSED).exists()
    assert AuditEvent.objects.filter(action=Action.MANDATED_REPORT_RECORDED).exists()
    # A contact on the mandated basis goes ahead too; on consent it does not.
    contact = {
        "basis": "mandated_minor",
        "agency_name": "Synthetic Sheriff",
        "contacted_on": today().isoformat(),
    }
    target = url(minor_case, "law-enforcement/contacts")
    assert send(client, "post", target, contact).status_code == 201
    assert send(client, "post", target, {**contact, "basis": "consent"}).status_code == 422
    # An adult's case has no task, and the mandated basis is refused for it.
    seq = last_seq()
    assert client.get(url(case, "mandated-report")).status_code == 404
    assert send(client, "put", url(case, "mandated-report"), report_body()).status_code == 404
    assert new_actions(seq) == []
    response = send(client, "post", url(case, "law-enforcement/contacts"), contact)
    assert response.status_code == 422
    assert "under 18" in response.json()["detail"][0]["msg"]
    shown = client_for(shelter).get(url(minor_case, "mandated-report")).json()
    assert (shown["status"], shown["reported_to"]) == ("reported", "Synthetic intake line")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_mandated_report_is_read_by_the_roles_that_see_the_protocol(
    client_for, personas, minor_case, persona
):
    client = client_for(personas[persona])
    seq = last_seq()
    response = client.get(url(minor_case, "mandated-report"))
    if persona in SEES:
        assert response.status_code == 200
        assert new_actions(seq) == [Action.PEOPLE_VIEWED]
    else:
        assert response.status_code == 404
        assert new_actions(seq) == []


def test_a_911_contact_stands_on_a_recent_danger(client_for, advocate, case):
    client = client_for(advocate)
    contact = {"basis": "emergency_911", "agency_name": "911", "contacted_on": today().isoformat()}
    target = url(case, "law-enforcement/contacts")
    assert send(client, "post", target, contact).status_code == 422
    assert send(client, "post", url(case, "danger-checks"), {"answer": "yes"}).status_code == 201
    assert send(client, "post", target, contact).status_code == 201


# --- The OpenAPI document --------------------------------------------------------------------


def test_openapi_document_lists_the_protocol_operations(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/cases/{case_id}/protocol": {"get"},
        "/api/v1/cases/{case_id}/protocol/{step}": {"put"},
        "/api/v1/cases/{case_id}/danger-checks": {"get", "post"},
        "/api/v1/cases/{case_id}/safety-plans": {"get", "post"},
        "/api/v1/cases/{case_id}/safety-plans/{version}": {"get"},
        "/api/v1/cases/{case_id}/needs": {"get", "post"},
        "/api/v1/cases/{case_id}/needs/{need_id}": {"patch"},
        "/api/v1/need-categories": {"get"},
        "/api/v1/rights/library": {"get"},
        "/api/v1/cases/{case_id}/rights-explained": {"get", "post"},
        "/api/v1/cases/{case_id}/law-enforcement/choices": {"get", "post"},
        "/api/v1/cases/{case_id}/law-enforcement/contacts": {"get", "post"},
        "/api/v1/cases/{case_id}/continued-presence": {"get", "post"},
        "/api/v1/cases/{case_id}/mandated-report": {"get", "put"},
        "/api/v1/cases/{case_id}/screenings": {"get", "post"},
        "/api/v1/cases/{case_id}/instrument-results": {"get", "post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            assert paths[path][method]["tags"] == ["protocol"]
    # No identifying value is ever a query string: only ids in the path.
    for path, operations in paths.items():
        for operation in operations.values():
            if operation.get("tags") != ["protocol"]:
                continue
            for parameter in operation.get("parameters", []):
                assert parameter["in"] == "path", (path, parameter)


def test_anonymous_gets_401(client, case):
    before = snapshot()
    assert client.get(url(case, "protocol")).status_code == 401
    assert send(client, "post", url(case, "danger-checks"), {"answer": "no"}).status_code == 401
    assert snapshot() == before
