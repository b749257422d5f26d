"""The file field every upload form uses: a clean file is an ``Upload``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.attachments.services import DESCRIPTION_MAX, Upload, size_limit, upload_accept


class AttachmentField(forms.FileField):
    """A file judged by its bytes (haven.attachments.filetypes); cleans to an Upload."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            _("PDF, image, voice message, saved e-mail or Word document, up to %(limit)s.")
            % {"limit": size_limit()},
        )
        kwargs.setdefault("error_messages", {"required": _("Choose a file.")})
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> Upload | None:  # type: ignore[override]
        if data in self.empty_values:
            return None
        return upload_accept(data)


class DocumentForm(forms.Form):
    file = AttachmentField(label=_("File"))
    description = forms.CharField(
        label=_("What it is (optional)"),
        help_text=_("For example: copy of the lease, photo of the injury, voicemail of 3 May."),
        required=False,
        max_length=DESCRIPTION_MAX,
    )
