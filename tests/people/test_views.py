"""Intake, search and case pages as staff use them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from haven.audit.models import Action, AuditEvent
from haven.people.models import Case, Person
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def start_intake(client, danger="no", **languages):
    """The first two steps: the danger answer, then the person's languages."""
    client.post(reverse("people:intake_start"), {"danger": danger})
    return client.post(reverse("people:intake_language"), {"language": "spa", **languages})


def identity(team, **fields):
    return {"team": team.pk, **fields}


def test_intake_asks_about_danger_first_then_language(client_for, intake):
    client = client_for(intake)
    for later in ("people:intake_language", "people:intake_identity"):
        assert client.get(reverse(later))["Location"] == reverse("people:intake_start")
    response = client.post(reverse("people:intake_start"), {"danger": ""})
    assert response.status_code == 400
    response = client.post(reverse("people:intake_start"), {"danger": "unsure"})
    assert response["Location"] == reverse("people:intake_language")
    # The identity step waits for the language step.
    assert client.get(reverse("people:intake_identity"))["Location"] == reverse(
        "people:intake_language"
    )
    assert start_intake(client)["Location"] == reverse("people:intake_identity")


def test_intake_records_person_and_case_with_the_danger_answer(client_for, intake, team):
    client = client_for(intake)
    client.post(reverse("people:intake_start"), {"danger": "yes"})
    page = client.get(reverse("people:intake_language"))
    assert b"call 911" in page.content
    start_intake(
        client,
        danger="yes",
        interpreter_needed="on",
        english_ability="not_well",
        other_languages=["por", "eng"],
        reads=["spa"],
    )
    page = client.get(reverse("people:intake_identity"))
    assert b"call 911" in page.content
    response = client.post(
        reverse("people:intake_identity"),
        identity(team, preferred_name="Nilufar", estimated_age="16", call_safety="unsafe"),
    )
    case = Case.objects.get()
    # The front desk does not see the record it made: it goes home, told where the case went.
    assert response["Location"] == reverse("desk:dashboard")
    assert case.danger_at_intake == "yes"
    assert case.person.preferred_name == "Nilufar"
    person = case.person
    assert person.language == "spa"
    assert person.interpreter_needed
    assert person.english_ability == "not_well"
    assert person.other_languages == ["por", "eng"]
    assert person.reads == ["spa"]
    assert person.writes == []
    assert person.estimated_age == 16
    assert person.is_minor_on(date.today())
    assert person.call_safety == "unsafe"


def test_only_the_danger_answer_is_required(client_for, intake, team):
    client = client_for(intake)
    start_intake(client)
    response = client.post(reverse("people:intake_identity"), identity(team))
    assert response.status_code == 302
    assert Person.objects.count() == 1


def test_search_before_create_offers_the_existing_record(client_for, intake, team):
    record_intake(actor=intake, team=team, danger="no", legal_name="Teodora Vasquez-Lind")
    client = client_for(intake)
    start_intake(client)
    first = client.post(
        reverse("people:intake_identity"), identity(team, legal_name="TEODORA  vasquez-lind")
    )
    assert first.status_code == 200
    assert b"This may be someone already recorded" in first.content
    assert Person.objects.count() == 1
    second = client.post(
        reverse("people:intake_identity"),
        identity(team, legal_name="Teodora Vasquez-Lind", record_anyway="on"),
    )
    assert second.status_code == 302
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_of_birth", (date.today() + timedelta(days=2)).isoformat()),
        ("date_of_birth", "1850-01-01"),
        ("date_of_birth", "2001-02-30"),
        ("legal_name", "x" * 201),
        ("legal_name", "bad\x00name"),
        ("legal_name", "bell\x07"),
        ("estimated_age", "-1"),
        ("estimated_age", "121"),
        ("estimated_age", "twelve"),
        ("call_safety", "maybe"),
        ("contact_notes", "x" * 2001),
        ("aliases", "\n".join(f"alias {n}" for n in range(21))),
    ],
)
def test_bad_identity_input_changes_nothing(client_for, intake, team, field, value):
    client = client_for(intake)
    start_intake(client)
    before = AuditEvent.objects.count()
    response = client.post(reverse("people:intake_identity"), identity(team, **{field: value}))
    assert response.status_code == 400
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language", "xx"),
        ("other_languages", "zzz"),
        ("english_ability", "fluent"),
        ("reads", [f"x{n}" for n in range(3)]),
    ],
)
def test_bad_language_input_changes_nothing(client_for, intake, field, value):
    client = client_for(intake)
    client.post(reverse("people:intake_start"), {"danger": "no"})
    response = client.post(reverse("people:intake_language"), {"language": "spa", field: value})
    assert response.status_code == 400
    assert client.get(reverse("people:intake_identity"))["Location"] == reverse(
        "people:intake_language"
    )


