"""How an attachment leaves the server, and how an oversized one is stopped."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from haven.attachments.models import Attachment

# Room for the multipart envelope and the form's other fields.
_ENVELOPE = 256 * 1024


def body_too_large(request: HttpRequest) -> bool:
    """Whether the declared body is beyond any acceptable upload, judged
    before a byte of it is read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    return declared > int(settings.HAVEN_ATTACHMENT_MAX_BYTES) + _ENVELOPE


def attachment_response(attachment: Attachment, data: bytes) -> HttpResponse:
    """Always a download, never shown in the page: whatever a file holds, the
    browser neither renders it as a page nor guesses another type, and the
    sandbox policy denies it scripts, plugins and requests even if opened."""
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = _disposition(attachment.name or "file")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store, private"
    return response


def _disposition(name: str) -> str:
    """The file's name for the download, in plain ASCII and in full (RFC 6266)."""
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
