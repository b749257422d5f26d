"""AES-256-GCM sealing and HMAC blind indexes: the primitives under Haven's
envelope encryption (docs/adr/0006-envelope-encryption.md).

Pure functions over bytes. Which key seals what, and how keys are wrapped
and rotated, lives in ``haven.core.keys``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
FORMAT = b"\x01"  # first byte of every sealed value, so the layout can change later


class DecryptionError(Exception):
    """A sealed value that does not open: wrong key, wrong place, or altered.

    One error for all three, on purpose: the caller must not learn which.
    """


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def derive_key(secret: bytes, *, purpose: str, salt: bytes = b"haven") -> bytes:
    """A 256-bit key for ``purpose`` derived from ``secret`` (HKDF-SHA256)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=purpose.encode("utf-8")
    ).derive(secret)


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """Encrypt ``plaintext`` under ``key``, bound to ``aad``.

    A fresh random 96-bit nonce for every call. With at most a few million
    values under one key, the chance of a repeat stays far below 2**-32.
    """
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, sealed: bytes, *, aad: bytes) -> bytes:
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT:
        raise DecryptionError
    nonce = sealed[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, sealed[1 + NONCE_BYTES :], aad)
    except InvalidTag as error:
        raise DecryptionError from error


def blind_index(key: bytes, normalized: str) -> str:
    """HMAC-SHA256 of an already-normalised value: equal inputs, equal digests,
    and nothing about the value without the key."""
    return hmac.new(key, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


def fold(text: str) -> str:
    """Case-, width- and space-insensitive form of ``text`` (keeps accents)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def strip_marks(text: str) -> str:
    """``text`` without combining marks: "José" and "Jose" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