def test_date_of_birth_and_estimated_age_are_not_both_given(client_for, intake, team):
    client = client_for(intake)
    start_intake(client)
    response = client.post(
        reverse("people:intake_identity"),
        identity(team, date_of_birth="2000-01-01", estimated_age="30"),
    )
    assert response.status_code == 400
    assert b"not both" in response.content
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["محمد الحسن", "Nguyễn Thị Mẫn", "Zoë 🌻", "e\u0301mile", "李小龙"]
)
def test_names_in_any_script_are_recorded(client_for, intake, team, name):
    client = client_for(intake)
    start_intake(client)
    assert (
        client.post(reverse("people:intake_identity"), identity(team, legal_name=name)).status_code
        == 302
    )
    assert Person.objects.get().legal_name == name


def test_team_of_another_agency_is_refused(client_for, intake, outsider):
    foreign = outsider.memberships.exclude(team=None).first().team
    client = client_for(intake)
    start_intake(client)
    response = client.post(reverse("people:intake_identity"), {"team": foreign.pk})
    assert response.status_code == 400
    assert Person.objects.count() == 0


def test_case_page_is_audited_and_intake_sees_the_minimum(client_for, intake, advocate, team):
    case = record_intake(
        actor=intake,
        team=team,
        danger="no",
        legal_name="Iker Solberg",
        date_of_birth=date(1990, 1, 2),
    )
    page = client_for(intake).get(reverse("desk:case_detail", args=[case.pk]))
    assert page.status_code == 200
    assert b"1990-01-02" not in page.content
    event = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).latest("seq")
    assert event.detail["ids"] == [str(case.person_id)]
    assert "Iker" not in str(event.detail)


def test_advocate_of_the_team_sees_the_full_record(client_for, intake, advocate, team):
    case = record_intake(
        actor=intake,
        team=team,
        danger="no",
        legal_name="Iker Solberg",
        date_of_birth=date(1990, 1, 2),
    )
    page = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk]))
    assert b"1990-01-02" in page.content


def test_search_page_finds_and_audits(client_for, advocate, team):
    record_intake(actor=advocate, team=team, danger="no", legal_name="Marguerite Okafor")
    client = client_for(advocate)
    page = client.post(reverse("people:case_list"), {"q": "marguerite okafor"})
    assert b"Marguerite Okafor" in page.content
    bad = client.post(reverse("people:case_list"), {"q": "x"})
    assert bad.status_code == 400
    # Query strings are ignored: a search never travels in the address.
    other = record_intake(actor=advocate, team=team, danger="no", legal_name="Zed Quorum")
    listed = client.get(reverse("people:case_list"), {"q": "marguerite okafor"})
    assert listed.status_code == 200
    assert str(other.pk).encode() in listed.content


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_administrators_and_auditors_get_404_on_people_pages(client_for, all_personas, persona):
    client = client_for(all_personas[persona])
    for name in ("people:case_list", "people:intake_start", "people:intake_identity"):
        assert client.get(reverse(name)).status_code == 404, name


