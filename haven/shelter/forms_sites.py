"""Forms of the shelter sites' pages: they parse what staff typed; the rules
are the services' (haven.shelter.sites)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from haven.accounts.models import User
from haven.core import limits
from haven.core.models import Team
from haven.safety.forms import SecondFactorForm
from haven.shelter.models import OpeningReason, SiteClosure
from haven.shelter.sites import (
    CLOSURE_MAX_DAYS,
    CLOSURE_MIN_DAYS,
    SEALED_LIMITS,
    SealedValues,
    SiteValues,
)


class SiteForm(forms.Form):
    alias = forms.CharField(
        label=_("Public alias"),
        help_text=_("How lists, reports and the API name the site, e.g. “Site A”."),
        max_length=limits.SHORT_LINE,
        error_messages={"required": _("Give the site a public alias.")},
    )
    team_id = forms.ChoiceField(
        label=_("Team"),
        help_text=_("Its shelter staff work at the site and may open its address."),
        error_messages={"required": _("Choose the team that works at the site.")},
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(t.pk), t.name) for t in teams),
        ]

    def values(self) -> SiteValues:
        data = self.cleaned_data
        return SiteValues(
            alias=data["alias"], team_id=int(data["team_id"]), is_active=data["is_active"]
        )


class BedForm(forms.Form):
    room = forms.CharField(
        label=_("Room"),
        max_length=limits.BED_LABEL,
        error_messages={"required": _("Say which room, as staff call it.")},
    )
    label = forms.CharField(
        label=_("Bed"),
        max_length=limits.BED_LABEL,
        error_messages={"required": _("Say which bed, as staff call it.")},
    )


class KeyholderForm(forms.Form):
    user_id = forms.ChoiceField(
        label=_("Supervisor"),
        error_messages={"required": _("Choose a supervisor.")},
    )

    def __init__(self, *args: Any, supervisors: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(u.pk), u.get_full_name() or u.username) for u in supervisors),
        ]


class SealedForm(SecondFactorForm):
    name = forms.CharField(
        label=_("Name as staff know it"), max_length=SEALED_LIMITS["name"], required=False
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=SEALED_LIMITS["address"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=SEALED_LIMITS["phone"], required=False)
    rules = forms.CharField(
        label=_("House rules"),
        max_length=SEALED_LIMITS["rules"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    field_order = [*SEALED_LIMITS, "second_factor"]

    def values(self) -> SealedValues:
        # A field left blank keeps what is recorded: nobody sees it to retype it.
        return SealedValues(
            **{
                name: self.cleaned_data[name] or None
                for name in self.fields
                if name in SEALED_LIMITS
            }
        )


class AddressOpenForm(SecondFactorForm):
    reason = forms.ChoiceField(
        label=_("Why you need the address"),
        help_text=_("Recorded with your name and the time. The address is not."),
        choices=[("", "—"), *OpeningReason.choices],
        error_messages={"required": _("Choose why you need the address.")},
    )
    field_order = ["reason", "second_factor"]


class CloseForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Closed to admissions for"),
        coerce=int,
        choices=[
            (str(d), ngettext_lazy("%(count)d day", "%(count)d days", "count") % {"count": d})
            for d in range(CLOSURE_MIN_DAYS, CLOSURE_MAX_DAYS + 1)
        ],
        error_messages={"invalid_choice": _("A site closes for 1 to 7 days.")},
    )
    why = forms.ChoiceField(
        label=_("Why"),
        choices=[("", "—"), *SiteClosure.Why.choices],
        error_messages={"required": _("Choose why the site closes.")},
    )
