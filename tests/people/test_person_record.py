"""The extended person record: every field sealed or plain as intended, edits
that change only what they cover, the blind index kept in step, audit events
that name fields and never values, ages that follow the date of birth or the
estimate, and bad input refused before anything is written."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.people.details import DETAIL_NAMES, SEALED, PersonDetails
from haven.people.forms import initial_of
from haven.people.models import (
    AGE_OF_MAJORITY,
    Alias,
    Case,
    FieldSetting,
    Person,
    SearchEntry,
)
from haven.people.selectors import people_matching
from haven.people.services import intake_record, person_details, person_update
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

FULL = {
    "legal_name": "Synthetica Quorvane",
    "preferred_name": "Syn",
    "self_term": "survivor-leader",
    "aliases": ("Quorvy", "S. Q."),
    "date_of_birth": date(1991, 4, 2),
    "estimated_age": None,
    "gender": "femme, in her words",
    "gender_group": "woman",
    "phone": "(608) 555-0188",
    "call_safety": "unsafe",
    "text_safety": "safe",
    "voicemail_safety": "unsafe",
    "mail_safety": "safe",
    "contact_notes": "Only after 6 p.m.; never say the agency's name.",
    "language": "spa",
    "dialect": "Rioplatense",
    "other_languages": ("eng", "por"),
    "reads": ("spa",),
    "writes": ("spa", "eng"),
    "english_ability": "not_well",
    "interpreter_needed": True,
    "immigration_status": "t_visa",
    "trafficking_type": "labor",
    "address_confidentiality": True,
}
assert set(FULL) == set(DETAIL_NAMES)


def full_details(**changes) -> PersonDetails:
    return replace(PersonDetails(**FULL), **changes)


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "cases": Case.objects.count(),
        "aliases": Alias.objects.count(),
        "search": SearchEntry.objects.count(),
        "keys": DataKey.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def reloaded(person_or_case) -> Person:
    pk = getattr(person_or_case, "person_id", None) or person_or_case.pk
    return Person.objects.select_related("data_key").get(pk=pk)


def changed_events():
    return list(AuditEvent.objects.filter(action=Action.PERSON_CHANGED).order_by("seq"))


@pytest.fixture
def full_case(advocate, team):
    return intake_record(actor=advocate, team=team, danger="no", details=full_details())


# --- Round trips ----------------------------------------------------------------------


def test_every_field_round_trips_through_the_database(full_case):
    assert person_details(reloaded(full_case)) == full_details()


def test_sealed_fields_are_ciphertext_in_the_row_and_the_rest_are_plain(full_case):
    raw = Person.objects.filter(pk=full_case.person_id).values()[0]
    for name in [*SEALED, "date_of_birth"]:
        stored = bytes(raw[name])
        plain = str(FULL[name]).encode()
        assert plain not in stored, name
        assert len(stored) > len(plain), name  # sealed, not blanked
    for name in ("gender_group", "call_safety", "text_safety", "voicemail_safety"):
        assert raw[name] == FULL[name]
    assert raw["mail_safety"] == "safe"
    assert raw["english_ability"] == "not_well"
    assert raw["language"] == "spa"
    assert raw["other_languages"] == ["eng", "por"]
    assert raw["reads"] == ["spa"]
    assert raw["writes"] == ["spa", "eng"]
    assert raw["address_confidentiality"] is True
    for alias in Alias.objects.filter(person_id=full_case.person_id).values_list("name", flat=True):
        assert b"Quorvy" not in bytes(alias)


def test_a_blank_record_round_trips_as_blank_with_no_sealed_values(advocate, team):
    case = intake_record(actor=advocate, team=team, danger="unsure", details=PersonDetails())
    person = reloaded(case)
    assert person_details(person) == PersonDetails()
    raw = Person.objects.filter(pk=person.pk).values()[0]
    assert all(raw[name] is None for name in SEALED)
    assert raw["address_confidentiality"] is None
    assert person.estimated_on is None
    assert not SearchEntry.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    "text",
    [
        "\u0646\u0648\u0631 \u0627\u0644\u0647\u062f\u0649",  # Arabic, right to left
        "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd",  # Hebrew with combining points
        "Nguye\u0302\u0303n Thi\u0323",  # decomposed combining marks
        "Zo\u00eb \U0001f469\u200d\U0001f469\u200d\U0001f467",  # emoji joined by ZWJ
        "\u1000\u103c\u102d\u102f\u1004\u103a",  # Burmese
    ],
)
def test_any_script_round_trips_in_every_sealed_text_field(advocate, team, text):
    values = {name: text for name in SEALED if name != "immigration_status"}
    case = intake_record(actor=advocate, team=team, danger="no", details=PersonDetails(**values))
    details = person_details(reloaded(case))
    for name, value in values.items():
        assert getattr(details, name) == value, name


# --- person_update --------------------------------------------------------------------


def test_update_changes_only_the_covered_fields(full_case, advocate):
    wanted = full_details(gender="", phone="608-555-0000", legal_name="Changed Name")
    changed = person_update(actor=advocate, case=full_case, details=wanted, covering=["gender"])
    assert changed == ["gender"]
    assert person_details(reloaded(full_case)) == full_details(gender="")


def test_update_of_covered_but_unchanged_fields_writes_and_audits_nothing(full_case, advocate):
    before = counts()
    changed = person_update(
        actor=advocate, case=full_case, details=full_details(), covering=DETAIL_NAMES
    )
    assert changed == []
    assert counts() == before


def test_update_audits_changed_field_names_and_never_values(full_case, advocate):
    new = {
        "legal_name": "Quillon Verdastra",
        "gender": "genderfluid",
        "contact_notes": "Text first, code word Bluebird.",
        "dialect": "Cibaeño",
        "immigration_status": "u_visa",
        "phone": "414-555-0123",
        "other_languages": ("ukr",),
    }
    changed = person_update(
        actor=advocate, case=full_case, details=full_details(**new), covering=DETAIL_NAMES
    )
    assert changed == sorted(new)
    [event] = changed_events()
    assert event.detail == {"fields": sorted(new), "case": str(full_case.pk)}
    assert event.object_id == str(full_case.person_id)
    trail = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    for value in [*FULL.values(), *new.values()]:
        if isinstance(value, str) and len(value) > 4 and value not in DETAIL_NAMES:
            assert value not in trail, value
    for value in ("Quillon", "Bluebird", "genderfluid", "u_visa", "555-0123", "Quorvane"):
        assert value not in trail


@pytest.mark.parametrize(
    ("field", "old_term", "new_value", "new_term"),
    [
        ("legal_name", {"name": "Synthetica Quorvane"}, "Marisol Entwhistle", None),
        ("preferred_name", {"name": "Syn"}, "Mari", None),
        ("aliases", {"name": "Quorvy"}, ("Pebble",), {"name": "Pebble"}),
        (
            "date_of_birth",
            {"date_of_birth": date(1991, 4, 2)},
            date(1992, 5, 3),
            {"date_of_birth": date(1992, 5, 3)},
        ),
        ("phone", {"phone": "608 555 0188"}, "+1 (920) 555-0177", {"phone": "920-555-0177"}),
    ],
)
def test_update_refreshes_the_blind_index(
    full_case, advocate, field, old_term, new_value, new_term
):
    new_term = new_term or {"name": new_value}
    assert [p.pk for p in people_matching(user=advocate, **old_term)] == [full_case.person_id]
    person_update(
        actor=advocate,
        case=full_case,
        details=full_details(**{field: new_value}),
        covering=[field],
    )
    assert [p.pk for p in people_matching(user=advocate, **new_term)] == [full_case.person_id]
    assert people_matching(user=advocate, **old_term) == []


def test_update_of_fields_not_searched_leaves_the_index_alone(full_case, advocate):
    before = set(SearchEntry.objects.filter(person_id=full_case.person_id).values_list("pk"))
    person_update(
        actor=advocate,
        case=full_case,
        details=full_details(gender="agender", dialect="Porteño"),
        covering=["gender", "dialect"],
    )
    after = set(SearchEntry.objects.filter(person_id=full_case.person_id).values_list("pk"))
    assert after == before


def test_clearing_a_name_removes_it_from_search(full_case, advocate):
    person_update(
        actor=advocate,
        case=full_case,
        details=full_details(legal_name="", aliases=()),
        covering=["legal_name", "aliases"],
    )
    assert people_matching(user=advocate, name="Synthetica Quorvane") == []
    assert people_matching(user=advocate, name="Quorvy") == []
    assert [p.pk for p in people_matching(user=advocate, name="Syn")] == [full_case.person_id]
    assert not Alias.objects.filter(person_id=full_case.person_id).exists()


@pytest.mark.parametrize("persona", ["intake", "shelter", "admin", "auditor"])
def test_only_staff_who_work_cases_may_update(all_personas, full_case, persona):
    before = counts()
    with pytest.raises(NotFound):
        person_update(
            actor=all_personas[persona],
            case=full_case,
            details=full_details(gender="changed"),
            covering=["gender"],
        )
    assert counts() == before


def test_another_agency_cannot_update(outsider, full_case):
    with pytest.raises(NotFound):
        person_update(
            actor=outsider,
            case=full_case,
            details=full_details(gender="changed"),
            covering=["gender"],
        )
    assert person_details(reloaded(full_case)) == full_details()


# --- Restricted fields ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["intake", "shelter"])
def test_restricted_field_update_refused_for_shelter_and_intake(all_personas, full_case, persona):
    before = counts()
    with pytest.raises(NotFound):
        person_update(
            actor=all_personas[persona],
            case=full_case,
            details=full_details(immigration_status="no_status"),
            covering=["immigration_status"],
        )
    assert counts() == before
    assert reloaded(full_case).immigration_status == "t_visa"


def test_shelter_cannot_record_people_at_all(shelter, team):
    before = counts()
    with pytest.raises(NotFound):
        intake_record(
            actor=shelter,
            team=team,
            danger="no",
            details=PersonDetails(immigration_status="asylum"),
        )
    assert counts() == before


def test_intake_staff_cannot_record_immigration_status_through_the_service(intake, team):
    before = counts()
    with pytest.raises((ValidationError, NotFound)):
        intake_record(
            actor=intake,
            team=team,
            danger="no",
            details=PersonDetails(immigration_status="no_status"),
        )
    assert counts() == before


# --- Ages -----------------------------------------------------------------------------


def _anniversary(start: date, years: int) -> date:
    """``start`` moved by whole years; 29 February falls on 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def _whole_years(start: date, day: date) -> int:
    """The largest k (possibly negative) whose k-th anniversary of ``start`` is on or
    before ``day``: counted by walking, not by the tuple comparison the model uses."""
    k = day.year - start.year + 1
    while _anniversary(start, k) > day:
        k -= 1
    return k


