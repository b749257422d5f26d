"""Small secrets sealed with a key derived from the master key.

For Haven's own secrets (such as staff TOTP seeds), not for the identifying
data of people served, which has its own per-person envelope encryption.
"""

from __future__ import annotations

import base64
from functools import cache

from django.conf import settings

from haven.core.crypto import derive_key, seal, unseal

_PREFIX = "hv1:"


@cache
def _key(master: str, purpose: str) -> bytes:
    return derive_key(master.encode("utf-8"), purpose=f"secretbox:{purpose}")


def seal_text(plaintext: str, *, purpose: str) -> str:
    sealed = seal(
        _key(settings.HAVEN_MASTER_KEY, purpose),
        plaintext.encode("utf-8"),
        aad=purpose.encode("utf-8"),
    )
    return _PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")


def unseal_text(token: str, *, purpose: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not a sealed value")
    sealed = base64.urlsafe_b64decode(token.removeprefix(_PREFIX))
    plain = unseal(_key(settings.HAVEN_MASTER_KEY, purpose), sealed, aad=purpose.encode("utf-8"))
    return plain.decode("utf-8")
