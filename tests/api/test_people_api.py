"""Cases and people over the JSON API: the same access rules as the pages,
a clear 4xx for bad input that changes nothing, and no identifying data in
URLs, logs or the audit trail."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from haven.accounts.api_tokens import api_token_create
from haven.audit.models import Action, AuditEvent
from haven.people.models import Alias, Case, Person, SearchEntry
from haven.people.services import case_close
from tests.factories import TeamFactory, record_intake
from tests.people.test_case_access import EXPECTED
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
PEOPLE = "/api/v1/people"
SEARCH = "/api/v1/people/search"
NOT_FOUND = {"detail": "Not Found"}
KINDS = ["own", "team", "other team", "restricted", "other agency"]
FULL_RECORD = {"advocate", "supervisor", "shelter"}


def case_url(case_id: object) -> str:
    return f"{CASES}/{case_id}"


def post_json(client, url: str, body: object, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Case.objects.count(),
        Alias.objects.count(),
        SearchEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def cases(team, other_team, intake, advocate, supervisor, shelter, outsider):
    """One case of each kind, recorded through the services (as in test_case_access)."""

    def new_case(actor, team_, **extra):
        name = f"Synthetic {uuid.uuid4().hex[:6]}"
        case = record_intake(actor=actor, team=team_, danger="no", legal_name=name)
        for field, value in extra.items():
            setattr(case, field, value)
        case.save()
        return case

    own = new_case(intake, team)
    own.assigned.add(advocate, shelter)
    team_case = new_case(supervisor, team)
    stay_at(team_case, site_of(team), actor=supervisor)
    foreign_team = outsider.memberships.exclude(team=None).first().team
    return {
        "own": own,
        "team": team_case,
        "other team": new_case(supervisor, other_team),
        "restricted": new_case(supervisor, team, restricted=True),
        "other agency": new_case(outsider, foreign_team),
    }


# --- Who opens which case -----------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("kind", KINDS)
def test_case_access_matrix_over_the_api(client_for, all_personas, cases, persona, kind):
    client = client_for(all_personas[persona])
    case = cases[kind]
    before_status = Case.objects.get(pk=case.pk).status
    before = counts()
    response = client.get(case_url(case.pk))
    assert response["Content-Type"].startswith("application/json")
    if kind in EXPECTED[persona]:
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == str(case.pk)
        assert body["person"]["id"] == str(case.person_id)
        shown = AuditEvent.objects.latest("seq")
        assert shown.action == Action.PEOPLE_VIEWED
        assert shown.detail["ids"] == [str(case.person_id)]
        assert counts() == (*before[:-1], before[-1] + 1)
    else:
        assert response.status_code == 404
        # Exactly like a case that does not exist, and like a malformed id.
        assert response.json() == NOT_FOUND
        assert client.get(case_url(uuid.uuid4())).json() == NOT_FOUND
        assert client.get(case_url("not-a-case")).json() == NOT_FOUND
        assert counts() == before
    assert Case.objects.get(pk=case.pk).status == before_status


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_case_list_shows_exactly_the_visible_cases(client_for, all_personas, cases, persona):
    client = client_for(all_personas[persona])
    before = counts()
    response = client.get(CASES)
    if not EXPECTED[persona]:
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert counts() == before
        return
    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body} == {str(cases[k].pk) for k in EXPECTED[persona]}
    for item in body:
        case = Case.objects.get(pk=item["id"])
        assert item["status"] == "open"
        assert item["team"] == case.team.name
        assert item["opened_on"] == case.opened_on.isoformat()
        assert item["restricted"] is False
        assert item["person"]["id"] == str(case.person_id)
        if persona in FULL_RECORD:
            assert item["person"]["legal_name"] == case.person.legal_name
        else:
            assert item["person"]["legal_name"] is None
            assert item["person"]["preferred_name"] is None
    event = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).latest("seq")
    assert sorted(event.detail["ids"]) == sorted(item["person"]["id"] for item in body)


def test_case_list_filters_by_status(client_for, cases, advocate):
    case_close(actor=advocate, case=cases["team"], reason="goals_met")
    client = client_for(advocate)
    assert [c["id"] for c in client.get(CASES).json()] == [str(cases["own"].pk)]
    closed = client.get(CASES, {"status": "closed"}).json()
    assert [(c["id"], c["status"]) for c in closed] == [(str(cases["team"].pk), "closed")]
    before = counts()
    response = client.get(CASES, {"status": "everything"})
    assert response.status_code == 422
    assert "'open', 'closed' or 'any'" in response.json()["detail"][0]["msg"]
    assert counts() == before


def test_restricted_case_opens_only_for_named_staff(client_for, cases, advocate, supervisor):
    restricted = cases["restricted"]
    restricted.named_staff.add(advocate)
    assert client_for(advocate).get(case_url(restricted.pk)).status_code == 200
    assert client_for(supervisor).get(case_url(restricted.pk)).status_code == 404


def test_another_agency_sees_nothing_of_the_first(client_for, cases, outsider):
    client = client_for(outsider)
    before = counts()
    for kind in ("own", "team", "other team", "restricted"):
        response = client.get(case_url(cases[kind].pk))
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert counts() == before
    assert [c["id"] for c in client.get(CASES).json()] == [str(cases["other agency"].pk)]
    name = cases["own"].person.legal_name
    assert post_json(client, SEARCH, {"name": name}).json() == []


# --- Recording a person, then finding them --------------------------------------------


def intake_body(team, **fields):
    return {"team_id": team.pk, "danger": "no", **fields}


def test_record_a_person_then_find_them(client_for, intake, advocate, team):
    client = client_for(intake)
    response = post_json(
        client,
        PEOPLE,
        intake_body(
            team,
            legal_name="Synthetic Ana María",
            preferred_name="Ana",
            date_of_birth="1990-04-01",
            phone="(608) 555-0100",
            aliases=["Annie", ""],
            language="spa",
            interpreter_needed=True,
            danger="unsure",
        ),
    )
    assert response.status_code == 201, response.content
    created = response.json()
    case = Case.objects.select_related("person").get(pk=created["case_id"])
    person = case.person
    assert str(person.pk) == created["person_id"]
    assert (case.team, case.created_by, case.danger_at_intake) == (team, intake, "unsure")
    assert (person.legal_name, person.preferred_name) == ("Synthetic Ana María", "Ana")
    assert (person.date_of_birth, person.language, person.interpreter_needed) == (
        "1990-04-01",
        "spa",
        True,
    )
    assert [alias.name for alias in person.aliases.all()] == ["Annie"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {Action.PERSON_CREATED, Action.CASE_OPENED} <= actions

    for terms in ({"name": "synthetic ana maria"}, {"name": "annie"}, {"phone": "6085550100"}):
        found = post_json(client, SEARCH, terms)
        assert found.status_code == 200
        assert [p["id"] for p in found.json()] == [created["person_id"]]
        assert found.json()[0]["cases"] == [created["case_id"]]
        # Intake staff see the minimal record only: ids, no names.
        assert found.json()[0]["legal_name"] is None
    by_advocate = post_json(client_for(advocate), SEARCH, {"date_of_birth": "1990-04-01"})
    assert by_advocate.json() == [
        {
            "id": created["person_id"],
            "legal_name": "Synthetic Ana María",
            "preferred_name": "Ana",
            "cases": [created["case_id"]],
            "match": "exact",
        }
    ]
    event = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).latest("seq")
    assert event.detail == {"ids": [created["person_id"]], "where": "search"}


def test_a_person_may_give_no_identity_at_all(client_for, intake, team):
    response = post_json(client_for(intake), PEOPLE, intake_body(team, danger="yes"))
    assert response.status_code == 201
    assert Person.objects.get().legal_name is None


@pytest.mark.parametrize(
    "name",
    [
        "\u0646\u0648\u0631 \u0627\u0644\u0647\u062f\u0649",  # Arabic, right to left
        "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd",  # Hebrew with combining points
        "Nguye\u0302\u0303n Thi\u0323 Minh",  # Vietnamese, decomposed marks
        "Zo\u00eb \U0001f469\u200d\U0001f469\u200d\U0001f467",  # emoji joined by ZWJ
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Flag",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a ZWNJ
        "\u200f\u0623\u062d\u0645\u062f",  # a right-to-left mark first
        "Tab\tand\nnewline",
    ],
)
def test_names_in_any_script_are_accepted(client_for, advocate, team, name):
    client = client_for(advocate)
    response = post_json(client, PEOPLE, intake_body(team, preferred_name=name))
    assert response.status_code == 201, response.content
    stored = Person.objects.get().preferred_name
    assert stored == " ".join(name.split())
    found = post_json(client, SEARCH, {"name": name}).json()
    assert [p["preferred_name"] for p in found] == [stored]


def resolve(body: dict, intake, team, outsider) -> dict:
    """Stand-ins in the parameters: teams made per test, and tomorrow's date."""
    teams = {
        "TEAM": lambda: team.pk,
        "FOREIGN": lambda: outsider.memberships.exclude(team=None).first().team_id,
        "INACTIVE": lambda: TeamFactory(agency=intake.agency, is_active=False).pk,
        "MISSING": lambda: 987654,
    }
    body = dict(body)
    if isinstance(body.get("team_id"), str) and body["team_id"] in teams:
        body["team_id"] = teams[body["team_id"]]()
    if body.get("date_of_birth") == "FUTURE":
        body["date_of_birth"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    return body


def assert_refused(response, status: int, message: str, before: tuple[int, ...]) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    messages = [detail] if isinstance(detail, str) else [error["msg"] for error in detail]
    assert any(message in m for m in messages), messages
    assert counts() == before


@pytest.mark.parametrize(
    "body",
    [{}, {"danger": "no", "legal_name": "Synthetic"}, {"team_id": "TEAM"}],
)
def test_missing_fields_are_a_422_and_create_nothing(client_for, intake, team, outsider, body):
    client, body = client_for(intake), resolve(body, intake, team, outsider)
    before = counts()
    response = post_json(client, PEOPLE, body)
    assert_refused(response, 422, "Field required", before)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"danger": "maybe"}, "'yes', 'no' or 'unsure'"),
        ({"date_of_birth": "FUTURE"}, "cannot be in the future"),
        ({"date_of_birth": "1899-12-31"}, "from 1900 on"),
        ({"date_of_birth": "04/01/1990"}, "YYYY-MM-DD"),
        ({"date_of_birth": "19900401"}, "YYYY-MM-DD"),
        ({"date_of_birth": "2001-02-30"}, "does not exist"),
        ({"date_of_birth": 638928000}, "YYYY-MM-DD"),
        ({"legal_name": "A" * 10_000}, "at most 200 characters"),
        ({"preferred_name": "A" * 201}, "at most 200 characters"),
        ({"phone": "5" * 41}, "at most 40 characters"),
        ({"aliases": ["A" * 201]}, "at most 200 characters"),
        ({"aliases": [f"Alias {n}" for n in range(21)]}, "at most 20 items"),
        ({"legal_name": "Null\x00byte"}, "control characters"),
        ({"legal_name": "\x1b[31mRed"}, "control characters"),
        ({"legal_name": "Bell\x07"}, "control characters"),
        ({"legal_name": "C1\x85"}, "control characters"),
        ({"preferred_name": "evil\u202egnp.exe"}, "control characters"),
        ({"preferred_name": "zero\u200bwidth"}, "control characters"),
        ({"aliases": ["ok", "bad\x00"]}, "control characters"),
        ({"legal_name": "\ud800"}, "valid string"),
        ({"legal_name": 123}, "valid string"),
        ({"legal_name": None}, "valid string"),
        ({"aliases": "Annie"}, "valid list"),
        ({"aliases": [1, 2]}, "valid string"),
        ({"team_id": "1"}, "valid integer"),
        ({"team_id": 1.5}, "valid integer"),
        ({"team_id": True}, "valid integer"),
        ({"team_id": 10**30}, "less than or equal"),
        ({"team_id": 0}, "greater than 0"),
        ({"team_id": "FOREIGN"}, "Choose one of your agency's active teams."),
        ({"team_id": "INACTIVE"}, "Choose one of your agency's active teams."),
        ({"team_id": "MISSING"}, "Choose one of your agency's active teams."),
        ({"interpreter_needed": "yes"}, "valid boolean"),
        ({"language": "xx"}, "Choose a language from the list."),
        ({"agency_id": 1}, "Extra inputs are not permitted"),
    ],
)
def test_bad_intake_is_a_clear_422_and_creates_nothing(
    client_for, intake, team, outsider, override, message
):
    body = {"team_id": "TEAM", "danger": "no", "legal_name": "Synthetic Bad Input", **override}
    client, body = client_for(intake), resolve(body, intake, team, outsider)
    before = counts()
    response = post_json(client, PEOPLE, body)
    assert_refused(response, 422, message, before)