days = st.dates(min_value=date(1901, 1, 1), max_value=date(2190, 12, 31))


@hypothesis_settings(max_examples=400, deadline=None)
@given(age=st.integers(min_value=0, max_value=120), estimated_on=days, day=days)
def test_estimated_age_ages_with_the_person_at_any_date(age, estimated_on, day):
    person = Person(estimated_age=age, estimated_on=estimated_on)
    years = age + _whole_years(estimated_on, day)
    expected = years if years >= 0 else None  # before the estimated birth
    assert person.age_on(day) == expected
    assert person.is_minor_on(day) is (None if expected is None else expected < AGE_OF_MAJORITY)


@hypothesis_settings(max_examples=400, deadline=None)
@given(born=days, day=days, estimate=st.none() | st.integers(min_value=0, max_value=120))
def test_date_of_birth_decides_the_age_whenever_it_is_known(born, day, estimate):
    person = Person(estimated_age=estimate, estimated_on=born if estimate is not None else None)
    person.date_of_birth = born.isoformat()
    if day < born:
        assert person.age_on(day) is None
        assert person.is_minor_on(day) is None
    else:
        expected = _whole_years(born, day)
        assert person.age_on(day) == expected
        assert person.is_minor_on(day) is (expected < AGE_OF_MAJORITY)


