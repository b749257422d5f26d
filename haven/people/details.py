"""What can be recorded about a person, and the one place it is checked.

Web forms and the API both turn their input into ``PersonDetails``; the
services check it here against the agency's field settings before anything
is written, so a rule holds whichever way the data came in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.languages import CODES as LANGUAGE_CODES
from haven.core.text import has_hidden_characters
from haven.people.models import (
    ContactSafety,
    EnglishAbility,
    GenderGroup,
    ImmigrationStatus,
    TraffickingType,
)

if TYPE_CHECKING:
    from haven.people.field_settings import FieldRules

EARLIEST_BIRTH_YEAR = 1900
OLDEST_ESTIMATE = 120
TEXT_MAX = 200
NOTE_MAX = 2000
MAX_ALIASES = 20
MAX_LANGUAGES = 12


@dataclass(frozen=True)
class PersonDetails:
    """Every value a person's record can hold; blank means not recorded."""

    preferred_name: str = ""
    legal_name: str = ""
    self_term: str = ""
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    estimated_age: int | None = None
    gender: str = ""
    gender_group: str = ""
    phone: str = ""
    call_safety: str = ""
    text_safety: str = ""
    voicemail_safety: str = ""
    mail_safety: str = ""
    contact_notes: str = ""
    language: str = "und"
    dialect: str = ""
    other_languages: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    english_ability: str = ""
    interpreter_needed: bool = False
    immigration_status: str = ""
    trafficking_type: str = TraffickingType.UNKNOWN
    address_confidentiality: bool | None = None


DETAIL_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PersonDetails))
_DEFAULTS = PersonDetails()

# Fields whose values are sealed under the person's key.
SEALED = frozenset(
    {
        "legal_name",
        "preferred_name",
        "self_term",
        "gender",
        "phone",
        "contact_notes",
        "dialect",
        "immigration_status",
    }
)
# Shown and changed only by the staff who work the case (see policies).
RESTRICTED = frozenset({"immigration_status"})

_CHOICES: dict[str, frozenset[str]] = {
    "gender_group": frozenset(GenderGroup.values),
    "call_safety": frozenset(ContactSafety.values),
    "text_safety": frozenset(ContactSafety.values),
    "voicemail_safety": frozenset(ContactSafety.values),
    "mail_safety": frozenset(ContactSafety.values),
    "english_ability": frozenset(EnglishAbility.values),
    "immigration_status": frozenset(ImmigrationStatus.values),
}


def is_blank(name: str, value: object) -> bool:
    """Whether ``value`` records nothing for the field ``name``."""
    if name == "language":
        return value == "und"
    if name == "trafficking_type":
        return value == TraffickingType.UNKNOWN
    if name == "interpreter_needed":
        # Unticked records nothing for an agency that does not keep the box;
        # it cannot be required anyway (see field_settings.CANNOT_REQUIRE).
        return not value
    return value in ("", None, ())


def check(details: PersonDetails, *, covering: Collection[str], rules: FieldRules) -> None:
    """Refuse details that break a rule, with one message per field.

    ``covering`` names the fields the caller is setting; the others are
    left as they are (a wizard step, or a form without restricted fields).
    """
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in covering:
        value = getattr(details, name)
        if rules.is_hidden(name) and not is_blank(name, value):
            refuse(name, _("Your agency does not record this field."))
        elif rules.is_required(name) and is_blank(name, value):
            refuse(name, _("Your agency requires this field."))
        if name in _CHOICES and value and value not in _CHOICES[name]:
            refuse(name, _("Choose one of the options offered."))
    if "trafficking_type" in covering and details.trafficking_type not in TraffickingType.values:
        refuse("trafficking_type", _("Choose one of the options offered."))
    if "language" in covering and details.language not in LANGUAGE_CODES:
        refuse("language", _("Choose a language from the list."))
    for name in ("other_languages", "reads", "writes"):
        chosen = getattr(details, name)
        if name in covering and (
            len(chosen) > MAX_LANGUAGES
            or any(c not in LANGUAGE_CODES or c == "und" for c in chosen)
        ):
            refuse(name, _("Choose languages from the list."))
    _check_age(details, covering, refuse)
    if "aliases" in covering:
        if len(details.aliases) > MAX_ALIASES:
            refuse("aliases", _("Enter at most 20 other names."))
        if any(len(alias) > TEXT_MAX for alias in details.aliases):
            refuse("aliases", _("Each name can have at most 200 characters."))
        if any(has_hidden_characters(alias) for alias in details.aliases):
            refuse("aliases", _("Remove the invisible control characters from this text."))
    for name in sorted(SEALED & set(covering)):
        text = getattr(details, name)
        limit = NOTE_MAX if name == "contact_notes" else TEXT_MAX
        if len(text) > limit:
            refuse(name, _("This text is too long."))
        elif has_hidden_characters(text):
            refuse(name, _("Remove the invisible control characters from this text."))
    if errors:
        raise ValidationError(errors)


def _check_age(
    details: PersonDetails, covering: Collection[str], refuse: Callable[[str, str], None]
) -> None:
    born = details.date_of_birth
    if "date_of_birth" in covering and born is not None:
        if born > timezone.localdate():
            refuse("date_of_birth", _("A date of birth cannot be in the future."))
        elif born.year < EARLIEST_BIRTH_YEAR:
            refuse("date_of_birth", _("Enter a date of birth from 1900 on."))
    age = details.estimated_age
    if "estimated_age" in covering and age is not None:
        if not 0 <= age <= OLDEST_ESTIMATE:
            refuse("estimated_age", _("Enter an age between 0 and 120."))
        elif born is not None:
            refuse(
                "estimated_age",
                _("Give a date of birth or an estimated age, not both."),
            )


def changed_fields(
    before: PersonDetails, after: PersonDetails, covering: Collection[str]
) -> list[str]:
    """The names among ``covering`` whose values differ: what an audit event
    may say changed, never the values themselves."""
    return sorted(n for n in covering if getattr(before, n) != getattr(after, n))
