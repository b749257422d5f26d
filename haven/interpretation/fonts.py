"""The fonts the printed language card needs, and which of them this server lacks.

WeasyPrint draws with the fonts fontconfig knows. A script with no font
prints as empty boxes, and nothing fails: the card must be checked for it.
Each script of the card (haven.interpretation.endonyms) names a family, the
same ones the card's stylesheet asks for (templates/interpretation/pdf/
card.html), and the Debian package that ships it. ``missing_fonts()`` asks
fontconfig whether a font of that family covers every letter the card
writes in that script; ``make run`` prints what it finds (``manage.py
check_fonts``), and a test holds the card to it.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from haven.core.languages import language_name
from haven.interpretation.endonyms import ENDONYMS, Endonym


@dataclass(frozen=True)
class ScriptFont:
    family: str
    package: str


_CORE = "fonts-noto-core"
_CJK = "fonts-noto-cjk"

#: ISO 15924 script → the family the card prints it in, and its Debian package.
SCRIPT_FONTS: dict[str, ScriptFont] = {
    "Latn": ScriptFont("Noto Sans", _CORE),
    "Cyrl": ScriptFont("Noto Sans", _CORE),
    "Arab": ScriptFont("Noto Naskh Arabic", _CORE),
    "Mymr": ScriptFont("Noto Sans Myanmar", _CORE),
    "Ethi": ScriptFont("Noto Sans Ethiopic", _CORE),
    "Deva": ScriptFont("Noto Sans Devanagari", _CORE),
    "Guru": ScriptFont("Noto Sans Gurmukhi", _CORE),
    "Beng": ScriptFont("Noto Sans Bengali", _CORE),
    "Gujr": ScriptFont("Noto Sans Gujarati", _CORE),
    "Taml": ScriptFont("Noto Sans Tamil", _CORE),
    "Thai": ScriptFont("Noto Sans Thai", _CORE),
    "Laoo": ScriptFont("Noto Sans Lao", _CORE),
    "Khmr": ScriptFont("Noto Sans Khmer", _CORE),
    "Hans": ScriptFont("Noto Sans CJK SC", _CJK),
    "Hant": ScriptFont("Noto Sans CJK HK", _CJK),
    "Jpan": ScriptFont("Noto Sans CJK JP", _CJK),
    "Kore": ScriptFont("Noto Sans CJK KR", _CJK),
}


@dataclass(frozen=True)
class MissingFont:
    script: str
    family: str
    package: str
    languages: tuple[str, ...]


def card_text(entry: Endonym) -> str:
    """Everything the card writes for one language in its own script."""
    return entry.endonym + entry.sentence


def _drawn(char: str) -> bool:
    # Letters, marks and digits, and any non-ASCII sign (the Devanagari
    # danda, the Urdu full stop); not the invisible joiners (format
    # characters), which no font needs to draw.
    category = unicodedata.category(char)
    return category[0] in "LMN" or (not char.isascii() and category != "Cf" and category[0] != "Z")


def covers(family: str, text: str) -> bool:
    """Whether fontconfig has a font of ``family`` that draws every letter,
    mark and digit of ``text`` (spaces and punctuation may come from any font)."""
    wanted = sorted({f"{ord(c):x}" for c in text if _drawn(c)})
    if not wanted or shutil.which("fc-list") is None:
        return not wanted
    pattern = f"{family}:charset={' '.join(wanted)}"
    found = subprocess.run(  # noqa: S603 (fixed program, no shell, our own text)
        ["fc-list", "-q", pattern],  # noqa: S607 (fc-list from PATH, like WeasyPrint's fontconfig)
        check=False,
        capture_output=True,
    )
    return found.returncode == 0


def missing_fonts(entries: Iterable[Endonym] = ENDONYMS) -> list[MissingFont]:
    """The scripts of the card this server cannot print, each with the
    package that would fix it and the languages it leaves as boxes."""
    by_script: dict[str, list[Endonym]] = {}
    for entry in entries:
        by_script.setdefault(entry.script, []).append(entry)
    missing = []
    for script, group in by_script.items():
        font = SCRIPT_FONTS.get(script)
        text = "".join(card_text(entry) for entry in group)
        if font is None or not covers(font.family, text):
            missing.append(
                MissingFont(
                    script=script,
                    family=font.family if font else "?",
                    package=font.package if font else "?",
                    languages=tuple(language_name(entry.code) for entry in group),
                )
            )
    return missing
