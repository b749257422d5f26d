"""The new fields of the person record over POST /api/v1/people: stored as
sent, refused with a 422 that names the field, and nothing written on refusal."""

from __future__ import annotations

import json

import pytest

from haven.audit.models import AuditEvent
from haven.core.models import DataKey
from haven.people.details import PersonDetails
from haven.people.models import Alias, Case, FieldSetting, Person, SearchEntry
from haven.people.services import person_details

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people"

NEW_FIELDS = {
    "gender": "Synthetic femme",
    "gender_group": "woman",
    "contact_notes": "  Only after 6 p.m.  ",
    "immigration_status": "continued_presence",
    "dialect": "Cibaeño",
    "other_languages": ["eng", "por", "eng"],
    "reads": ["spa"],
    "writes": [],
    "english_ability": "not_at_all",
    "call_safety": "unsafe",
    "text_safety": "safe",
    "voicemail_safety": "",
    "mail_safety": "unsafe",
    "address_confidentiality": False,
    "estimated_age": 16,
    "language": "spa",
    "interpreter_needed": True,
    "trafficking_type": "sex",
}


def post_json(client, body):
    return client.post(PEOPLE, json.dumps(body), content_type="application/json")


def body_for(team, **fields):
    return {"team_id": team.pk, "danger": "no", **fields}


def counts():
    return (
        Person.objects.count(),
        Case.objects.count(),
        Alias.objects.count(),
        SearchEntry.objects.count(),
        DataKey.objects.count(),
        AuditEvent.objects.count(),
    )


def errors_of(response) -> dict[str, list[str]]:
    """The 422's messages by the field each names (the last part of its location)."""
    found: dict[str, list[str]] = {}
    for error in response.json()["detail"]:
        assert error["loc"][0] == "body"
        found.setdefault(str(error["loc"][-1]), []).append(error["msg"])
    return found


def test_every_new_field_is_recorded_as_sent(client_for, advocate, team):
    response = post_json(client_for(advocate), body_for(team, **NEW_FIELDS))
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["person_id"])
    expected = PersonDetails(
        **{
            **NEW_FIELDS,
            "contact_notes": "Only after 6 p.m.",
            "other_languages": ("eng", "por"),
            "reads": ("spa",),
            "writes": (),
        }
    )
    assert person_details(person) == expected
    assert person.is_minor_on(person.estimated_on) is True
    raw = Person.objects.filter(pk=person.pk).values("gender", "dialect", "immigration_status")[0]
    assert b"continued_presence" not in bytes(raw["immigration_status"])
    assert b"Synthetic femme" not in bytes(raw["gender"])


def test_intake_staff_record_every_new_field_but_immigration_status(client_for, intake, team):
    body = {k: v for k, v in NEW_FIELDS.items() if k != "immigration_status"}
    response = post_json(client_for(intake), body_for(team, **body))
    assert response.status_code == 201, response.content
    assert Person.objects.get().immigration_status is None


@pytest.mark.parametrize("status", ["t_visa", "no_status", "bogus"])
def test_immigration_status_from_intake_staff_is_refused_and_nothing_written(
    client_for, intake, team, status
):
    client = client_for(intake)
    before = counts()
    response = post_json(
        client, body_for(team, legal_name="Synthetic Im", immigration_status=status)
    )
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [
        ["body", "immigration_status"]
    ]
    assert counts() == before


def test_immigration_status_blank_from_intake_staff_is_fine(client_for, intake, team):
    response = post_json(client_for(intake), body_for(team, immigration_status=""))
    assert response.status_code == 201


@pytest.mark.parametrize("persona", ["shelter", "admin", "auditor"])
def test_roles_that_may_not_record_are_404_with_the_new_fields(
    client_for, all_personas, team, persona
):
    client = client_for(all_personas[persona])
    body = {k: v for k, v in NEW_FIELDS.items() if k != "immigration_status"}
    before = counts()
    response = post_json(client, body_for(team, **body))
    assert response.status_code == 404
    assert counts() == before


