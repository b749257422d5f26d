# Cyrillic letters, on purpose: the transliteration tables below spell them.
# ruff: noqa: RUF001, RUF002
"""Figures: what visitor screening's way of reading names catches, and what
it costs in false alerts (docs/adr/0016-staff-safety.md).

Not a test: it measures, without a database (the matching rule of
haven.safety.screening on the normal forms, before the digests). Run with
``HAVEN_ENV=test .venv/bin/python bench/screening_spellings.py``.

* **Recall**: Russian and Ukrainian names (synthetic, from Faker) written
  in Latin letters the English way, then the German and the French way
  (the three transliterations US agencies meet most for these names); and
  the same names typed with one look-alike letter from another keyboard, or
  with punctuation between the words. A pair is caught if the second
  spelling matches the first.
* **False alerts**: 60 persons of concern against 20,000 visitors with other
  names, drawn from the locales of a US caseload (English, Spanish, Slavic,
  Arabic, Vietnamese, Chinese, Hindi...); a visitor who matches a person
  of concern whose name is not theirs is a false alert.

Each figure is given for the rules before (``people search's``) and now.
"""

from __future__ import annotations

import os
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_ENV", "test")

import django

django.setup()

from faker import Faker  # noqa: E402

from haven.core.crypto import fold  # noqa: E402
from haven.people.normalize import name_forms, sound_key  # noqa: E402
from haven.safety.names import name_keys, name_readings  # noqa: E402

# A way to read a name: its exact forms, and the sound keys of each reading.
Reader = tuple[Callable[[str], set[str]], Callable[[str], list[list[str]]]]

_OLD_BREAK = re.compile(r"[\s\-'\u2019.,]+")


def _old_keys(name: str) -> set[str]:
    forms = name_forms(name)
    return forms | {form.replace(" ", "") for form in forms}


def _old_readings(name: str) -> list[list[str]]:
    keys = [sound_key(word) for word in _OLD_BREAK.split(fold(name))]
    found = list(dict.fromkeys(k for k in keys if k))
    return [found] if found else []


BEFORE: Reader = (_old_keys, _old_readings)
NOW: Reader = (name_keys, name_readings)
Read = tuple[set[str], list[frozenset[str]]]


def _read(reader: Reader, name: str, seen: dict[tuple[int, str], Read]) -> Read:
    found = seen.get((id(reader), name))
    if found is None:
        readings = [frozenset(sounds) for sounds in reader[1](name)]
        found = seen[(id(reader), name)] = (reader[0](name), readings)
    return found


def matches(
    reader: Reader, recorded: str, given: str, seen: dict[tuple[int, str], Read] | None = None
) -> bool:
    """haven.safety.screening.screen's rule, for one name against one:
    an exact form in common, or the same sound keys in any order, or two
    words of one reading sounding alike."""
    seen = {} if seen is None else seen
    their_keys, theirs = _read(reader, recorded, seen)
    our_keys, ours = _read(reader, given, seen)
    if their_keys & our_keys:
        return True
    return any(a == b or len(a & b) >= 2 for a in theirs for b in ours)


# --- Three ways to write a Russian or Ukrainian name in Latin letters ---

_COMMON = {
    "а": "a", "б": "b", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ф": "f",
    "ъ": "", "ь": "", "ы": "y", "э": "e", "е": "e", "ё": "e", "і": "i", "ї": "i",
    "є": "ie", "ґ": "g",
}  # fmt: skip
ENGLISH = {**_COMMON, "в": "v", "ж": "zh", "й": "y", "у": "u", "х": "kh", "ц": "ts",
           "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"}  # fmt: skip
GERMAN = {**_COMMON, "в": "w", "ж": "sch", "й": "j", "у": "u", "х": "ch", "ц": "z",
          "ч": "tsch", "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja"}  # fmt: skip
FRENCH = {**_COMMON, "в": "v", "ж": "j", "й": "i", "у": "ou", "х": "kh", "ц": "ts",
          "ч": "tch", "ш": "ch", "щ": "chtch", "ю": "iou", "я": "ia"}  # fmt: skip


