"""Uploads stay in memory and never touch the disk in the clear.

Django writes an upload larger than 2.5 MB to a temporary file before any
view sees it: a scan of a passport would then sit, unsealed, in /tmp. This
handler keeps uploads in memory up to the limit, counted over all the files
of one request, and drops the bytes of anything beyond while still counting
them, so the form can say the file was too large instead of finding no file.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


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
