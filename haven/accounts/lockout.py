"""What axes counts failures against: a keyed digest of the user name.

Axes keeps its counts in a table of its own. What people type in the
user-name box is sometimes not a user name at all (a person's name typed in
the wrong box), so the table holds an HMAC of the folded name, never the text.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def typed_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The user name as typed, from allauth's credentials or the sign-in form."""
    value: Any = None
    if credentials:
        value = credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login")
    return value.strip() if isinstance(value, str) else ""


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """Case and spaces are folded so "Pat " and "pat" share one count."""
    typed = " ".join(typed_username(request, credentials).lower().split())
    if not typed:
        return None
    key = hashlib.sha256(b"haven-lockout:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, typed.encode("utf-8"), hashlib.sha256).hexdigest()[:40]
