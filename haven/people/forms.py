"""Forms for intake, search and break-glass. Parsing only: rules live in services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Role, User
from haven.core import limits
from haven.core.forms import ChoiceList, most_used_first, show_refusal
from haven.core.languages import LANGUAGES
from haven.core.models import Agency, Team
from haven.core.text import has_hidden_characters, single_spaced
from haven.people.details import (
    CANNOT_REQUIRE,
    DETAIL_NAMES,
    LABELS,
    MAX_ALIASES,
    OLDEST_ESTIMATE,
    FieldRules,
    PersonDetails,
)
from haven.people.field_settings import languages_first
from haven.people.models import (
    CloseReason,
    ContactSafety,
    Danger,
    EnglishAbility,
    FieldSetting,
    GenderGroup,
    ImmigrationStatus,
    TraffickingType,
)
from haven.people.search import parse_query


def clean_text(value: str) -> str:
    """Names in any script, with marks and emoji, but no hidden characters."""
    if has_hidden_characters(value):
        raise forms.ValidationError(_("Remove the invisible control characters from this text."))
    return single_spaced(value)


class TextField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", limits.LINE)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return clean_text(super().clean(value))


class BirthDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Date of birth"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> date | None:
        day: date | None = super().clean(value)
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("A date of birth cannot be in the future."))
        if day is not None and day.year < 1900:
            raise forms.ValidationError(_("Enter a date of birth after 1900."))
        return day


class SearchForm(forms.Form):
    """The one search box: whatever staff have (a word of a name, two words, a
    date or year of birth, a phone's last four digits), read by parse_query."""

    q = forms.CharField(
        label=_("Find a person"),
        required=False,
        help_text=_(
            "A name or one word of it, a date or year of birth, or the last four digits of a phone."
        ),
        # The length is checked by parse_query, with a message of its own.
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": limits.LINE, "autocomplete": "off"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "q" in cleaned:
            # Its refusal is keyed by "q", so it shows under the box.
            cleaned["query"] = parse_query(cleaned["q"], today=timezone.localdate())
        return cleaned


class DangerForm(forms.Form):
    danger = forms.ChoiceField(
        label=_("Is the person in immediate danger right now?"),
        choices=Danger.choices,
        widget=forms.RadioSelect,
    )


#: The wizard's second step: how to speak with the person.
LANGUAGE_STEP = (
    "language",
    "dialect",
    "interpreter_needed",
    "english_ability",
    "other_languages",
    "reads",
    "writes",
)
#: The last step: as little identity as they will give, and how to reach them.
IDENTITY_STEP = (
    "preferred_name",
    "legal_name",
    "self_term",
    "aliases",
    "date_of_birth",
    "estimated_age",
    "phone",
    "call_safety",
    "text_safety",
    "voicemail_safety",
    "contact_notes",
)


def identity_step(rules: FieldRules) -> tuple[str, ...]:
    """The identity step, plus any field the agency requires that no step
    asks for: a first contact cannot be recorded without it."""
    extra = [
        n
        for n in DETAIL_NAMES
        if rules.is_required(n) and n not in LANGUAGE_STEP and n not in IDENTITY_STEP
    ]
    return (*IDENTITY_STEP, *extra)


def _blank_choice(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Not asked yet")), *choices]


#: Every language but "not yet known", for the lists of several languages.
KNOWN_LANGUAGES = [c for c in LANGUAGES if c[0] != "und"]


class LanguagesField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("choices", KNOWN_LANGUAGES)
        kwargs.setdefault("coerce", str)
        kwargs.setdefault("widget", ChoiceList(filter_label=_("Find a language")))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> tuple[str, ...]:
        return tuple(super().clean(value))


def _safety_field() -> forms.ChoiceField:
    return forms.ChoiceField(choices=_blank_choice(ContactSafety.choices), required=False)


class PersonForm(forms.Form):
    """Any subset of the person record, shaped by the agency's field settings:
    fields it does not record are left out, required ones are required, and
    each carries the agency's label. The services check the same rules."""

    preferred_name = TextField()
    legal_name = TextField()
    self_term = TextField(help_text=_("Use these words when you speak with them."))
    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
        max_length=4000,
    )
    date_of_birth = BirthDateField()
    estimated_age = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=OLDEST_ESTIMATE,
        help_text=_("Leave empty when the date of birth is known."),
    )
    gender = TextField()
    gender_group = forms.ChoiceField(choices=_blank_choice(GenderGroup.choices), required=False)
    phone = TextField(max_length=40)
    call_safety = _safety_field()
    text_safety = _safety_field()
    voicemail_safety = _safety_field()
    mail_safety = _safety_field()
    contact_notes = forms.CharField(
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: only after 6 p.m.; never mention this agency."),
    )
    language = forms.ChoiceField(choices=LANGUAGES, initial="und")
    dialect = TextField()
    other_languages = LanguagesField()
    english_ability = forms.ChoiceField(
        choices=_blank_choice(EnglishAbility.choices), required=False
    )
    reads = LanguagesField()
    writes = LanguagesField()
    interpreter_needed = forms.BooleanField(required=False)
    immigration_status = forms.ChoiceField(
        choices=_blank_choice(ImmigrationStatus.choices), required=False
    )
    trafficking_type = forms.ChoiceField(
        choices=TraffickingType.choices, initial=TraffickingType.UNKNOWN
    )
    address_confidentiality = forms.TypedChoiceField(
        choices=[("", _("Not asked yet")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, rules: FieldRules, names: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.covering = tuple(n for n in names if not rules.is_hidden(n))
        for name in [n for n in self.fields if n in DETAIL_NAMES and n not in self.covering]:
            del self.fields[name]
        for name in self.covering:
            field = self.fields[name]
            field.label = rules.label(name)
            field.required = rules.is_required(name)
        self.order_fields([*self.covering])
        self._lead_with_common_languages(languages_first(rules.agency_id))

    def _lead_with_common_languages(self, first: tuple[str, ...]) -> None:
        grouped = most_used_first(KNOWN_LANGUAGES, first)
        for name in ("other_languages", "reads", "writes"):
            field = self.fields.get(name)
            if isinstance(field, forms.ChoiceField):
                field.choices = grouped
        language = self.fields.get("language")
        if isinstance(language, forms.ChoiceField):
            # "Not yet known" stays the first choice, above the groups.
            language.choices = [c for c in LANGUAGES if c[0] == "und"] + grouped

    def clean_aliases(self) -> tuple[str, ...]:
        lines = [clean_text(line) for line in self.cleaned_data["aliases"].splitlines()]
        names = [line for line in lines if line]
        if len(names) > MAX_ALIASES:
            raise forms.ValidationError(_("Enter at most 20 other names."))
        if any(len(name) > limits.LINE for name in names):
            raise forms.ValidationError(_("Each name can have at most 200 characters."))
        return tuple(names)

    def clean_contact_notes(self) -> str:
        notes = str(self.cleaned_data["contact_notes"])
        if has_hidden_characters(notes):
            raise forms.ValidationError(
                _("Remove the invisible control characters from this text.")
            )
        return notes.strip()

    def details(self, base: PersonDetails | None = None) -> PersonDetails:
        """The covered values over ``base`` (the current record, or blank)."""
        values = {name: self.cleaned_data[name] for name in self.covering}
        return replace(base or PersonDetails(), **values)

    def refuse(self, error: ValidationError) -> None:
        show_refusal(self, error)


class PersonEditForm(PersonForm):
    """The whole record, with the version it was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class IdentityForm(PersonForm):
    """The last intake step: the team, and as little identity as the person
    is willing to give (all optional unless the agency says otherwise)."""

    team = forms.ModelChoiceField(
        label=_("Send the case to the team"),
        queryset=Team.objects.none(),
    )
    advocate = forms.ModelChoiceField(
        label=_("And to an advocate of that team"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet: the team's queue"),
        help_text=_("Leave it to the team's queue, and an advocate of the team will take it."),
    )
    record_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101
        team_field.queryset = Team.objects.filter(agency=agency, is_active=True)
        advocate_field = self.fields["advocate"]
        assert isinstance(advocate_field, forms.ModelChoiceField)  # noqa: S101
        advocate_field.queryset = case_workers(agency)
        advocate_field.label_from_instance = _staff_label  # type: ignore[method-assign,assignment]
        self.order_fields([*self.covering, "team", "advocate"])


def _staff_label(user: Any) -> str:
    return str(user.display_name or user.username)


def case_workers(agency: Agency) -> Any:
    """The agency's active advocates and supervisors, who may be handed a
    case (the service checks they work in the case's team)."""
    return (
        User.objects.filter(
            agency=agency,
            is_active=True,
            memberships__role__in=[Role.ADVOCATE, Role.SUPERVISOR],
            memberships__team__isnull=False,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def initial_of(details: PersonDetails) -> dict[str, Any]:
    """A form's initial values from the person's current record."""
    initial: dict[str, Any] = {name: getattr(details, name) for name in DETAIL_NAMES}
    initial["aliases"] = "\n".join(details.aliases)
    confidential = details.address_confidentiality
    initial["address_confidentiality"] = (
        "" if confidential is None else ("yes" if confidential else "no")
    )
    for name in ("other_languages", "reads", "writes"):
        initial[name] = list(initial[name])
    return initial


class CloseForm(forms.Form):
    # No reason is chosen for the user: closing takes a deliberate choice.
    reason = forms.ChoiceField(
        label=_("Why the case is closing"),
        choices=[("", _("Choose a reason")), *CloseReason.choices],
    )


class BreakGlassForm(forms.Form):
    case = forms.UUIDField(label=_("Case reference"))
    reason = forms.CharField(
        label=_("Why you need this case now"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _StaffChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _staff_label(obj)


class CaseStaffForm(forms.Form):
    assigned = _StaffChoice(
        label=_("Assigned staff"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    restricted = forms.BooleanField(
        label=_("Restrict the case to the staff named below"),
        required=False,
        help_text=_(
            "For example when someone on the team knows the person or the people who hurt them."
        ),
    )
    named_staff = _StaffChoice(
        label=_("Staff who may open the restricted case"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        colleagues = (
            User.objects.filter(
                agency=agency,
                is_active=True,
                memberships__role__in=[Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER],
            )
            .distinct()
            .order_by("display_name", "username")
        )
        for name in ("assigned", "named_staff"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
            field.queryset = colleagues


class DestroyForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm that the person asked for this.")},
        label=_(
            "The person asked for their record to be destroyed, "
            "and I understand it cannot be brought back."
        ),
    )


class FieldSettingsForm(forms.Form):
    """One mode and one label for every field of the person record."""

    def __init__(self, *args: Any, rules: FieldRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in DETAIL_NAMES:
            modes = FieldSetting.Mode.choices
            if name in CANNOT_REQUIRE:
                modes = [m for m in modes if m[0] != FieldSetting.Mode.REQUIRED]
            self.fields[f"mode_{name}"] = forms.ChoiceField(
                label=_("How “%(field)s” is recorded") % {"field": LABELS[name]},
                choices=modes,
                initial=rules.mode(name),
            )
            self.fields[f"label_{name}"] = forms.CharField(
                label=_("Your label for “%(field)s”") % {"field": LABELS[name]},
                max_length=limits.FIELD_LABEL,
                required=False,
                initial=rules.labels.get(name, ""),
                widget=forms.TextInput(attrs={"placeholder": LABELS[name]}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in DETAIL_NAMES:
            key = f"label_{name}"
            if key in cleaned:
                cleaned[key] = clean_text(cleaned[key])
        return cleaned

    def choices(self) -> dict[str, tuple[str, str]]:
        return {
            name: (self.cleaned_data[f"mode_{name}"], self.cleaned_data[f"label_{name}"])
            for name in DETAIL_NAMES
        }

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(LABELS[n]), self[f"mode_{n}"], self[f"label_{n}"]) for n in DETAIL_NAMES]

    def refuse(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, problems in error.message_dict.items():
                self.add_error(f"mode_{name}", problems)
        else:
            self.add_error(None, error.messages)
