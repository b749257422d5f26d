"""The agency's settings for the fields of the person record.

Any field can be left unrecorded, made required, or given the agency's own
label (the NNEDV guidance for victim-service databases). Forms, the case
page, the API and the services all read the rules from here.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.models import Agency
from haven.people.details import CANNOT_REQUIRE, DETAIL_NAMES, LABELS, FieldRules
from haven.people.models import FieldSetting, Person
from haven.people.policies import may_configure_fields


def field_rules(agency_id: int) -> FieldRules:
    settings = FieldSetting.objects.filter(agency_id=agency_id, field__in=DETAIL_NAMES)
    modes: dict[str, str] = {}
    labels: dict[str, str] = {}
    for setting in settings:
        modes[setting.field] = setting.mode
        if setting.label:
            labels[setting.field] = setting.label
    return FieldRules(modes=modes, labels=labels, agency_id=agency_id)


#: How many languages lead the lists, and for how long the order is kept.
LANGUAGES_FIRST = 8
_LANGUAGES_FIRST_SECONDS = 600
#: A new agency, with nobody recorded yet, starts with these.
_LANGUAGES_AT_START = ("eng", "spa")


def languages_first(agency_id: int | None) -> tuple[str, ...]:
    """The languages the agency's people speak most, most first: the order
    its language lists lead with. The first language of a person is kept in
    the clear (reports count it), so this counts without opening anything;
    it says nothing of who. Kept a few minutes: it changes slowly."""
    if agency_id is None:
        return _LANGUAGES_AT_START

    def count() -> tuple[str, ...]:
        rows = (
            Person.objects.filter(agency_id=agency_id)
            .exclude(language="und")
            .values("language")
            .annotate(people=Count("id"))
            .order_by("-people", "language")[:LANGUAGES_FIRST]
        )
        found = tuple(row["language"] for row in rows)
        return found or _LANGUAGES_AT_START

    # Keyed by the agency's random public id: a row id can be used again
    # (after a test database is emptied, say) and must not find another's order.
    public_id = Agency.objects.filter(pk=agency_id).values_list("public_id", flat=True).first()
    if public_id is None:
        return _LANGUAGES_AT_START
    key = f"haven:languages-first:{public_id}"
    return tuple(cache.get_or_set(key, count, _LANGUAGES_FIRST_SECONDS) or _LANGUAGES_AT_START)


def field_settings_save(*, actor: User, choices: Mapping[str, tuple[str, str]]) -> list[str]:
    """Save ``{field: (mode, label)}`` for the actor's agency; returns the
    names whose setting changed. All or nothing."""
    if not may_configure_fields(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    for name, (mode, label) in choices.items():
        if name not in LABELS:
            raise ValidationError(_("Unknown field."))
        if mode not in FieldSetting.Mode.values:
            errors.setdefault(name, []).append(_("Choose one of the options offered."))
        if mode == FieldSetting.Mode.REQUIRED and name in CANNOT_REQUIRE:
            errors.setdefault(name, []).append(_("This field cannot be required."))
        if len(label) > limits.FIELD_LABEL:
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
