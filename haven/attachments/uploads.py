"""How uploads are read: in memory only, and with their names as sent.

Django writes an upload larger than 2.5 MB to a temporary file before any
view sees it: a scan of a passport would then sit, unsealed, in /tmp. The
handler keeps uploads in memory up to the limit, counted over all the files
of one request, and drops the bytes of anything beyond while still counting
them, so the form can say the file was too large instead of finding no file.

Django's parser also drops every unprintable character from a file's name
without a word ("lea\x00se.pdf" arrives as "lease.pdf"). Haven's keeps them,
so that whoever takes the file refuses such a name with a message
(``haven.core.text.file_name_problem``: ``upload_accept`` and the partner
directory's import do); nothing else of a name is kept from Django's rules.
"""

from __future__ import annotations

import functools
import html
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList, MultiValueDict


class MemoryOnlyUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.kept = 0  # bytes held for the files of this request so far

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.dropped = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.dropped:
            return None
        if self.kept + len(raw_data) > settings.HAVEN_UPLOAD_MAX_BYTES:
            # Over the limit: let go of what was kept; only the count goes on.
            self.kept -= self.buffer.tell()
            self.dropped = True
            self.buffer = io.BytesIO()
            return None
        self.buffer.write(raw_data)
        self.kept += len(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        # ``size`` is what arrived, even when the bytes were dropped: the
        # form compares it with the limit and says so.
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class NamesKeptParser(MultiPartParser):
    """Django's multipart parser, but a file's name keeps its unprintable
    characters; folders are still cut off, and an empty name, "." or ".."
    still means no file, as in Django."""

    def sanitize_file_name(self, file_name: str) -> str | None:
        name = html.unescape(file_name).rsplit("/")[-1].rsplit("\\")[-1]
        return None if name in {"", ".", ".."} else name


class NamesKeptMiddleware:
    """Every request's multipart body is read by NamesKeptParser.

    Django's request makes its parser itself; the one way in without
    changing Django is the request's own ``parse_file_upload``, replaced
    here before anything reads the body (CSRF reads the form's token).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.parse_file_upload = functools.partial(_parse_keeping_names, request)  # type: ignore[method-assign]
        return self.get_response(request)


def _parse_keeping_names(
    request: HttpRequest, meta: dict[str, Any], post_data: Any
) -> tuple[QueryDict, MultiValueDict[str, Any]]:
    """Django's ``HttpRequest.parse_file_upload``, with the parser above."""
    request.upload_handlers = ImmutableList(
        request.upload_handlers,
        warning="You cannot alter upload handlers after the upload has been processed.",
    )
    parser = NamesKeptParser(meta, post_data, request.upload_handlers, request.encoding)
    return parser.parse()
