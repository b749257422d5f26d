"""The forms of consent pages. Rules live in services.consent_record; these
only turn what was posted into its values."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.attachments.forms import AttachmentField, FileForm
from haven.consent.court_orders import CourtOrderAnswer
from haven.consent.models import ConsentForm, InfoKind, Purpose, RecipientCategory
from haven.consent.services import ConsentValues
from haven.core import limits
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


class ConsentRecordForm(FileForm):
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
        max_length=limits.SHORT_NOTE,
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
        max_length=limits.LINE,
    )
    witness = forms.CharField(
        label=_("Given aloud: the witness who heard it"), required=False, max_length=limits.LINE
    )
    paper_kept = forms.CharField(
        label=_("Signed on paper: where the signed copy is kept (if not scanned)"),
        required=False,
        max_length=limits.LINE,
    )
    scan = AttachmentField(
        label=_("Signed on paper: the scan of the signed form"), required=False, scan=True
    )
    language = forms.ChoiceField(
        label=_("Language the consent was explained in"),
        choices=[(code, name) for code, name in LANGUAGES if code != "und"],
    )
    interpreter = forms.CharField(
        label=_("Interpreter (optional)"),
        help_text=_("A trained interpreter: never a family member or a friend."),
        required=False,
        max_length=limits.LINE,
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
            scan=data["scan"],
            language=data["language"],
            interpreter=data["interpreter"],
            starts_on=data["starts_on"],
            expires_on=data["expires_on"],
        )


class RevokeForm(forms.Form):
    note = forms.CharField(
        label=_("What the person said (optional)"),
        required=False,
        max_length=limits.SHORT_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentSettingsForm(forms.Form):
    default_days = forms.IntegerField(
        label=_("Days a consent lasts unless staff choose otherwise"),
        min_value=1,
        max_value=366,
    )


RECIPIENT_FIELDS = ["recipient", "recipient_name", "recipient_category"]


class NamedRecipientForm(forms.Form):
    """Who receives a disclosure: an organization of the directory, or a
    name with its category (see gate.recipient_named)."""

    recipient = forms.ChoiceField(label=_("Who receives the information"), required=False)
    recipient_name = forms.CharField(
        label=_("Or, if they are not in the directory: their name"),
        required=False,
        max_length=300,
    )
    recipient_category = forms.ChoiceField(
        label=_("Which they are (optional)"),
        choices=[("", "—"), *RecipientCategory.choices],
        required=False,
    )

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["recipient"]).choices = [
            ("", _("Not in the directory: write the name below")),
            *[(str(o.pk), o.name) for o in organizations],
        ]

    def recipient_org_id(self) -> uuid.UUID | None:
        chosen = self.cleaned_data["recipient"]
        return uuid.UUID(chosen) if chosen else None


class CourtOrderForm(FileForm, NamedRecipientForm):
    """Answering a court order: the order, its copy, who receives what, and
    how the person was told."""

    reference = forms.CharField(
        label=_("The order: court, case number and date"),
        max_length=300,
        error_messages={
            "required": _("Write the court, the case number and the date of the order.")
        },
    )
    signed_by_judge = forms.BooleanField(
        label=_("This order is signed by a judge (a subpoena from a lawyer usually is not)"),
        required=False,
    )
    copy = AttachmentField(label=_("A copy of the order"), required=False, scan=True)
    purpose = forms.ChoiceField(
        label=_("For what purpose"),
        choices=Purpose.choices,
        initial=Purpose.COURT,
        error_messages={"required": _("Choose the purpose.")},
    )
    kinds = forms.MultipleChoiceField(
        label=_("What the order requires"),
        help_text=_("Only what the order compels. Anything else stays with us."),
        choices=InfoKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what the order requires.")},
    )
    given = forms.CharField(
        label=_("What was handed over"),
        max_length=limits.SHORT_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what was handed over.")},
    )
    person_told = forms.CharField(
        label=_("How and when the person was told"),
        help_text=_("The law requires telling the person when a release is compelled."),
        max_length=limits.SHORT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Say how and when the person was told, or why they could not be.")
        },
    )

    field_order = ["reference", "signed_by_judge", "copy", *RECIPIENT_FIELDS]

    def answer(self) -> CourtOrderAnswer:
        data = self.cleaned_data
        return CourtOrderAnswer(
            reference=data["reference"],
            copy=data["copy"],
            signed_by_judge=data["signed_by_judge"],
            purpose=data["purpose"],
            kinds=data["kinds"],
            given=data["given"],
            person_told=data["person_told"],
            recipient_org_id=self.recipient_org_id(),
            recipient_name=data["recipient_name"],
            recipient_category=data["recipient_category"],
        )
