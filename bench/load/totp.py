"""The authenticator code of a bench account, computed as allauth checks it
(RFC 6238: HMAC-SHA1, 30-second steps, six digits), without Django, so that
Locust's processes sign in like a phone would."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

TOTP_PERIOD = 30
TOTP_DIGITS = 6


def totp_code(secret: str, at: float | None = None) -> str:
    """The code of the base32 ``secret`` at the time ``at`` (now by default)."""
    counter = int(time.time() if at is None else at) // TOTP_PERIOD
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**TOTP_DIGITS:0{TOTP_DIGITS}d}"
