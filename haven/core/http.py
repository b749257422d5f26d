"""Small helpers for views."""

from __future__ import annotations

from django.http import HttpRequest

from haven.accounts.models import User


def authenticated_user(request: HttpRequest) -> User:
    """The signed-in staff member. Login is required by default, so views
    behind it can rely on a real user; the assert narrows the type."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    return user
