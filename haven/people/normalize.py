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
