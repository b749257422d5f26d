"""The person record as the case page shows it: the agency's fields, with
its labels, and only what the viewer's role may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.core.languages import language_name
from haven.people.details import DETAIL_NAMES, RESTRICTED, FieldRules
from haven.people.models import (
    ContactSafety,
    EnglishAbility,
    GenderGroup,
    ImmigrationStatus,
    Person,
    TraffickingType,
)
from haven.people.policies import may_see_full_record

# What staff who see only the minimal intake (intake workers) are shown.
MINIMAL = ("self_term", "language", "interpreter_needed")

_CHOICE_LABELS = {
    "gender_group": dict(GenderGroup.choices),
    "call_safety": dict(ContactSafety.choices),
    "text_safety": dict(ContactSafety.choices),
    "voicemail_safety": dict(ContactSafety.choices),
    "mail_safety": dict(ContactSafety.choices),
    "english_ability": dict(EnglishAbility.choices),
    "immigration_status": dict(ImmigrationStatus.choices),
    "trafficking_type": dict(TraffickingType.choices),
}


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    value: str


def shown_value(person: Person, name: str) -> str:
    """One field of the person record as text to read ("" when not recorded)."""
    value = getattr(person, name) if name != "aliases" else None
    if name == "aliases":
        return ", ".join(alias.name or "" for alias in person.aliases.all())
    if name == "language":
        return "" if value == "und" else person.language_name
    if name in ("other_languages", "reads", "writes"):
        return ", ".join(language_name(code) for code in value or ())
    if name in _CHOICE_LABELS:
        return str(_CHOICE_LABELS[name].get(value, "")) if value else ""
    if name in ("interpreter_needed", "address_confidentiality"):
        return "" if value is None else (_("Yes") if value else _("No"))
    if name == "estimated_age":
        if value is None or person.estimated_on is None:
            return ""
        return _("%(age)s (estimated on %(day)s)") % {
            "age": value,
            "day": person.estimated_on.isoformat(),
        }
    return "" if value is None else str(value)


def visible_names(rules: FieldRules, *, full: bool, restricted: bool) -> list[str]:
    """The fields the agency records that the viewer may see, in order."""
    names = DETAIL_NAMES if full else MINIMAL
    return [n for n in names if not rules.is_hidden(n) and (restricted or n not in RESTRICTED)]


def person_facts(person: Person, rules: FieldRules, *, full: bool, restricted: bool) -> list[Fact]:
    """What the case page lists under the person's name, with "" for a
    value not recorded."""
    return [
        Fact(name, rules.label(name), shown_value(person, name))
        for name in visible_names(rules, full=full, restricted=restricted)
    ]


def hidden_names(user: User | AnonymousUser, rules: FieldRules) -> dict[str, bool]:
    """Which names the person_name template leaves out: those the agency does
    not record, and both for a role that sees only the minimal intake."""
    if not may_see_full_record(user):
        return {"legal": True, "preferred": True, "role": True}
    return rules.hidden_names()


def shown_name(person: Person, hidden: dict[str, bool]) -> str:
    """The person's name as a page shows it: the name they want to be
    called, with the legal name after it when that differs, leaving out any
    name field the agency does not record or the viewer's role may not see
    (``hidden``, from hidden_names)."""
    preferred = "" if hidden.get("preferred") else str(person.preferred_name or "")
    legal = "" if hidden.get("legal") else str(person.legal_name or "")
    if preferred:
        return f"{preferred} ({legal})" if legal and legal != preferred else preferred
    if legal:
        return legal
    return _("Name not shown to your role") if hidden.get("role") else _("Name not given")


def printed_name(person: Person, hidden: dict[str, bool]) -> str:
    """The one name a printed document carries, under the same rules."""
    if person.preferred_name and not hidden.get("preferred"):
        return str(person.preferred_name)
    if person.legal_name and not hidden.get("legal"):
        return str(person.legal_name)
    return ""
