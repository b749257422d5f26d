"""POST /api/v1/people/search with the one-box query `q`: exact matches and
similar names apart, the older fields still working, bad input refused with
a message and nothing changed. All names are synthetic."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.audit.models import Action, AuditEvent
from tests.api.test_people_api import NOT_FOUND, SEARCH, counts, post_json
from tests.factories import record_intake


@pytest.fixture
def people(advocate, team):
    guadalupe = record_intake(
        actor=advocate,
        team=team,
        legal_name="Guadalupe Ramírez Soto",
        date_of_birth=date(1987, 3, 14),
        phone="608-555-4821",
    )
    ramires = record_intake(actor=advocate, team=team, legal_name="Tomasa Ramires")
    return {"guadalupe": guadalupe, "ramires": ramires}


def test_q_finds_by_one_word_and_lists_similar_names_after(client_for, advocate, people):
    response = post_json(client_for(advocate), SEARCH, {"q": "ramirez"})
    assert response.status_code == 200
    assert [(p["id"], p["match"], p["cases"]) for p in response.json()] == [
        (str(people["guadalupe"].person_id), "exact", [str(people["guadalupe"].pk)]),
        (str(people["ramires"].person_id), "similar", [str(people["ramires"].pk)]),
    ]
    assert response.json()[0]["legal_name"] == "Guadalupe Ramírez Soto"
    event = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).latest("seq")
    assert event.detail["where"] == "search"
    assert "ramirez" not in json.dumps(event.detail).lower()


@pytest.mark.parametrize("q", ["Guadalupe", "soto guadalupe", "4821", "1987", "03/14/1987"])
def test_q_finds_by_words_dates_years_and_phone_endings(client_for, advocate, people, q):
    found = post_json(client_for(advocate), SEARCH, {"q": q}).json()
    assert [(p["id"], p["match"]) for p in found] == [(str(people["guadalupe"].person_id), "exact")]


def test_intake_staff_find_by_q_but_see_no_names(client_for, intake, team):
    case = record_intake(actor=intake, team=team, legal_name="Guadalupe Ramírez Soto")
    found = post_json(client_for(intake), SEARCH, {"q": "guadalupe"}).json()
    assert [p["id"] for p in found] == [str(case.person_id)]
    assert found[0]["legal_name"] is None


def test_the_older_fields_still_search_exactly(client_for, advocate, people):
    found = post_json(client_for(advocate), SEARCH, {"name": "Guadalupe Ramírez Soto"}).json()
    assert [(p["id"], p["match"]) for p in found] == [(str(people["guadalupe"].person_id), "exact")]


def test_another_agency_finds_nobody_by_q(client_for, outsider, people):
    for q in ("guadalupe", "4821", "1987"):
        response = post_json(client_for(outsider), SEARCH, {"q": q})
        assert response.status_code == 200
        assert response.json() == []


def test_admins_cannot_search_by_q(client_for, admin_user, people):
    response = post_json(client_for(admin_user), SEARCH, {"q": "guadalupe"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"q": "a"}, "at least two letters"),
        ({"q": "🌻"}, "at least two letters"),
        ({"q": "A" * 10_000}, "at most 200 characters"),
        ({"q": "02/30/1987"}, "That date does not exist"),
        ({"q": "123"}, "Numbers are searched as"),
        ({"q": "Ana", "name": "Ana"}, "Send q alone"),
    ],
)
def test_bad_queries_are_a_422_that_quotes_nothing(client_for, advocate, people, body, message):
    client = client_for(advocate)
    before = counts()
    response = post_json(client, SEARCH, body)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert message in problem["msg"]
    assert problem["loc"][-1] == "q"
    assert counts() == before


def test_an_empty_q_asks_for_something_to_search_by(client_for, advocate):
    response = post_json(client_for(advocate), SEARCH, {"q": "   "})
    assert response.status_code == 400


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=80))
def test_any_q_is_answered_never_a_500(client_for, advocate, q):
    response = post_json(client_for(advocate), SEARCH, {"q": q})
    assert response.status_code in {200, 400, 422}