def test_no_age_known_means_no_answer():
    person = Person()
    assert person.age_on(date(2020, 1, 1)) is None
    assert person.is_minor_on(date(2020, 1, 1)) is None
    person.estimated_age = 15  # an estimate without its date cannot age
    assert person.is_minor_on(date(2020, 1, 1)) is None


def test_a_recorded_estimate_is_dated_today_and_ages(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=17)
    person = reloaded(case)
    today = timezone.localdate()
    assert person.estimated_on == today
    assert person.is_minor_on(today) is True
    assert person.is_minor_on(_anniversary(today, 1)) is False
    assert person.is_minor_on(_anniversary(today, 1) - timedelta(days=1)) is True


def test_estimate_date_changes_only_when_the_estimate_does(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=30)
    Person.objects.filter(pk=case.person_id).update(estimated_on=date(2020, 1, 1))
    base = person_details(reloaded(case))
    person_update(
        actor=advocate, case=case, details=replace(base, gender="x"), covering=DETAIL_NAMES
    )
    assert reloaded(case).estimated_on == date(2020, 1, 1)
    person_update(
        actor=advocate, case=case, details=replace(base, estimated_age=31), covering=DETAIL_NAMES
    )
    assert reloaded(case).estimated_on == timezone.localdate()
    person_update(
        actor=advocate,
        case=case,
        details=replace(base, estimated_age=None),
        covering=["estimated_age"],
    )
    assert reloaded(case).estimated_on is None


