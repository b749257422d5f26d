"""The export form: for the person themself, or for someone else with the
person's consent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.consent.forms import NamedRecipientForm
from haven.consent.models import InfoKind, Purpose
from haven.exports.models import Audience
from haven.exports.services import ExportRequest


class ExportForm(NamedRecipientForm):
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

    def request(self) -> ExportRequest:
        data = self.cleaned_data
        return ExportRequest(
            audience=data["audience"],
            include_restricted=data["include_restricted"],
            include_shelter=data["include_shelter"],
            recipient_org_id=self.recipient_org_id(),
            recipient_name=data["recipient_name"],
            recipient_category=data["recipient_category"],
            purpose=data["purpose"],
            kinds=data["kinds"],
        )