@pytest.mark.parametrize("persona", ["shelter", "admin", "auditor"])
def test_roles_that_may_not_record_are_404_even_with_immigration_status(
    client_for, all_personas, team, persona
):
    client = client_for(all_personas[persona])
    before = counts()
    response = post_json(client, body_for(team, **NEW_FIELDS))
    assert counts() == before
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"immigration_status": "refugee"}, "immigration_status", "Input should be one of"),
        ({"immigration_status": "x" * 21}, "immigration_status", "Input should be one of"),
        ({"immigration_status": 1}, "immigration_status", "valid string"),
        ({"gender_group": "female"}, "gender_group", "Input should be"),
        ({"english_ability": "fluent"}, "english_ability", "Input should be"),
        ({"call_safety": "maybe"}, "call_safety", "Input should be"),
        ({"mail_safety": None}, "mail_safety", "Input should be"),
        ({"trafficking_type": "organ"}, "trafficking_type", "Input should be"),
        ({"address_confidentiality": "yes"}, "address_confidentiality", "valid boolean"),
        ({"address_confidentiality": 1}, "address_confidentiality", "valid boolean"),
        ({"interpreter_needed": None}, "interpreter_needed", "valid boolean"),
        ({"estimated_age": "16"}, "estimated_age", "valid integer"),
        ({"estimated_age": 16.5}, "estimated_age", "valid integer"),
        ({"estimated_age": -1}, "estimated_age", "greater than or equal"),
        ({"estimated_age": 121}, "estimated_age", "less than or equal"),
        (
            {"estimated_age": 30, "date_of_birth": "1990-01-01"},
            "estimated_age",
            "not both",
        ),
        ({"other_languages": "spa"}, "other_languages", "valid list"),
        ({"other_languages": ["zzz"]}, "other_languages", "Choose languages from the list"),
        ({"reads": ["klingon"]}, "0", "at most 3"),
        ({"writes": [1]}, "0", "valid string"),
        ({"reads": ["eng"] * 13}, "reads", "at most 12"),
        ({"language": "xx"}, "language", "Choose a language from the list"),
        ({"gender": "G" * 201}, "gender", "at most 200"),
        ({"gender": "G" * 1_000_000}, "gender", "at most 200"),
        ({"dialect": "evil\u202egnp"}, "dialect", "control characters"),
        ({"dialect": "Bell\x07"}, "dialect", "control characters"),
        ({"gender": "zero\u200bwidth"}, "gender", "control characters"),
        ({"contact_notes": "n" * 2001}, "contact_notes", "at most 2000"),
        ({"contact_notes": "call \x00 later"}, "contact_notes", "control characters"),
        ({"contact_notes": "evil\u202egnp"}, "contact_notes", "control characters"),
        ({"contact_notes": ["a"]}, "contact_notes", "valid string"),
        ({"gender_group": "woman", "pronouns": "she"}, "pronouns", "Extra inputs"),
    ],
)
def test_bad_new_fields_are_a_422_naming_the_field_and_write_nothing(
    client_for, advocate, team, override, field, message
):
    client = client_for(advocate)
    before = counts()
    response = post_json(client, body_for(team, legal_name="Synthetic Refused", **override))
    assert response.status_code == 422, response.content
    found = errors_of(response)
    assert field in found, found
    assert any(message in m for m in found[field]), found
    assert counts() == before


@pytest.mark.parametrize(
    ("mode", "override", "field"),
    [
        ("hidden", {"gender": "Synthetic"}, "gender"),
        ("hidden", {"other_languages": ["eng"]}, "other_languages"),
        ("hidden", {"immigration_status": "asylum"}, "immigration_status"),
        ("hidden", {"address_confidentiality": True}, "address_confidentiality"),
        ("hidden", {"estimated_age": 40}, "estimated_age"),
        ("required", {}, "phone"),
        ("required", {"gender_group": ""}, "gender_group"),
        ("required", {}, "english_ability"),
        ("required", {"address_confidentiality": None}, "address_confidentiality"),
    ],
)
def test_agency_settings_refuse_with_the_field_named(
    client_for, agency, advocate, team, mode, override, field
):
    FieldSetting.objects.create(agency=agency, field=field, mode=mode)
    client = client_for(advocate)
    before = counts()
    response = post_json(client, body_for(team, **override))
    assert response.status_code == 422, response.content
    found = errors_of(response)
    assert list(found) == [field]
    wanted = "does not record" if mode == "hidden" else "requires this field"
    assert wanted in found[field][0]
    assert counts() == before


def test_a_hidden_field_sent_blank_is_accepted(client_for, agency, advocate, team):
    FieldSetting.objects.create(agency=agency, field="gender", mode="hidden")
    response = post_json(client_for(advocate), body_for(team, gender="", dialect="Synthetic"))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "text",
    [
        "\u0646\u0648\u0631 \u0627\u0644\u0647\u062f\u0649",
        "Nguye\u0302\u0303n",
        "\U0001f469\u200d\U0001f469\u200d\U0001f467",
        "\u200f\u0639\u0631\u0628\u064a",
    ],
)
def test_new_text_fields_keep_any_script(client_for, advocate, team, text):
    response = post_json(client_for(advocate), body_for(team, gender=text, dialect=text))
    assert response.status_code == 201, response.content
    person = Person.objects.get()
    assert (person.gender, person.dialect) == (text, text)


def test_refusals_locate_fields_the_same_way(client_for, agency, advocate, team):
    client = client_for(advocate)
    schema = post_json(client, body_for(team, gender="G" * 201)).json()["detail"][0]["loc"]
    service = post_json(client, body_for(team, language="xx")).json()["detail"][0]["loc"]
    assert len(schema) == len(service)
