"""Checks on the protocol data files (screening indicators, Wisconsin counties).

The files are read straight from disk; no application code is imported.
"""

import csv
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "haven" / "protocol" / "data"
INDICATORS = DATA / "indicators.json"
COUNTIES = DATA / "wi_counties.csv"

LANGUAGES = ("eng", "spa")
SCREENINGS = ("adult", "youth")
LEVEL_CODES = ["none", "some", "strong"]
YOUTH_COMMERCIAL_SEX = "youth.commercial_sex"
BANNED = re.compile(r"\b(trafficked|trafficking|victims?|víctimas?|trata)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def indicators():
    with INDICATORS.open(encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def counties():
    with COUNTIES.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    return header, rows


def assert_translated(value, where):
    assert isinstance(value, dict), where
    assert set(value) == set(LANGUAGES), where
    for lang in LANGUAGES:
        assert isinstance(value[lang], str), (where, lang)
        assert value[lang].strip(), (where, lang)


def level_for(score, levels):
    reached = [level for level in levels if score >= level["min"]]
    return reached[-1]["code"]


def strong_min(levels):
    return next(level["min"] for level in levels if level["code"] == "strong")


# --- indicators.json -------------------------------------------------------


def test_top_level_shape(indicators):
    assert indicators["version"] == 1
    assert set(indicators) == {"version", "notes", "screenings", "levels"}
    assert isinstance(indicators["notes"], str)
    assert "not a determination" in indicators["notes"]
    assert set(indicators["screenings"]) == set(SCREENINGS)


@pytest.mark.parametrize("name", SCREENINGS)
def test_screening_shape(indicators, name):
    screening = indicators["screenings"][name]
    assert set(screening) == {"title", "questions"}
    assert_translated(screening["title"], f"{name}.title")
    for question in screening["questions"]:
        assert set(question) == {"code", "area", "text", "weight"}, question
        assert isinstance(question["area"], str)
        assert question["area"].strip()
        assert_translated(question["text"], question["code"])
        weight = question["weight"]
        assert isinstance(weight, int)
        assert not isinstance(weight, bool)
        assert 1 <= weight <= 3, question["code"]


def test_question_counts(indicators):
    assert 12 <= len(indicators["screenings"]["adult"]["questions"]) <= 16
    assert 10 <= len(indicators["screenings"]["youth"]["questions"]) <= 14


def test_codes_unique_and_prefixed(indicators):
    seen = set()
    for name in SCREENINGS:
        for question in indicators["screenings"][name]["questions"]:
            code = question["code"]
            assert re.fullmatch(rf"{name}\.[a-z][a-z0-9_]*", code), code
            assert code not in seen, code
            seen.add(code)


@pytest.mark.parametrize("name", SCREENINGS)
def test_questions_are_short_yes_no_questions(indicators, name):
    for question in indicators["screenings"][name]["questions"]:
        for lang in LANGUAGES:
            text = question["text"][lang]
            assert text.rstrip().endswith("?"), (question["code"], lang)
            assert len(text) <= 160, (question["code"], lang)
        assert "¿" in question["text"]["spa"], question["code"]


def test_levels(indicators):
    levels = indicators["levels"]
    assert [level["code"] for level in levels] == LEVEL_CODES
    assert levels[0]["min"] == 0
    mins = [level["min"] for level in levels]
    assert all(isinstance(m, int) for m in mins)
    assert mins == sorted(mins)
    assert len(set(mins)) == len(mins)
    for level in levels:
        assert set(level) == {"code", "min", "label", "next"}
        assert_translated(level["label"], f"{level['code']}.label")
        assert_translated(level["next"], f"{level['code']}.next")


def test_youth_commercial_sex_alone_is_strong(indicators):
    questions = {q["code"]: q for q in indicators["screenings"]["youth"]["questions"]}
    assert YOUTH_COMMERCIAL_SEX in questions
    weight = questions[YOUTH_COMMERCIAL_SEX]["weight"]
    assert weight >= strong_min(indicators["levels"])
    assert level_for(weight, indicators["levels"]) == "strong"


@pytest.mark.parametrize("name", SCREENINGS)
def test_maximum_score_is_strong(indicators, name):
    total = sum(q["weight"] for q in indicators["screenings"][name]["questions"])
    assert level_for(total, indicators["levels"]) == "strong"


@pytest.mark.parametrize("name", SCREENINGS)
def test_any_single_yes_is_not_none(indicators, name):
    for question in indicators["screenings"][name]["questions"]:
        assert level_for(question["weight"], indicators["levels"]) != "none", question["code"]


def test_no_labels_in_person_facing_text(indicators):
    for name in SCREENINGS:
        screening = indicators["screenings"][name]
        texts = [screening["title"]] + [q["text"] for q in screening["questions"]]
        for text in texts:
            for lang in LANGUAGES:
                assert not BANNED.search(text[lang]), text[lang]


def test_banned_pattern_matches_whole_words_only():
    assert BANNED.search("Were you TRAFFICKED?")
    assert BANNED.search("¿Es usted una víctima?")
    assert BANNED.search("la trata de personas")
    assert not BANNED.search("¿Le han tratado mal?")
    assert not BANNED.search("a victimless question")


# --- wi_counties.csv -------------------------------------------------------


def test_counties_header_and_count(counties):
    header, rows = counties
    assert header == ["fips", "name"]
    assert len(rows) == 72
    assert all(len(row) == 2 for row in rows)


def test_counties_unique_and_well_formed(counties):
    _, rows = counties
    codes = [code for code, _ in rows]
    names = [name for _, name in rows]
    assert len(set(codes)) == 72
    assert len(set(names)) == 72
    for code, name in rows:
        assert re.fullmatch(r"55\d{3}", code), code
        assert name == name.strip()
        assert name
        assert "county" not in name.lower(), name


def test_county_codes_odd_plus_menominee(counties):
    _, rows = counties
    codes = [code for code, _ in rows]
    assert codes == sorted(codes)
    expected = {f"55{n:03d}" for n in range(1, 142, 2)} | {"55078"}
    assert len(expected) == 72
    assert set(codes) == expected
    assert dict(rows)["55078"] == "Menominee"


def test_odd_codes_follow_alphabetical_order(counties):
    _, rows = counties
    odd_names = [name for code, name in rows if int(code[2:]) % 2 == 1]
    assert len(odd_names) == 71

    def sort_key(name):
        return name.lower().replace("st. ", "saint ")

    assert odd_names == sorted(odd_names, key=sort_key)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("55001", "Adams"),
        ("55003", "Ashland"),
        ("55009", "Brown"),
        ("55025", "Dane"),
        ("55039", "Fond du Lac"),
        ("55063", "La Crosse"),
        ("55078", "Menominee"),
        ("55079", "Milwaukee"),
        ("55109", "St. Croix"),
        ("55133", "Waukesha"),
        ("55141", "Wood"),
    ],
)
def test_county_spot_checks(counties, code, name):
    _, rows = counties
    assert dict(rows)[code] == name