def spell(name: str, table: dict[str, str], *, final_v: str, final_iy: str) -> str:
    """``name`` in Latin letters by ``table``; "в" ending a word after "о" or
    "е" spelt ``final_v`` ("Volkov", "Wolkow", "Volkoff"), a final "ий"
    spelt ``final_iy`` ("Dmitriy", "Dmitrij", "Dmitri")."""
    words = []
    for word in name.lower().split():
        ending = ""
        if re.search("[ое]в$", word):
            word, ending = word[:-1], final_v
        elif word.endswith("ий"):
            word, ending = word[:-2], final_iy
        words.append(("".join(table.get(char, char) for char in word) + ending).title())
    return " ".join(words)


def slavic_names(count: int) -> list[str]:
    names: list[str] = []
    for locale in ("ru_RU", "uk_UA"):
        fake = Faker(locale)
        fake.seed_instance(21)
        names += [f"{fake.first_name_male()} {fake.last_name_male()}" for _ in range(count // 2)]
    return names


def spelling_pairs(count: int) -> dict[str, list[tuple[str, str]]]:
    names = slavic_names(count)
    english = [spell(n, ENGLISH, final_v="v", final_iy="iy") for n in names]
    others = {
        "English / German": (GERMAN, "w", "ij"),
        "English / French": (FRENCH, "ff", "i"),
        "English / English with -off and -y": (ENGLISH, "ff", "y"),
    }
    return {
        label: [
            (e, spell(n, table, final_v=final_v, final_iy=final_iy))
            for e, n in zip(english, names, strict=True)
        ]
        for label, (table, final_v, final_iy) in others.items()
    }


# Latin letters and the Cyrillic or Greek letter that looks like each.
_LOOK = {"a": "\u0430", "o": "\u043e", "e": "\u0435", "p": "\u0440", "c": "\u0441",
         "H": "\u041d", "P": "\u03a1", "K": "\u039a", "x": "\u0445"}  # fmt: skip


def look_alike(name: str, rng: random.Random) -> str:
    spots = [i for i, char in enumerate(name) if char in _LOOK]
    if not spots:
        return name
    at = rng.choice(spots)
    return name[:at] + _LOOK[name[at]] + name[at + 1 :]


def punctuated(name: str, rng: random.Random) -> str:
    words = name.split()
    joiner = rng.choice(["/", ",", ".", "_", ";", "\u00b7", "\u2010"])
    return joiner.join(reversed(words) if rng.random() < 0.5 else words)


def caseload(count: int, seed: int) -> list[str]:
    """Full names from the locales of a US caseload, most of them English or Spanish."""
    weights = {
        "en_US": 40, "es_MX": 25, "ru_RU": 5, "uk_UA": 3, "pl_PL": 3, "ar_AA": 5,
        "vi_VN": 4, "zh_CN": 4, "hi_IN": 3, "fr_FR": 2, "pt_BR": 3, "ko_KR": 3,
    }  # fmt: skip
    rng = random.Random(seed)  # noqa: S311 (synthetic names, not a secret)
    fakers = {locale: Faker(locale) for locale in weights}
    for offset, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + offset)
    locales = rng.choices(list(weights), weights=list(weights.values()), k=count)
    return [f"{fakers[loc].first_name()} {fakers[loc].last_name()}" for loc in locales]


def main() -> None:
    rng = random.Random(21)  # noqa: S311 (synthetic names, not a secret)
    readers = {"before": BEFORE, "now": NOW}
    print("Recall: a second spelling of the same name matches the first")
    pairs = spelling_pairs(400)
    english = [first for first, _ in pairs["English / German"]]
    pairs["one look-alike letter"] = [(n, look_alike(n, rng)) for n in english]
    pairs["punctuation between the words"] = [(n, punctuated(n, rng)) for n in english]
    for label, found in pairs.items():
        shown = ", ".join(
            f"{name} {sum(matches(reader, a, b) for a, b in found) / len(found):.1%}"
            for name, reader in readers.items()
        )
        print(f"  {label} ({len(found)} names, e.g. {found[7][0]!r} / {found[7][1]!r}): {shown}")
    concerns = caseload(60, seed=1)
    visitors = [v for v in caseload(20_000, seed=2) if v not in concerns]
    print(f"False alerts: {len(visitors)} visitors against {len(concerns)} persons of concern")
    seen: dict[tuple[int, str], Read] = {}
    for name, reader in readers.items():
        alerted = [v for v in visitors if any(matches(reader, c, v, seen) for c in concerns)]
        print(f"  {name}: {len(alerted)} visitors alerted ({len(alerted) / len(visitors):.2%})")


if __name__ == "__main__":
    main()
