"""Normal forms for search: what two spellings of one value have in common."""

from __future__ import annotations

import re

from anyascii import anyascii

from haven.core.crypto import fold, strip_marks


def name_forms(name: str) -> set[str]:
    """The folded name, without accents, and transliterated to Latin letters
    (apostrophes and other marks dropped), so a name typed with accents,
    without them, or in its Latin spelling finds the same record."""
    folded = fold(name)
    if not folded:
        return set()
    forms = {folded, strip_marks(folded)}
    latin = " ".join(re.sub(r"[^a-z0-9 -]", "", anyascii(folded).lower()).split())
    if latin:
        forms.add(latin)
    return forms


def phone_form(phone: str) -> str:
    """Digits only, without a leading US country code."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


# Letters written differently that sound alike in names, applied in order to
# a Latin spelling: "Victor" and "Viktor", "Petrenco" and "Petrenko",
# "Mohammed" and "Muhammad" meet.
_SOUND_RULES: tuple[tuple[str, str], ...] = (
    (r"ph", "f"),
    (r"ck", "k"),
    (r"qu|kw", "k"),
    (r"c(?=[eiy])", "s"),
    (r"[cq]", "k"),
    (r"x", "ks"),
    (r"dh|th", "t"),
    (r"gh", "g"),
    (r"[zs]h", "s"),
    (r"z", "s"),
    (r"w", "v"),
    (r"y", "i"),
    (r"dt", "t"),
)


def sound_key(word: str) -> str:
    """A rough key of how a name word sounds: its Latin spelling with look-alike
    letters merged, doubled letters made single, and vowels after the first
    letter dropped. Two spellings of one name usually share it; it is never shown,
    only blind-indexed (docs/adr/0016-staff-safety.md)."""
    latin = re.sub(r"[^a-z]", "", anyascii(strip_marks(fold(word))).lower())
    if not latin:
        return ""
    for pattern, replacement in _SOUND_RULES:
        latin = re.sub(pattern, replacement, latin)
    latin = re.sub(r"(.)\1+", r"\1", latin)
    return latin[0] + re.sub(r"[aeiouh]", "", latin[1:])


def name_sounds(name: str) -> list[str]:
    """The sound keys of a name's words, in order, each word once."""
    words = re.split(r"[\s\-'\u2019.,]+", fold(name))
    keys = [sound_key(word) for word in words]
    return list(dict.fromkeys(k for k in keys if k))


# Cyrillic and Greek capitals that look like Latin ones: a plate read off a car
# and typed on another keyboard layout is still the same plate.
_PLATE_LOOKALIKES = str.maketrans(
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425\u0406\u0408\u0405\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7",
    "ABEKMHOPCTYXIJSABEZHIKMNOPTYX",
)


def plate_form(plate: str) -> str:
    """A licence plate as letters and digits only: "ABC-123", "abc 123" and a
    plate typed with Cyrillic letters that look the same meet."""
    upper = fold(plate).upper().translate(_PLATE_LOOKALIKES)
    return re.sub(r"[^0-9A-Z]", "", anyascii(upper).upper())
