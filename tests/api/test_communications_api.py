"""The communications log, the interpreter roster and record exports over the
JSON API: the same rules as the pages. Advocates and supervisors read and
write a case's log and export its record; everyone else, and every other
agency, gets 404 with nothing written. The log is append-only: there is no
way to change or delete an entry, only to add an addendum. The roster is read
by those who record communications and kept by administrators and
supervisors. A person's own copy of their record verifies with the standalone
verifier; anyone else's goes through the disclosure gate."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any, get_args

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis import checks

from conftest import spare_code
from haven.accounts.api_tokens import api_token_create
from haven.api import communications as communications_api
from haven.attachments.models import Attachment, Use
from haven.attachments.services import attachment_store
from haven.audit.chain import GENESIS
from haven.audit.models import Action, AuditEvent
from haven.communications.integrity import verify_communication_chains
from haven.communications.models import (
    AdHocInterpreter,
    Channel,
    Communication,
    InterpretationMode,
    Interpreter,
    InterpreterGender,
    InterpreterKind,
)
from haven.consent.models import Disclosure
from haven.exports import verifier
from haven.exports.models import Audience, RecordExport
from haven.wsgi import application
from tests import files
from tests.api_fuzzing import wrong_tokens_allowed
from tests.communications.helpers import log
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOT_FOUND = {"detail": "Not Found"}
PERSON = "Synthetic Logged Person"


@pytest.fixture
def case(intake, team, shelter):
    """A case the first agency's advocate, supervisor, intake and shelter
    staff may all open: recorded by intake staff, on the team, assigned to
    the shelter staff."""
    case = record_intake(actor=intake, team=team, legal_name=PERSON)
    case.assigned.add(shelter)
    return case


@pytest.fixture
def other_case(intake, team):
    return record_intake(actor=intake, team=team, legal_name="Synthetic Other Person")


def _interpreter(agency, keeper, *, expires_in: int = 200, **values: Any) -> Interpreter:
    agreement = attachment_store(
        actor=keeper, case=None, upload=files.accepted(), use=Use.AGREEMENT
    )
    return Interpreter.objects.create(
        agency=agency,
        name=values.pop("name", "Roster Interpreter (synthetic)"),
        kind="contractor",
        languages=["spa"],
        agreement=agreement,
        agreement_expires_on=timezone.localdate() + timedelta(days=expires_in),
        **values,
    )


@pytest.fixture
def interpreter(agency, supervisor):
    return _interpreter(agency, supervisor)


@pytest.fixture
def elsewhere_interpreter(other_agency, outsider):
    return _interpreter(other_agency, outsider, name="Elsewhere Interpreter (synthetic)")


def entries(case) -> str:
    return f"{API}/cases/{case.pk}/communications"


def entry_url(case, entry_id: object) -> str:
    return f"{entries(case)}/{entry_id}"


def addenda(case, entry_id: object) -> str:
    return f"{entry_url(case, entry_id)}/addenda"


def exports(case) -> str:
    return f"{API}/cases/{case.pk}/exports"


ROSTER = f"{API}/interpreters"


def roster_entry(interpreter_id: object) -> str:
    return f"{ROSTER}/{interpreter_id}"


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "occurred_at": (timezone.localtime() - timedelta(hours=2)).isoformat(timespec="minutes"),
        "channel": "phone",
        "summary": "Synthetic phone check-in",
        "details": "Synthetic details:\nthe person asked about housing.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def roster_body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "API Interpreter (synthetic)",
        "kind": "staff",
        "languages": ["hmn", "spa"],
        "dialects": "White Hmong (synthetic)",
        "gender": "woman",
        "contact": "Extension 000 (synthetic)",
        "notes": "Mornings only (synthetic)",
    }
    data.update(changes)
    return data


def post(client: Client, url: str, data: Any, **extra: Any):
    return client.post(url, data, content_type="application/json", **extra)


def put(client: Client, url: str, data: Any, **extra: Any):
    return client.put(url, data, content_type="application/json", **extra)


def snapshot() -> tuple[int, ...]:
    """Everything these routes write."""
    return (
        Communication.objects.count(),
        Interpreter.objects.count(),
        RecordExport.objects.count(),
        Disclosure.objects.count(),
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


def bearer(user) -> dict[str, str]:
    token = api_token_create(user=user, lifetime=timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def refused_at(response) -> list[list[Any]]:
    assert response.status_code == 422, response.content
    return [e["loc"] for e in response.json()["detail"]]


# --- The schema ------------------------------------------------------------------------


def test_the_codes_offered_are_the_models_codes():
    assert set(get_args(communications_api.ChannelCode)) == set(Channel.values)
    assert set(get_args(communications_api.InterpretationCode)) == set(InterpretationMode.values)
    assert set(get_args(communications_api.AdHocCode)) == set(AdHocInterpreter.values)
    assert set(get_args(communications_api.InterpreterKindCode)) == set(InterpreterKind.values)
    assert set(get_args(communications_api.InterpreterGenderCode)) == set(InterpreterGender.values)
    assert set(get_args(communications_api.AudienceCode)) == set(Audience.values)


def test_the_log_has_no_way_to_change_or_delete_an_entry(client, client_for, advocate, case):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    about_the_log = [p for p in paths if "/communications" in p]
    assert sorted(about_the_log) == [
        f"{API}/cases/{{case_id}}/communications",
        f"{API}/cases/{{case_id}}/communications/{{entry_id}}",
        f"{API}/cases/{{case_id}}/communications/{{entry_id}}/addenda",
    ]
    for path in about_the_log:
        assert not {"put", "patch", "delete"} & set(paths[path]), path

    first = log(advocate, case)
    api = client_for(advocate)
    before = list(Communication.objects.order_by("seq").values())
    counts, seq = snapshot(), last_seq()
    for url in (entries(case), entry_url(case, first.pk), addenda(case, first.pk)):
        for method in ("put", "patch", "delete"):
            response = getattr(api, method)(
                url, {"summary": "Changed (synthetic)"}, content_type="application/json"
            )
            assert response.status_code in {404, 405}, (method, url, response.status_code)
    assert list(Communication.objects.order_by("seq").values()) == before
    assert snapshot() == counts
    assert new_actions(seq) == []
    assert verify_communication_chains() == (1, [])


def test_the_bodies_are_json_and_the_export_a_download(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    record = paths[f"{API}/cases/{{case_id}}/communications"]["post"]
    assert set(record["requestBody"]["content"]) == {"application/json"}
    assert "JSON only" in record["description"]
    assert "page" in record["description"]
    roster = paths[f"{API}/interpreters"]["post"]["description"]
    assert "cannot be uploaded through the API" in roster
    export = paths[f"{API}/cases/{{case_id}}/exports"]["post"]["responses"]["200"]
    assert set(export["content"]) == {"application/zip", "application/pdf"}


# --- Recording and reading -------------------------------------------------------------


def test_an_entry_recorded_comes_back_in_plain_text(
    client_for, advocate, supervisor, case, interpreter
):
    client = client_for(advocate)
    sent = body(
        with_person=True,
        staff_ids=[supervisor.pk, advocate.pk],
        partners="Sample Legal Aid (synthetic)",
        others="A neighbour (synthetic)",
        place="Agency office (synthetic)",
        follow_up="Call back about housing (synthetic)",
        follow_up_on=(timezone.localdate() + timedelta(days=7)).isoformat(),
        language="spa",
        interpretation="phone",
        interpreter_id=str(interpreter.pk),
    )
    seq = last_seq()
    response = post(client, entries(case), sent)
    assert response.status_code == 201, response.content
    assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.COMMUNICATION_RECORDED]
    row = Communication.objects.get()
    created = response.json()
    assert created == {
        "id": str(row.pk),
        "case_id": str(case.pk),
        "seq": 1,
        "occurred_at": created["occurred_at"],
        "channel": "phone",
        "with_person": True,
        "staff_ids": sorted([advocate.pk, supervisor.pk]),
        "partners": "Sample Legal Aid (synthetic)",
        "others": "A neighbour (synthetic)",
        "place": "Agency office (synthetic)",
        "summary": "Synthetic phone check-in",
        "details": "Synthetic details:\nthe person asked about housing.",
        "follow_up": "Call back about housing (synthetic)",
        "follow_up_on": sent["follow_up_on"],
        "language": "spa",
        "interpretation": "phone",
        "interpreter_id": str(interpreter.pk),
        "ad_hoc": "",
        "ad_hoc_name": "",
        "ad_hoc_reason": "",
        "agreement_warning": "",
        "attachment_ids": [],
        "addendum_to_id": None,
        "addendum_reason": "",
        "recorded_at": created["recorded_at"],
        "recorded_by_id": advocate.pk,
        "prev_hash": GENESIS,
        "hash": row.hash,
        "addenda_ids": [],
    }
    assert datetime.fromisoformat(created["occurred_at"]) == datetime.fromisoformat(
        sent["occurred_at"]
    )
    # Sealed in the database: the words are not there in the clear.
    for name in ("summary", "details", "partners", "others", "place", "follow_up"):
        raw = Communication.objects.filter(pk=row.pk).values_list(name, flat=True).get()
        assert b"synthetic" not in bytes(raw).lower(), name

    seq = last_seq()
    detail = client.get(entry_url(case, row.pk))
    assert detail.status_code == 200
    assert detail.json() == created
    listed = client.get(entries(case))
    assert listed.status_code == 200
    created.pop("addenda_ids")
    assert listed.json() == {"page": 1, "pages": 1, "total": 1, "items": [created]}
    # Opening the case is the audited read, once a request.
    assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.PEOPLE_VIEWED]
    assert verify_communication_chains() == (1, [])


def test_a_supervisor_records_with_a_token_and_no_csrf_token(supervisor, case):
    client = Client(enforce_csrf_checks=True)
    response = post(client, entries(case), body(), **bearer(supervisor))
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by_id"] == supervisor.pk
    assert response.json()["staff_ids"] == []
    fetched = client.get(entry_url(case, response.json()["id"]), **bearer(supervisor))
    assert fetched.json()["summary"] == "Synthetic phone check-in"


def test_a_session_write_needs_the_csrf_token(advocate, case, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate, backend=settings.AUTHENTICATION_BACKENDS[-1])
    assert post(client, entries(case), body()).status_code == 403
    assert snapshot() == (0, 0, 0, 0, 0)
    client.cookies.load({"csrftoken": "S" * 32})
    accepted = post(client, entries(case), body(), HTTP_X_CSRFTOKEN="S" * 32)
    assert accepted.status_code == 201, accepted.content


def test_the_log_comes_in_pages_of_25_newest_first(client_for, advocate, case):
    for number in range(27):
        log(advocate, case, summary=f"Synthetic call {number + 1}")
    client = client_for(advocate)
    first = client.get(entries(case)).json()
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 27)
    assert [e["seq"] for e in first["items"]] == list(range(27, 2, -1))
    assert first["items"][0]["summary"] == "Synthetic call 27"
    assert first["items"][0]["details"] == "Synthetic details of the call."
    second = client.get(entries(case), {"page": 2}).json()
    assert (second["page"], second["pages"], second["total"]) == (2, 2, 27)
    assert [e["summary"] for e in second["items"]] == ["Synthetic call 2", "Synthetic call 1"]
    assert second["items"][1]["prev_hash"] == GENESIS
    assert second["items"][0]["prev_hash"] == second["items"][1]["hash"]
    past = client.get(entries(case), {"page": 3}).json()
    assert (past["page"], past["pages"], past["items"]) == (3, 2, [])
    for bad in ("0", "-1", "x"):
        assert client.get(entries(case), {"page": bad}).status_code == 422


def test_an_entry_of_another_case_is_not_found_through_this_one(
    client_for, advocate, case, other_case
):
    theirs = log(advocate, other_case)
    client = client_for(advocate)
    assert client.get(entry_url(case, theirs.pk)).json() == NOT_FOUND
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert client.get(entry_url(case, bad)).json() == NOT_FOUND


# --- Refusals --------------------------------------------------------------------------

LATER = (timezone.now() + timedelta(days=2)).isoformat(timespec="minutes")

BAD_ENTRIES = [
    pytest.param({"summary": "   "}, ["body", "summary"], id="no summary"),
    pytest.param({"summary": None}, ["body", "summary"], id="summary missing"),
    pytest.param({"occurred_at": LATER}, ["body", "occurred_at"], id="future"),
    pytest.param({"occurred_at": "2025-01-31T14:05"}, ["body", "occurred_at"], id="no offset"),
    pytest.param({"channel": "pigeon"}, ["body", "channel"], id="unknown channel"),
    pytest.param({"language": "xx"}, ["body", "language"], id="unknown language"),
    pytest.param({"interpretation": "phone"}, ["body", "interpreter_id"], id="no interpreter"),
    pytest.param(
        {"interpretation": "phone", "language": ""},
        ["body", "language"],
        id="interpreted, language unsaid",
    ),
    pytest.param({"staff_ids": [2**40]}, ["body", "staff_ids"], id="unknown staff"),
    pytest.param({"staff_ids": ["1"]}, ["body", "staff_ids", 0], id="staff id as text"),
    pytest.param({"details": "Hidden\u202e (synthetic)"}, ["body", "details"], id="bidi"),
    pytest.param({"case": "x"}, ["body", "case"], id="unknown field"),
    pytest.param(
        {"interpretation": "phone", "language": "spa", "ad_hoc": "friend", "ad_hoc_name": "A"},
        ["body", "ad_hoc_reason"],
        id="ad hoc without a reason",
    ),
    pytest.param(
        {
            "interpretation": "phone",
            "language": "spa",
            "interpreter_id": "00000000-0000-0000-0000-000000000001",
        },
        ["body", "interpreter_id"],
        id="unknown interpreter",
    ),
]


@pytest.mark.parametrize(("changes", "loc"), BAD_ENTRIES)
def test_a_refused_entry_is_a_located_422_and_writes_nothing(
    client_for, advocate, case, changes, loc
):
    seq = last_seq()
    response = post(client_for(advocate), entries(case), body(**changes))
    assert loc in refused_at(response), response.json()
    assert "\u202e" not in response.content.decode()
    assert snapshot() == (0, 0, 0, 0, 0)
    assert Action.COMMUNICATION_RECORDED not in new_actions(seq)


def test_another_agencys_interpreter_is_refused_like_an_unknown_one(
    client_for, advocate, case, elsewhere_interpreter
):
    response = post(
        client_for(advocate),
        entries(case),
        body(interpretation="video", language="spa", interpreter_id=str(elsewhere_interpreter.pk)),
    )
    assert refused_at(response) == [["body", "interpreter_id"]]
    assert "Elsewhere" not in response.content.decode()
    assert not Communication.objects.exists()


def test_an_ad_hoc_interpreter_needs_a_reason(client_for, advocate, case):
    client = client_for(advocate)
    ad_hoc = {
        "interpretation": "in_person",
        "language": "spa",
        "ad_hoc": "family",
        "ad_hoc_name": "The person's cousin (synthetic)",
    }
    refused = post(client, entries(case), body(**ad_hoc, ad_hoc_reason="  "))
    assert refused_at(refused) == [["body", "ad_hoc_reason"]]
    assert "trained interpreter" in refused.json()["detail"][0]["msg"]
    assert not Communication.objects.exists()
    reason = "The person was in crisis and no interpreter could come (synthetic)"
    accepted = post(client, entries(case), body(**ad_hoc, ad_hoc_reason=reason))
    assert accepted.status_code == 201, accepted.content
    assert (accepted.json()["ad_hoc"], accepted.json()["ad_hoc_reason"]) == ("family", reason)
    assert accepted.json()["ad_hoc_name"] == "The person's cousin (synthetic)"


def test_an_expired_agreement_is_refused_unless_acknowledged(
    client_for, advocate, supervisor, agency, case
):
    lapsed = _interpreter(agency, supervisor, expires_in=-1, name="Lapsed (synthetic)")
    client = client_for(advocate)
    sent = body(interpretation="phone", language="spa", interpreter_id=str(lapsed.pk))
    refused = post(client, entries(case), sent)
    assert refused_at(refused) == [["body", "agreement_acknowledged"]]
    assert "expired" in refused.json()["detail"][0]["msg"]
    assert not Communication.objects.exists()
    accepted = post(client, entries(case), {**sent, "agreement_acknowledged": True})
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["agreement_warning"] == f"expired:{lapsed.agreement_expires_on}"


# --- Addenda ---------------------------------------------------------------------------


def test_an_addendum_points_to_its_entry_which_stays_unchanged(client_for, advocate, case):
    first = log(advocate, case, summary="Synthetic first meeting")
    before = Communication.objects.filter(pk=first.pk).values().get()
    client = client_for(advocate)
    response = post(
        client,
        addenda(case, first.pk),
        {
            "reason": "The meeting was at 3, not 2 (synthetic)",
            "summary": "Synthetic correction of the time",
            "details": "Synthetic:\nthe person confirmed it.",
        },
    )
    assert response.status_code == 201, response.content
    added = response.json()
    assert added["addendum_to_id"] == str(first.pk)
    assert added["addendum_reason"] == "The meeting was at 3, not 2 (synthetic)"
    assert added["summary"] == "Synthetic correction of the time"
    assert added["details"] == "Synthetic:\nthe person confirmed it."
    assert (added["seq"], added["prev_hash"]) == (2, first.hash)
    assert (added["channel"], added["with_person"]) == (first.channel, False)
    assert added["staff_ids"] == [advocate.pk]
    assert Communication.objects.filter(pk=first.pk).values().get() == before
    original = client.get(entry_url(case, first.pk)).json()
    assert original["addenda_ids"] == [added["id"]]
    assert original["summary"] == "Synthetic first meeting"
    assert verify_communication_chains() == (2, [])


def test_an_addendum_needs_a_reason(client_for, advocate, case):
    first = log(advocate, case)
    client = client_for(advocate)
    blank = post(client, addenda(case, first.pk), {"reason": " ", "summary": "Synthetic"})
    assert refused_at(blank) == [["body", "reason"]]
    missing = post(client, addenda(case, first.pk), {"summary": "Synthetic"})
    assert ["body", "reason"] in refused_at(missing)
    assert Communication.objects.count() == 1


def test_an_addendum_to_another_cases_entry_is_refused_and_writes_nothing(
    client_for, advocate, case, other_case
):
    log(advocate, case)
    theirs = log(advocate, other_case, summary="Synthetic other call")
    before = list(Communication.objects.order_by("case_id", "seq").values())
    client = client_for(advocate)
    seq = last_seq()
    for target in (theirs.pk, "00000000-0000-0000-0000-000000000000"):
        response = post(
            client, addenda(case, target), {"reason": "Synthetic", "summary": "Synthetic"}
        )
        assert refused_at(response) == [["path", "entry_id"]]
        assert "Synthetic other call" not in response.content.decode()
    assert list(Communication.objects.order_by("case_id", "seq").values()) == before
    assert Action.COMMUNICATION_RECORDED not in new_actions(seq)
    malformed = post(client, addenda(case, "x"), {"reason": "Synthetic", "summary": "Synthetic"})
    assert malformed.json() == NOT_FOUND


# --- The roster ------------------------------------------------------------------------


def test_a_supervisor_keeps_the_roster_and_an_advocate_reads_it(
    client_for, supervisor, advocate, interpreter
):
    keeper = client_for(supervisor)
    seq = last_seq()
    created = post(keeper, ROSTER, roster_body())
    assert created.status_code == 201, created.content
    added = created.json()
    row = Interpreter.objects.get(pk=added["id"])
    assert added == {
        "id": str(row.pk),
        "name": "API Interpreter (synthetic)",
        "kind": "staff",
        "languages": ["hmn", "spa"],
        "dialects": "White Hmong (synthetic)",
        "gender": "woman",
        "contact": "Extension 000 (synthetic)",
        "agreement_id": None,
        "agreement_expires_on": None,
        "agreement_problem": "No confidentiality agreement is on file.",
        "notes": "Mornings only (synthetic)",
        "active": True,
    }
    assert new_actions(seq) == [Action.INTERPRETER_CHANGED]

    # The agreement's file comes through the page only: no date without one.
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    dated = put(keeper, roster_entry(row.pk), roster_body(agreement_expires_on=until))
    assert refused_at(dated) == [["body", "agreement_expires_on"]]
    # Where there is one, the date is kept.
    kept = put(
        keeper,
        roster_entry(interpreter.pk),
        roster_body(name=interpreter.name, agreement_expires_on=until, active=False),
    )
    assert kept.status_code == 200, kept.content
    assert kept.json()["agreement_expires_on"] == until
    assert kept.json()["agreement_id"] == str(interpreter.agreement_id)
    assert kept.json()["agreement_problem"] == ""
    assert kept.json()["active"] is False

    reader = client_for(advocate)
    listed = reader.get(ROSTER)
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()] == [str(row.pk), str(interpreter.pk)]
    assert reader.get(roster_entry(row.pk)).json() == added
    before = snapshot()
    assert post(reader, ROSTER, roster_body()).json() == NOT_FOUND
    assert put(reader, roster_entry(row.pk), roster_body(name="X")).json() == NOT_FOUND
    assert snapshot() == before
    assert Interpreter.objects.get(pk=row.pk).name == "API Interpreter (synthetic)"


BAD_ROSTER = [
    pytest.param({"name": " "}, ["body", "name"], id="no name"),
    pytest.param({"languages": []}, ["body", "languages"], id="no language"),
    pytest.param({"languages": ["und"]}, ["body", "languages"], id="undetermined"),
    pytest.param({"kind": "volunteer"}, ["body", "kind"], id="unknown kind"),
    pytest.param({"agreement": "x"}, ["body", "agreement"], id="no uploads"),
]


@pytest.mark.parametrize(("changes", "loc"), BAD_ROSTER)
def test_a_refused_roster_entry_is_a_located_422(client_for, admin_user, changes, loc):
    response = post(client_for(admin_user), ROSTER, roster_body(**changes))
    assert loc in refused_at(response)
    assert not Interpreter.objects.exists()


# --- Exports ---------------------------------------------------------------------------


def test_the_persons_copy_is_a_zip_that_verifies(tmp_path, client_for, advocate, case):
    log(advocate, case, summary="Synthetic first meeting")
    client = client_for(advocate)
    seq = last_seq()
    response = post(client, exports(case), {"audience": "person"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    row = RecordExport.objects.get()
    assert response["Content-Disposition"] == (
        f'attachment; filename="case-record-{str(row.pk)[:8]}.zip"'
    )
    assert "Synthetic" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert Action.RECORD_EXPORTED in new_actions(seq)
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(response.content)
    assert verifier.verify(str(bundle)) == row.root
    assert row.audience == "person"
    assert row.disclosure_id is None

    pdf = post(client, exports(case), {"audience": "person", "output": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].endswith('.pdf"')

    listed = client.get(exports(case))
    assert listed.status_code == 200
    earlier = listed.json()
    assert len(earlier) == 2
    assert earlier[1] == {
        "id": str(row.pk),
        "audience": "person",
        "kinds": row.kinds,
        "root": row.root,
        "communications": 1,
        "files": 0,
        "created_at": earlier[1]["created_at"],
        "created_by_id": advocate.pk,
        "disclosure_id": None,
    }


def test_a_third_party_copy_without_consent_is_refused(client_for, advocate, case):
    seq = last_seq()
    response = post(
        client_for(advocate),
        exports(case),
        {
            "audience": "third_party",
            "recipient_name": "Sample District Attorney (synthetic)",
            "recipient_category": "local",
            "purpose": "law_enforcement",
            "kinds": ["identity", "notes"],
            "second_factor": spare_code(advocate),
        },
    )
    assert refused_at(response) == [["body"]]
    assert not RecordExport.objects.exists()
    assert not Disclosure.objects.exists()
    assert Action.DISCLOSURE_REFUSED in new_actions(seq)


def test_a_third_party_copy_under_consent_goes_through_the_gate(client_for, advocate, case):
    give_consent(
        actor=advocate, case=case, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    client = client_for(advocate)
    third_party = {
        "audience": "third_party",
        "recipient_name": "Sample Legal Aid (synthetic)",
        "recipient_category": "local",
        "purpose": "legal",
    }
    too_little = post(
        client,
        exports(case),
        {**third_party, "kinds": ["identity"], "second_factor": spare_code(advocate)},
    )
    assert refused_at(too_little) == [["body", "kinds"]]
    response = post(
        client,
        exports(case),
        {**third_party, "kinds": ["identity", "notes"], "second_factor": spare_code(advocate)},
    )
    assert response.status_code == 200, response.content
    row = RecordExport.objects.get()
    ledger = Disclosure.objects.get(channel="record_export")
    assert row.disclosure == ledger
    assert client.get(exports(case)).json()[0]["disclosure_id"] == str(ledger.pk)
    assert zipfile.ZipFile(io.BytesIO(response.content)).read("manifest.json")


# --- Who may do what -------------------------------------------------------------------

ALL = ["advocate", "supervisor", "intake", "shelter", "admin_user", "auditor", "outsider"]
WORK_CASES = {"advocate", "supervisor"}
# persona: (list, one, add, change) on the first agency's roster. The
# outsider administers their own agency's roster, never this one.
ROSTER_STATUS = {
    "advocate": (200, 200, 404, 404),
    "supervisor": (200, 200, 201, 200),
    "admin_user": (200, 200, 201, 200),
    "intake": (404, 404, 404, 404),
    "shelter": (404, 404, 404, 404),
    "auditor": (404, 404, 404, 404),
    "outsider": (200, 404, 201, 404),
}


@pytest.mark.parametrize("persona", ALL)
def test_the_log_and_exports_answer_only_those_who_work_cases(
    request, client_for, advocate, case, persona
):
    first = log(advocate, case)
    client = client_for(request.getfixturevalue(persona))
    before, seq = snapshot(), last_seq()
    answers = [
        client.get(entries(case)),
        client.get(entry_url(case, first.pk)),
        post(client, entries(case), body()),
        post(client, addenda(case, first.pk), {"reason": "Synthetic", "summary": "Synthetic"}),
        client.get(exports(case)),
        post(client, exports(case), {"audience": "person"}),
    ]
    codes = [a.status_code for a in answers]
    if persona in WORK_CASES:
        assert codes == [200, 200, 201, 201, 200, 200]
        assert snapshot()[:3] == (before[0] + 2, before[1], before[2] + 1)
    else:
        assert codes == [404] * 6
        assert all(a.json() == NOT_FOUND for a in answers)
        assert PERSON.encode() not in b"".join(a.content for a in answers)
        assert snapshot() == before
        assert new_actions(seq) == []


@pytest.mark.parametrize("persona", ALL)
def test_the_roster_answers_by_role(request, client_for, other_agency, interpreter, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    listed = client.get(ROSTER)
    one = client.get(roster_entry(interpreter.pk))
    added = post(client, ROSTER, roster_body(name="Added (synthetic)"))
    changed = put(client, roster_entry(interpreter.pk), roster_body(name="Changed (synthetic)"))
    codes = (listed.status_code, one.status_code, added.status_code, changed.status_code)
    assert codes == ROSTER_STATUS[persona]
    if listed.status_code == 200:
        names = [i["name"] for i in listed.json()]
        assert (interpreter.name in names) == (persona != "outsider")
    if added.status_code == 201:
        assert Interpreter.objects.get(pk=added.json()["id"]).agency_id == user.agency_id
    interpreter.refresh_from_db()
    expected = "Changed (synthetic)" if changed.status_code == 200 else "Roster Interpreter"
    assert interpreter.name.startswith(expected)


def test_another_agency_gets_404_with_a_token_too(outsider, advocate, case, interpreter):
    first = log(advocate, case)
    client = Client(enforce_csrf_checks=True)
    headers = bearer(outsider)
    before = snapshot()
    assert client.get(entries(case), **headers).status_code == 404
    assert client.get(entry_url(case, first.pk), **headers).status_code == 404
    assert post(client, entries(case), body(), **headers).status_code == 404
    assert post(client, exports(case), {"audience": "person"}, **headers).status_code == 404
    assert client.get(roster_entry(interpreter.pk), **headers).status_code == 404
    assert snapshot() == before


def test_without_signing_in_nothing_is_shown(client, advocate, case, interpreter):
    first = log(advocate, case)
    for url in (entries(case), entry_url(case, first.pk), exports(case), ROSTER):
        assert client.get(url).status_code == 401, url
    assert post(client, exports(case), {"audience": "person"}).status_code == 401
    assert not RecordExport.objects.exists()


# --- Fuzzing ---------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(cases/\{case_id\}/(communications|exports)|interpreters)"
)


@pytest.fixture
def fuzzed(supervisor, case):
    """A token, and the case every generated request is sent to. Calls go
    straight to the WSGI application, which closes the database connection
    after each request; the test's transaction needs it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with wrong_tokens_allowed():
        yield api_token_create(user=supervisor, lifetime=timedelta(hours=1)), case
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_log_roster_and_export_operations_answer_as_documented(case, fuzzed):
    token, target = fuzzed
    if "case_id" in (case.path_parameters or {}):
        case.path_parameters["case_id"] = str(target.pk)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Texts, times and ids are judged by the services' rules, so
        # valid-looking data may be refused (422, documented).
        excluded_checks=[checks.positive_data_acceptance],
    )
