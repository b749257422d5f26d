"""The file field every upload form uses: a clean file is an ``Upload``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haven.attachments import filetypes
from haven.attachments.services import Upload, size_limit, upload_accept
from haven.core import limits


class AttachmentField(forms.FileField):
    """A file judged by its bytes (haven.attachments.filetypes); cleans to an Upload.

    ``scan`` narrows it to what a scanner or a phone camera makes: a PDF or
    an image (a signed form, a court order).
    """

    def __init__(self, *, scan: bool = False, **kwargs: Any) -> None:
        self.scan = scan
        kwargs.setdefault(
            "help_text",
            (
                _("A PDF or an image, up to %(limit)s.")
                if scan
                else _("PDF, image, voice message, saved e-mail or Word document, up to %(limit)s.")
            )
            % {"limit": size_limit()},
        )
        kwargs.setdefault("error_messages", {"required": _("Choose a file.")})
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> Upload | None:  # type: ignore[override]
        if data in self.empty_values:
            return None
        upload = upload_accept(data)
        if self.scan and upload.type not in filetypes.SCANS:
            raise ValidationError(_("A scan must be a PDF or an image."), code="not_a_scan")
        return upload


class _ManyFilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(AttachmentField):
    """Several files in one input; cleans to a list of Uploads, each judged."""

    widget = _ManyFilesInput

    def clean(self, data: Any, initial: Any = None) -> list[Upload]:
        given = data if isinstance(data, list | tuple) else [data]
        given = [d for d in given if d not in self.empty_values]
        if not given and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [cast(Upload, super(AttachmentsField, self).clean(d, initial)) for d in given]


class FileForm(forms.Form):
    """A form with a file field. Browsers empty a file field when the form
    comes back with a problem elsewhere: say so beside it, or staff resubmit
    a form that looks whole and lose the file a second time."""

    def full_clean(self) -> None:
        super().full_clean()
        if not self.errors:
            return
        for name, field in self.fields.items():
            if isinstance(field, AttachmentField) and self.files.get(name):
                reminder = _(
                    "Choose the file again: the browser does not keep it when the form comes back."
                )
                # The bound field copied the help text when it was made.
                field.help_text = self[name].help_text = reminder


class DocumentForm(FileForm):
    file = AttachmentField(label=_("File"))
    description = forms.CharField(
        label=_("What it is (optional)"),
        help_text=_("For example: copy of the lease, photo of the injury, voicemail of 3 May."),
        required=False,
        max_length=limits.SUMMARY,
    )
