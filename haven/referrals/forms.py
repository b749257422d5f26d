"""The forms of referrals: sending one, moving it on, and the agency's expertise."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy

from haven.consent.models import InfoKind, Purpose
from haven.core import limits
from haven.referrals.models import ReferralStatus

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReferralForm(forms.Form):
    purpose = forms.ChoiceField(
        label=gettext_lazy("For what purpose"),
        choices=Purpose.choices,
        initial=Purpose.SERVICES,
        widget=forms.RadioSelect,
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("What to share"),
        help_text=gettext_lazy("Only what the person's consent covers; the rest stays with us."),
        choices=InfoKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose what information is shared.")},
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the partner (a case note: share case notes to send it)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up_on = forms.DateField(label=gettext_lazy("Follow up on"), required=False, widget=_DATE)
    outside_expertise_confirmed = forms.BooleanField(
        label=gettext_lazy("I checked with the partner: send it even so"), required=False
    )


class MoveForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("What happened"), widget=forms.RadioSelect)
    outcome = forms.CharField(
        label=gettext_lazy("Outcome (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, moves: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, label) for value, label in ReferralStatus.choices if value in moves
        ]


class ExpertiseForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=gettext_lazy("Needs your agency meets itself"),
        help_text=gettext_lazy(
            "Other needs are flagged on each case for referral to a partner, and "
            "referrals you receive for them are flagged to you."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
