"""Staff safety over the JSON API: the same rules as the pages.

Threats are recorded by anyone on staff but auditors, and seen by
administrators and supervisors, or by those they were aimed at or who
recorded them. Persons of concern are seen by those who work cases and the
administrators, and kept by advocates, supervisors and administrators. The
front desk checks visitors in and is told only that one was flagged, never
whom they matched: the match goes to the alert recipients. A checklist is
its owner's, and the administrators'. Everything else, and every other
agency, gets 404 with nothing written; a bad body is a located 422 with
nothing written; and there is no way to start or end a lockdown over the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis import checks

from haven.accounts.api_tokens import api_token_create
from haven.api import safety as safety_api
from haven.attachments.models import Attachment
from haven.audit.models import Action, AuditEvent
from haven.core import keys
from haven.safety import services
from haven.safety.models import (
    Channel,
    ChecklistAnswer,
    ConcernIndex,
    Lockdown,
    PersonOfConcern,
    SafetyChecklist,
    Threat,
    Visit,
    VisitorAlert,
)
from haven.wsgi import application
from tests import files
from tests.api_fuzzing import wrong_tokens_allowed
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOT_FOUND = {"detail": "Not Found"}
THREATS = f"{API}/threats"
CONCERNS = f"{API}/persons-of-concern"
VISITS = f"{API}/visits"
ALERTS = f"{API}/visitor-alerts"
CHECKLIST = f"{API}/safety-checklist"
# Synthetic names only.
CONCERN = "Oswin Fabricatov"
ALIAS = "Quentin Marlowe"
PLATE = "SYN-4417"
ACCOUNT = "Synthetic: a caller said they know where the office is."
ALL = ["advocate", "supervisor", "intake", "shelter", "admin_user", "auditor", "outsider"]


class Api:
    """A bearer-token client of the API, as a script or another system uses it."""

    def __init__(self, user) -> None:
        self.client = Client(enforce_csrf_checks=True)
        token = api_token_create(user=user, lifetime=timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str, data: Any = None):
        return self.client.get(url, data, **self.headers)

    def post(self, url: str, data: Any = None):
        body = {} if data is None else data
        return self.client.post(url, body, content_type="application/json", **self.headers)

    def put(self, url: str, data: Any):
        return self.client.put(url, data, content_type="application/json", **self.headers)

    def delete(self, url: str):
        return self.client.delete(url, **self.headers)


def threat_url(threat_id: object) -> str:
    return f"{THREATS}/{threat_id}"


def follow_up_url(threat_id: object) -> str:
    return f"{THREATS}/{threat_id}/follow-up"


def concern_url(concern_id: object) -> str:
    return f"{CONCERNS}/{concern_id}"


def check_out_url(visit_id: object) -> str:
    return f"{VISITS}/{visit_id}/check-out"


def acknowledge_url(alert_id: object) -> str:
    return f"{ALERTS}/{alert_id}/acknowledge"


def staff_checklist_url(user_id: object) -> str:
    return f"{API}/staff/{user_id}/safety-checklist"


def hours_ago(hours: int) -> str:
    return (timezone.localtime() - timedelta(hours=hours)).isoformat(timespec="minutes")


def threat_body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "occurred_at": hours_ago(3),
        "channel": "voicemail",
        "what_happened": ACCOUNT,
        "against_agency": True,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def concern_body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": CONCERN,
        "aliases": [ALIAS],
        "description": "Synthetic: tall, grey coat.\nSeen twice near the office.",
        "vehicles": "Synthetic blue van",
        "plates": [PLATE],
        "associates": "Synthetic associate",
    }
    data.update(changes)
    return data


CHECKLIST_BODY: dict[str, Any] = {
    "unlisted_phone": "done",
    "address_confidentiality": "not_yet",
    "varied_routes": "",
    "alternative_stay": "not_needed",
    "alternative_stay_notes": "",
    "emergency_contacts": "Synthetic sibling, extension 000",
    "notes": "Synthetic:\nparks near the entrance.",
}


def make_threat(actor, **changes: Any) -> Threat:
    values: dict[str, Any] = {
        "occurred_at": timezone.now() - timedelta(hours=3),
        "channel": "phone",
        "what_happened": ACCOUNT,
        "against_agency": True,
    }
    values.update(changes)
    return services.threat_record(actor=actor, values=services.ThreatValues(**values))


def make_concern(actor, **changes: Any) -> PersonOfConcern:
    values: dict[str, Any] = {"name": CONCERN, "aliases": ALIAS, "plates": PLATE}
    values.update(changes)
    return services.concern_save(actor=actor, values=services.ConcernValues(**values))


def check_in(actor, name: str = CONCERN) -> Visit:
    return services.visit_check_in(actor=actor, values=services.VisitValues(name_given=name))


def snapshot() -> tuple[int, ...]:
    """Everything these routes write."""
    return (
        Threat.objects.count(),
        Threat.targeted_staff.through.objects.count(),
        Threat.cases.through.objects.count(),
        Threat.concerns.through.objects.count(),
        PersonOfConcern.objects.count(),
        PersonOfConcern.cases.through.objects.count(),
        ConcernIndex.objects.count(),
        Visit.objects.count(),
        Visit.objects.filter(checked_out_at__isnull=False).count(),
        VisitorAlert.objects.count(),
        VisitorAlert.objects.filter(acknowledged_at__isnull=False).count(),
        SafetyChecklist.objects.count(),
        Attachment.objects.count(),
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


def refused_at(response) -> list[list[Any]]:
    assert response.status_code == 422, response.content
    return [e["loc"] for e in response.json()["detail"]]


@pytest.fixture
def case(intake, team, shelter):
    """A case the first agency's advocate, supervisor, intake and shelter
    staff may all open (administrators open no case)."""
    case = record_intake(actor=intake, team=team, legal_name="Synthetic Safety Person")
    case.assigned.add(shelter)
    return case


@pytest.fixture
def south_case(intake, other_team):
    """A case of another team: its intake worker opens it, the North team does not."""
    return record_intake(actor=intake, team=other_team, legal_name="Synthetic South Person")


@pytest.fixture
def elsewhere_case(outsider):
    team = outsider.memberships.exclude(team=None).get().team
    return record_intake(actor=outsider, team=team, legal_name="Synthetic Elsewhere Person")


# --- The schema ------------------------------------------------------------------------


def test_the_codes_offered_are_the_models_codes():
    assert set(get_args(safety_api.ChannelCode)) == set(Channel.values)
    assert set(get_args(safety_api.ChecklistAnswerCode)) == {"", *ChecklistAnswer.values}


def test_there_is_no_way_to_start_or_end_a_lockdown_over_the_api(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert f"{API}/threats" in paths
    assert [p for p in paths if "lockdown" in p.lower()] == []


def test_the_safety_operations_and_their_methods(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    safety = {
        p: sorted(paths[p])
        for p in paths
        if any(
            w in p for w in ("threat", "persons-of-concern", "visit", "visitor-alert", "checklist")
        )
    }
    assert safety == {
        f"{API}/threats": ["get", "post"],
        f"{API}/threats/{{threat_id}}": ["get"],
        f"{API}/threats/{{threat_id}}/follow-up": ["post"],
        f"{API}/persons-of-concern": ["get", "post"],
        f"{API}/persons-of-concern/{{concern_id}}": ["delete", "get", "put"],
        f"{API}/visit-places": ["get"],
        f"{API}/visits": ["get", "post"],
        f"{API}/visits/{{visit_id}}/check-out": ["post"],
        f"{API}/visitor-alerts": ["get"],
        f"{API}/visitor-alerts/{{alert_id}}/acknowledge": ["post"],
        f"{API}/safety-checklist": ["get", "put"],
        f"{API}/staff/{{user_id}}/safety-checklist": ["get"],
    }
    for path in (f"{API}/threats", f"{API}/persons-of-concern"):
        post = paths[path]["post"]
        assert set(post["requestBody"]["content"]) == {"application/json"}
        assert "JSON only" in post["description"]
    check_in = paths[f"{API}/visits"]["post"]["responses"]["201"]["content"]
    ref = check_in["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    shown = client.get(f"{API}/openapi.json").json()["components"]["schemas"][ref]["properties"]
    assert set(shown) == {"id", "checked_in_at", "flagged", "instruction"}


def test_during_a_lockdown_a_token_opens_nothing(agency, admin_user, advocate):
    api = Api(advocate)
    assert api.get(THREATS).status_code == 200
    Lockdown.objects.create(
        agency=agency,
        data_key=keys.data_key_create(agency)[0],
        started_at=timezone.now(),
        started_by=admin_user,
    )
    assert api.get(THREATS).status_code == 401
    # A write falls through to the session, which wants its CSRF token first.
    assert api.post(THREATS, threat_body()).status_code in {401, 403}
    assert not Threat.objects.exists()


# --- Threats ---------------------------------------------------------------------------


def test_a_threat_recorded_comes_back_with_its_links(
    advocate, supervisor, intake, admin_user, case, south_case
):
    concern = make_concern(advocate, name="Synthetic Linked Concern")
    reported = (timezone.localdate()).isoformat()
    api = Api(supervisor)
    seq = last_seq()
    response = api.post(
        THREATS,
        threat_body(
            against_agency=False,
            targeted_staff_ids=[advocate.pk, supervisor.pk],
            reported_to_police=True,
            reported_on=reported,
            report_number="SYN-2026-0042",
            concern_ids=[str(concern.pk)],
            case_ids=[str(case.pk)],
        ),
    )
    assert response.status_code == 201, response.content
    assert new_actions(seq) == [
        Action.THREAT_RECORDED,
        Action.REPORT_NUMBER_CHANGED,
        Action.CONCERNS_VIEWED,
    ]
    row = Threat.objects.get()
    created = response.json()
    assert created == {
        "id": str(row.pk),
        "occurred_at": created["occurred_at"],
        "channel": "voicemail",
        "against_agency": False,
        "targeted_staff_ids": sorted([advocate.pk, supervisor.pk]),
        "what_happened": ACCOUNT,
        "reported_to_police": True,
        "reported_on": reported,
        "report_number": "SYN-2026-0042",
        "recorded_at": created["recorded_at"],
        "recorded_by_id": supervisor.pk,
        "case_ids": [str(case.pk)],
        "concern_ids": [str(concern.pk)],
        "evidence": [],
    }
    # Sealed in the database: the words are not there in the clear.
    raw = Threat.objects.filter(pk=row.pk).values_list("what_happened", flat=True).get()
    assert b"Synthetic" not in bytes(raw)

    seq = last_seq()
    assert api.get(threat_url(row.pk)).json() == created
    assert new_actions(seq) == [Action.THREATS_VIEWED, Action.CONCERNS_VIEWED]
    # The advocate it was aimed at sees it and the case; an administrator
    # sees it, but opens no case.
    assert Api(advocate).get(threat_url(row.pk)).json() == created
    by_admin = Api(admin_user).get(threat_url(row.pk)).json()
    assert by_admin["case_ids"] == []
    assert by_admin["concern_ids"] == [str(concern.pk)]
    # Intake staff were not aimed at and did not record it.
    assert Api(intake).get(threat_url(row.pk)).json() == NOT_FOUND


def test_linked_cases_and_concerns_show_only_to_those_who_may_see_them(
    intake, advocate, supervisor, shelter, case, south_case
):
    # Intake staff link the case they recorded on the South team, and name
    # the North team's advocate and shelter worker as targets.
    threat = make_threat(
        intake,
        against_agency=False,
        targeted_staff_ids=[advocate.pk, shelter.pk],
        case_ids=[south_case.pk, case.pk],
    )
    assert sorted(Api(intake).get(threat_url(threat.pk)).json()["case_ids"]) == sorted(
        [str(case.pk), str(south_case.pk)]
    )
    for reader in (advocate, supervisor, shelter):
        shown = Api(reader).get(threat_url(threat.pk))
        assert shown.status_code == 200
        assert shown.json()["case_ids"] == [str(case.pk)]
        assert str(south_case.pk) not in shown.content.decode()
    # Concerns: only for those who may see them, so never for intake staff.
    concern = make_concern(advocate)
    named = make_threat(supervisor, concern_ids=[concern.pk], targeted_staff_ids=[intake.pk])
    assert Api(intake).get(threat_url(named.pk)).json()["concern_ids"] == []
    assert Api(supervisor).get(threat_url(named.pk)).json()["concern_ids"] == [str(concern.pk)]
    # Intake staff cannot name a person of concern at all.
    refused = Api(intake).post(THREATS, threat_body(concern_ids=[str(concern.pk)]))
    assert refused_at(refused) == [["body", "concern_ids"]]


def test_evidence_is_listed_and_opens_for_those_who_see_the_threat(supervisor, intake, advocate):
    data = files.pdf("Synthetic screenshot of the message")
    threat = make_threat(
        advocate, evidence=[files.accepted(data, "message.pdf")], against_agency=True
    )
    evidence = Api(supervisor).get(threat_url(threat.pk)).json()["evidence"]
    attachment = threat.evidence.get()
    assert evidence == [
        {"id": str(attachment.pk), "content_type": "application/pdf", "size": len(data)}
    ]
    assert Api(advocate).get(f"{API}/attachments/{attachment.pk}").content == data
    assert Api(supervisor).get(f"{API}/attachments/{attachment.pk}").content == data
    assert Api(intake).get(f"{API}/attachments/{attachment.pk}").json() == NOT_FOUND


def test_the_threat_log_comes_in_pages_of_25_latest_first(supervisor, advocate):
    for number in range(27):
        make_threat(
            supervisor,
            occurred_at=timezone.now() - timedelta(days=number + 1),
            what_happened=f"Synthetic threat {number + 1}",
        )
    mine = make_threat(advocate, occurred_at=timezone.now() - timedelta(days=40))
    api = Api(supervisor)
    seq = last_seq()
    first = api.get(THREATS).json()
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 28)
    assert [t["what_happened"] for t in first["items"][:2]] == [
        "Synthetic threat 1",
        "Synthetic threat 2",
    ]
    assert new_actions(seq) == [Action.THREATS_VIEWED]
    second = api.get(THREATS, {"page": 2}).json()
    assert (second["page"], len(second["items"])) == (2, 3)
    assert second["items"][-1]["id"] == str(mine.pk)
    # A page past the end serves the last one, and says so.
    past = api.get(THREATS, {"page": 9}).json()
    assert (past["page"], past["items"]) == (2, second["items"])
    for bad in ("0", "-1", "x"):
        assert api.get(THREATS, {"page": bad}).status_code == 422
    # The advocate sees only what they recorded or what was aimed at them.
    own = Api(advocate).get(THREATS).json()
    assert (own["total"], [t["id"] for t in own["items"]]) == (1, [str(mine.pk)])


def test_a_follow_up_records_the_report_and_keeps_the_account(supervisor, advocate):
    threat = make_threat(advocate)
    before = Threat.objects.filter(pk=threat.pk).values_list("what_happened", flat=True).get()
    api = Api(supervisor)
    seq = last_seq()
    today = timezone.localdate().isoformat()
    response = api.post(
        follow_up_url(threat.pk),
        {"reported_to_police": True, "reported_on": today, "report_number": "SYN-77"},
    )
    assert response.status_code == 200, response.content
    assert new_actions(seq) == [
        Action.THREAT_UPDATED,
        Action.REPORT_NUMBER_CHANGED,
        Action.THREATS_VIEWED,
    ]
    shown = response.json()
    assert (shown["reported_to_police"], shown["reported_on"], shown["report_number"]) == (
        True,
        today,
        "SYN-77",
    )
    assert shown["what_happened"] == ACCOUNT
    after = Threat.objects.filter(pk=threat.pk).values_list("what_happened", flat=True).get()
    assert bytes(after) == bytes(before)
    # A report once made stays recorded.
    undone = api.post(follow_up_url(threat.pk), {"reported_to_police": False})
    assert refused_at(undone) == [["body", "reported_to_police"]]
    assert Threat.objects.get(pk=threat.pk).reported_to_police
    # A body may not rewrite what happened.
    rewrite = api.post(
        follow_up_url(threat.pk), {"reported_to_police": True, "what_happened": "Changed"}
    )
    assert ["body", "what_happened"] in refused_at(rewrite)


def test_a_refused_follow_up_writes_nothing(supervisor):
    threat = make_threat(supervisor, occurred_at=timezone.now() - timedelta(days=3))
    api = Api(supervisor)
    before, seq = snapshot(), last_seq()
    cases = [
        (
            {"reported_to_police": True, "reported_on": str(timezone.localdate() - timedelta(5))},
            ["body", "reported_on"],
        ),
        (
            {"reported_to_police": True, "reported_on": str(timezone.localdate() + timedelta(2))},
            ["body", "reported_on"],
        ),
        ({"reported_to_police": False, "report_number": "SYN-1"}, None),
        ({"reported_to_police": True, "report_number": "SYN\x07"}, None),
        ({"reported_to_police": "yes"}, ["body", "reported_to_police"]),
    ]
    for sent, loc in cases:
        response = api.post(follow_up_url(threat.pk), sent)
        locs = refused_at(response)
        if loc is not None:
            assert loc in locs, (sent, locs)
    assert snapshot() == before
    assert new_actions(seq) == []
    row = Threat.objects.get(pk=threat.pk)
    assert (row.reported_to_police, row.reported_on, row.report_number) == (False, None, None)


LATER = (timezone.now() + timedelta(days=2)).isoformat(timespec="minutes")

BAD_THREATS = [
    pytest.param({"occurred_at": LATER}, ["body", "occurred_at"], id="future"),
    pytest.param({"occurred_at": "2025-01-31T14:05"}, ["body", "occurred_at"], id="no offset"),
    pytest.param(
        {"occurred_at": "0001-01-01T00:00+14:00"},
        ["body", "occurred_at"],
        id="before time began",
    ),
    pytest.param(
        {"occurred_at": "9999-12-31T23:00-12:00"},
        ["body", "occurred_at"],
        id="after time ends",
    ),
    pytest.param({"occurred_at": None}, ["body", "occurred_at"], id="when unsaid"),
    pytest.param({"channel": "pigeon"}, ["body", "channel"], id="unknown channel"),
    pytest.param({"what_happened": "  "}, ["body", "what_happened"], id="no account"),
    pytest.param(
        {"what_happened": "Synthetic\x07 bell"},
        ["body", "what_happened"],
        id="control character",
    ),
    pytest.param(
        {"what_happened": "Synthetic\u202e hidden"},
        ["body", "what_happened"],
        id="bidi override",
    ),
    pytest.param({"against_agency": False}, ["body", "targeted_staff_ids"], id="aimed at no one"),
    pytest.param(
        {"targeted_staff_ids": [2**40]},
        ["body", "targeted_staff_ids"],
        id="made-up staff id",
    ),
    pytest.param(
        {"targeted_staff_ids": [2**70]},
        ["body", "targeted_staff_ids", 0],
        id="staff id out of range",
    ),
    pytest.param(
        {"targeted_staff_ids": ["1"]},
        ["body", "targeted_staff_ids", 0],
        id="staff id as text",
    ),
    pytest.param(
        {"reported_on": str(timezone.localdate())},
        ["body", "reported_to_police"],
        id="report date without a report",
    ),
    pytest.param(
        {"reported_to_police": True, "reported_on": "2020-01-01"},
        ["body", "reported_on"],
        id="report before the threat",
    ),
    pytest.param(
        {"reported_to_police": True, "reported_on": "2020-02-30"},
        ["body", "reported_on"],
        id="report date that does not exist",
    ),
    pytest.param(
        {"case_ids": ["00000000-0000-0000-0000-000000000001"]},
        ["body", "case_ids"],
        id="made-up case id",
    ),
    pytest.param({"case_ids": ["x"]}, ["body", "case_ids", 0], id="malformed case id"),
    pytest.param(
        {"concern_ids": ["00000000-0000-0000-0000-000000000001"]},
        ["body", "concern_ids"],
        id="made-up concern id",
    ),
    pytest.param({"recorded_by": 1}, ["body", "recorded_by"], id="unknown field"),
]


@pytest.mark.parametrize(("changes", "loc"), BAD_THREATS)
def test_a_refused_threat_is_a_located_422_and_writes_nothing(supervisor, changes, loc):
    api = Api(supervisor)
    before, seq = snapshot(), last_seq()
    response = api.post(THREATS, threat_body(**changes))
    assert response.status_code == 422, response.content
    assert loc in refused_at(response), response.json()
    assert "\u202e" not in response.content.decode()
    assert snapshot() == before
    assert new_actions(seq) == []


def test_forged_ids_of_another_agency_are_refused_like_made_up_ones(
    supervisor, outsider, elsewhere_case, south_case
):
    theirs = make_concern(outsider, name="Synthetic Elsewhere Concern")
    api = Api(supervisor)
    before, seq = snapshot(), last_seq()
    for changes, loc in [
        ({"targeted_staff_ids": [outsider.pk]}, ["body", "targeted_staff_ids"]),
        ({"case_ids": [str(elsewhere_case.pk)]}, ["body", "case_ids"]),
        # A case of the agency the supervisor cannot open is refused alike.
        ({"case_ids": [str(south_case.pk)]}, ["body", "case_ids"]),
        ({"concern_ids": [str(theirs.pk)]}, ["body", "concern_ids"]),
    ]:
        response = api.post(THREATS, threat_body(**changes))
        assert refused_at(response) == [loc], changes
        assert "Elsewhere" not in response.content.decode()
    assert snapshot() == before
    assert new_actions(seq) == []


# --- Persons of concern ----------------------------------------------------------------


def test_a_person_of_concern_recorded_comes_back_in_plain_text(advocate, supervisor, case):
    api = Api(advocate)
    seq = last_seq()
    response = api.post(CONCERNS, concern_body(case_ids=[str(case.pk)]))
    assert response.status_code == 201, response.content
    assert new_actions(seq) == [Action.CONCERN_CHANGED]
    row = PersonOfConcern.objects.get()
    created = response.json()
    assert created == {
        "id": str(row.pk),
        "name": CONCERN,
        "aliases": [ALIAS],
        "description": "Synthetic: tall, grey coat.\nSeen twice near the office.",
        "vehicles": "Synthetic blue van",
        "plates": [PLATE],
        "associates": "Synthetic associate",
        "version": 1,
        "created_at": created["created_at"],
        "created_by_id": advocate.pk,
        "updated_at": created["updated_at"],
        "case_ids": [str(case.pk)],
        "photos": [],
        "threats": [],
    }
    for name, value in (("name", CONCERN), ("aliases", ALIAS), ("plates", PLATE)):
        raw = PersonOfConcern.objects.filter(pk=row.pk).values_list(name, flat=True).get()
        assert value.encode() not in bytes(raw), name
    threat = make_threat(supervisor, concern_ids=[row.pk])
    by_supervisor = Api(supervisor)
    seq = last_seq()
    detail = by_supervisor.get(concern_url(row.pk)).json()
    assert new_actions(seq) == [Action.CONCERNS_VIEWED]
    assert [t["id"] for t in detail["threats"]] == [str(threat.pk)]
    # The advocate may not see that threat (not aimed at them, not theirs).
    assert api.get(concern_url(row.pk)).json()["threats"] == []
    listed = api.get(CONCERNS).json()
    assert (listed["page"], listed["pages"], listed["total"]) == (1, 1, 1)
    assert listed["items"][0]["name"] == CONCERN
    assert "case_ids" not in listed["items"][0]


def test_names_in_any_script_are_kept_and_screened(advocate, intake, supervisor):
    api = Api(advocate)
    names = ["سامي النجار", "王小明", "Иван Синтетиков"]
    for name in names:
        response = api.post(CONCERNS, concern_body(name=name, aliases=[], plates=[]))
        assert response.status_code == 201, response.content
        assert response.json()["name"] == name
    desk = Api(intake)
    for name in names:
        response = desk.post(VISITS, {"name_given": name})
        assert response.status_code == 201, response.content
        assert response.json()["flagged"] is True
        assert name.encode() not in response.content
    alerts = Api(supervisor).get(ALERTS).json()
    assert sorted(a["name_given"] for a in alerts) == sorted(names)
    assert all(a["exact"] for a in alerts)


def test_photos_are_listed_and_open_for_those_who_see_concerns(advocate, shelter, intake):
    data = files.png()
    concern = make_concern(advocate, photos=[files.accepted(data, "photo.png")])
    photo = concern.photos.get()
    shown = Api(shelter).get(concern_url(concern.pk))
    assert shown.status_code == 200
    assert shown.json()["photos"] == [
        {"id": str(photo.pk), "content_type": "image/png", "size": len(data)}
    ]
    assert Api(shelter).get(f"{API}/attachments/{photo.pk}").content == data
    assert Api(intake).get(f"{API}/attachments/{photo.pk}").json() == NOT_FOUND


def test_a_change_from_a_stale_version_is_refused_and_writes_nothing(advocate, supervisor):
    concern = make_concern(advocate)
    first, second = Api(advocate), Api(supervisor)
    read = first.get(concern_url(concern.pk)).json()
    assert read["version"] == 1
    changed = second.put(concern_url(concern.pk), {**concern_body(name="Oswin F."), "version": 1})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["version"]) == ("Oswin F.", 2)
    before, seq = snapshot(), last_seq()
    stale = first.put(concern_url(concern.pk), {**concern_body(name="Stale edit"), "version": 1})
    assert refused_at(stale) == [["body", "version"]]
    assert "Reload" in stale.json()["detail"][0]["msg"]
    assert snapshot() == before
    assert new_actions(seq) == []
    row = PersonOfConcern.objects.get(pk=concern.pk)
    assert (row.name, row.version) == ("Oswin F.", 2)
    missing = first.put(concern_url(concern.pk), concern_body())
    assert ["body", "version"] in refused_at(missing)


def test_a_change_keeps_the_links_to_cases_the_editor_cannot_open(
    advocate, admin_user, intake, case
):
    concern = make_concern(advocate, case_ids=[case.pk])
    by_admin = Api(admin_user)
    shown = by_admin.get(concern_url(concern.pk)).json()
    assert shown["case_ids"] == []
    changed = by_admin.put(
        concern_url(concern.pk),
        {**concern_body(aliases=[], case_ids=[]), "version": shown["version"]},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["case_ids"] == []
    assert Api(advocate).get(concern_url(concern.pk)).json()["case_ids"] == [str(case.pk)]
    # A change of the aliases changes what the desk screens against.
    desk = Api(intake)
    assert desk.post(VISITS, {"name_given": ALIAS}).json()["flagged"] is False
    assert desk.post(VISITS, {"name_given": CONCERN}).json()["flagged"] is True


def test_a_removed_person_of_concern_is_gone_and_no_longer_screened(advocate, intake):
    concern = make_concern(advocate, photos=[files.accepted(files.png(), "p.png")])
    threat = make_threat(advocate, concern_ids=[concern.pk])
    api = Api(advocate)
    seq = last_seq()
    response = api.delete(concern_url(concern.pk))
    assert response.status_code == 204
    assert response.content == b""
    assert new_actions(seq) == [Action.CONCERN_REMOVED]
    assert api.get(concern_url(concern.pk)).json() == NOT_FOUND
    assert api.delete(concern_url(concern.pk)).json() == NOT_FOUND
    assert not PersonOfConcern.objects.exists()
    assert not ConcernIndex.objects.exists()
    assert not Attachment.objects.exists()
    assert api.get(threat_url(threat.pk)).json()["concern_ids"] == []
    assert Api(intake).post(VISITS, {"name_given": CONCERN}).json()["flagged"] is False


BAD_CONCERNS = [
    pytest.param({"name": "   "}, ["body", "name"], id="no name"),
    pytest.param({"name": "Oswin\x1bF"}, ["body", "name"], id="escape character"),
    pytest.param({"aliases": ["Ozzie\u200b"]}, ["body", "aliases", 0], id="zero width"),
    pytest.param({"aliases": "Ozzie"}, ["body", "aliases"], id="aliases as text"),
    pytest.param({"aliases": ["A" * 200] * 11}, ["body", "aliases"], id="aliases too long"),
    pytest.param({"plates": [PLATE, "\x00"]}, ["body", "plates", 1], id="nul plate"),
    pytest.param(
        {"case_ids": ["00000000-0000-0000-0000-000000000001"]},
        ["body", "case_ids"],
        id="made-up case",
    ),
    pytest.param({"photos": ["x"]}, ["body", "photos"], id="no uploads"),
]


@pytest.mark.parametrize(("changes", "loc"), BAD_CONCERNS)
def test_a_refused_person_of_concern_is_a_located_422_and_writes_nothing(advocate, changes, loc):
    api = Api(advocate)
    before, seq = snapshot(), last_seq()
    response = api.post(CONCERNS, concern_body(**changes))
    assert loc in refused_at(response), response.json()
    assert snapshot() == before
    assert new_actions(seq) == []


def test_another_agencys_case_cannot_be_linked_to_a_person_of_concern(advocate, elsewhere_case):
    concern = make_concern(advocate)
    api = Api(advocate)
    before = snapshot()
    for response in (
        api.post(CONCERNS, concern_body(case_ids=[str(elsewhere_case.pk)])),
        api.put(
            concern_url(concern.pk),
            {**concern_body(case_ids=[str(elsewhere_case.pk)]), "version": 1},
        ),
    ):
        assert refused_at(response) == [["body", "case_ids"]]
    assert snapshot() == before


# --- The visitor log -------------------------------------------------------------------


def test_a_check_in_tells_the_desk_only_that_the_visitor_was_flagged(
    advocate, intake, supervisor, case
):
    concern = make_concern(advocate, case_ids=[case.pk])
    desk = Api(intake)
    seq = last_seq()
    response = desk.post(VISITS, {"name_given": CONCERN, "asking_for": "Synthetic Person"})
    assert response.status_code == 201, response.content
    assert new_actions(seq) == [Action.VISITOR_CHECKED_IN, Action.VISITOR_ALERT_RAISED]
    visit = Visit.objects.get()
    assert response.json() == {
        "id": str(visit.pk),
        "checked_in_at": response.json()["checked_in_at"],
        "flagged": True,
        "instruction": "Follow your agency's visitor procedure.",
    }
    for secret in (CONCERN, "Oswin", "Fabricatov", ALIAS, PLATE, str(concern.pk), str(case.pk)):
        assert secret.encode() not in response.content, secret
    # A plate matches too, and the answer is the same.
    by_plate = desk.post(VISITS, {"name_given": "Synthetic Visitor", "plate": "syn 4417"})
    assert by_plate.json()["flagged"] is True
    assert by_plate.json()["instruction"] == response.json()["instruction"]
    plain = desk.post(VISITS, {"name_given": "Synthetic Courier"})
    assert plain.status_code == 201
    assert (plain.json()["flagged"], plain.json()["instruction"]) == (False, None)
    # The log shows the flag, never why.
    seq = last_seq()
    log = desk.get(VISITS)
    assert new_actions(seq) == [Action.VISITS_VIEWED]
    assert [v["flagged"] for v in log.json()["items"]] == [False, True, True]
    assert log.json()["items"][2]["name_given"] == CONCERN
    assert ALIAS.encode() not in log.content
    assert str(concern.pk).encode() not in log.content
    # The alert recipients are told whom the visitor matched.
    recipient = Api(supervisor)
    seq = last_seq()
    alerts = recipient.get(ALERTS).json()
    assert new_actions(seq) == [Action.VISITS_VIEWED, Action.CONCERNS_VIEWED]
    first = alerts[-1]
    assert first["visit_id"] == str(visit.pk)
    assert first["name_given"] == CONCERN
    assert first["concerns"] == [{"id": str(concern.pk), "name": CONCERN}]
    assert first["exact"] is True
    assert (first["acknowledged"], first["acknowledged_by_id"]) == (False, None)


BAD_VISITS = [
    pytest.param({"name_given": ""}, ["body", "name_given"], id="empty name"),
    pytest.param({"name_given": " \t "}, ["body", "name_given"], id="blank name"),
    pytest.param({}, ["body", "name_given"], id="name missing"),
    pytest.param({"name_given": "Syn\x00"}, ["body", "name_given"], id="nul"),
    pytest.param({"name_given": "Syn\x07"}, ["body", "name_given"], id="bell"),
    pytest.param({"name_given": "A" * 201}, ["body", "name_given"], id="too long"),
    pytest.param({"name_given": "Syn", "plate": "AB\u202e12"}, ["body", "plate"], id="bidi plate"),
    pytest.param({"name_given": "Syn", "id_seen": "yes"}, ["body", "id_seen"], id="bool"),
    pytest.param({"name_given": "Syn", "flagged": False}, ["body", "flagged"], id="extra"),
]


@pytest.mark.parametrize(("sent", "loc"), BAD_VISITS)
def test_a_refused_check_in_is_a_located_422_and_writes_nothing(intake, sent, loc):
    api = Api(intake)
    before, seq = snapshot(), last_seq()
    response = api.post(VISITS, sent)
    assert loc in refused_at(response), response.json()
    assert snapshot() == before
    assert new_actions(seq) == []


@pytest.mark.parametrize("name", ["سامي النجار", "王小明", "Иван Синтетиков", "Zoë Ñandú-Øster"])
def test_a_name_in_any_script_is_checked_in(intake, name):
    response = Api(intake).post(VISITS, {"name_given": name, "purpose": "Synthetic delivery"})
    assert response.status_code == 201, response.content
    assert response.json()["flagged"] is False
    assert Visit.objects.get().name_given == name
    assert Api(intake).get(VISITS).json()["items"][0]["name_given"] == name


def test_a_visitor_is_checked_out_once(intake):
    visit = check_in(intake, "Synthetic Courier")
    api = Api(intake)
    seq = last_seq()
    response = api.post(check_out_url(visit.pk))
    assert response.status_code == 200, response.content
    assert new_actions(seq) == [Action.VISITOR_CHECKED_OUT]
    visit.refresh_from_db()
    assert response.json()["id"] == str(visit.pk)
    assert response.json()["checked_out_at"] is not None
    assert set(response.json()) == {"id", "checked_in_at", "checked_out_at"}
    again = api.post(check_out_url(visit.pk))
    assert refused_at(again) == [["path", "visit_id"]]
    assert Visit.objects.get().checked_out_at == visit.checked_out_at
    for bad in ("x", "00000000-0000-0000-0000-000000000000"):
        assert api.post(check_out_url(bad)).json() == NOT_FOUND


# --- Visitor alerts --------------------------------------------------------------------


def test_an_alert_is_acknowledged_once(advocate, intake, supervisor, admin_user):
    make_concern(advocate)
    visit = check_in(intake)
    alert = VisitorAlert.objects.get(visit=visit)
    api = Api(supervisor)
    seq = last_seq()
    response = api.post(acknowledge_url(alert.pk))
    assert response.status_code == 204, response.content
    assert new_actions(seq) == [Action.VISITOR_ALERT_ACKNOWLEDGED]
    shown = Api(admin_user).get(ALERTS).json()
    assert shown[0]["acknowledged"] is True
    assert shown[0]["acknowledged_by_id"] == supervisor.pk
    again = Api(admin_user).post(acknowledge_url(alert.pk))
    assert refused_at(again) == [["path", "alert_id"]]
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == supervisor.pk


def test_designated_staff_receive_the_alerts_instead(advocate, intake, supervisor, admin_user):
    services.safety_settings_save(
        actor=admin_user,
        alert_user_ids=[advocate.pk],
        lockdown_user_ids=[],
        two_to_end_lockdown=False,
    )
    make_concern(advocate)
    alert = VisitorAlert.objects.get(visit=check_in(intake))
    assert [a["id"] for a in Api(advocate).get(ALERTS).json()] == [str(alert.pk)]
    for other in (supervisor, admin_user):
        assert Api(other).get(ALERTS).json() == NOT_FOUND
        assert Api(other).post(acknowledge_url(alert.pk)).json() == NOT_FOUND
    assert Api(advocate).post(acknowledge_url(alert.pk)).status_code == 204


# --- Safety checklists -----------------------------------------------------------------


def test_a_checklist_is_its_owners_and_the_administrators(advocate, admin_user, supervisor):
    api = Api(advocate)
    empty = api.get(CHECKLIST)
    assert empty.status_code == 200
    assert empty.json() == {
        "user_id": advocate.pk,
        "unlisted_phone": "",
        "address_confidentiality": "",
        "varied_routes": "",
        "alternative_stay": "",
        "alternative_stay_notes": "",
        "emergency_contacts": "",
        "notes": "",
        "version": 0,
        "updated_at": None,
    }
    seq = last_seq()
    saved = api.put(CHECKLIST, {**CHECKLIST_BODY, "version": 0})
    assert saved.status_code == 200, saved.content
    assert new_actions(seq) == [Action.CHECKLIST_SAVED]
    body = saved.json()
    assert body == {
        **CHECKLIST_BODY,
        "user_id": advocate.pk,
        "version": 1,
        "updated_at": body["updated_at"],
    }
    administrator = Api(admin_user)
    seq = last_seq()
    assert api.get(CHECKLIST).json() == body
    assert api.get(staff_checklist_url(advocate.pk)).json() == body
    assert new_actions(seq) == []
    assert administrator.get(staff_checklist_url(advocate.pk)).json() == body
    assert new_actions(seq) == [Action.CHECKLIST_VIEWED]
    assert Api(supervisor).get(staff_checklist_url(advocate.pk)).json() == NOT_FOUND
    # Stale: saved from the version read before the first save.
    before, seq = snapshot(), last_seq()
    stale = api.put(CHECKLIST, {**CHECKLIST_BODY, "notes": "Stale", "version": 0})
    assert refused_at(stale) == [["body", "version"]]
    assert snapshot() == before
    assert new_actions(seq) == []
    assert SafetyChecklist.objects.get(user=advocate).notes == CHECKLIST_BODY["notes"]


BAD_CHECKLISTS = [
    pytest.param({"unlisted_phone": "maybe"}, ["body", "unlisted_phone"], id="answer"),
    pytest.param({"notes": "Syn\x1b"}, ["body", "notes"], id="escape character"),
    pytest.param({"notes": "A" * 2001}, ["body", "notes"], id="too long"),
    pytest.param({"version": None}, ["body", "version"], id="no version"),
    pytest.param({"version": -1}, ["body", "version"], id="negative version"),
    pytest.param({"user_id": 1}, ["body", "user_id"], id="someone else's"),
]


@pytest.mark.parametrize(("changes", "loc"), BAD_CHECKLISTS)
def test_a_refused_checklist_is_a_located_422_and_writes_nothing(advocate, changes, loc):
    sent = {**CHECKLIST_BODY, "version": 0, **changes}
    response = Api(advocate).put(CHECKLIST, {k: v for k, v in sent.items() if v is not None})
    assert loc in refused_at(response), response.json()
    assert not SafetyChecklist.objects.exists()


@pytest.mark.parametrize("bad", ["x", "0", "-1", "1e3", "99999999999999999999999"])
def test_a_malformed_staff_id_answers_like_a_missing_one(admin_user, bad):
    assert Api(admin_user).get(staff_checklist_url(bad)).json() == NOT_FOUND


# --- Who may do what -------------------------------------------------------------------
# haven/safety/policies.py: the table each persona below follows.

# (list, one, record, follow up) on a threat the supervisor recorded against the agency.
THREAT_STATUS = {
    "advocate": (200, 404, 201, 404),
    "supervisor": (200, 200, 201, 200),
    "intake": (200, 404, 201, 404),
    "shelter": (200, 404, 201, 404),
    "admin_user": (200, 200, 201, 200),
    # Sees the threats aimed at them (none here), records none.
    "auditor": (200, 404, 404, 404),
    # Records in their own agency only; never sees this one's.
    "outsider": (200, 404, 201, 404),
}


@pytest.mark.parametrize("persona", ALL)
def test_threats_answer_by_role(request, supervisor, persona):
    threat = make_threat(supervisor)
    user = request.getfixturevalue(persona)
    api = Api(user)
    before, seq = snapshot(), last_seq()
    answers = [
        api.get(THREATS),
        api.get(threat_url(threat.pk)),
        api.post(THREATS, threat_body(what_happened="Synthetic second threat")),
        api.post(
            follow_up_url(threat.pk),
            {"reported_to_police": True, "reported_on": str(timezone.localdate())},
        ),
    ]
    assert tuple(a.status_code for a in answers) == THREAT_STATUS[persona]
    for answer in answers:
        if answer.status_code == 404:
            assert answer.json() == NOT_FOUND
    listed = answers[0]
    if listed.status_code == 200:
        ids = [t["id"] for t in listed.json()["items"]]
        assert (str(threat.pk) in ids) == (THREAT_STATUS[persona][1] == 200)
    recorded = answers[2].status_code == 201
    if recorded:
        assert Threat.objects.get(pk=answers[2].json()["id"]).agency_id == user.agency_id
    threat.refresh_from_db()
    assert threat.reported_to_police == (answers[3].status_code == 200)
    if THREAT_STATUS[persona] == (404, 404, 404, 404):
        assert snapshot() == before
        assert new_actions(seq) == []


# (list, one, add, change, remove) on a person of concern of the first agency.
CONCERN_STATUS = {
    "advocate": (200, 200, 201, 200, 204),
    "supervisor": (200, 200, 201, 200, 204),
    "admin_user": (200, 200, 201, 200, 204),
    "shelter": (200, 200, 404, 404, 404),
    "intake": (404, 404, 404, 404, 404),
    "auditor": (404, 404, 404, 404, 404),
    "outsider": (200, 404, 201, 404, 404),
}


@pytest.mark.parametrize("persona", ALL)
def test_persons_of_concern_answer_by_role(request, advocate, persona):
    concern = make_concern(advocate)
    user = request.getfixturevalue(persona)
    api = Api(user)
    before, seq = snapshot(), last_seq()
    answers = [
        api.get(CONCERNS),
        api.get(concern_url(concern.pk)),
        api.post(CONCERNS, concern_body(name="Synthetic Added Concern")),
        api.put(concern_url(concern.pk), {**concern_body(name="Synthetic Changed"), "version": 1}),
        api.delete(concern_url(concern.pk)),
    ]
    assert tuple(a.status_code for a in answers) == CONCERN_STATUS[persona]
    if answers[0].status_code == 200:
        names = [c["name"] for c in answers[0].json()["items"]]
        assert (CONCERN in names) == (persona != "outsider")
    if answers[2].status_code == 201:
        added = PersonOfConcern.objects.get(pk=answers[2].json()["id"])
        assert added.agency_id == user.agency_id
    assert PersonOfConcern.objects.filter(pk=concern.pk).exists() == (answers[4].status_code != 204)
    if answers[4].status_code == 404:
        expected = "Synthetic Changed" if answers[3].status_code == 200 else CONCERN
        assert PersonOfConcern.objects.get(pk=concern.pk).name == expected
    if persona in {"intake", "auditor"}:
        assert snapshot() == before
        assert new_actions(seq) == []
    for answer in answers:
        if answer.status_code == 404:
            assert CONCERN.encode() not in answer.content


# (log, check in, check out) at the first agency's desk.
VISIT_STATUS = {
    "intake": (200, 201, 200),
    "supervisor": (200, 201, 200),
    "admin_user": (200, 201, 200),
    "advocate": (404, 404, 404),
    "shelter": (404, 404, 404),
    "auditor": (404, 404, 404),
    # Keeps their own agency's log only.
    "outsider": (200, 201, 404),
}


@pytest.mark.parametrize("persona", ALL)
def test_the_visitor_log_answers_by_role(request, intake, persona):
    visit = check_in(intake, "Synthetic Earlier Visitor")
    user = request.getfixturevalue(persona)
    api = Api(user)
    before, seq = snapshot(), last_seq()
    answers = [
        api.get(VISITS),
        api.post(VISITS, {"name_given": "Synthetic Walk-in"}),
        api.post(check_out_url(visit.pk)),
    ]
    assert tuple(a.status_code for a in answers) == VISIT_STATUS[persona]
    if answers[0].status_code == 200:
        names = [v["name_given"] for v in answers[0].json()["items"]]
        assert ("Synthetic Earlier Visitor" in names) == (persona != "outsider")
    if answers[1].status_code == 201:
        assert Visit.objects.get(pk=answers[1].json()["id"]).agency_id == user.agency_id
    visit.refresh_from_db()
    assert (visit.checked_out_at is not None) == (answers[2].status_code == 200)
    if VISIT_STATUS[persona] == (404, 404, 404):
        assert snapshot() == before
        assert new_actions(seq) == []


# (alerts, acknowledge) with no one designated: supervisors and administrators.
ALERT_STATUS = {
    "supervisor": (200, 204),
    "admin_user": (200, 204),
    "advocate": (404, 404),
    "shelter": (404, 404),
    "intake": (404, 404),
    "auditor": (404, 404),
    # Their own agency's administrator: its alerts, never this one's.
    "outsider": (200, 404),
}


@pytest.mark.parametrize("persona", ALL)
def test_visitor_alerts_answer_by_role(request, advocate, intake, persona):
    make_concern(advocate)
    alert = VisitorAlert.objects.get(visit=check_in(intake))
    user = request.getfixturevalue(persona)
    api = Api(user)
    before, seq = snapshot(), last_seq()
    listed = api.get(ALERTS)
    acknowledged = api.post(acknowledge_url(alert.pk))
    assert (listed.status_code, acknowledged.status_code) == ALERT_STATUS[persona]
    if persona == "outsider":
        assert listed.json() == []
    if listed.status_code == 404:
        assert CONCERN.encode() not in listed.content
    alert.refresh_from_db()
    assert (alert.acknowledged_by_id == user.pk) == (acknowledged.status_code == 204)
    if ALERT_STATUS[persona][1] == 404:
        assert snapshot() == before
        assert Action.VISITOR_ALERT_ACKNOWLEDGED not in new_actions(seq)


@pytest.mark.parametrize("persona", ALL)
def test_checklists_answer_by_role(request, advocate, persona):
    services.checklist_save(
        actor=advocate, values=services.ChecklistValues(notes="Synthetic private note")
    )
    user = request.getfixturevalue(persona)
    api = Api(user)
    own = api.get(CHECKLIST)
    saved = api.put(CHECKLIST, {**CHECKLIST_BODY, "version": own.json()["version"]})
    theirs = api.get(staff_checklist_url(advocate.pk))
    assert (own.status_code, saved.status_code) == (200, 200)
    assert saved.json()["user_id"] == user.pk
    assert SafetyChecklist.objects.get(user=user).agency_id == user.agency_id
    if persona in {"advocate", "admin_user"}:
        assert theirs.status_code == 200
    else:
        assert theirs.json() == NOT_FOUND
        assert b"Synthetic private note" not in theirs.content
    # Nobody fills in someone else's: the advocate's stays as they left it,
    # unless the advocate saved it themself.
    expected = CHECKLIST_BODY["notes"] if persona == "advocate" else "Synthetic private note"
    assert SafetyChecklist.objects.get(user=advocate).notes == expected


def test_another_agency_gets_404_and_nothing_is_written(outsider, advocate, intake, supervisor):
    concern = make_concern(advocate)
    threat = make_threat(supervisor, concern_ids=[concern.pk])
    visit = check_in(intake)
    alert = VisitorAlert.objects.get(visit=visit)
    services.checklist_save(actor=advocate, values=services.ChecklistValues(notes="Synthetic"))
    api = Api(outsider)
    before, seq = snapshot(), last_seq()
    answers = [
        api.get(threat_url(threat.pk)),
        api.post(follow_up_url(threat.pk), {"reported_to_police": True}),
        api.get(concern_url(concern.pk)),
        api.put(concern_url(concern.pk), {**concern_body(name="Synthetic Hijack"), "version": 1}),
        api.delete(concern_url(concern.pk)),
        api.post(check_out_url(visit.pk)),
        api.post(acknowledge_url(alert.pk)),
        api.get(staff_checklist_url(advocate.pk)),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all(a.json() == NOT_FOUND for a in answers)
    assert snapshot() == before
    assert new_actions(seq) == []
    assert PersonOfConcern.objects.get(pk=concern.pk).name == CONCERN
    # Their own lists show nothing of the first agency.
    for url in (THREATS, CONCERNS, VISITS):
        listed = api.get(url)
        assert listed.status_code == 200
        assert listed.json()["total"] == 0
    assert api.get(ALERTS).json() == []


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_or_malformed_id_answers_like_a_refusal(supervisor, bad):
    api = Api(supervisor)
    assert api.get(threat_url(bad)).json() == NOT_FOUND
    assert api.post(follow_up_url(bad), {"reported_to_police": True}).json() == NOT_FOUND
    assert api.get(concern_url(bad)).json() == NOT_FOUND
    assert api.put(concern_url(bad), {**concern_body(), "version": 1}).json() == NOT_FOUND
    assert api.delete(concern_url(bad)).json() == NOT_FOUND
    assert api.post(check_out_url(bad)).json() == NOT_FOUND
    assert api.post(acknowledge_url(bad)).json() == NOT_FOUND
    assert snapshot() == (0,) * len(snapshot())


def test_without_signing_in_nothing_is_shown(client, supervisor):
    threat = make_threat(supervisor)
    for url in (THREATS, threat_url(threat.pk), CONCERNS, VISITS, ALERTS, CHECKLIST):
        assert client.get(url).status_code == 401, url
    assert client.get(staff_checklist_url(supervisor.pk)).status_code == 401
    response = client.post(VISITS, {"name_given": "Synthetic"}, content_type="application/json")
    assert response.status_code == 401
    assert not Visit.objects.exists()


def test_a_session_write_needs_the_csrf_token(advocate, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate, backend=settings.AUTHENTICATION_BACKENDS[-1])
    refused = client.post(THREATS, threat_body(), content_type="application/json")
    assert refused.status_code == 403
    assert not Threat.objects.exists()
    client.cookies.load({"csrftoken": "S" * 32})
    accepted = client.post(
        THREATS, threat_body(), content_type="application/json", HTTP_X_CSRFTOKEN="S" * 32
    )
    assert accepted.status_code == 201, accepted.content


# --- Fuzzing ---------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(threats|persons-of-concern|visits|visitor-alerts|safety-checklist"
    r"|staff/\{user_id\}/safety-checklist)"
)


@pytest.fixture
def fuzzed(supervisor, advocate, intake):
    """A token, and the records generated requests name. Calls go straight
    to the WSGI application, which closes the database connection after each
    request; the test's transaction needs it open."""
    concern = make_concern(advocate)
    visit = check_in(intake)
    targets = {
        "threat_id": make_threat(supervisor, concern_ids=[concern.pk]).pk,
        "concern_id": concern.pk,
        "visit_id": visit.pk,
        "alert_id": VisitorAlert.objects.get(visit=visit).pk,
        "user_id": supervisor.pk,
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with wrong_tokens_allowed():
        yield api_token_create(user=supervisor, lifetime=timedelta(hours=1)), targets
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_safety_operations_answer_as_documented(case, fuzzed):
    token, targets = fuzzed
    for name, value in targets.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = str(value)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Texts, times and ids are judged by the services' rules, so
        # valid-looking data may be refused (422, documented).
        excluded_checks=[checks.positive_data_acceptance],
    )