@pytest.mark.parametrize("data", ["not json at all", '{"team_id": 1, "danger": "no"'])
def test_a_body_that_is_not_json_is_a_400(client_for, intake, data):
    client = client_for(intake)
    before = counts()
    response = client.post(PEOPLE, data, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("legal_name=Someone&danger=no", "application/x-www-form-urlencoded"),
        (b"\x00\xff garbage", "application/octet-stream"),
    ],
)
def test_a_body_not_sent_as_json_is_a_415(client_for, intake, data, content_type):
    client = client_for(intake)
    before = counts()
    response = client.post(PEOPLE, data, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {
        "detail": "Send the body as JSON, with the header Content-Type: application/json."
    }
    assert counts() == before


@pytest.mark.parametrize("body", [[], [1, 2], "text", 5, None])
def test_json_that_is_not_an_object_is_a_422(client_for, intake, body):
    client = client_for(intake)
    before = counts()
    response = post_json(client, PEOPLE, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert counts() == before


@pytest.mark.parametrize("persona", ["shelter", "admin", "auditor"])
def test_roles_that_may_not_record_get_404_and_nothing_is_created(
    client_for, all_personas, team, persona
):
    client = client_for(all_personas[persona])
    before = counts()
    response = post_json(client, PEOPLE, intake_body(team, legal_name="Synthetic No"))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert counts() == before


def test_another_agency_cannot_record_on_a_team_of_the_first(client_for, outsider, team):
    client = client_for(outsider)
    before = counts()
    response = post_json(client, PEOPLE, intake_body(team, legal_name="Synthetic X"))
    assert response.status_code == 422
    assert counts() == before


# --- Searching -------------------------------------------------------------------------


def test_search_needs_at_least_one_term(client_for, advocate):
    client = client_for(advocate)
    before = counts()
    for body in ({}, {"name": "", "phone": ""}, {"name": "   "}, {"date_of_birth": None}):
        response = post_json(client, SEARCH, body)
        assert response.status_code == 400
        assert response.json() == {"detail": "Enter a name, a date of birth or a phone number."}
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"date_of_birth": "FUTURE"}, "cannot be in the future"),
        ({"date_of_birth": "yesterday"}, "YYYY-MM-DD"),
        ({"name": "A" * 10_000}, "at most 200 characters"),
        ({"name": "Null\x00"}, "control characters"),
        ({"name": ["A", "B"]}, "valid string"),
        ({"surname": "A"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_search_terms_are_a_422(client_for, advocate, body, message):
    if body.get("date_of_birth") == "FUTURE":
        body = {"date_of_birth": (timezone.localdate() + timedelta(days=1)).isoformat()}
    client = client_for(advocate)
    before = counts()
    response = post_json(client, SEARCH, body)
    assert response.status_code == 422
    assert any(message in error["msg"] for error in response.json()["detail"])
    assert counts() == before


def test_search_terms_never_go_in_a_url(client_for, advocate):
    response = client_for(advocate).get(SEARCH, {"name": "Synthetic"})
    assert response.status_code == 405


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_admin_and_auditor_cannot_search(client_for, all_personas, cases, persona):
    client = client_for(all_personas[persona])
    name = cases["own"].person.legal_name
    before = counts()
    response = post_json(client, SEARCH, {"name": name})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert counts() == before


def test_search_shows_only_people_of_visible_cases(client_for, cases, shelter):
    client = client_for(shelter)
    for kind in KINDS:
        name = cases[kind].person.legal_name
        found = post_json(client, SEARCH, {"name": name}).json()
        expected = [str(cases[kind].person_id)] if kind in EXPECTED["shelter"] else []
        assert [p["id"] for p in found] == expected, kind


# --- Tokens, CSRF and the OpenAPI document ---------------------------------------------


def test_a_bearer_token_reads_and_records_without_csrf(intake, team):
    client = Client(enforce_csrf_checks=True)
    token = api_token_create(user=intake, lifetime=timedelta(hours=1))
    response = post_json(
        client, PEOPLE, intake_body(team, legal_name="Synthetic Token"), **bearer(token)
    )
    assert response.status_code == 201, response.content
    created = response.json()
    listed = client.get(CASES, **bearer(token))
    assert [c["id"] for c in listed.json()] == [created["case_id"]]
    assert client.get(case_url(created["case_id"]), **bearer(token)).status_code == 200
    found = post_json(client, SEARCH, {"name": "synthetic token"}, **bearer(token))
    assert [p["id"] for p in found.json()] == [created["person_id"]]


def test_a_wrong_token_is_401_and_creates_nothing(client, team):
    before = counts()
    response = post_json(
        client, PEOPLE, intake_body(team, legal_name="Synthetic"), **bearer("hv_" + "A" * 43)
    )
    assert response.status_code == 401
    assert client.get(CASES, **bearer("hv_" + "A" * 43)).status_code == 401
    # Nothing but the two refusals, audited (tests/api/test_token_failures.py).
    refused = AuditEvent.objects.filter(action=Action.API_TOKEN_REFUSED).count()
    assert refused == 2
    assert counts() == (*before[:-1], before[-1] + refused)


def test_a_session_post_needs_the_csrf_token(intake, team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(intake)
    before = counts()
    response = post_json(client, PEOPLE, intake_body(team, legal_name="Synthetic"))
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}
    assert post_json(client, SEARCH, {"name": "Synthetic"}).status_code == 403
    assert counts() == before


def test_anonymous_gets_401_everywhere(client, cases, team):
    before = counts()
    assert client.get(CASES).status_code == 401
    assert client.get(case_url(cases["own"].pk)).status_code == 401
    assert post_json(client, SEARCH, {"name": "Synthetic"}).status_code == 401
    assert post_json(client, PEOPLE, intake_body(team)).status_code == 401
    assert counts() == before


def test_openapi_document_lists_the_new_paths(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert set(paths["/api/v1/cases"]) == {"get"}
    assert set(paths["/api/v1/cases/{case_id}"]) == {"get"}
    assert set(paths["/api/v1/people/search"]) == {"post"}
    assert set(paths["/api/v1/people"]) == {"post"}
    assert "201" in paths["/api/v1/people"]["post"]["responses"]


# --- No identifying data in URLs, logs or the audit trail ------------------------------


def test_no_identifying_data_in_logs_or_audit(client_for, intake, team, caplog):
    name, phone, birth = "Synthetic Zenobia Quill", "608-555-0199", "1987-06-05"
    client = client_for(intake)
    with caplog.at_level(logging.DEBUG):
        created = post_json(
            client,
            PEOPLE,
            intake_body(team, legal_name=name, phone=phone, date_of_birth=birth, aliases=["Zee"]),
        ).json()
        post_json(client, SEARCH, {"name": name, "phone": phone, "date_of_birth": birth})
        client.get(CASES)
        client.get(case_url(created["case_id"]))
        # Refusals log their path; the path holds nothing but an id.
        post_json(client, PEOPLE, intake_body(team, legal_name=name, date_of_birth="2999-01-01"))
        post_json(client, PEOPLE, intake_body(team, legal_name=name + "\x00"))
        client.post(PEOPLE, f"legal_name={name}", content_type="text/plain")
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    audited = json.dumps(list(AuditEvent.objects.values("object_id", "detail")))
    for value in (name, "Zenobia", phone, "5550199", birth, "Zee"):
        assert value not in logged
        assert value not in audited
    assert any(r.getMessage().startswith("Unprocessable") for r in caplog.records)


def test_an_oversized_body_is_a_400_not_a_500(client_for, intake, team):
    client = client_for(intake)
    before = counts()
    response = post_json(client, PEOPLE, intake_body(team, legal_name="A" * (2 * 1024 * 1024)))
    # Refused by Django before the API sees it, so the answer is the site's 400 page.
    assert response.status_code == 400
    assert counts() == before
