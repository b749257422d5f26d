"""Small helpers for views."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect


def see_other(to: str, *args: Any) -> HttpResponse:
    """After a successful POST: 303, so a reload does not post again."""
    response: HttpResponse = redirect(to, *args)
    response.status_code = 303
    return response
