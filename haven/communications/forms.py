"""The forms of the communications log and the interpreter roster. Rules live
in the services; these only turn what was posted into values."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.attachments.forms import AttachmentField, AttachmentsField, FileForm
from haven.communications.models import (
    AdHocInterpreter,
    Channel,
    InterpretationMode,
    Interpreter,
    InterpreterGender,
    InterpreterKind,
)
from haven.communications.services import CommunicationValues
from haven.core import limits
from haven.core.forms import ChoiceList, most_used_first
from haven.core.languages import LANGUAGES
from haven.people.field_settings import languages_first

_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_LANGUAGES = [(code, name) for code, name in LANGUAGES if code != "und"]


def interpreter_label(interpreter: Interpreter) -> str:
    """The roster entry as a choice: name, languages and whether the
    confidentiality agreement holds today."""
    names = dict(LANGUAGES)
    spoken = ", ".join(str(names.get(code, code)) for code in interpreter.languages)
    problem = interpreter.agreement_problem(timezone.localdate())
    label = f"{interpreter.name} ({spoken})" if spoken else interpreter.name
    return f"{label}: {problem}" if problem else label


class CommunicationForm(FileForm):
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=_WHEN, error_messages={"required": _("Say when it happened.")}
    )
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices)
    with_person = forms.BooleanField(label=_("The person took part"), required=False)
    staff_ids = forms.MultipleChoiceField(
        label=_("Staff who took part"), required=False, widget=forms.CheckboxSelectMultiple
    )
    partners = forms.CharField(
        label=_("Partners who took part (optional)"), required=False, max_length=limits.SHORT_NOTE
    )
    others = forms.CharField(
        label=_("Anyone else who took part (optional)"),
        required=False,
        max_length=limits.SHORT_NOTE,
    )
    place = forms.CharField(
        label=_("Where (optional)"), required=False, max_length=limits.SHORT_NOTE
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=limits.SUMMARY,
        error_messages={"required": _("Write a short summary.")},
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        help_text=_("The person's own words where they matter. Sealed with their key."),
        required=False,
        max_length=limits.BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    follow_up = forms.CharField(
        label=_("Follow-up (optional)"), required=False, max_length=limits.SHORT_NOTE
    )
    follow_up_on = forms.DateField(label=_("Follow up by (optional)"), required=False, widget=_DATE)
    language = forms.ChoiceField(
        label=_("Language spoken"), required=False, choices=[("", "—"), *_LANGUAGES]
    )
    interpretation = forms.ChoiceField(
        label=_("Interpretation"),
        choices=InterpretationMode.choices,
        initial=InterpretationMode.NONE,
        widget=forms.RadioSelect,
    )
    interpreter = forms.ChoiceField(label=_("Interpreter from the roster"), required=False)
    agreement_acknowledged = forms.BooleanField(
        label=_("I know this interpreter's confidentiality agreement is missing or expired"),
        required=False,
    )
    ad_hoc = forms.ChoiceField(
        label=_("Or, if no roster interpreter was used: who interpreted"),
        required=False,
        choices=[("", "—"), *AdHocInterpreter.choices],
    )
    ad_hoc_name = forms.CharField(
        label=_("Their name"), required=False, max_length=limits.SHORT_NOTE
    )
    ad_hoc_reason = forms.CharField(
        label=_("Why no trained interpreter was used"),
        help_text=_(
            "Family, friends, children and anyone connected to the situation can put the "
            "person at risk and weaken their case. Say why it could not wait."
        ),
        required=False,
        max_length=limits.SHORT_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachments = AttachmentsField(label=_("Files (optional)"), required=False)

    def __init__(
        self,
        *args: Any,
        staff: list[tuple[int, str]],
        interpreters: list[Interpreter],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff_ids"].choices = [(str(pk), name) for pk, name in staff]  # type: ignore[attr-defined]
        self.fields["interpreter"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(str(i.pk), interpreter_label(i)) for i in interpreters],
        ]
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def values(self) -> CommunicationValues:
        data = self.cleaned_data
        return CommunicationValues(
            occurred_at=data["occurred_at"],
            channel=data["channel"],
            with_person=data["with_person"],
            staff_ids=[int(pk) for pk in data["staff_ids"]],
            partners=data["partners"],
            others=data["others"],
            place=data["place"],
            summary=data["summary"],
            details=data["details"],
            follow_up=data["follow_up"],
            follow_up_on=data["follow_up_on"],
            language=data["language"],
            interpretation=data["interpretation"],
            interpreter_id=_uuid(data["interpreter"]),
            ad_hoc=data["ad_hoc"],
            ad_hoc_name=data["ad_hoc_name"],
            ad_hoc_reason=data["ad_hoc_reason"],
            agreement_acknowledged=data["agreement_acknowledged"],
            files=data["attachments"],
        )


class AddendumForm(FileForm):
    addendum_reason = forms.CharField(
        label=_("Why this addendum"),
        help_text=_("What is added or corrected, and why. The entry itself never changes."),
        max_length=limits.SHORT_NOTE,
        error_messages={"required": _("Say why: what is added or corrected.")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=limits.SUMMARY,
        error_messages={"required": _("Write a short summary.")},
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=limits.BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = AttachmentsField(label=_("Files (optional)"), required=False)


def _uuid(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


class InterpreterForm(FileForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=InterpreterKind.choices)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=_LANGUAGES,
        widget=ChoiceList(filter_label=_("Find a language")),
    )
    dialects = forms.CharField(label=_("Dialects (optional)"), required=False, max_length=300)
    gender = forms.ChoiceField(label=_("Gender"), choices=InterpreterGender.choices)
    contact = forms.CharField(
        label=_("How to reach them (optional)"), required=False, max_length=300
    )
    agreement = AttachmentField(
        label=_("Signed confidentiality agreement"),
        required=False,
        scan=True,
        help_text=_("A PDF or an image. Leave empty to keep the one on file."),
    )
    agreement_expires_on = forms.DateField(
        label=_("Agreement valid until (optional)"), required=False, widget=_DATE
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    active = forms.BooleanField(label=_("Available"), required=False, initial=True)

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        languages = self.fields["languages"]
        assert isinstance(languages, forms.MultipleChoiceField)  # noqa: S101
        languages.choices = most_used_first(_LANGUAGES, languages_first(agency_id))
