"""Screening visitors against the persons of concern: by blind index only,
exact across case, accents and script, close under another spelling or
another order, never on one shared word, never across agencies."""

from __future__ import annotations

import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from haven.audit.models import Action, AuditEvent
from haven.people.normalize import plate_form, sound_key
from haven.safety import services
from haven.safety.models import ConcernIndex, PersonOfConcern, Visit, VisitorAlert
from haven.safety.names import name_sounds, name_words, word_sound
from haven.safety.screening import screen

pytestmark = pytest.mark.django_db

DB_PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def keep(actor, name: str, **values) -> PersonOfConcern:
    return services.concern_save(actor=actor, values=services.ConcernValues(name=name, **values))


def matches(agency, name: str, plate: str = "") -> tuple[set, bool]:
    found = screen(agency.pk, name=name, plate=plate)
    return set(found.concern_ids), found.exact


# --- Sound keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Viktor", "Victor"),
        ("Petrenko", "Petrenco"),
        ("Mohammed", "Muhammad"),
        ("Mohammed", "Mohamed"),
        ("Philip", "Filip"),
        ("Ahmad", "Ahmed"),
        ("Hassan", "Hasan"),
        ("Katarzyna", "Catarzina"),
        ("Nowak", "Novak"),
        ("Jon", "John"),
        ("Smith", "Smyth"),
        ("José", "Jose"),
        ("Виктор", "Viktor"),
        ("Айгуль", "Aigul"),
    ],
)
def test_two_spellings_of_one_name_share_a_sound_key(one, other):
    assert sound_key(one) == sound_key(other) != ""


@pytest.mark.parametrize(
    ("one", "other"),
    [("Viktor", "Lima"), ("Petrenko", "Petrov"), ("Smith", "Schmidt"), ("Ana", "Ivan")],
)
def test_different_names_have_different_sound_keys(one, other):
    assert sound_key(one) != sound_key(other)


def test_a_word_without_letters_has_no_sound_key():
    assert sound_key("") == ""
    assert sound_key("1234 -- ..") == ""
    assert name_sounds("  - ' . ,  ") == []


def test_name_sounds_keep_each_word_once_in_order():
    assert name_sounds("Viktor Petrenko-Viktor") == [sound_key("Viktor"), sound_key("Petrenko")]


@given(st.text())
def test_a_sound_key_is_plain_latin_letters(word):
    assert set(sound_key(word)) <= set(string.ascii_lowercase)


@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=20))
def test_a_sound_key_ignores_case(word):
    assert sound_key(word.upper()) == sound_key(word.lower()) == sound_key(word)


@given(
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=12),
    st.lists(st.sampled_from("\u0300\u0301\u0302\u0303\u0308\u030a\u030c\u0327"), max_size=3),
)
def test_a_sound_key_ignores_accents(word, marks):
    accented = word[0] + "".join(marks) + word[1:]
    assert sound_key(accented) == sound_key(word)


WORD = st.text(alphabet=string.ascii_letters + "ÀÉÎÕÜàéîõüçñ", min_size=1, max_size=12)


@given(st.lists(WORD, min_size=1, max_size=5))
def test_name_sounds_do_not_depend_on_the_order_of_words(words):
    assert set(name_sounds(" ".join(words))) == set(name_sounds(" ".join(reversed(words))))


@given(st.lists(st.text(alphabet=string.ascii_letters + string.digits, min_size=1), min_size=1))
def test_a_plate_is_its_letters_and_digits_whatever_the_separators(parts):
    form = plate_form("-".join(parts))
    assert form == plate_form(" ".join(p.lower() for p in parts)) == "".join(parts).upper()
    assert plate_form(form) == form


# --- Screening: what matches ----------------------------------------------------------


@pytest.mark.parametrize(
    "given_name",
    [
        "Viktor Petrenko",
        "viktor petrenko",
        "  VIKTOR   PETRENKO ",
        "Виктор Петренко",  # Russian
        "Віктор Петренко",  # Ukrainian
        "Ｖｉｋｔｏｒ Ｐｅｔｒｅｎｋｏ",  # noqa: RUF001 (full width, on purpose)
    ],
)
def test_the_same_name_matches_exactly_across_case_width_and_script(advocate, agency, given_name):
    concern = keep(advocate, "Viktor Petrenko")
    assert matches(agency, given_name) == ({concern.pk}, True)


