"""The one search box: what a person can be found by, and how a query typed
into the box is read.

Each way of finding someone is a transformation of a value (a name's words,
their sound, the year of a date of birth, a phone's last four digits), kept as
a keyed digest under a key of its own, in the manner of CipherSweet's
transformed blind indexes. The digests of values with few possible answers
(a year, four digits) are cut short so that many values share each one: the
index alone cannot tell them apart, and the selector confirms each candidate
against the decrypted value. docs/adr/0022-search-indexes.md says what each
index reveals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from haven.core import crypto, keys, limits
from haven.core.text import has_hidden_characters, single_spaced
from haven.people.details import EARLIEST_BIRTH_YEAR
from haven.people.models import SearchEntry
from haven.people.normalize import (
    INNER_MARKS,
    last_four,
    name_forms,
    name_word_sounds,
    name_words,
    phone_form,
    sound_key,
    word_forms,
)

Kind = SearchEntry.Kind

#: Hex characters kept of a digest, for the kinds cut short: one of 16 values
#: for a birth year (about eight years of 1900 to today share each), one of
#: 256 for a phone's last four digits (about 39 endings share each).
TRUNCATED: dict[str, int] = {Kind.BIRTH_YEAR: 1, Kind.PHONE_END: 2}

#: A phone number has at least this many digits; fewer, other than four, is
#: not something the box can search by.
PHONE_DIGITS = 7


def digests(agency_id: int, kind: str, values: Iterable[str]) -> set[str]:
    """The agency's digests of ``values`` for one kind of index, cut short
    where the kind is."""
    key = keys.index_key(agency_id, kind)
    size = TRUNCATED.get(kind)
    return {crypto.blind_index(key, value)[:size] for value in values if value}


def index_values(
    *, names: Iterable[str], date_of_birth: str | None, phone: str | None
) -> dict[str, set[str]]:
    """What a person is indexed by, kind by kind, before digesting."""
    names = [name for name in names if name]
    values: dict[str, set[str]] = {
        Kind.NAME: {form for name in names for form in name_forms(name)},
        Kind.WORD: {word for name in names for word in name_words(name)},
        Kind.SOUND: {sound for name in names for sound in name_word_sounds(name)},
    }
    if date_of_birth:
        values[Kind.DATE_OF_BIRTH] = {date_of_birth}
        values[Kind.BIRTH_YEAR] = {date_of_birth[:4]}
    if phone:
        values[Kind.PHONE] = {phone_form(phone)}
        values[Kind.PHONE_END] = {last_four(phone)}
    return values


def entry_digests(
    agency_id: int, *, names: Iterable[str], date_of_birth: str | None, phone: str | None
) -> set[tuple[str, str]]:
    """Every (kind, digest) a person with these values is found by."""
    values = index_values(names=names, date_of_birth=date_of_birth, phone=phone)
    return {
        (kind, digest)
        for kind, found in values.items()
        for digest in digests(agency_id, kind, found)
    }


# --- Reading a query ---------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A search as the box understood it. Every part must match (AND); a
    number of four digits matches a year of birth or a phone's last four."""

    words: tuple[str, ...] = ()
    born: date | None = None
    four_digits: tuple[str, ...] = ()
    phone: str = ""

    def word_forms(self) -> list[set[str]]:
        """Each word's forms: any one of them matches that word."""
        return [word_forms(word) for word in self.words]

    def word_sounds(self) -> list[str]:
        return [sound_key(word) for word in self.words]


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})([/.])(\d{1,2})[/.](\d{4})")
_PHONE = re.compile(r"\+?[\d\s().\-]+")

WHAT_TO_TYPE = gettext_noop(
    "Type a name, a date of birth (1987-03-14 or 03/14/1987), a year of birth, "
    "or the last four digits of a phone."
)


def _refused(message: str) -> ValidationError:
    return ValidationError({"q": message}, code="invalid")


def _date(token: str) -> date | None:
    """A date of birth written 1987-03-14, 03/14/1987 (month first, as in the
    United States, unless the first number cannot be a month) or 14.03.1987
    (day first); None if ``token`` is not written as a date."""
    if match := _ISO.fullmatch(token):
        year, month, day = (int(g) for g in match.groups())
    elif match := _SLASHED.fullmatch(token):
        first, mark, second, year_text = match.groups()
        month, day = int(first), int(second)
        if mark == "." or month > 12:
            month, day = day, month
        year = int(year_text)
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        message = _("That date does not exist. Write it as 1987-03-14 or 03/14/1987.")
        raise _refused(message) from None


def parse_query(text: str, *, today: date) -> Query:
    """Work out what was typed in the search box: words of a name, a date of
    birth, a year of birth, a phone's last four digits or a whole phone.

    Raises ValidationError (on ``q``) with a message for staff, which never
    quotes what was typed.
    """
    if len(text) > limits.LINE:
        raise _refused(
            _("A search is at most %(limit)d characters. Type one or two words of the name.")
            % {"limit": limits.LINE}
        )
    if has_hidden_characters(text):
        raise _refused(_("Remove the invisible control characters from this text."))
    text = single_spaced(text)
    if not text:
        raise _refused(_(WHAT_TO_TYPE))
    digits = re.sub(r"\D", "", text)
    if _PHONE.fullmatch(text) and len(digits) >= PHONE_DIGITS and _date(text) is None:
        return Query(phone=phone_form(text))
    words: list[str] = []
    born: date | None = None
    four: list[str] = []
    for token in text.split():
        day = _date(token)
        if day is not None:
            if day > today or day.year < EARLIEST_BIRTH_YEAR:
                raise _refused(_("A date of birth is between 1900 and today."))
            born = day
        elif token.isdigit() and token.isascii():
            if len(token) != 4:
                raise _refused(
                    _(
                        "Numbers are searched as a year of birth or the last four digits "
                        "of a phone (four digits), a date of birth, or a whole phone number."
                    )
                )
            four.append(token)
        else:
            joined = INNER_MARKS.sub("", token)
            # Initials and anything with fewer than two letters (an emoji, a
            # lone mark) would match too many people, or nobody.
            if sum(c.isalnum() for c in joined) >= 2:
                words.append(joined)
    if not (words or born or four):
        raise _refused(
            _(
                "Type at least two letters of a name, or a date of birth, a year of birth "
                "or the last four digits of a phone."
            )
        )
    return Query(
        words=tuple(dict.fromkeys(words)),
        born=born,
        four_digits=tuple(dict.fromkeys(four)),
    )


def is_year(four_digits: str, *, today: date) -> bool:
    return EARLIEST_BIRTH_YEAR <= int(four_digits) <= today.year
