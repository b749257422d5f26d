"""Forms of stays: what the pages parse before the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.consent.models import InfoKind, Purpose
from haven.core import limits
from haven.shelter.models import Bed, CheckIn, ShelterSite, StayOutcome, StayRequest


def bed_choices(beds: list[Bed]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(b.pk), f"{b.site.alias}: {b.room}, {b.label}") for b in beds]


class _BedForm(forms.Form):
    bed = forms.TypedChoiceField(
        label=_("Bed"), coerce=int, error_messages={"required": _("Choose a bed.")}
    )

    def __init__(self, *args: object, beds: list[Bed], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["bed"].choices = bed_choices(beds)  # type: ignore[attr-defined]


class AdmitForm(_BedForm):
    starts_on = forms.DateField(
        label=_("First night"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    safety_notes = forms.CharField(
        label=_("Safety notes for shelter staff (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    request = forms.UUIDField(required=False, widget=forms.HiddenInput)


class MoveForm(_BedForm):
    on = forms.DateField(
        label=_("Day of the move"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class EndForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How the stay ended"),
        choices=[("", "—")] + [c for c in StayOutcome.choices if c[0] != StayOutcome.MOVED],
        error_messages={"required": _("Choose how the stay ended.")},
    )
    ends_on = forms.DateField(
        label=_("Day the person left"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CheckInForm(forms.Form):
    wellbeing = forms.ChoiceField(
        label=_("How the person is"),
        choices=CheckIn.Wellbeing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the person is.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=limits.SUMMARY,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestForm(forms.Form):
    site = forms.ChoiceField(label=_("Site"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=StayRequest.Priority.choices)
    note = forms.CharField(
        label=_("What the person needs from a place (optional)"),
        required=False,
        max_length=limits.SUMMARY,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, sites: list[ShelterSite], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["site"].choices = [("", _("Any site"))] + [  # type: ignore[attr-defined]
            (str(s.pk), s.alias) for s in sites
        ]


class PlaceForm(forms.Form):
    organization = forms.ChoiceField(
        label=_("Shelter partner"), error_messages={"required": _("Choose a shelter partner.")}
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    kinds = forms.MultipleChoiceField(
        label=_("What the partner is told"),
        choices=InfoKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what information is shared.")},
    )
    starts_on = forms.DateField(
        label=_("First night"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    location_agreed = forms.BooleanField(
        label=_("The person agreed to record where they stay"), required=False
    )
    location = forms.CharField(
        label=_("Where (only if the person agreed)"),
        help_text=_("Otherwise the stay says only “at partner”."),
        required=False,
        max_length=limits.WIDE_LINE,
    )

    def __init__(self, *args: object, partners: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organization"].choices = [("", "—"), *partners]  # type: ignore[attr-defined]
