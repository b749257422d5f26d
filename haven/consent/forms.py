"""The forms of consent pages. Rules live in services.consent_record; these
only turn what was posted into its values."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.consent.models import ConsentForm, InfoKind, Purpose, RecipientCategory
from haven.consent.services import NOTE_MAX, TEXT_MAX, ConsentValues
from haven.core.languages import LANGUAGES

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORG = "org:"
CATEGORY = "category:"


def recipient_choices(organizations: list[Any]) -> list[tuple[Any, Any]]:
    """The agency's own directory first, then the categories."""
    return [
        ("", _("Choose who may receive it")),
        (_("An organization"), [(f"{ORG}{o.pk}", o.name) for o in organizations]),
        (
            _("A category of agencies"),
            [(f"{CATEGORY}{value}", label) for value, label in RecipientCategory.choices],
        ),
    ]


class ConsentRecordForm(forms.Form):
    recipient = forms.ChoiceField(
        label=_("Who may receive the information"),
        error_messages={"required": _("Say who the information may go to.")},
    )
    purpose = forms.ChoiceField(
        label=_("For what purpose"),
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the purpose.")},
    )
    purpose_note = forms.CharField(
        label=_("More about the purpose (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kinds = forms.MultipleChoiceField(
        label=_("What may be shared"),
        help_text=_("Only what the person agreed to. Anything not ticked stays with us."),
        choices=InfoKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what information may be shared.")},
    )
    form = forms.ChoiceField(
        label=_("How the person gave consent"),
        choices=ConsentForm.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the person gave consent.")},
    )
    signature = forms.CharField(
        label=_("Signed on screen: the name the person wrote"),
        required=False,
        max_length=TEXT_MAX,
    )
    witness = forms.CharField(
        label=_("Given aloud: the witness who heard it"), required=False, max_length=TEXT_MAX
    )
    paper_kept = forms.CharField(
        label=_("Signed on paper: where the signed copy is kept"),
        required=False,
        max_length=TEXT_MAX,
    )
    language = forms.ChoiceField(
        label=_("Language the consent was explained in"),
        choices=[(code, name) for code, name in LANGUAGES if code != "und"],
    )
    interpreter = forms.CharField(
        label=_("Interpreter (optional)"),
        help_text=_("A trained interpreter: never a family member or a friend."),
        required=False,
        max_length=TEXT_MAX,
    )
    starts_on = forms.DateField(label=_("In force from"), widget=_DATE)
    expires_on = forms.DateField(
        label=_("Until"),
        help_text=_("Every consent ends. A year at most."),
        widget=_DATE,
    )

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["recipient"]).choices = recipient_choices(organizations)
        self.fields["starts_on"].initial = timezone.localdate()

    def values(self) -> ConsentValues:
        data = self.cleaned_data
        recipient: str = data["recipient"]
        org_id: uuid.UUID | None = None
        category = ""
        if recipient.startswith(ORG):
            org_id = uuid.UUID(recipient.removeprefix(ORG))
        else:
            category = recipient.removeprefix(CATEGORY)
        return ConsentValues(
            recipient_org_id=org_id,
            recipient_category=category,
            purpose=data["purpose"],
            purpose_note=data["purpose_note"],
            kinds=data["kinds"],
            form=data["form"],
            signature=data["signature"],
            witness=data["witness"],
            paper_kept=data["paper_kept"],
            language=data["language"],
            interpreter=data["interpreter"],
            starts_on=data["starts_on"],
            expires_on=data["expires_on"],
        )


class RevokeForm(forms.Form):
    note = forms.CharField(
        label=_("What the person said (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentSettingsForm(forms.Form):
    default_days = forms.IntegerField(
        label=_("Days a consent lasts unless staff choose otherwise"),
        min_value=1,
        max_value=366,
    )
