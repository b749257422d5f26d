"""The forms of staff safety. Rules live in the services; these only turn
what was posted into values."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from haven.accounts.models import User
from haven.attachments.forms import AttachmentsField, FileForm
from haven.core import limits
from haven.people.models import Case
from haven.safety.lockdown import MAX_DAYS, MIN_DAYS
from haven.safety.models import Channel, ChecklistAnswer, PersonOfConcern
from haven.safety.places import OFFICE
from haven.safety.services import (
    ChecklistValues,
    ConcernValues,
    ThreatFollowUp,
    ThreatValues,
    VisitValues,
)

# The service's words (haven.safety.report_numbers), for the form's own length check.
REPORT_NUMBER_TOO_LONG = _("Write the report number in at most %(limit_value)d characters.")
_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _ids(values: Any) -> list[uuid.UUID]:
    return [uuid.UUID(str(v)) for v in values or []]


class _Choices(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class VisitForm(forms.Form):
    name_given = forms.CharField(
        label=_("Name the visitor gave"),
        max_length=limits.LINE,
        error_messages={
            "required": _(
                "Write the name the visitor gave. If they would not give one, write that."
            )
        },
    )
    asking_for = forms.CharField(
        label=_("Whom they ask for (optional)"), required=False, max_length=limits.LINE
    )
    purpose = forms.CharField(
        label=_("Purpose of the visit (optional)"), required=False, max_length=limits.WIDE_LINE
    )
    plate = forms.CharField(
        label=_("Vehicle plate, if seen (optional)"), required=False, max_length=limits.LINE
    )
    id_seen = forms.BooleanField(label=_("I saw an identity document"), required=False)
    place = forms.ChoiceField(label=_("Where"), required=False)

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        """``places``: the agency's places besides the office, (id, label);
        with none, the visitor is at the office and the form does not ask."""
        super().__init__(*args, **kwargs)
        if places:
            self.fields["place"].choices = [(OFFICE, _("The office")), *places]  # type: ignore[attr-defined]
        else:
            del self.fields["place"]

    def values(self) -> VisitValues:
        data = self.cleaned_data
        return VisitValues(
            name_given=data["name_given"],
            asking_for=data["asking_for"],
            purpose=data["purpose"],
            plate=data["plate"],
            id_seen=data["id_seen"],
            place=data.get("place") or OFFICE,
        )


class ThreatForm(FileForm):
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        widget=_WHEN,
        error_messages={"required": _("Say when it happened.")},
    )
    channel = forms.ChoiceField(label=_("How it came"), choices=Channel.choices)
    against_agency = forms.BooleanField(label=_("Aimed at the agency as a whole"), required=False)
    targeted_staff = _Choices(label=_("Staff members it was aimed at"), required=False)
    what_happened = forms.CharField(
        label=_("What happened"),
        help_text=_("The words used, as exactly as you can remember them."),
        max_length=limits.LONG,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Say what happened.")},
    )
    concerns = _Choices(label=_("Persons of concern involved (optional)"), required=False)
    cases = _Choices(label=_("Cases it concerns (optional)"), required=False)
    reported_to_police = forms.BooleanField(label=_("Reported to law enforcement"), required=False)
    reported_on = forms.DateField(label=_("Reported on (optional)"), required=False, widget=_DATE)
    report_number = forms.CharField(
        label=_("Report number (optional)"),
        required=False,
        max_length=limits.CODE,
        error_messages={"max_length": REPORT_NUMBER_TOO_LONG},
    )
    evidence = AttachmentsField(label=_("Evidence (optional)"), required=False)

    def __init__(
        self,
        *args: Any,
        staff: list[User],
        concerns: list[PersonOfConcern],
        cases: list[Case],
        case_label: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["targeted_staff"].choices = [(u.pk, str(u)) for u in staff]  # type: ignore[attr-defined]
        if concerns:
            self.fields["concerns"].choices = [(str(c.pk), c.name) for c in concerns]  # type: ignore[attr-defined]
        else:
            del self.fields["concerns"]
        if cases:
            self.fields["cases"].choices = [(str(c.pk), case_label(c)) for c in cases]  # type: ignore[attr-defined]
        else:
            del self.fields["cases"]

    def values(self) -> ThreatValues:
        data = self.cleaned_data
        return ThreatValues(
            occurred_at=data["occurred_at"],
            channel=data["channel"],
            what_happened=data["what_happened"],
            against_agency=data["against_agency"],
            targeted_staff_ids=[int(pk) for pk in data["targeted_staff"]],
            reported_to_police=data["reported_to_police"],
            reported_on=data["reported_on"],
            report_number=data["report_number"],
            concern_ids=_ids(data.get("concerns")),
            case_ids=_ids(data.get("cases")),
            evidence=data["evidence"],
        )


class FollowUpForm(FileForm):
    reported_to_police = forms.BooleanField(label=_("Reported to law enforcement"), required=False)
    reported_on = forms.DateField(label=_("Reported on (optional)"), required=False, widget=_DATE)
    report_number = forms.CharField(
        label=_("Report number (optional)"),
        required=False,
        max_length=limits.CODE,
        error_messages={"max_length": REPORT_NUMBER_TOO_LONG},
    )
    evidence = AttachmentsField(label=_("More evidence (optional)"), required=False)

    def __init__(self, *args: Any, number_locked: bool = False, **kwargs: Any) -> None:
        """``number_locked``: a number is recorded and the user may not change
        it (haven.safety.policies.may_change_report_number): it is shown, not
        offered, and what is posted for it is ignored."""
        super().__init__(*args, **kwargs)
        if number_locked:
            field = self.fields["report_number"]
            field.disabled = True
            field.help_text = _(
                "Only whoever recorded this threat, the staff designated for safety alerts, "
                "supervisors and administrators can change it."
            )

    def values(self) -> ThreatFollowUp:
        data = self.cleaned_data
        return ThreatFollowUp(
            reported_to_police=data["reported_to_police"],
            reported_on=data["reported_on"],
            report_number=data["report_number"],
            evidence=data["evidence"],
        )


class ConcernForm(FileForm):
    name = forms.CharField(
        label=_("Name they are known by"),
        max_length=limits.LINE,
        error_messages={"required": _("Write the name they are known by, even a nickname.")},
    )
    aliases = forms.CharField(
        label=_("Other names and spellings (optional)"),
        help_text=_("One per line. Each is screened at the front desk."),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        help_text=_("What they look like, where they have been seen, what they have done."),
        required=False,
        max_length=limits.LONG,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    vehicles = forms.CharField(
        label=_("Vehicles (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plates = forms.CharField(
        label=_("Licence plates (optional)"),
        help_text=_("One per line. Each is screened at the front desk."),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    associates = forms.CharField(
        label=_("Known associates (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cases = _Choices(label=_("Cases they are connected to (optional)"), required=False)
    photos = AttachmentsField(label=_("Photos (optional)"), scan=True, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, cases: list[Case], case_label: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cases:
            self.fields["cases"].choices = [(str(c.pk), case_label(c)) for c in cases]  # type: ignore[attr-defined]
        else:
            del self.fields["cases"]
        self.fields["photos"].help_text = _("Images or PDF files.")

    def values(self) -> ConcernValues:
        data = self.cleaned_data
        return ConcernValues(
            name=data["name"],
            aliases=data["aliases"],
            description=data["description"],
            vehicles=data["vehicles"],
            plates=data["plates"],
            associates=data["associates"],
            case_ids=_ids(data.get("cases")),
            photos=data["photos"],
        )


_ANSWERS = [("", _("Not answered")), *ChecklistAnswer.choices]


class ChecklistForm(forms.Form):
    unlisted_phone = forms.ChoiceField(
        label=_("My home phone number is unlisted"), choices=_ANSWERS, required=False
    )
    address_confidentiality = forms.ChoiceField(
        label=_("I am enrolled in the state's address confidentiality program"),
        choices=_ANSWERS,
        required=False,
    )
    varied_routes = forms.ChoiceField(
        label=_("I vary my routes and times to and from work"), choices=_ANSWERS, required=False
    )
    alternative_stay = forms.ChoiceField(
        label=_("I have another place to stay if home is not safe"),
        choices=_ANSWERS,
        required=False,
    )
    alternative_stay_notes = forms.CharField(
        label=_("Where, and how to get there (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    emergency_contacts = forms.CharField(
        label=_("Emergency contacts (optional)"),
        help_text=_("Who to call if something happens to you, and how."),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Other precautions (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> ChecklistValues:
        return ChecklistValues(
            **{name: self.cleaned_data[name] for name in self.fields if name != "version"}
        )


class SettingsForm(forms.Form):
    alerts = _Choices(
        label=_("Staff who receive visitor alerts"),
        help_text=_("When nobody is chosen, alerts go to every supervisor and administrator."),
        required=False,
    )
    lockdown = _Choices(label=_("Lockdown administrators"), required=False)
    two_to_end_lockdown = forms.BooleanField(
        label=_("Ending a lockdown early takes two lockdown administrators"), required=False
    )

    def __init__(
        self, *args: Any, alert_staff: list[User], admins: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alerts"].choices = [(u.pk, str(u)) for u in alert_staff]  # type: ignore[attr-defined]
        self.fields["lockdown"].choices = [(u.pk, str(u)) for u in admins]  # type: ignore[attr-defined]


class SecondFactorForm(forms.Form):
    second_factor = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Or one of your recovery codes."),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Type the code from your authenticator app.")},
    )


class LockdownStartForm(SecondFactorForm):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("For the record. Only lockdown administrators see it."),
        max_length=limits.SHORT_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why, for the record.")},
    )
    duration = forms.ChoiceField(
        label=_("How long"),
        choices=[
            *[
                (str(d), ngettext_lazy("%(count)d day", "%(count)d days", "count") % {"count": d})
                for d in range(MIN_DAYS, MAX_DAYS + 1)
            ],
            ("until_ended", _("Until a lockdown administrator ends it")),
        ],
    )
    field_order = ["reason", "duration", "second_factor"]

    def days(self) -> int | None:
        value = self.cleaned_data["duration"]
        return None if value == "until_ended" else int(value)