def test_date_of_birth_and_estimate_together_are_refused_at_intake(advocate, team):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        record_intake(actor=advocate, team=team, date_of_birth=date(2000, 1, 1), estimated_age=20)
    assert set(refused.value.message_dict) == {"estimated_age"}
    assert "not both" in refused.value.message_dict["estimated_age"][0]
    assert counts() == before


def test_date_of_birth_and_estimate_together_are_refused_on_update(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=20)
    before = counts()
    with pytest.raises(ValidationError):
        person_update(
            actor=advocate,
            case=case,
            details=replace(person_details(reloaded(case)), date_of_birth=date(2000, 1, 1)),
            covering=DETAIL_NAMES,
        )
    assert counts() == before


def test_replacing_an_estimate_by_a_date_of_birth_works(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=20)
    changed = person_update(
        actor=advocate,
        case=case,
        details=replace(
            person_details(reloaded(case)), date_of_birth=date(2000, 1, 1), estimated_age=None
        ),
        covering=DETAIL_NAMES,
    )
    assert changed == ["date_of_birth", "estimated_age"]
    person = reloaded(case)
    assert (person.estimated_age, person.estimated_on) == (None, None)


def test_an_update_covering_only_the_date_of_birth_cannot_leave_both(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=20)
    with contextlib.suppress(ValidationError):
        person_update(
            actor=advocate,
            case=case,
            details=replace(person_details(reloaded(case)), date_of_birth=date(2000, 1, 1)),
            covering=["date_of_birth"],
        )
    person = reloaded(case)
    assert person.date_of_birth is None or person.estimated_age is None


# --- Field settings seen by the services ----------------------------------------------


