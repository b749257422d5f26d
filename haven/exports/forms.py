"""The export form: for the person themself, or for someone else with the
person's consent."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.consent.models import InfoKind, Purpose, RecipientCategory
from haven.exports.models import Audience
from haven.exports.services import ExportRequest


class ExportForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Who the export is for"), choices=Audience.choices, widget=forms.RadioSelect
    )
    output = forms.ChoiceField(
        label=_("What to download"),
        choices=[
            ("bundle", _("The verifiable bundle (ZIP: the record, its files, a PDF, the hashes)")),
            ("pdf", _("The PDF to read")),
        ],
        initial="bundle",
        widget=forms.RadioSelect,
    )
    include_restricted = forms.BooleanField(
        label=_("For the person's own copy: they asked for their immigration status to be in it"),
        required=False,
    )
    include_shelter = forms.BooleanField(
        label=_("For the person's own copy: they asked for where they are staying to be in it"),
        required=False,
    )
    recipient = forms.ChoiceField(label=_("For someone else: who"), required=False)
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
    purpose = forms.ChoiceField(
        label=_("For what purpose"), choices=[("", "—"), *Purpose.choices], required=False
    )
    kinds = forms.MultipleChoiceField(
        label=_("What the person consented to"),
        help_text=_("A record needs at least who the person is and the case notes."),
        choices=InfoKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["recipient"]).choices = [
            ("", "—"),
            *[(str(o.pk), o.name) for o in organizations],
        ]

    def request(self) -> ExportRequest:
        data = self.cleaned_data
        return ExportRequest(
            audience=data["audience"],
            include_restricted=data["include_restricted"],
            include_shelter=data["include_shelter"],
            recipient_org_id=uuid.UUID(data["recipient"]) if data["recipient"] else None,
            recipient_name=data["recipient_name"],
            recipient_category=data["recipient_category"],
            purpose=data["purpose"],
            kinds=data["kinds"],
        )
