"""The forms of staff training. Rules live in the services; these only turn
what was posted into values."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.accounts.models import User
from haven.attachments.forms import AttachmentField, FileForm
from haven.attachments.services import Upload, size_limit, upload_accept
from haven.core import limits
from haven.partners.models import Organization
from haven.training.selectors import RecordFilter, TopicRow
from haven.training.services import (
    CERTIFICATE_ACCEPTED,
    MAX_OUTSIDE,
    EventValues,
    RecordValues,
    certificate_problem,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The kinds refused by their bytes: the reader is told what a certificate may be.
_NOT_A_DOCUMENT = frozenset({"program", "markup", "unknown"})


class CertificateField(AttachmentField):
    """A certificate: a PDF, an image or a Word document, judged by its bytes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            _("A PDF, an image (a scan or a photo) or a Word document, up to %(limit)s.")
            % {"limit": size_limit()},
        )
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> Upload | None:  # type: ignore[override]
        if data in self.empty_values:
            return None
        try:
            upload = upload_accept(data)
        except ValidationError as error:
            if error.code in _NOT_A_DOCUMENT:
                raise ValidationError(str(CERTIFICATE_ACCEPTED), code="not_a_document") from None
            raise
        problem = certificate_problem(upload)
        if problem:
            raise ValidationError(problem, code="not_a_document")
        return upload


def _choice(label: Any, message: Any, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, error_messages={"invalid_choice": message}, **kwargs)


def _hours() -> forms.DecimalField:
    return forms.DecimalField(
        label=pgettext_lazy("duration", "Hours"),
        help_text=_("More than 0, at most 40; for example 1.5."),
        error_messages={
            "required": _("Give the hours."),
            "invalid": _("Give the hours as a number."),
        },
    )


def _staff_choices(staff: list[User]) -> list[tuple[str, str]]:
    return [(str(u.pk), str(u)) for u in staff]


def _topic_choices(topics: list[TopicRow]) -> list[tuple[str, str]]:
    return [(str(r.topic.pk), r.topic.label) for r in topics]


def _partner_choices(partners: list[Organization]) -> list[tuple[str, str]]:
    return [(str(p.pk), p.name) for p in partners]


class RecordForm(FileForm):
    staff = _choice(_("Staff member"), _("Choose a current staff member of your agency."))
    topic = _choice(_("Topic"), _("Choose a topic of your agency."))
    completed_on = forms.DateField(
        label=_("Date completed"),
        widget=_DATE,
        error_messages={"required": _("Give the date."), "invalid": _("Give a real date.")},
    )
    hours = _hours()
    provider = forms.CharField(
        label=_("Provider (optional)"),
        help_text=_("Who gave the training, if not a partner of the directory."),
        required=False,
        max_length=limits.LINE,
    )
    partner = _choice(
        _("Partner who presented (optional)"),
        _("Choose a partner from your agency's directory."),
        required=False,
    )
    certificate = CertificateField(label=_("Certificate (optional)"), required=False)

    def __init__(
        self,
        *args: Any,
        staff: list[User],
        topics: list[TopicRow],
        partners: list[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "—"), *_staff_choices(staff)]  # type: ignore[attr-defined]
        self.fields["topic"].choices = [("", "—"), *_topic_choices(topics)]  # type: ignore[attr-defined]
        self.fields["partner"].choices = [("", "—"), *_partner_choices(partners)]  # type: ignore[attr-defined]

    def values(self) -> RecordValues:
        data = self.cleaned_data
        return RecordValues(
            staff_id=int(data["staff"]),
            topic_id=int(data["topic"]),
            completed_on=data["completed_on"],
            hours=data["hours"],
            provider=data["provider"],
            partner_id=uuid.UUID(data["partner"]) if data["partner"] else None,
            certificate=data["certificate"],
        )


class CertificateForm(FileForm):
    certificate = CertificateField(label=_("Certificate"))


class _Checkboxes(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class EventForm(forms.Form):
    topic = _choice(_("Topic"), _("Choose a topic of your agency."))
    title = forms.CharField(
        label=_("Title"),
        max_length=limits.LINE,
        error_messages={"required": _("Give the event a title.")},
    )
    held_on = forms.DateField(
        label=_("Date"),
        widget=_DATE,
        error_messages={"required": _("Give the date."), "invalid": _("Give a real date.")},
    )
    hours = _hours()
    partners = _Checkboxes(
        label=_("Partners who presented (optional)"),
        required=False,
        error_messages={"invalid_choice": _("Choose partners from your agency's directory.")},
    )
    presenters = forms.CharField(
        label=_("Presenters (optional)"),
        help_text=_("Their names and roles, as they presented."),
        required=False,
        max_length=limits.SUMMARY,
    )
    staff = _Checkboxes(
        label=_("Staff members who attended"),
        required=False,
        error_messages={"invalid_choice": _("Choose current staff members of your agency.")},
    )
    outside_professionals = forms.IntegerField(
        label=_("Partners' staff who attended"),
        help_text=_(
            "How many professionals from outside the agency attended; counted for funders."
        ),
        min_value=0,
        max_value=MAX_OUTSIDE,
        initial=0,
        error_messages={"required": _("Give a number, 0 if none.")},
    )

    def __init__(
        self,
        *args: Any,
        staff: list[User],
        topics: list[TopicRow],
        partners: list[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "—"), *_topic_choices(topics)]  # type: ignore[attr-defined]
        self.fields["staff"].choices = _staff_choices(staff)  # type: ignore[attr-defined]
        if partners:
            self.fields["partners"].choices = _partner_choices(partners)  # type: ignore[attr-defined]
        else:
            del self.fields["partners"]

    def values(self) -> EventValues:
        data = self.cleaned_data
        return EventValues(
            topic_id=int(data["topic"]),
            title=data["title"],
            held_on=data["held_on"],
            hours=data["hours"],
            staff_ids=[int(pk) for pk in data["staff"]],
            partner_ids=[uuid.UUID(pk) for pk in data.get("partners") or []],
            presenters=data["presenters"],
            outside_professionals=data["outside_professionals"],
        )


class TopicForm(forms.Form):
    name = forms.CharField(
        label=_("New topic"),
        max_length=limits.LINE,
        error_messages={"required": _("Name the topic.")},
    )


class RefresherForm(forms.Form):
    topic = _choice(_("Topic"), _("Choose a topic of your agency."))
    months = forms.IntegerField(
        label=_("Refresher every (months)"),
        help_text=_("From 1 to 120; leave empty when once is enough."),
        required=False,
        error_messages={"invalid": _("Give a whole number of months.")},
    )

    def __init__(self, *args: Any, topics: list[TopicRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "—"), *_topic_choices(topics)]  # type: ignore[attr-defined]


class RecordFilterForm(forms.Form):
    """The filter of the agency's records; a value that does not parse is ignored."""

    staff = forms.ChoiceField(label=_("Staff member"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=_DATE)
    end = forms.DateField(label=_("To"), required=False, widget=_DATE)

    def __init__(
        self, *args: Any, staff: list[User], topics: list[TopicRow], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", _("Everyone")), *_staff_choices(staff)]  # type: ignore[attr-defined]
        self.fields["topic"].choices = [("", _("Every topic")), *_topic_choices(topics)]  # type: ignore[attr-defined]

    def wanted(self) -> RecordFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return RecordFilter(
            staff_id=int(data["staff"]) if data.get("staff") else None,
            topic_id=int(data["topic"]) if data.get("topic") else None,
            start=data.get("start"),
            end=data.get("end"),
        )
