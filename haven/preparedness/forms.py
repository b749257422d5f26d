"""The forms of organizational preparedness. Rules live in the services;
these only turn what was posted into values."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.attachments.forms import AttachmentField, FileForm
from haven.attachments.services import Upload, size_limit
from haven.core import limits
from haven.partners.models import Organization
from haven.preparedness.models import AgreementKind, MeetingKind, PolicyKind
from haven.preparedness.services import (
    AgreementValues,
    MeetingValues,
    PolicyValues,
    VersionValues,
    document_problem,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentField(AttachmentField):
    """A PDF or a Word document, refused on the spot when it is anything else."""

    def to_python(self, data: Any) -> Upload | None:  # type: ignore[override]
        upload = super().to_python(data)
        if upload is not None and (problem := document_problem(upload)):
            raise ValidationError(problem, code="not_a_document")
        return upload


def _document_field(label: Any) -> DocumentField:
    return DocumentField(
        label=label,
        help_text=_("A PDF or a Word document (.docx), up to %(limit)s.") % {"limit": size_limit()},
    )


class _Revision(forms.Form):
    """The edit counter the page was built from, sent back with a change."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class PolicyForm(_Revision):
    kind = forms.ChoiceField(label=_("What the policy is about"), choices=PolicyKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=limits.LINE,
        error_messages={"required": _("Give the policy a title.")},
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        help_text=_("The staff member who answers for it and keeps it up to date."),
        coerce=int,
        error_messages={"invalid_choice": _("Choose an active staff member of your agency.")},
    )

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *((u.pk, str(u)) for u in owners)]  # type: ignore[attr-defined]

    def values(self) -> PolicyValues:
        data = self.cleaned_data
        return PolicyValues(kind=data["kind"], title=data["title"], owner_id=data["owner"])


class VersionForm(FileForm):
    approved_on = forms.DateField(
        label=_("Approved on"),
        widget=_DATE,
        error_messages={"required": _("Say when this version was approved.")},
    )
    next_review_on = forms.DateField(
        label=_("Next review"),
        help_text=_("At most five years after the approval."),
        widget=_DATE,
        error_messages={"required": _("Say when it is next to be reviewed.")},
    )
    changes = forms.CharField(
        label=_("Summary of changes"),
        required=False,
        max_length=limits.LONG_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = _document_field(_("The approved document"))

    def version_values(self) -> VersionValues:
        data = self.cleaned_data
        return VersionValues(
            approved_on=data["approved_on"],
            next_review_on=data["next_review_on"],
            changes=data["changes"],
            file=data["file"],
        )


class NewPolicyForm(PolicyForm, VersionForm):
    """A policy and its first version, on one page."""

    field_order = ["kind", "title", "owner", "approved_on", "next_review_on", "changes", "file"]


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reviewed_on = forms.DateField(
        label=_("Reviewed on"),
        widget=_DATE,
        error_messages={"required": _("Say when the policy was reviewed.")},
    )
    next_review_on = forms.DateField(
        label=_("Next review"),
        help_text=_("At most five years after this review."),
        widget=_DATE,
        error_messages={"required": _("Say when it is next to be reviewed.")},
    )


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MeetingForm(_Revision):
    kind = forms.ChoiceField(label=_("Kind of partner"), choices=MeetingKind.choices)
    organization = forms.TypedChoiceField(
        label=_("Partner from your directory"),
        required=False,
        coerce=uuid.UUID,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a partner from your agency's directory.")},
    )
    partner_name = forms.CharField(
        label=_("Or the partner's name, if not in the directory"),
        required=False,
        max_length=limits.LINE,
    )
    held_on = forms.DateField(
        label=_("Held on"),
        widget=_DATE,
        error_messages={"required": _("Say when the meeting was held.")},
    )
    staff = forms.TypedMultipleChoiceField(
        label=_("Staff who attended"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose staff members of your agency.")},
    )
    partner_attendees = forms.CharField(
        label=_("Who came for the partner"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    agreements = forms.CharField(
        label=_("Agreements reached"),
        help_text=_("Agreements about how you work together. Do not name people you serve."),
        required=False,
        max_length=limits.LONG,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    follow_ups = forms.CharField(
        label=_("Follow-ups"),
        required=False,
        max_length=limits.LONG_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up_due = forms.DateField(
        label=_("Follow-ups due (optional)"), required=False, widget=_DATE
    )
    follow_up_done = forms.BooleanField(label=_("Follow-ups done"), required=False)

    def __init__(
        self,
        *args: Any,
        staff: list[User],
        organizations: list[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(o.pk), o.name) for o in organizations),
        ]
        self.fields["staff"].choices = [(u.pk, str(u)) for u in staff]  # type: ignore[attr-defined]

    def values(self) -> MeetingValues:
        data = self.cleaned_data
        return MeetingValues(
            kind=data["kind"],
            held_on=data["held_on"],
            organization_id=data["organization"],
            partner_name=data["partner_name"],
            staff_ids=list(data["staff"]),
            partner_attendees=data["partner_attendees"],
            agreements=data["agreements"],
            follow_ups=data["follow_ups"],
            follow_up_due=data["follow_up_due"],
            follow_up_done=data["follow_up_done"],
        )


class AgreementForm(FileForm):
    organization = forms.TypedChoiceField(
        label=_("Partner"),
        coerce=uuid.UUID,
        empty_value=None,
        error_messages={
            "invalid_choice": _("Choose a partner from your agency's directory."),
            "required": _("Choose a partner from your agency's directory."),
        },
    )
    kind = forms.ChoiceField(label=_("Kind of agreement"), choices=AgreementKind.choices)
    signed_on = forms.DateField(
        label=_("Signed on"),
        widget=_DATE,
        error_messages={"required": _("Say when the agreement was signed.")},
    )
    expires_on = forms.DateField(label=_("Expires on (optional)"), required=False, widget=_DATE)
    file = _document_field(_("The signed agreement"))

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(o.pk), o.name) for o in organizations),
        ]

    def values(self) -> AgreementValues:
        data = self.cleaned_data
        return AgreementValues(
            organization_id=data["organization"],
            kind=data["kind"],
            signed_on=data["signed_on"],
            expires_on=data["expires_on"],
            file=data["file"],
        )