def set_field(agency, field, mode, label=""):
    FieldSetting.objects.update_or_create(
        agency=agency, field=field, defaults={"mode": mode, "label": label}
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gender", "woman"),
        ("immigration_status", "asylum"),
        ("other_languages", ("eng",)),
        ("estimated_age", 30),
        ("address_confidentiality", False),
        ("language", "spa"),
        ("trafficking_type", "sex"),
    ],
)
def test_a_hidden_field_is_refused_with_a_value_and_accepted_blank(
    agency, advocate, team, field, value
):
    set_field(agency, field, FieldSetting.Mode.HIDDEN)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        intake_record(
            actor=advocate, team=team, danger="no", details=PersonDetails(**{field: value})
        )
    assert set(refused.value.message_dict) == {field}
    assert counts() == before
    case = intake_record(actor=advocate, team=team, danger="no", details=PersonDetails())
    with pytest.raises(ValidationError):
        person_update(
            actor=advocate,
            case=case,
            details=PersonDetails(**{field: value}),
            covering=[field],
        )


def test_hiding_the_interpreter_box_does_not_block_every_intake(agency, advocate, team):
    set_field(agency, "interpreter_needed", FieldSetting.Mode.HIDDEN)
    case = intake_record(actor=advocate, team=team, danger="no", details=PersonDetails())
    assert case.person.interpreter_needed is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "608-555-0111"),
        ("gender_group", "declined"),
        ("language", "som"),
        ("other_languages", ("eng",)),
        ("address_confidentiality", False),
        ("trafficking_type", "both"),
    ],
)
def test_a_required_field_is_enforced(agency, advocate, team, field, value):
    set_field(agency, field, FieldSetting.Mode.REQUIRED)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        intake_record(actor=advocate, team=team, danger="no", details=PersonDetails())
    assert set(refused.value.message_dict) == {field}
    assert counts() == before
    case = intake_record(
        actor=advocate, team=team, danger="no", details=PersonDetails(**{field: value})
    )
    with pytest.raises(ValidationError):
        person_update(actor=advocate, case=case, details=PersonDetails(), covering=[field])
    assert getattr(person_details(reloaded(case)), field) == value


def test_immigration_status_cannot_be_made_required(admin_user, agency):
    from haven.people.field_settings import field_settings_save

    with pytest.raises(ValidationError) as refused:
        field_settings_save(
            actor=admin_user, choices={"immigration_status": (FieldSetting.Mode.REQUIRED, "")}
        )
    assert set(refused.value.message_dict) == {"immigration_status"}
    assert not FieldSetting.objects.filter(agency=agency).exists()


# --- Bad input ------------------------------------------------------------------------

MEGABYTE = "A" * 1_000_000
THIRTEEN_LANGUAGES = (
    *("eng", "spa", "hmn", "som", "arb", "mya", "ksw"),
    *("npi", "prs", "pus", "ukr", "rus", "hat"),
)
BAD = [
    ("legal_name", MEGABYTE),
    ("preferred_name", "B" * 201),
    ("self_term", MEGABYTE),
    ("gender", "\u0627" * 201),
    ("dialect", "\U0001f600" * 201),
    ("phone", MEGABYTE),
    ("contact_notes", "n" * 2001),
    ("immigration_status", "refugee-ish"),
    ("immigration_status", "T_VISA"),
    ("gender_group", "female"),
    ("call_safety", "maybe"),
    ("text_safety", "SAFE"),
    ("voicemail_safety", "yes"),
    ("mail_safety", "1"),
    ("english_ability", "fluent"),
    ("trafficking_type", "organ"),
    ("language", "xx"),
    ("language", "en"),
    ("language", ""),
    ("other_languages", ("eng", "zzz")),
    ("reads", ("klingon",)),
    ("writes", ("",)),
    ("other_languages", tuple(["eng", "spa", "hmn", "som", "arb", "mya", "ksw"] * 2)),
    (
        "reads",
        THIRTEEN_LANGUAGES,
    ),
    ("aliases", tuple(f"Alias {n}" for n in range(21))),
    ("estimated_age", -1),
    ("estimated_age", 121),
    ("estimated_age", 10**6),
    ("date_of_birth", date(1899, 12, 31)),
    ("date_of_birth", date(2999, 1, 1)),
]


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}-{n}" for n, (f, _v) in enumerate(BAD)])
def test_bad_input_is_refused_on_its_field_and_writes_nothing(advocate, team, field, value):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        intake_record(
            actor=advocate, team=team, danger="no", details=PersonDetails(**{field: value})
        )
    assert set(refused.value.message_dict) == {field}
    assert all(refused.value.message_dict[field])
    assert counts() == before


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}-{n}" for n, (f, _v) in enumerate(BAD)])
def test_bad_input_on_update_is_refused_and_changes_nothing(full_case, advocate, field, value):
    before = counts()
    if field == "date_of_birth":
        details = full_details(date_of_birth=value)
    else:
        details = full_details(date_of_birth=None, **{field: value})
    with pytest.raises(ValidationError) as refused:
        person_update(actor=advocate, case=full_case, details=details, covering=DETAIL_NAMES)
    assert field in refused.value.message_dict
    assert counts() == before
    assert person_details(reloaded(full_case)) == full_details()