@pytest.mark.parametrize("given_name", ["Jose Alvarez", "JOSÉ ÁLVAREZ", "José Álvarez"])
def test_accents_do_not_matter_either_way(advocate, agency, given_name):
    accented = keep(advocate, "José Álvarez")
    plain = keep(advocate, "Jose Alvarez")
    assert matches(agency, given_name) == ({accented.pk, plain.pk}, True)


def test_a_name_recorded_in_cyrillic_matches_its_latin_spelling(advocate, agency):
    concern = keep(advocate, "Виктор Петренко")
    assert matches(agency, "Viktor Petrenko") == ({concern.pk}, True)


@pytest.mark.parametrize(
    ("recorded", "given_name"),
    [
        ("Viktor Petrenko", "Victor Petrenco"),
        ("Mohammed Haddad", "Muhammad Hadad"),
        ("Ahmad Hassan", "Ahmed Hasan"),
        ("Katarzyna Nowak", "Catarzina Novak"),
        ("Viktor Petrenko", "Виктор Петренко-Младший"),  # two words of it, and more
        ("Viktor Petrenko", "Victor Petrenco Junior"),
    ],
)
def test_a_different_spelling_matches_closely(advocate, agency, recorded, given_name):
    concern = keep(advocate, recorded)
    assert matches(agency, given_name) == ({concern.pk}, False)


@pytest.mark.parametrize("given_name", ["Petrenko Viktor", "Petrenco, Victor", "PETRENKO-Viktor"])
def test_the_order_of_the_words_does_not_matter(advocate, agency, given_name):
    concern = keep(advocate, "Viktor Petrenko")
    assert matches(agency, given_name) == ({concern.pk}, False)


def test_each_alias_is_a_name_of_its_own(advocate, agency):
    concern = keep(advocate, "Viktor Petrenko", aliases="Ivan Sokolov\nThe Driver\n")
    assert matches(agency, "Ivan Sokolov") == ({concern.pk}, True)
    assert matches(agency, "the  DRIVER") == ({concern.pk}, True)
    assert matches(agency, "Iwan Sokolow") == ({concern.pk}, False)
    # Two words, but one from the name and one from an alias: not one name.
    assert matches(agency, "Viktor Sokolov") == (set(), False)
    assert matches(agency, "Ivan Petrenko") == (set(), False)


def test_a_plate_matches_whatever_its_separators(advocate, agency):
    concern = keep(advocate, "Viktor Petrenko", plates="KX-4417\nAB 12 CD")
    for plate in ("KX-4417", "kx 4417", "KX4417", " k x - 4 4 1 7 ", "ab12cd"):
        assert matches(agency, "Ana Lima", plate) == ({concern.pk}, True)
    assert matches(agency, "Ana Lima", "KX-4418") == (set(), False)
    assert matches(agency, "Ana Lima", " - ") == (set(), False)


def test_several_persons_of_concern_can_match_at_once(advocate, agency):
    by_name = keep(advocate, "Viktor Petrenko")
    by_plate = keep(advocate, "Somebody Else", plates="KX-4417")
    assert matches(agency, "Victor Petrenco", "kx4417") == ({by_name.pk, by_plate.pk}, True)


# --- How screening reads a name: punctuation, look-alike letters, transliteration ---------


def test_words_are_split_at_punctuation_and_joined_at_apostrophes():
    assert name_words("Petrenko/Viktor") == ["petrenko", "viktor"]
    assert name_words("(Viktor)\u00b7[Petrenko]_Jr.") == ["viktor", "petrenko", "jr"]
    assert name_words("Viktor\u2010Petrenko") == ["viktor", "petrenko"]
    assert name_words("Sean O'Brien") == name_words("Sean O\u2019Brien") == ["sean", "obrien"]
    assert name_words("  - ' . ,  \u0301 ") == []


