"""Small secrets sealed with a key derived from the master key.

For Haven's own secrets (such as staff TOTP seeds), not for the identifying
data of people served, which has its own per-person envelope encryption.
"""

from __future__ import annotations

import base64
import os
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PREFIX = "hv1:"


@cache
def _key(master: str, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"haven-secretbox", info=purpose.encode()
    ).derive(master.encode("utf-8"))


def seal(plaintext: str, *, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(settings.HAVEN_MASTER_KEY, purpose)).encrypt(
        nonce, plaintext.encode("utf-8"), purpose.encode()
    )
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(token: str, *, purpose: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not a sealed value")
    raw = base64.urlsafe_b64decode(token.removeprefix(_PREFIX))
    plain = AESGCM(_key(settings.HAVEN_MASTER_KEY, purpose)).decrypt(
        raw[:12], raw[12:], purpose.encode()
    )
    return plain.decode("utf-8")