def test_a_danger_answer_outside_the_choices_writes_nothing(advocate, team):
    before = counts()
    with pytest.raises(ValidationError):
        intake_record(actor=advocate, team=team, danger="maybe", details=full_details())
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_name", "Null\x00byte"),
        ("preferred_name", "evil\u202egnp.exe"),
        ("gender", "\x1b[31mred"),
        ("dialect", "lone \ud800 surrogate"),
        ("aliases", (MEGABYTE,)),
    ],
)
def test_the_service_itself_refuses_text_no_form_would_accept(advocate, team, field, value):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        intake_record(
            actor=advocate, team=team, danger="no", details=PersonDetails(**{field: value})
        )
    assert field in refused.value.message_dict
    assert counts() == before


# --- The edit form --------------------------------------------------------------------


def form_data(details: PersonDetails, **changes) -> dict:
    """What the edit page posts back when shown ``details`` and given ``changes``."""
    data: dict = {}
    for name, value in {**initial_of(details), **changes}.items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = list(value)
        elif isinstance(value, date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def edit_url(case) -> str:
    return reverse("people:person_edit", args=[case.pk])


def test_the_edit_form_saves_a_change(client_for, advocate, full_case):
    client = client_for(advocate)
    data = form_data(full_details(), gender="two-spirit", version=reloaded(full_case).version)
    response = client.post(edit_url(full_case), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert person_details(reloaded(full_case)) == full_details(gender="two-spirit")
    [event] = changed_events()
    assert event.detail["fields"] == ["gender"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_name", MEGABYTE),
        ("gender", "\x00"),
        ("dialect", "evil\u202egnp"),
        ("phone", "5" * 41),
        ("contact_notes", "n" * 2001),
        ("aliases", "\n".join(f"Alias {n}" for n in range(21))),
        ("aliases", "ok\nbad\x07"),
        ("other_languages", ["eng", "zzz"]),
        ("reads", ["und"]),
        ("english_ability", "fluent"),
        ("immigration_status", "bogus"),
        ("estimated_age", "-1"),
        ("estimated_age", "twelve"),
        ("date_of_birth", "1990-02-30"),
    ],
)
def test_the_edit_form_refuses_bad_input_and_writes_nothing(
    client_for, advocate, full_case, field, value
):
    client = client_for(advocate)
    base = full_details(date_of_birth=None) if field == "estimated_age" else full_details()
    if field == "estimated_age":
        person_update(actor=advocate, case=full_case, details=base, covering=["date_of_birth"])
    expected = person_details(reloaded(full_case))
    events = len(changed_events())
    response = client.post(edit_url(full_case), form_data(base, **{field: value}))
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert person_details(reloaded(full_case)) == expected
    assert len(changed_events()) == events


def test_double_submission_of_the_edit_form_is_harmless(client_for, advocate, full_case):
    client = client_for(advocate)
    data = form_data(
        full_details(),
        aliases="Pebble\nStone",
        phone="920-555-0101",
        version=reloaded(full_case).version,
    )
    entries_after_first = None
    for _attempt in range(2):
        response = client.post(edit_url(full_case), data)
        assert response.status_code == 302
        if entries_after_first is None:
            entries_after_first = sorted(
                SearchEntry.objects.filter(person_id=full_case.person_id).values_list(
                    "kind", "digest"
                )
            )
    assert len(changed_events()) == 1
    assert Alias.objects.filter(person_id=full_case.person_id).count() == 2
    assert person_details(reloaded(full_case)).aliases == ("Pebble", "Stone")
    assert (
        sorted(
            SearchEntry.objects.filter(person_id=full_case.person_id).values_list("kind", "digest")
        )
        == entries_after_first
    )


def test_double_submission_of_the_staff_form_is_harmless(
    client_for, supervisor, advocate, full_case
):
    client = client_for(supervisor)
    url = reverse("people:case_staff", args=[full_case.pk])
    data = {"assigned": [advocate.pk], "restricted": "on", "named_staff": [supervisor.pk]}
    for _attempt in range(2):
        assert client.post(url, data).status_code == 302
    assert AuditEvent.objects.filter(action=Action.CASE_STAFF_CHANGED).count() == 1
    case = Case.objects.get(pk=full_case.pk)
    assert list(case.assigned.all()) == [advocate]
    assert list(case.named_staff.all()) == [supervisor]
    assert case.restricted


def test_a_stale_edit_form_does_not_undo_a_colleagues_change(
    client_for, advocate, supervisor, full_case
):
    """Two tabs both show the record at one version; the supervisor saves a new
    phone first, then the advocate saves the older page with only the gender
    changed. What happens: 409, the current record shown, nothing applied."""
    shown = full_details()
    version = reloaded(full_case).version
    person_update(
        actor=supervisor,
        case=full_case,
        details=full_details(phone="920-555-0199"),
        covering=["phone"],
    )
    events = len(changed_events())
    response = client_for(advocate).post(
        edit_url(full_case), form_data(shown, gender="agender", version=version)
    )
    assert response.status_code == 409
    assert b"920-555-0199" in response.content  # the page now shows the current values
    after = person_details(reloaded(full_case))
    assert after == full_details(phone="920-555-0199")
    assert len(changed_events()) == events


@pytest.mark.parametrize(
    "name",
    [
        "\u200f\u0623\u062d\u0645\u062f",  # a right-to-left mark first
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Flag",
    ],
)
def test_a_name_the_api_accepts_does_not_block_the_edit_form(client_for, advocate, team, name):
    case = record_intake(actor=advocate, team=team, preferred_name=name)
    details = person_details(reloaded(case))
    response = client_for(advocate).post(edit_url(case), form_data(details, phone="608-555-0100"))
    assert response.status_code == 302
    assert reloaded(case).phone == "608-555-0100"


def test_the_edit_form_hides_restricted_fields_from_no_one_who_may_edit(
    client_for, advocate, full_case
):
    page = client_for(advocate).get(edit_url(full_case))
    assert page.status_code == 200
    assert b'name="immigration_status"' in page.content


@pytest.mark.parametrize("persona", ["intake", "shelter", "admin", "auditor"])
def test_the_edit_page_is_404_for_roles_that_may_not_edit(
    client_for, all_personas, full_case, persona
):
    client = client_for(all_personas[persona])
    assert client.get(edit_url(full_case)).status_code == 404
    response = client.post(edit_url(full_case), form_data(full_details(), gender="x"))
    assert response.status_code == 404
    assert person_details(reloaded(full_case)) == full_details()