def test_a_look_alike_letter_is_read_as_latin_only_inside_a_latin_word():
    # A Cyrillic capital Er (it looks like P, sounds like R) inside a Latin word...
    assert name_words("\u0420etrenko") == ["petrenko"]
    # ...but a word all in Cyrillic is read by its sound.
    assert name_sounds("\u0420\u0435\u0442\u0440\u0435\u043d\u043a\u043e") == [
        word_sound("Retrenko")
    ]
    assert name_sounds("Виктор Петренко") == name_sounds("Viktor Petrenko")


def test_punctuation_inside_a_name_does_not_hide_it(advocate, agency):
    viktor = keep(advocate, "Viktor Petrenko")
    sean = keep(advocate, "Sean OBrien")
    anna = keep(advocate, "Anna Quell-Marsh")
    missed = [
        given
        for given, wanted in [
            ("Petrenko/Viktor", viktor),
            ("Petrenko,Viktor", viktor),
            ("Viktor.Petrenko", viktor),
            ("Viktor_Petrenko", viktor),
            ("Petrenko;Viktor", viktor),
            ("(Viktor) [Petrenko]", viktor),
            ("Shaun O'Brien", sean),
            ("Shaun O\u2019Brien", sean),
            ("Anna Quell Marsh", anna),
            ("Anna Quellmarsh", anna),
            ("Quell-Marsh/Anna", anna),
        ]
        if wanted.pk not in screen(agency.pk, name=given).concern_ids
    ]
    assert missed == []


def test_a_look_alike_letter_from_another_alphabet_does_not_hide_a_latin_name(advocate, agency):
    concern = keep(advocate, "Viktor Petrenko", aliases="Ivan Volkov\nHector Casas")
    missed = [
        given
        for given in (
            "Ivan V\u043elkov",  # Cyrillic o
            "Iv\u0430n Volkov",  # Cyrillic a
            "Ivan V\u03bflkov",  # Greek omicron
            "Viktor \u0420etrenko",  # Cyrillic Er: looks like P, reads R
            "Viktor \u03a1etrenko",  # Greek Rho
            "VIKTOR \u0420ETRENKO",
            "\u041dector Casas",  # Cyrillic En: looks like H, reads N
            "Hector \u0421asas",  # Cyrillic Es: looks like C, reads S
        )
        if matches(agency, given) != ({concern.pk}, True)
    ]
    assert missed == []


# Names of persons of concern, each with spellings of it that the front desk
# meets: English, German and French transliterations of Russian and
# Ukrainian names, Arabic names written the French or the Russian way.
TRANSLITERATIONS = [
    ("Ivan Volkov", "Ivan Volkoff"),
    ("Ivan Volkov", "Iwan Wolkow"),
    ("Dmitriy Sokolov", "Dmitrij Sokolow"),
    ("Dmitriy Sokolov", "Dmitry Sokoloff"),
    ("Sergey Medvedev", "Sergej Medwedew"),
    ("Sergey Medvedev", "Sergei Medvedeff"),
    ("Yuri Polyakov", "Juri Poljakow"),
    ("Yuri Polyakov", "Iouri Poliakoff"),
    ("Aleksandr Shubin", "Alexander Schubin"),
    ("Aleksandr Shubin", "Alexandre Choubine"),
    ("Pavel Chernov", "Pawel Tschernow"),
    ("Pavel Chernov", "Pavel Tchernoff"),
    ("Mikhail Kharitonov", "Michail Charitonow"),
    ("Oumar Diallo", "Umar Diallo"),
    ("Jamal Nazarov", "Dzhamal Nazaroff"),
    ("Jamal Nazarov", "Djamal Nasarow"),
    ("Philipp Kravitz", "Filip Krawits"),
]


def test_common_transliterations_of_a_name_match_it(advocate, agency):
    kept = {recorded: keep(advocate, recorded) for recorded in dict(TRANSLITERATIONS)}
    missed = [
        (recorded, given)
        for recorded, given in TRANSLITERATIONS
        if kept[recorded].pk not in screen(agency.pk, name=given).concern_ids
    ]
    assert missed == []


