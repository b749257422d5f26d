"""Printable documents: a template rendered in a chosen language, made into a
PDF by WeasyPrint, fetching nothing from the network.

Every print of identifying data is audited by the caller (the view knows
what it printed and for whom); this module only renders.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

# Languages the interface (and so the printed documents) are written in.
PRINT_LANGUAGES = {"eng": "en", "spa": "es"}


def print_language(iso639_3: str) -> str:
    """The Django language code to print in for a person's ISO 639-3 language:
    theirs when Haven has it, English otherwise."""
    return PRINT_LANGUAGES.get(iso639_3, "en")


def render_pdf(template: str, context: dict[str, Any], *, language: str) -> bytes:
    from weasyprint import HTML  # imported late: it loads native libraries
    from weasyprint.urls import URLFetcher

    with translation.override(language):
        html = render_to_string(template, {**context, "print_language": language})
    # Documents carry their styles inline. No protocol is allowed, so text
    # typed into a document can never make the server fetch a URL or a file.
    fetcher = URLFetcher(allowed_protocols=[], timeout=1)
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(settings.BASE_DIR))
    return bytes(document.write_pdf())


# A printed document's name says what it is, never who it is for: plain
# ASCII (letters, digits, ".", "-", "_"), so it needs no quoting or encoding.
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.pdf$")


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A printed document, as a download like every other file Haven hands
    out: one rule for every file, and none is opened by the browser's own
    viewer at Haven's address. Staff open it from the download to print."""
    if not _FILENAME.match(filename) or ".." in filename:
        raise ValueError("a printed document's name is plain ASCII: letters, digits, . - _")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
