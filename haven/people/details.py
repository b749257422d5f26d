"""What can be recorded about a person, and the one place it is checked.

Web forms and the API both turn their input into ``PersonDetails``; the
services check it here against the agency's field settings before anything
is written, so a rule holds whichever way the data came in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core import limits
from haven.core.languages import CODES as LANGUAGE_CODES
from haven.core.text import has_hidden_characters
from haven.people.models import (
    ContactSafety,
    EnglishAbility,
    FieldSetting,
    GenderGroup,
    ImmigrationStatus,
    TraffickingType,
)

EARLIEST_BIRTH_YEAR = 1900
OLDEST_ESTIMATE = 120
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
        if any(len(alias) > limits.LINE for alias in details.aliases):
            refuse("aliases", _("Each name can have at most 200 characters."))
        if any(has_hidden_characters(alias) for alias in details.aliases):
            refuse("aliases", _("Remove the invisible control characters from this text."))
    for name in sorted(SEALED & set(covering)):
        text = getattr(details, name)
        limit = limits.NOTE if name == "contact_notes" else limits.LINE
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


#: The label of every field, as staff see it unless their agency renames it.
LABELS: dict[str, str | Promise] = {
    "preferred_name": gettext_lazy("Name they want to be called"),
    "legal_name": gettext_lazy("Legal name"),
    "self_term": gettext_lazy("Words they use for themself"),
    "aliases": gettext_lazy("Other names"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "estimated_age": gettext_lazy("Age, if the date of birth is not known"),
    "gender": gettext_lazy("Gender, in their words"),
    "gender_group": gettext_lazy("Gender, for reports"),
    "phone": gettext_lazy("Safe phone number"),
    "call_safety": gettext_lazy("Is it safe to call?"),
    "text_safety": gettext_lazy("Is it safe to send a text?"),
    "voicemail_safety": gettext_lazy("Is it safe to leave a voicemail?"),
    "mail_safety": gettext_lazy("Is it safe to send mail?"),
    "contact_notes": gettext_lazy("Notes on reaching them safely"),
    "language": gettext_lazy("Language they speak best"),
    "dialect": gettext_lazy("Dialect"),
    "other_languages": gettext_lazy("Other languages they speak"),
    "reads": gettext_lazy("Languages they read"),
    "writes": gettext_lazy("Languages they write"),
    "english_ability": gettext_lazy("How well they speak English"),
    "interpreter_needed": gettext_lazy("Needs an interpreter"),
    "immigration_status": gettext_lazy("Immigration status"),
    "trafficking_type": gettext_lazy("Type of exploitation"),
    "address_confidentiality": gettext_lazy("Enrolled in an address confidentiality program"),
}
assert set(LABELS) == set(DETAIL_NAMES)  # noqa: S101  (a field without a label is a bug)

# A tick box cannot be "required": leaving it unticked is an answer. Nor can
# immigration status: answering it is never a condition of service, and
# intake staff, who do not see it, must still be able to record someone.
CANNOT_REQUIRE = frozenset({"interpreter_needed", "immigration_status"})


@dataclass(frozen=True)
class FieldRules:
    """One agency's settings, read once per request."""

    modes: Mapping[str, str]
    labels: Mapping[str, str]
    # Whose rules these are: the forms lead their language lists with the
    # languages this agency records most.
    agency_id: int | None = None

    def is_hidden(self, name: str) -> bool:
        return self.modes.get(name) == FieldSetting.Mode.HIDDEN

    def is_required(self, name: str) -> bool:
        return self.modes.get(name) == FieldSetting.Mode.REQUIRED

    def mode(self, name: str) -> str:
        return self.modes.get(name, FieldSetting.Mode.OPTIONAL)

    def label(self, name: str) -> str:
        return self.labels.get(name) or str(LABELS[name])

    def shown(self, names: tuple[str, ...] | list[str]) -> list[str]:
        return [n for n in names if not self.is_hidden(n)]

    def hidden_names(self) -> dict[str, bool]:
        """For the person_name template: which of the two names not to show."""
        return {
            "legal": self.is_hidden("legal_name"),
            "preferred": self.is_hidden("preferred_name"),
        }
