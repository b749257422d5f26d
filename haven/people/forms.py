"""Forms for intake, search and break-glass. Parsing only: rules live in services."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.languages import LANGUAGES
from haven.core.models import Agency, Team
from haven.people.models import CloseReason, Danger

TEXT_MAX = 200
MAX_ALIASES = 20


def clean_text(value: str) -> str:
    """Names in any script, with marks and emoji, but no control characters."""
    if any(unicodedata.category(c) in {"Cc", "Cf"} and c not in "\t\n\u200d\u200c" for c in value):
        raise forms.ValidationError(_("Remove the invisible control characters from this text."))
    return " ".join(value.split())


class TextField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", TEXT_MAX)
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
    name = TextField(label=_("Name or alias"))
    date_of_birth = BirthDateField()
    phone = TextField(label=_("Phone"), max_length=40)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(f) for f in ("name", "date_of_birth", "phone")):
            raise forms.ValidationError(_("Enter a name, a date of birth or a phone number."))
        return cleaned


class DangerForm(forms.Form):
    danger = forms.ChoiceField(
        label=_("Is the person in immediate danger right now?"),
        choices=Danger.choices,
        widget=forms.RadioSelect,
    )


class IdentityForm(forms.Form):
    """As little identity as the person is willing to give: all optional."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    language = forms.ChoiceField(
        label=_("Language they speak best"), choices=LANGUAGES, initial="und"
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    preferred_name = TextField(label=_("Name they want to be called"))
    legal_name = TextField(label=_("Legal name"))
    self_term = TextField(
        label=_("Words they use for themself"),
        help_text=_("Use these words when you speak with them."),
    )
    aliases = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
        max_length=4000,
    )
    date_of_birth = BirthDateField()
    phone = TextField(label=_("Safe phone number"), max_length=40)
    record_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101
        team_field.queryset = Team.objects.filter(agency=agency, is_active=True)

    def clean_aliases(self) -> list[str]:
        lines = [clean_text(line) for line in self.cleaned_data["aliases"].splitlines()]
        names = [line for line in lines if line]
        if len(names) > MAX_ALIASES:
            raise forms.ValidationError(_("Enter at most 20 other names."))
        if any(len(name) > TEXT_MAX for name in names):
            raise forms.ValidationError(_("Each name can have at most 200 characters."))
        return names


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why the case is closing"), choices=CloseReason.choices)


class BreakGlassForm(forms.Form):
    case = forms.UUIDField(label=_("Case reference"))
    reason = forms.CharField(
        label=_("Why you need this case now"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
