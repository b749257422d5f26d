"""Small synthetic files, built in memory, for upload tests: each is a real
file of its kind (or a real attack on the checks), never a copy of anyone's."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from haven.attachments.services import Upload, upload_accept


def pdf(text: str = "Synthetic document") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        + f"4 0 obj << /Length {len(body)} >> stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    # Start of image, a comment segment, end of image: enough for the checks.
    return b"\xff\xd8\xff\xfe\x00\x0bsynthetic\xff\xd9"


def wav() -> bytes:
    samples = b"\x00\x00" * 800
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body


def eml() -> bytes:
    return (
        b"From: sender@example.org\r\nTo: staff@example.org\r\nSubject: Synthetic\r\n"
        b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nA synthetic message.\r\n"
    )


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def html_named_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def svg_with_script() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )


def zip_bomb(*, as_docx: bool = False) -> bytes:
    """Fifty megabytes of zeros packed into a few dozen kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        if as_docx:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("zeros.bin", b"\x00" * (50 * 1024 * 1024))
    return buffer.getvalue()


def uploaded(data: bytes, name: str = "synthetic.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def accepted(data: bytes | None = None, name: str = "synthetic.pdf") -> Upload:
    """A file that passed the checks, ready for a service that stores it."""
    return upload_accept(uploaded(pdf() if data is None else data, name))
