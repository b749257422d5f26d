"""Fuzz what an attachment is judged to be: the upload handler that keeps the
bytes in memory (``haven.attachments.uploads``), then the file field every
upload form uses (``AttachmentField``: size, type by the bytes alone through
``filetypes.identify``, the name kept), the path of every uploaded file.

An input is laid out as: one byte (its high bit asks for a scan, a PDF or
an image only; the other seven, the length of the name), the file's name
as the browser sent it, then the file's bytes. The seeds of
``corpus/attachment_types`` are small synthetic files of every accepted kind
(and a few refused ones) laid out so.

Refusal: ``ValidationError``. Anything else is a crash.

    python -m fuzz.attachment_types [libFuzzer flags] [corpus folders]
"""

from __future__ import annotations

import contextlib

from fuzz import common

common.django_setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.http.multipartparser import MultiPartParser  # noqa: E402

from haven.attachments.forms import AttachmentField  # noqa: E402
from haven.attachments.uploads import MemoryOnlyUploadHandler  # noqa: E402

# Small chunks, so that most inputs arrive in several, as large uploads do.
CHUNK = 1024
_FIELDS = {False: AttachmentField(), True: AttachmentField(scan=True)}


def layout(name: str, content: bytes, *, scan: bool = False) -> bytes:
    """An input of this harness: the seeds are written with it."""
    raw = name.encode()[:127]
    return bytes([len(raw) | (0x80 if scan else 0)]) + raw + content


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    scan, length = bool(data[0] & 0x80), data[0] & 0x7F
    # Django's multipart parser decodes and sanitises a file name, and skips
    # a file whose name is left empty: no upload reaches the form then.
    name = MultiPartParser.sanitize_file_name(
        None,  # type: ignore[arg-type]
        data[1 : 1 + length].decode("utf-8", "replace"),
    )
    if not name:
        return
    content = data[1 + length :]
    handler = MemoryOnlyUploadHandler()
    handler.new_file("file", name, "application/octet-stream", len(content), None, None)
    for start in range(0, len(content), CHUNK):
        handler.receive_data_chunk(content[start : start + CHUNK], start)
    upload = handler.file_complete(len(content))
    with contextlib.suppress(ValidationError):
        _FIELDS[scan].clean(upload)


def main() -> None:
    common.instrument("haven.attachments", "zipfile")
    common.fuzz(TestOneInput)


if __name__ == "__main__":
    main()
