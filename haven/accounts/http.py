"""The signed-in staff member, for views."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest

from haven.accounts.models import User


def authenticated_user(request: HttpRequest) -> User:
    """The signed-in staff member. Login is required by default, so views
    behind it can rely on a real user; the assert narrows the type."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    return user


def allowed_user(request: HttpRequest, rule: Callable[[User], bool]) -> User:
    """The signed-in staff member if ``rule`` lets them in; a 404 otherwise,
    exactly like a page that does not exist."""
    user = authenticated_user(request)
    if not rule(user):
        raise Http404
    return user