@pytest.mark.parametrize(
    "given",
    [
        "Ivan Petrov",  # the first name alone
        "Oleg Volkoff",  # the surname alone, spelt another way
        "Juri Smirnov",
        "Sergej Ivanov",
        "Choubin",
        "Dmitri",
    ],
)
def test_a_transliterated_word_alone_is_still_not_a_match(advocate, agency, given):
    keep(advocate, "Ivan Volkov", aliases="Yuri Shubin\nSergey Chernov\nDmitriy Sokolov")
    assert matches(agency, given) == (set(), False)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # A Spanish "j" after a vowel is its own sound, not a German "y".
        ("Rojas", "Reyes"),
        ("Mejia", "Mia"),
        # Only a doubled "ff" ends a name like "-ov".
        ("Graf", "Grav"),
        ("Wolf", "Wolv"),
        # "Kh" keeps reading like "k" and "ch": "Khan" is not "Han".
        ("Khan", "Han"),
    ],
)
def test_the_transliteration_pairs_stay_narrow(one, other):
    assert word_sound(one) != word_sound(other)


# --- Screening: what does not match -----------------------------------------------------


@pytest.mark.parametrize(
    "given_name",
    [
        "Viktor",  # the first name alone
        "Victor",
        "Petrenko",  # the surname alone
        "Viktor Lima",  # one shared first name
        "Viktor Petrov",  # a different surname
        "Ana Petrenko",
        "Petr Viktorov",
        "",
        "   ",
    ],
)
def test_one_shared_word_is_not_a_match(advocate, agency, given_name):
    keep(advocate, "Viktor Petrenko", aliases="Ivan Sokolov")
    assert matches(agency, given_name) == (set(), False)


def test_another_agencys_concern_never_matches(advocate, outsider, agency, other_agency):
    theirs = keep(outsider, "Viktor Petrenko", plates="KX-4417")
    assert matches(agency, "Viktor Petrenko", "KX-4417") == (set(), False)
    assert matches(agency, "Victor Petrenco") == (set(), False)
    assert matches(other_agency, "Viktor Petrenko") == ({theirs.pk}, True)
    ours = keep(advocate, "Viktor Petrenko")
    assert matches(agency, "Viktor Petrenko") == ({ours.pk}, True)
    assert matches(other_agency, "Viktor Petrenko") == ({theirs.pk}, True)


def test_the_same_name_gives_different_digests_in_two_agencies(advocate, outsider):
    keep(advocate, "Viktor Petrenko")
    keep(outsider, "Viktor Petrenko")
    ours = set(ConcernIndex.objects.filter(agency=advocate.agency).values_list("digest", flat=True))
    theirs = set(
        ConcernIndex.objects.filter(agency=outsider.agency).values_list("digest", flat=True)
    )
    assert ours
    assert theirs
    assert not ours & theirs


# --- After changes ------------------------------------------------------------------------


def test_an_alias_dropped_in_an_edit_no_longer_matches(advocate, supervisor, agency):
    concern = keep(
        advocate, "Viktor Petrenko", aliases="Ivan Sokolov\nThe Driver", plates="KX-4417"
    )
    services.concern_save(
        actor=supervisor,
        concern_id=concern.pk,
        version=concern.version,
        values=services.ConcernValues(name="Viktor Petrenko", aliases="The Driver"),
    )
    assert matches(agency, "Ivan Sokolov") == (set(), False)
    assert matches(agency, "Iwan Sokolow") == (set(), False)
    assert matches(agency, "Someone", "KX-4417") == (set(), False)
    assert matches(agency, "The Driver") == ({concern.pk}, True)
    assert matches(agency, "Viktor Petrenko") == ({concern.pk}, True)


def test_a_renamed_concern_matches_only_the_new_name(advocate, agency):
    concern = keep(advocate, "Viktor Petrenko")
    services.concern_save(
        actor=advocate,
        concern_id=concern.pk,
        version=concern.version,
        values=services.ConcernValues(name="Oleg Marchuk"),
    )
    assert matches(agency, "Viktor Petrenko") == (set(), False)
    assert matches(agency, "Victor Petrenco") == (set(), False)
    assert matches(agency, "Oleg Marchuk") == ({concern.pk}, True)


