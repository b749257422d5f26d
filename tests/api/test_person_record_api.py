"""The person record over the API: read what the role may see, change only
the fields sent, and refuse the rest with nothing written."""

from __future__ import annotations

import json

import pytest

from haven.audit.models import Action, AuditEvent
from haven.people.models import FieldSetting, Person
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def case_url(case) -> str:
    return f"/api/v1/cases/{case.pk}"


def patch_json(client, url: str, body: object):
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def case(advocate, team, shelter):
    case = record_intake(
        actor=advocate,
        team=team,
        legal_name="Synthetic Record",
        phone="608 555 0142",
        immigration_status="t_visa",
        other_languages=("por",),
    )
    case.assigned.add(shelter)
    return case


def test_the_record_shows_every_field_the_role_may_see(client_for, advocate, case):
    body = client_for(advocate).get(case_url(case)).json()
    record = body["record"]
    assert record["legal_name"] == "Synthetic Record"
    assert record["phone"] == "608 555 0142"
    assert record["immigration_status"] == "t_visa"
    assert record["other_languages"] == ["por"]
    assert record["date_of_birth"] is None


def test_shelter_staff_do_not_see_immigration_status(client_for, shelter, case):
    record = client_for(shelter).get(case_url(case)).json()["record"]
    assert "immigration_status" not in record
    assert record["legal_name"] == "Synthetic Record"


def test_a_field_the_agency_does_not_record_is_absent(client_for, advocate, agency, case):
    FieldSetting.objects.create(agency=agency, field="phone", mode=FieldSetting.Mode.HIDDEN)
    record = client_for(advocate).get(case_url(case)).json()["record"]
    assert "phone" not in record


def test_patch_changes_only_the_fields_sent(client_for, advocate, case):
    response = patch_json(
        client_for(advocate),
        f"{case_url(case)}/person",
        {"preferred_name": "Syn", "text_safety": "unsafe"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["record"]["preferred_name"] == "Syn"
    person = Person.objects.get(pk=case.person_id)
    assert (person.preferred_name, person.text_safety) == ("Syn", "unsafe")
    assert (person.legal_name, person.phone) == ("Synthetic Record", "608 555 0142")
    event = AuditEvent.objects.filter(action=Action.PERSON_CHANGED).get()
    assert event.detail["fields"] == ["preferred_name", "text_safety"]
    assert "Syn" not in json.dumps(event.detail)


@pytest.mark.parametrize(
    "body",
    [
        {"estimated_age": 30, "date_of_birth": "2000-01-01"},
        {"other_languages": ["zzz"]},
        {"call_safety": "perhaps"},
        {"legal_name": "x" * 201},
        {"favourite_colour": "blue"},
        {"legal_name": "a\u202eb"},
    ],
)
def test_a_refused_patch_writes_nothing(client_for, advocate, case, body):
    before = (Person.objects.get(pk=case.person_id).legal_name, AuditEvent.objects.count())
    response = patch_json(client_for(advocate), f"{case_url(case)}/person", body)
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    after = (Person.objects.get(pk=case.person_id).legal_name, AuditEvent.objects.count())
    # The case read is audited before the refusal; nothing else is written.
    assert after[0] == before[0]
    assert not AuditEvent.objects.filter(action=Action.PERSON_CHANGED).exists()


def test_patch_from_roles_that_do_not_change_cases_is_404(client_for, shelter, intake, case):
    for user in (shelter, intake):
        response = patch_json(client_for(user), f"{case_url(case)}/person", {"dialect": "x"})
        assert response.status_code == 404
    assert Person.objects.get(pk=case.person_id).dialect is None
