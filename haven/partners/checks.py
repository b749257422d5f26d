"""The checks every write to the directory runs, whether it comes from a
form, the API or an HSDS import: lengths, hidden characters, e-mail and web
addresses, and text that a spreadsheet would run as a formula."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from haven.core.text import has_hidden_characters

# A cell starting with one of these is a formula in a spreadsheet. Exports
# put a single quote before them (see ``csv_cell``); text typed or imported
# may not start with "=" or "@", which no directory entry needs. "+" and "-"
# stay allowed: phone numbers and lists start with them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REFUSED_STARTS = ("=", "@")

_web = URLValidator(schemes=["http", "https"])


def text_problem(value: str, limit: int, *, required: bool = False) -> str:
    """What is wrong with a text, for the field's message, or ""."""
    if required and not value.strip():
        return _("This field is required.")
    if len(value) > limit:
        return _("This text is too long (at most %(limit)s characters).") % {"limit": limit}
    if has_hidden_characters(value):
        return _("Remove the invisible control characters from this text.")
    if value.startswith(REFUSED_STARTS):
        return _(
            "Start this text with a letter or a number: spreadsheets run text that starts "
            "with = or @ as a formula."
        )
    return ""


def email_problem(value: str, limit: int) -> str:
    if not value:
        return ""
    if len(value) > limit:
        return _("This text is too long (at most %(limit)s characters).") % {"limit": limit}
    try:
        validate_email(value)
    except ValidationError:
        return _("Enter an e-mail address such as name@example.org.")
    return ""


def web_problem(value: str, limit: int) -> str:
    """Web addresses become links, so only http and https are accepted."""
    if not value:
        return ""
    if len(value) > limit:
        return _("This text is too long (at most %(limit)s characters).") % {"limit": limit}
    try:
        _web(value)
    except ValidationError:
        return _("Enter a web address starting with http:// or https://.")
    return ""


def csv_cell(value: str) -> str:
    """A text cell made safe to open in a spreadsheet: a leading formula
    character gets a single quote before it."""
    if value.startswith(FORMULA_STARTS) or value.startswith("'"):
        return "'" + value
    return value


def csv_uncell(value: str) -> str:
    """Undo ``csv_cell``: a quote that protects a formula character (or a
    quote) is dropped, so an export imports back unchanged."""
    if value.startswith("'") and value[1:].startswith((*FORMULA_STARTS, "'")):
        return value[1:]
    return value
