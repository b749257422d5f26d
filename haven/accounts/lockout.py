"""What axes counts failures against: the user name, however it reached us."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The user name from allauth's credentials, or from the sign-in form.

    Case and surrounding spaces are folded so "Pat " and "pat" share one count.
    """
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()[:150]
