"""The one search box: its transformations, how a query is read, and what a
search finds (docs/adr/0022-search-indexes.md). All names are synthetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.people import selectors
from haven.people.models import Case, SearchEntry
from haven.people.normalize import last_four, name_word_sounds, name_words, word_forms
from haven.people.search import Query, digests, index_values, parse_query
from haven.people.selectors import search_cases
from haven.people.services import case_staff_set
from tests.factories import make_staff, record_intake

TODAY = date(2026, 6, 1)
GUADALUPE = "Guadalupe Ramírez Soto"


# --- Transformations ----------------------------------------------------------------


def test_a_name_is_found_by_each_word_folded_without_accents_and_in_latin_letters():
    assert name_words(GUADALUPE) == {"guadalupe", "ramírez", "ramirez", "soto"}
    assert name_words("Олена Коваль") == {"олена", "olena", "коваль", "koval"}
    assert name_words("ZOFIA Quell-Marsh") == {"zofia", "quellmarsh", "quell", "marsh"}
    assert name_words("Seán O'Brien") == {"seán", "sean", "obrien", "o", "brien"}


def test_a_name_written_without_spaces_is_also_found_by_its_latin_syllables():
    assert name_words("李伟") == {"李伟", "liwei", "li", "wei"}


def test_an_emoji_or_a_lone_mark_is_not_a_word_of_a_name():
    assert name_words("Ana 🌻") == {"ana"}
    assert name_words("\u0301\u0301") == set()
    assert name_word_sounds("🌻") == set()


def test_sound_keys_meet_for_spellings_that_sound_alike():
    assert name_word_sounds("Ramírez") == name_word_sounds("Ramires") == {"rmrs"}
    assert name_word_sounds("Viktor") == name_word_sounds("Victor")


def test_a_query_word_has_the_forms_an_index_word_has():
    assert word_forms("RAMÍREZ") == {"ramírez", "ramirez"}
    assert word_forms("O'Brien") == {"obrien"}


def test_last_four_digits_of_a_phone():
    assert last_four("+1 (608) 555-4821") == "4821"
    assert last_four("12") == ""


def test_a_person_is_indexed_by_every_transformation():
    values = index_values(
        names=[GUADALUPE, "Lupe"], date_of_birth="1987-03-14", phone="608-555-4821"
    )
    assert values[SearchEntry.Kind.WORD] >= {"guadalupe", "ramirez", "soto", "lupe"}
    assert values[SearchEntry.Kind.BIRTH_YEAR] == {"1987"}
    assert values[SearchEntry.Kind.PHONE_END] == {"4821"}
    assert values[SearchEntry.Kind.DATE_OF_BIRTH] == {"1987-03-14"}
    assert values[SearchEntry.Kind.PHONE] == {"6085554821"}


def test_year_and_last_four_digests_are_cut_short_so_many_values_share_one(agency):
    years = {d for y in range(1900, 2027) for d in digests(agency.pk, "year", [str(y)])}
    endings = {d for n in range(10_000) for d in digests(agency.pk, "last4", [f"{n:04d}"])}
    # One hex digit for a year, two for the last four: 127 years share at
    # most 16 digests and 10,000 endings at most 256 (which of them are hit
    # depends on the agency's random key).
    assert {len(d) for d in years} == {1}
    assert 8 <= len(years) <= 16
    assert {len(d) for d in endings} == {2}
    assert 200 <= len(endings) <= 256
    # A word's digest is whole, and each kind has its own key.
    assert len(next(iter(digests(agency.pk, "word", ["soto"])))) == 64
    assert digests(agency.pk, "word", ["soto"]) != digests(agency.pk, "sound", ["soto"])


# --- Reading a query ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("ramirez", Query(words=("ramirez",))),
        ("  Emilia   Cazares ", Query(words=("Emilia", "Cazares"))),
        ("Quell-Marsh", Query(words=("QuellMarsh",))),
        ("1987", Query(four_digits=("1987",))),
        ("4821", Query(four_digits=("4821",))),
        ("1987-03-14", Query(born=date(1987, 3, 14))),
        ("03/14/1987", Query(born=date(1987, 3, 14))),
        ("14/03/1987", Query(born=date(1987, 3, 14))),
        ("14.03.1987", Query(born=date(1987, 3, 14))),
        ("(608) 555-4821", Query(phone="6085554821")),
        ("+1 608 555 4821", Query(phone="6085554821")),
        ("Guadalupe 1987", Query(words=("Guadalupe",), four_digits=("1987",))),
        ("J. Soto", Query(words=("Soto",))),
        ("李伟", Query(words=("李伟",))),
    ],
)
def test_the_box_works_out_what_was_typed(typed, query):
    assert parse_query(typed, today=TODAY) == query


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type a name"),
        ("   ", "Type a name"),
        ("a", "at least two letters"),
        ("🌻", "at least two letters"),
        ("\u0301", "at least two letters"),
        ("x" * 10_000, "at most 200 characters"),
        ("Ana\x00", "invisible control characters"),
        ("02/30/1987", "That date does not exist"),
        ("2030-01-01", "between 1900 and today"),
        ("123", "Numbers are searched as"),
    ],
)
def test_what_the_box_cannot_search_by_gets_a_message_that_quotes_nothing(typed, message):
    with pytest.raises(ValidationError) as refused:
        parse_query(typed, today=TODAY)
    [said] = refused.value.message_dict["q"]
    assert message in said
    if len(typed.strip()) > 3:
        assert typed.strip() not in said


@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_with_a_message(typed):
    refusals: list[ValidationError] = []
    try:
        parse_query(typed, today=TODAY)
    except ValidationError as refused:
        refusals.append(refused)
    assert all(list(r.message_dict) == ["q"] for r in refusals)


# --- Searching ----------------------------------------------------------------------


@pytest.fixture
def people(advocate, team):
    made = {
        "guadalupe": record_intake(
            actor=advocate,
            team=team,
            legal_name=GUADALUPE,
            date_of_birth=date(1987, 3, 14),
            phone="608-555-4821",
        ),
        "emilia": record_intake(
            actor=advocate,
            team=team,
            legal_name="Emilia Cazares Carrera",
            preferred_name="Emi",
            aliases=["Mila Carrera"],
            date_of_birth=date(1990, 7, 2),
            phone="608-555-1987",
        ),
        "olena": record_intake(
            actor=advocate, team=team, legal_name="Олена Коваль", date_of_birth=date(1987, 9, 9)
        ),
        "ramires": record_intake(actor=advocate, team=team, legal_name="Tomasa Ramires"),
    }
    return {key: case.person_id for key, case in made.items()}


def found(user, typed: str) -> tuple[list, list]:
    result = search_cases(user=user, query=parse_query(typed, today=date.today()))
    return [c.person_id for c in result.exact], [c.person_id for c in result.similar]


@pytest.mark.parametrize("typed", ["ramirez", "Guadalupe", "RAMÍREZ", "soto guadalupe"])
def test_one_word_or_several_in_any_order_find_the_person(advocate, people, typed):
    exact, _similar = found(advocate, typed)
    assert exact == [people["guadalupe"]]


def test_every_word_must_match(advocate, people):
    assert found(advocate, "Emilia Cazares") == ([people["emilia"]], [])
    assert found(advocate, "Emilia Soto") == ([], [])


def test_preferred_names_and_aliases_are_searched_by_word(advocate, people):
    assert found(advocate, "emi")[0] == [people["emilia"]]
    assert found(advocate, "mila")[0] == [people["emilia"]]


def test_a_name_in_another_script_is_found_by_its_latin_spelling(advocate, people):
    assert found(advocate, "olena")[0] == [people["olena"]]
    assert found(advocate, "КОВАЛЬ")[0] == [people["olena"]]


def test_names_that_sound_alike_are_listed_apart(advocate, people):
    assert found(advocate, "ramirez") == ([people["guadalupe"]], [people["ramires"]])
    assert found(advocate, "Guadalupe Ramires") == ([], [people["guadalupe"]])


def test_by_year_of_birth_or_by_a_phone_ending_the_same_four_digits(advocate, people):
    exact, similar = found(advocate, "1987")
    # Born in 1987, or a phone ending 1987: each confirmed on the real value.
    assert sorted(exact) == sorted([people["guadalupe"], people["emilia"], people["olena"]])
    assert similar == []
    assert found(advocate, "1990")[0] == [people["emilia"]]
    assert found(advocate, "1955")[0] == []


def test_by_the_last_four_digits_of_a_phone(advocate, people):
    assert found(advocate, "4821") == ([people["guadalupe"]], [])
    assert found(advocate, "4822") == ([], [])


def test_by_a_full_date_of_birth_however_it_is_written(advocate, people):
    for typed in ("1987-03-14", "03/14/1987", "14.03.1987"):
        assert found(advocate, typed)[0] == [people["guadalupe"]], typed


def test_by_a_whole_phone_number(advocate, people):
    assert found(advocate, "(608) 555-4821")[0] == [people["guadalupe"]]


def test_a_word_and_a_year_narrow_each_other(advocate, people):
    assert found(advocate, "guadalupe 1987")[0] == [people["guadalupe"]]
    assert found(advocate, "guadalupe 1990")[0] == []


def test_another_agencys_person_is_never_found(advocate, people, outsider):
    other_team = outsider.memberships.get(team__isnull=False).team
    record_intake(actor=outsider, team=other_team, legal_name="Guadalupe Ramírez Soto")
    assert found(advocate, "guadalupe") == ([people["guadalupe"]], [])
    for typed in ("guadalupe", "ramires", "1987", "4821", "1987-03-14"):
        assert found(outsider, typed)[0] != [people["guadalupe"]]
        assert people["guadalupe"] not in found(outsider, typed)[0] + found(outsider, typed)[1]


def test_a_restricted_case_the_user_may_not_open_is_not_found(
    agency, advocate, supervisor, team, people
):
    from haven.people.models import Case

    case = Case.objects.get(person_id=people["guadalupe"])
    case_staff_set(actor=supervisor, case=case, assigned=[], restricted=True, named=[supervisor])
    for typed in ("guadalupe", "ramirez", "1987", "4821", "03/14/1987", "guadalupe ramires"):
        exact, similar = found(advocate, typed)
        assert people["guadalupe"] not in exact + similar, typed
    assert found(supervisor, "guadalupe")[0] == [people["guadalupe"]]
    teammate = make_staff(agency=agency, role="advocate", team=team)
    assert found(teammate, "guadalupe")[0] == []


def test_the_audit_lists_the_ids_shown_and_never_the_query(advocate, people):
    found(advocate, "ramirez")
    event = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED).latest("seq")
    assert event.detail == {
        "ids": [str(people["guadalupe"]), str(people["ramires"])],
        "where": "search",
    }


def test_roles_that_do_not_search_people_are_refused(admin_user, auditor, people):
    for user in (admin_user, auditor):
        with pytest.raises(NotFound):
            found(user, "guadalupe")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=2, max_size=60))
def test_any_readable_query_searches_without_failing(advocate, people, typed):
    try:
        query = parse_query(typed, today=date.today())
    except ValidationError:
        return
    result = search_cases(user=advocate, query=query)
    assert len(result.exact) <= 50


# --- Re-indexing people recorded before these indexes --------------------------------


def test_rebuild_search_index_indexes_everyone_again_and_prints_no_name(advocate, people, outsider):
    from io import StringIO

    from django.core.management import call_command

    other_team = outsider.memberships.get(team__isnull=False).team
    record_intake(actor=outsider, team=other_team, legal_name="Guadalupe Ramírez Soto")
    # As before this change: the names, dates and phones only.
    new_kinds = ["word", "sound", "year", "last4"]
    before = SearchEntry.objects.count()
    SearchEntry.objects.filter(kind__in=new_kinds).delete()
    assert found(advocate, "guadalupe") == ([], [])
    printed = []
    for _run in range(2):
        out = StringIO()
        call_command("rebuild_search_index", "--batch-size", "2", stdout=out)
        printed.append(out.getvalue())
        assert SearchEntry.objects.count() == before
    assert found(advocate, "guadalupe") == ([people["guadalupe"]], [])
    assert found(advocate, "4821")[0] == [people["guadalupe"]]
    assert printed[0] == printed[1]
    assert printed[0].endswith("5 people re-indexed.\n")
    for word in ("Guadalupe", "Ramírez", "Cazares", "Олена", "4821", "1987"):
        assert word not in printed[0]


# --- The page and the dashboard -------------------------------------------------------


def test_the_dashboard_has_a_search_box_that_posts_to_the_search(client_for, advocate, people):
    from django.urls import reverse

    client = client_for(advocate)
    home = client.get(reverse("desk:dashboard")).content.decode()
    assert f'action="{reverse("people:case_list")}"' in home
    assert 'name="q"' in home
    page = client.post(reverse("people:case_list"), {"q": "ramirez"})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Guadalupe Ramírez Soto") < text.index("Similar names")
    assert text.index("Similar names") < text.index("Tomasa Ramires")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type a name"),
        ("a", "at least two letters"),
        ("🌻🌻", "at least two letters"),
        ("e\u0301\u0301", "at least two letters"),
        ("x" * 10_000, "at most 200 characters"),
        ("02/30/1987", "That date does not exist"),
    ],
)
def test_the_page_answers_bad_searches_with_a_message(client_for, advocate, typed, message):
    from django.urls import reverse

    client = client_for(advocate)
    before = AuditEvent.objects.count()
    page = client.post(reverse("people:case_list"), {"q": typed})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert AuditEvent.objects.count() == before


def test_a_search_in_another_script_or_with_emoji_answers_an_empty_list(client_for, advocate):
    from django.urls import reverse

    client = client_for(advocate)
    for typed in ("Ζωή Παπαδοπούλου", "محمد 🌻", "नमस्ते दुनिया", "ÅÅÅ\u0301\u0308 zz"):
        page = client.post(reverse("people:case_list"), {"q": typed})
        assert page.status_code == 200, typed
        assert "Nobody you can see matches" in page.content.decode()


def test_many_people_of_one_name_are_read_a_slice_at_a_time_newest_first(
    advocate, team, monkeypatch
):
    cases = [
        record_intake(actor=advocate, team=team, legal_name=f"Marlow Test{n}") for n in range(5)
    ]
    for n, case in enumerate(cases):
        Case.objects.filter(pk=case.pk).update(opened_on=date(2024, 1, 1) + timedelta(days=n))
    query = parse_query("marlow", today=date.today())
    whole = search_cases(user=advocate, query=query)
    monkeypatch.setattr(selectors, "IDS_IN_ONE_QUERY", 2)
    sliced = search_cases(user=advocate, query=query)
    assert [c.pk for c in sliced.exact] == [c.pk for c in whole.exact]
    assert [c.pk for c in sliced.exact] == [c.pk for c in reversed(cases)]
    monkeypatch.setattr(selectors, "SEARCH_SIZE", 3)
    three = search_cases(user=advocate, query=query)
    assert ([c.pk for c in three.exact], three.more) == ([c.pk for c in reversed(cases)][:3], True)


def test_a_word_many_share_is_looked_for_case_by_case_with_the_same_answer(
    advocate, supervisor, people, monkeypatch
):
    typed = ["ramirez", "Guadalupe", "emi", "olena", "ramires", "Guadalupe Ramires", "soto 1987"]
    by_ids = {text: found(advocate, text) for text in typed}
    # Every word counts as shared by many: the cases are walked newest first.
    monkeypatch.setattr(selectors, "WALK_PAST", 0)
    assert {text: found(advocate, text) for text in typed} == by_ids
    case = Case.objects.get(person_id=people["guadalupe"])
    case_staff_set(actor=supervisor, case=case, assigned=[], restricted=True, named=[supervisor])
    for text in ("guadalupe", "ramirez", "ramires", "soto"):
        exact, similar = found(advocate, text)
        assert people["guadalupe"] not in exact + similar, text
    assert found(supervisor, "guadalupe")[0] == [people["guadalupe"]]


def test_a_year_stops_confirming_at_the_limit_and_says_more_may_match(
    advocate, people, monkeypatch
):
    query = parse_query("1987", today=date.today())
    assert search_cases(user=advocate, query=query).more is False
    monkeypatch.setattr(selectors, "CONFIRM_LIMIT", 1)
    result = search_cases(user=advocate, query=query)
    # The newest candidate only: Олена Коваль, born in 1987.
    assert ([c.person_id for c in result.exact], result.more) == ([people["olena"]], True)
