"""The agency's settings for the fields of the person record.

Any field can be left unrecorded, made required, or given the agency's own
label (the NNEDV guidance for victim-service databases). Forms, the case
page, the API and the services all read the rules from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.accounts.policies import can_manage_staff
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound
from haven.people.details import DETAIL_NAMES
from haven.people.models import FieldSetting

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
LABEL_MAX = 60


@dataclass(frozen=True)
class FieldRules:
    """One agency's settings, read once per request."""

    modes: Mapping[str, str]
    labels: Mapping[str, str]

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


def field_rules(agency_id: int) -> FieldRules:
    settings = FieldSetting.objects.filter(agency_id=agency_id, field__in=DETAIL_NAMES)
    modes: dict[str, str] = {}
    labels: dict[str, str] = {}
    for setting in settings:
        modes[setting.field] = setting.mode
        if setting.label:
            labels[setting.field] = setting.label
    return FieldRules(modes=modes, labels=labels)


def can_configure_fields(user: User) -> bool:
    """Agency administrators decide what their agency records."""
    return can_manage_staff(user)


def field_settings_save(*, actor: User, choices: Mapping[str, tuple[str, str]]) -> list[str]:
    """Save ``{field: (mode, label)}`` for the actor's agency; returns the
    names whose setting changed. All or nothing."""
    if not can_configure_fields(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    for name, (mode, label) in choices.items():
        if name not in LABELS:
            raise ValidationError(_("Unknown field."))
        if mode not in FieldSetting.Mode.values:
            errors.setdefault(name, []).append(_("Choose one of the options offered."))
        if mode == FieldSetting.Mode.REQUIRED and name in CANNOT_REQUIRE:
            errors.setdefault(name, []).append(_("This field cannot be required."))
        if len(label) > LABEL_MAX:
            errors.setdefault(name, []).append(_("A label has at most 60 characters."))
    if errors:
        raise ValidationError(errors)
    current = field_rules(actor.agency_id)
    changed = [
        name
        for name, (mode, label) in choices.items()
        if current.mode(name) != mode or current.labels.get(name, "") != label
    ]
    with transaction.atomic():
        for name in changed:
            mode, label = choices[name]
            FieldSetting.objects.update_or_create(
                agency_id=actor.agency_id, field=name, defaults={"mode": mode, "label": label}
            )
        if changed:
            audit_record(
                action=Action.FIELD_SETTINGS_CHANGED,
                actor=actor,
                object_type="agency",
                object_id=actor.agency_id,
                detail={"fields": changed},
            )
    return sorted(changed)
