"""What staff may type into a field that holds a name or a short note."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Invisible format characters a name may need: joiners (emoji sequences,
# Persian and Indic scripts), the direction marks of right-to-left text, and
# the tag characters of subdivision flag emoji. Any other format character
# (bidi overrides, zero-width spaces, soft hyphens...) hides text or makes one
# name look like another, so it is refused like a control character.
_ALLOWED_FORMAT = frozenset("\u200c\u200d\u200e\u200f\u061c")
_TAGS = range(0xE0020, 0xE0080)
_WHITESPACE = frozenset("\t\n\r")


def _refused(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in _WHITESPACE
    if category == "Cf":
        return char not in _ALLOWED_FORMAT and ord(char) not in _TAGS
    return category == "Cs"  # a lone surrogate is not text


def has_hidden_characters(value: str) -> bool:
    """Any script, combining marks and emoji are fine; control characters and
    invisible formatting that can disguise text are not."""
    return any(_refused(char) for char in value)


def single_spaced(value: str) -> str:
    """Runs of whitespace become one space, ends trimmed."""
    return " ".join(value.split())


HIDDEN_CHARACTERS_MESSAGE = "Remove the invisible control characters from this text."


def text_problem(value: str, limit: int) -> str:
    """What is wrong with a text staff typed, for the field's message, or ""."""
    from django.utils.translation import gettext

    if len(value) > limit:
        return gettext("This text is too long.")
    if has_hidden_characters(value):
        return gettext("Remove the invisible control characters from this text.")
    return ""


def check_texts(errors: dict[str, list[str]], texts: Iterable[tuple[str, str, int]]) -> None:
    """Add a message to ``errors`` for each (field, value, limit) that breaks
    the rules: the one check every service runs on free text."""
    for name, value, limit in texts:
        problem = text_problem(value, limit)
        if problem:
            errors.setdefault(name, []).append(problem)


def file_name_problem(name: str) -> str:
    """What is wrong with the name of a file staff uploaded, for the field's
    message, or "". No control character at all (a tab or a line break in
    a name is a trick, not a name), nor the invisible formatting refused in
    any text (a right-to-left override makes "report\\u202efdp.exe" show as
    "reportexe.pdf")."""
    from django.utils.translation import gettext

    if any(unicodedata.category(char) == "Cc" for char in name) or has_hidden_characters(name):
        return gettext(
            "The file's name holds a control or invisible character. "
            "Rename the file and choose it again."
        )
    return ""