def test_break_glass_page(client_for, advocate, supervisor, other_team):
    case = record_intake(actor=supervisor, team=other_team, danger="no", legal_name="Synthetic")
    client = client_for(advocate)
    assert client.get(reverse("desk:case_detail", args=[case.pk])).status_code == 404
    short = client.post(reverse("people:break_glass"), {"case": case.pk, "reason": "now"})
    assert short.status_code == 400
    response = client.post(
        reverse("people:break_glass"),
        {"case": case.pk, "reason": "Person is at the door asking for help"},
    )
    assert response["Location"] == reverse("desk:case_detail", args=[case.pk])
    assert client.get(reverse("desk:case_detail", args=[case.pk])).status_code == 200


def test_advocate_closes_a_case_with_a_reason(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team, danger="no", legal_name="Synthetic")
    client = client_for(advocate)
    url = reverse("people:case_close", args=[case.pk])
    assert client.post(url, {"reason": "whim"}).status_code == 303
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert client.post(url, {"reason": "goals_met"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (Case.Status.CLOSED, "goals_met")
    assert AuditEvent.objects.filter(action=Action.CASE_CLOSED, object_id=str(case.pk)).exists()


@pytest.mark.parametrize("persona", ["intake", "shelter", "admin", "auditor"])
def test_others_cannot_close_a_case(client_for, all_personas, advocate, team, persona):
    case = record_intake(
        actor=all_personas["intake"], team=team, danger="no", legal_name="Synthetic"
    )
    case.assigned.add(all_personas["shelter"])
    response = client_for(all_personas[persona]).post(
        reverse("people:case_close", args=[case.pk]), {"reason": "goals_met"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_an_edit_from_a_stale_page_is_refused_and_shows_the_current_record(
    client_for, advocate, supervisor, team
):
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Stale", dialect="one")
    url = reverse("people:person_edit", args=[case.pk])
    first, second = client_for(advocate), client_for(supervisor)
    stale_version = first.get(url).context["form"].initial["version"]
    fresh = second.get(url).context["form"].initial
    saved = second.post(url, {**_posted(fresh), "dialect": "two"})
    assert saved.status_code == 302
    refused = first.post(
        url, {**_posted(fresh), "version": stale_version, "legal_name": "Synthetic Other"}
    )
    assert refused.status_code == 409
    assert "Someone changed this record" in refused.content.decode()
    person = Person.objects.get(pk=case.person_id)
    assert (person.legal_name, person.dialect) == ("Synthetic Stale", "two")
    # The page now carries the current values and version: a second try goes through.
    current = refused.context["form"].initial
    assert current["dialect"] == "two"
    retried = first.post(url, {**_posted(current), "legal_name": "Synthetic Other"})
    assert retried.status_code == 302
    person.refresh_from_db()
    assert (person.legal_name, person.dialect) == ("Synthetic Other", "two")


def _posted(initial):
    """A form's initial values as a browser would post them back."""
    posted = {}
    for name, value in initial.items():
        if value is None or value is False:
            continue
        if value is True:
            posted[name] = "on"
        elif isinstance(value, list | tuple):
            posted[name] = list(value)
        else:
            posted[name] = str(value)
    return posted


def test_an_edit_submitted_twice_saves_once(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Twice")
    url = reverse("people:person_edit", args=[case.pk])
    client = client_for(advocate)
    posted = {**_posted(client.get(url).context["form"].initial), "dialect": "norteño"}
    assert client.post(url, posted).status_code == 302
    assert client.post(url, posted).status_code == 302  # a double click
    assert AuditEvent.objects.filter(action=Action.PERSON_CHANGED).count() == 1
    assert Person.objects.get(pk=case.person_id).version == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_a_refused_search_says_why_and_lists_nobody(client_for, advocate, htmx):
    """The case list's box asks through HTMX, which swaps in only the results:
    the refusal must be in them, or the person at the desk sees nothing."""
    headers = {"HX-Request": "true", "HX-Target": "case-results"} if htmx else {}
    response = client_for(advocate).post("/cases/", {"q": "a"}, headers=headers)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Type at least two letters of a name" in page
    assert "Nobody you can see matches" not in page
    assert ("<html" in page) is not htmx


def test_htmx_swaps_in_an_answer_of_400_so_a_refusal_is_shown(client_for, advocate):
    page = client_for(advocate).get("/cases/").content.decode()
    assert '{"code": "400", "swap": true, "error": false}' in page
