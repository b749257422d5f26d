"""Normal forms for search: what two spellings of one value have in common."""

from __future__ import annotations

import re
from collections.abc import Sequence

from anyascii import anyascii

from haven.core.crypto import fold, strip_marks


def name_forms(name: str) -> set[str]:
    """The folded name, without accents, and transliterated to Latin letters
    (apostrophes and other marks dropped), so a name typed with accents,
    without them, or in its Latin spelling finds the same record."""
    folded = fold(name)
    if not folded:
        return set()
    # A name of combining marks alone has nothing left without them: an empty
    # form would match every other such name.
    forms = {form for form in (folded, strip_marks(folded)) if form}
    latin = " ".join(re.sub(r"[^a-z0-9 -]", "", anyascii(folded).lower()).split())
    if latin:
        forms.add(latin)
    return forms


# What separates the words of a name, and the marks inside one ("Quell-Marsh",
# "O'Brien", "St. John").
_WORD_BREAK = re.compile(r"[\s\-'\u2019.,]+")
INNER_MARKS = re.compile(r"[\-'\u2019.,]")


def _latin(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", anyascii(text).lower())


def word_forms(word: str) -> set[str]:
    """One word as it may be typed: folded, without accents, in Latin letters
    (the forms of name_forms, for a single word)."""
    folded = INNER_MARKS.sub("", fold(word))
    forms = {folded, strip_marks(folded), _latin(folded)}
    return {form for form in forms if form}


def name_words(name: str) -> set[str]:
    """Every form of every word a name can be found by, in any order: each
    word whole ("quellmarsh", "obrien") and each of its parts ("quell",
    "marsh"), as word_forms spells them; a word of a script written without
    spaces also by the syllables of its Latin spelling ("李伟": "liwei", "li",
    "wei"), as people type it in Latin letters."""
    found: set[str] = set()
    for token in fold(name).split():
        pieces = {token, *_WORD_BREAK.split(token)}
        # A piece with no letter or digit (an emoji, a lone mark) names nobody.
        for piece in (p for p in pieces if any(c.isalnum() for c in p)):
            found |= word_forms(piece)
            if not piece.isascii():
                syllables = re.findall(r"[A-Z][a-z0-9]*", anyascii(piece))
                if len(syllables) > 1:
                    found |= {s.lower() for s in syllables}
    return found


def phone_form(phone: str) -> str:
    """Digits only, without a leading US country code."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


# Letters written differently that sound alike in names, applied in order to
# a Latin spelling: "Victor" and "Viktor", "Petrenco" and "Petrenko",
# "Mohammed" and "Muhammad" meet. Visitor screening adds pairs of its own in
# front of these (haven.safety.names); people search uses these alone.
SOUND_RULES: tuple[tuple[str, str], ...] = (
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


def sound_key(word: str, rules: Sequence[tuple[str, str]] = SOUND_RULES) -> str:
    """A rough key of how a name word sounds: its Latin spelling with look-alike
    letters merged (``rules``, in order), doubled letters made single, and
    vowels after the first letter dropped. Two spellings of one name usually
    share it; it is never shown, only blind-indexed
    (docs/adr/0016-staff-safety.md)."""
    latin = re.sub(r"[^a-z]", "", anyascii(strip_marks(fold(word))).lower())
    if not latin:
        return ""
    for pattern, replacement in rules:
        latin = re.sub(pattern, replacement, latin)
    latin = re.sub(r"(.)\1+", r"\1", latin)
    return latin[0] + re.sub(r"[aeiouh]", "", latin[1:])


def name_word_sounds(name: str) -> set[str]:
    """The sound keys a name can be found by: of each word whole ("Quell-Marsh"
    as "quellmarsh") and of each of its parts, as people search."""
    found: set[str] = set()
    for token in fold(name).split():
        for piece in {INNER_MARKS.sub("", token), *_WORD_BREAK.split(token)}:
            if any(c.isalnum() for c in piece):
                found.add(sound_key(piece))
    found.discard("")
    return found


def last_four(phone: str) -> str:
    """The last four digits of a phone number, or "" if it has fewer."""
    digits = phone_form(phone)
    return digits[-4:] if len(digits) >= 4 else ""


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
