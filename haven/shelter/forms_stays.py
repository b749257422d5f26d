"""Forms of stays: what the pages parse before the services decide."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from haven.consent.models import InfoKind, Purpose
from haven.core import limits
from haven.shelter.models import Bed, CheckIn, ShelterSite, StayOutcome, StayRequest


def bed_choices(
    beds: list[Bed], reopening: Mapping[uuid.UUID, datetime] | None = None
) -> list[tuple[str, str]]:
    """A bed by site alias, room and label; a bed of a site closed to
    admissions says until when, before anyone chooses it."""
    choices = [("", "—")]
    for bed in beds:
        label = f"{bed.site.alias}: {bed.room}, {bed.label}"
        until = (reopening or {}).get(bed.site_id)
        if until is not None:
            day = formats.date_format(timezone.localtime(until), "DATE_FORMAT")
            label = _("%(bed)s (closed to admissions until %(day)s)") % {"bed": label, "day": day}
        choices.append((str(bed.pk), label))
    return choices


class _BedForm(forms.Form):
    bed = forms.TypedChoiceField(
        label=_("Bed"), coerce=int, error_messages={"required": _("Choose a bed.")}
    )

    def __init__(
        self,
        *args: object,
        beds: list[Bed],
        reopening: Mapping[uuid.UUID, datetime] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["bed"].choices = bed_choices(beds, reopening)  # type: ignore[attr-defined]


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
        # Its own ids: it shares the page with the admission form, whose
        # "First night" is another field.
        kwargs.setdefault("auto_id", "place_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.partners = partners
        self.fields["organization"].choices = [("", "—"), *partners]  # type: ignore[attr-defined]
