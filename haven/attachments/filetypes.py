"""What a file is, judged by its bytes, never by its name or the browser's word.

Only kinds an agency needs are accepted: scanned documents and photos, voice
messages, saved e-mails and Word documents. Anything a browser could run
(a web page, an SVG image, a script) is refused whatever it is called, and so
are programs and archives. A Word document is a zip: its table of contents is
read, never unpacked, and refused when it promises far more than it holds.
A file that stops short of its own end marker is refused as an interrupted
upload, so a half-sent scan is never kept as if it were whole.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A Word document may unpack to this many times its size, and no more than
# this in all: real documents compress ten- or twenty-fold, bombs a
# thousand-fold and beyond.
ZIP_MAX_RATIO = 100
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAX_ENTRIES = 2000


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str | Promise


PDF = FileType("application/pdf", "pdf", gettext_lazy("PDF document"))
JPEG = FileType("image/jpeg", "jpg", gettext_lazy("JPEG image"))
PNG = FileType("image/png", "png", gettext_lazy("PNG image"))
GIF = FileType("image/gif", "gif", gettext_lazy("GIF image"))
WEBP = FileType("image/webp", "webp", gettext_lazy("WebP image"))
TIFF = FileType("image/tiff", "tif", gettext_lazy("TIFF image"))
HEIC = FileType("image/heic", "heic", gettext_lazy("HEIC photo"))
WAV = FileType("audio/wav", "wav", gettext_lazy("WAV recording"))
MP3 = FileType("audio/mpeg", "mp3", gettext_lazy("MP3 recording"))
M4A = FileType("audio/mp4", "m4a", gettext_lazy("M4A recording"))
MP4 = FileType("video/mp4", "mp4", gettext_lazy("MP4 video"))
THREE_GP = FileType("audio/3gpp", "3gp", gettext_lazy("3GP recording"))
OGG = FileType("audio/ogg", "ogg", gettext_lazy("Ogg recording"))
AMR = FileType("audio/amr", "amr", gettext_lazy("AMR voice message"))
EML = FileType("message/rfc822", "eml", gettext_lazy("saved e-mail"))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    gettext_lazy("Word document"),
)

ACCEPTED = (
    PDF,
    JPEG,
    PNG,
    GIF,
    WEBP,
    TIFF,
    HEIC,
    WAV,
    MP3,
    M4A,
    MP4,
    THREE_GP,
    OGG,
    AMR,
    EML,
    DOCX,
)
BY_CONTENT_TYPE = {t.content_type: t for t in ACCEPTED}
# What a scanner or a phone camera makes of a paper.
SCANS = frozenset({PDF, JPEG, PNG, GIF, WEBP, TIFF, HEIC})

# Brands of the ISO media container ("ftyp" box) and what they hold.
_FTYP = {
    b"heic": HEIC,
    b"heix": HEIC,
    b"heif": HEIC,
    b"mif1": HEIC,
    b"msf1": HEIC,
    b"M4A ": M4A,
    b"M4B ": M4A,
    b"3gp4": THREE_GP,
    b"3gp5": THREE_GP,
    b"3gp6": THREE_GP,
    b"isom": MP4,
    b"iso2": MP4,
    b"mp41": MP4,
    b"mp42": MP4,
    b"avc1": MP4,
    b"qt  ": MP4,
}
# Markup a browser would render or run, found anywhere near the start.
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|a\s)",
    re.IGNORECASE,
)
# Header lines every saved e-mail carries at least two of.
_MAIL_HEADERS = re.compile(
    rb"^(from|to|date|subject|received|message-id|mime-version|return-path):",
    re.IGNORECASE | re.MULTILINE,
)


def accepted_list() -> str:
    return ", ".join(str(t.label) for t in ACCEPTED)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def identify(data: bytes) -> FileType:
    """The accepted type ``data`` is, or a ValidationError saying plainly why not."""
    if not data:
        raise _refuse(_("The file is empty."), "empty")
    head = data[:16]
    if head.startswith(b"%PDF-"):
        # Scanners and writers end a PDF with %%EOF, sometimes followed by a
        # little padding; a PDF without one was cut short.
        if b"%%EOF" not in data[-2048:]:
            raise _interrupted()
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if b"IEND" not in data[-32:]:
            raise _interrupted()
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        if b"\xff\xd9" not in data[-4096:]:
            raise _interrupted()
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"RIFF") and len(data) >= 12:
        return _riff(data)
    if head[4:8] == b"ftyp" and head[8:12] in _FTYP:
        return _FTYP[head[8:12]]
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"ID3") or _mpeg_audio_frame(data):
        return MP3
    if head.startswith(b"PK\x03\x04"):
        return _zip(data)
    if head.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")):
        raise _refuse(_("Programs and scripts are not accepted."), "program")
    # A saved e-mail may hold an HTML part; it is only ever downloaded, as mail.
    if _looks_like_email(data):
        return EML
    if _MARKUP.search(data[:4096]):
        raise _refuse(
            _(
                "Web pages, SVG images and other markup are not accepted: they can carry "
                "code. Save it as a PDF or an image instead."
            ),
            "markup",
        )
    raise _refuse(
        _("This kind of file is not accepted. Accepted: %(kinds)s.") % {"kinds": accepted_list()},
        "unknown",
    )


def _mpeg_audio_frame(data: bytes) -> bool:
    """An MPEG audio frame header (a voice message saved as MP3 without tags):
    sync bits, a known version and layer, a real bitrate and sample rate,
    and a second frame sync where the first frame ends."""
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return False
    version, layer = (data[1] >> 3) & 0b11, (data[1] >> 1) & 0b11
    bitrate, rate = data[2] >> 4, (data[2] >> 2) & 0b11
    if version == 0b01 or layer == 0 or bitrate in (0, 0b1111) or rate == 0b11:
        return False
    if version != 0b11 or layer != 0b01:
        return True  # other MPEG versions and layers: the header fields suffice
    # MPEG-1 Layer III, what phones and recorders write: follow to the next frame.
    kbps = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)[bitrate]
    hertz = (44100, 48000, 32000)[rate]
    length = 144 * kbps * 1000 // hertz + ((data[2] >> 1) & 1)
    return len(data) <= length + 1 or (data[length] == 0xFF and data[length + 1] & 0xE0 == 0xE0)


def _interrupted() -> ValidationError:
    return _refuse(
        _("The file is incomplete: the upload may have been interrupted. Try again."),
        "incomplete",
    )


def _riff(data: bytes) -> FileType:
    form = data[8:12]
    if form == b"WAVE":
        return WAV
    if form == b"WEBP":
        return WEBP
    raise _refuse(
        _("This kind of file is not accepted. Accepted: %(kinds)s.") % {"kinds": accepted_list()},
        "unknown",
    )


_END_OF_DIRECTORY = b"PK\x05\x06"
_DIRECTORY_ENTRY_MIN = 46  # bytes of a central directory entry without its name


def _zip(data: bytes) -> FileType:
    """A Word document, judged from the zip's table of contents alone."""
    _refuse_crowded_directory(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as error:
        raise _interrupted() from error
    names = {e.filename for e in entries}
    if not {"[Content_Types].xml", "word/document.xml"} <= names:
        raise _refuse(
            _("Archives are not accepted. Attach the files inside them one by one."), "archive"
        )
    unpacked = sum(e.file_size for e in entries)
    packed = max(1, sum(e.compress_size for e in entries))
    if (
        len(entries) > ZIP_MAX_ENTRIES
        or unpacked > ZIP_MAX_UNPACKED
        or (unpacked / packed > ZIP_MAX_RATIO)
    ):
        raise _refuse(
            _(
                "This file would unpack to far more than its size, as harmful files do. "
                "It was not accepted."
            ),
            "zip_bomb",
        )
    return DOCX


def _refuse_crowded_directory(data: bytes) -> None:
    """Read the zip's own count of entries before Python builds an object for
    each: a directory of half a million entries pointing at one file would
    cost seconds and hundreds of megabytes to list."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise _interrupted()
    entries = int.from_bytes(data[end + 10 : end + 12], "little")
    directory_size = int.from_bytes(data[end + 12 : end + 16], "little")
    if entries > ZIP_MAX_ENTRIES or directory_size > ZIP_MAX_ENTRIES * (_DIRECTORY_ENTRY_MIN + 512):
        raise _refuse(
            _(
                "This file would unpack to far more than its size, as harmful files do. "
                "It was not accepted."
            ),
            "zip_bomb",
        )


def _looks_like_email(data: bytes) -> bool:
    """Plain text that opens with mail headers (a message saved as .eml)."""
    head = data[:8192]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head[:-4].decode("utf-8")  # a character cut at the edge of the window
        except UnicodeDecodeError:
            return False
    block = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return len({m.lower() for m in _MAIL_HEADERS.findall(block)}) >= 2