def test_nothing_matches_a_removed_concern(advocate, agency):
    concern = keep(advocate, "Viktor Petrenko", aliases="Ivan Sokolov", plates="KX-4417")
    services.concern_remove(actor=advocate, concern_id=concern.pk)
    for name, plate in [
        ("Viktor Petrenko", ""),
        ("Victor Petrenco", ""),
        ("Petrenko Viktor", ""),
        ("Ivan Sokolov", ""),
        ("Ana Lima", "KX-4417"),
    ]:
        assert matches(agency, name, plate) == (set(), False)
    assert not ConcernIndex.objects.exists()


# --- Through the front desk ---------------------------------------------------------


def test_an_exact_match_raises_an_exact_alert_and_the_visit_says_only_flagged(
    advocate, intake, supervisor
):
    concern = keep(advocate, "Viktor Petrenko", plates="KX-4417")
    visit = services.visit_check_in(
        actor=intake,
        values=services.VisitValues(name_given="VIKTOR PETRENKO", asking_for="Reception"),
    )
    assert visit.flagged
    alert = VisitorAlert.objects.get(visit=visit)
    assert alert.exact
    assert list(alert.concerns.all()) == [concern]
    raised = AuditEvent.objects.get(action=Action.VISITOR_ALERT_RAISED)
    assert raised.detail["exact"] is True
    assert raised.detail["matches"] == 1
    assert raised.detail["recipients"] == [supervisor.pk]
    # The audit trail says a match happened, never who matched.
    assert str(concern.pk) not in str(raised.detail)
    checked_in = AuditEvent.objects.get(action=Action.VISITOR_CHECKED_IN)
    assert checked_in.detail == {"flagged": True}


def test_a_visitor_who_matches_nothing_raises_no_alert(advocate, intake):
    keep(advocate, "Viktor Petrenko", plates="KX-4417")
    visit = services.visit_check_in(
        actor=intake, values=services.VisitValues(name_given="Viktor Lima", plate="KX-4418")
    )
    assert not visit.flagged
    assert not VisitorAlert.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.VISITOR_ALERT_RAISED).exists()


# --- Properties -------------------------------------------------------------------------


@DB_PROPERTY
@given(name=st.text(max_size=300), plate=st.text(max_size=40))
def test_screening_never_fails_whatever_is_typed(agency, advocate, name, plate):
    found = screen(agency.pk, name=name, plate=plate)
    assert isinstance(found.exact, bool)
    assert found.concern_ids <= set(PersonOfConcern.objects.values_list("pk", flat=True))


@DB_PROPERTY
@given(name=st.text(max_size=250), plate=st.text(max_size=40))
def test_checking_in_any_text_is_recorded_or_refused_never_an_error(intake, settings, name, plate):
    # Every example is one more check-in by the same desk: the hourly limit is not the point.
    settings.HAVEN_CHECKINS_PER_HOUR = 10_000
    visits = Visit.objects.count()
    try:
        visit = services.visit_check_in(
            actor=intake, values=services.VisitValues(name_given=name, plate=plate)
        )
    except ValidationError as error:
        refusal = error
    else:
        assert Visit.objects.count() == visits + 1
        assert Visit.objects.get(pk=visit.pk).name_given == " ".join(name.split())
        return
    assert all(m.strip() for m in refusal.messages)
    assert Visit.objects.count() == visits


NAME_WORD = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Lo"], max_codepoint=0x2FFF),
    min_size=1,
    max_size=12,
)


@DB_PROPERTY
@given(words=st.lists(NAME_WORD, min_size=1, max_size=4))
def test_a_concern_always_matches_its_own_name_exactly(advocate, agency, words):
    name = " ".join(words)
    concern = keep(advocate, name)
    found = screen(agency.pk, name=name.upper() if name.isascii() else name)
    assert concern.pk in found.concern_ids
    assert found.exact


@DB_PROPERTY
@given(
    first=st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=10),
    last=st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=10),
)
def test_a_concern_always_matches_its_name_words_in_the_other_order(advocate, agency, first, last):
    assume(sound_key(first) and sound_key(last))
    concern = keep(advocate, f"{first} {last}")
    found = screen(agency.pk, name=f"{last.title()} {first.title()}")
    assert concern.pk in found.concern_ids
