"""Language codes in the directory. HSDS allows ISO 639-1 (two letters) or
639-3 (three); Haven records people's languages in 639-3. A filter for a
language finds a partner's services under either code."""

from __future__ import annotations

import re

from haven.core.languages import CODES, language_name

# ISO 639-1 codes of the languages Haven offers (haven/core/languages.py),
# with the 639-3 code Haven uses for each.
_ONE_TO_THREE = {
    "en": "eng",
    "es": "spa",
    "so": "som",
    "ar": "arb",
    "my": "mya",
    "ne": "npi",
    "ps": "pus",
    "uk": "ukr",
    "ru": "rus",
    "ht": "hat",
    "vi": "vie",
    "zh": "cmn",
    "tl": "tgl",
    "pt": "por",
    "fr": "fra",
    "sw": "swh",
    "am": "amh",
    "ti": "tir",
    "pa": "pan",
    "hi": "hin",
    "ko": "kor",
    "th": "tha",
    "ja": "jpn",
    "km": "khm",
    "lo": "lao",
    "bn": "ben",
    "ur": "urd",
    "fa": "pes",
    "tr": "tur",
    "pl": "pol",
    "ro": "ron",
    "sq": "sqi",
    "bs": "bos",
    "hr": "hrv",
    "sr": "srp",
    "rw": "kin",
    "om": "orm",
    "ta": "tam",
    "gu": "guj",
    "id": "ind",
    "mh": "mah",
}
_THREE_TO_ONE = {three: one for one, three in _ONE_TO_THREE.items()}
CODE_PATTERN = re.compile(r"[a-z]{2,3}")

#: The languages offered in the directory's forms and filters.
OFFERED = [code for code in sorted(CODES) if code != "und"]


def codes_for(code: str) -> set[str]:
    """Every code the directory may hold for this language."""
    code = code.lower()
    found = {code}
    if code in _ONE_TO_THREE:
        found.add(_ONE_TO_THREE[code])
    if code in _THREE_TO_ONE:
        found.add(_THREE_TO_ONE[code])
    return found


def display_name(code: str, name: str = "") -> str:
    """The language's name in the interface language when Haven knows it."""
    three = _ONE_TO_THREE.get(code.lower(), code.lower())
    if three in CODES:
        return language_name(three)
    return name or code
