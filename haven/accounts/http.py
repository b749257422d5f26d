"""The signed-in staff member, and the client's address, for views."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
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


def client_address(request: HttpRequest) -> str:
    """The client's address as sign-in's rate limits read it: from
    ``X-Forwarded-For`` behind ``HAVEN_PROXY_COUNT`` proxies, otherwise the
    connection's own. A forwarded list shorter than the proxies we run (a
    client that reached Haven around the proxy) falls back to the connection,
    never to an error; "unknown" when there is no address at all."""
    try:
        found = get_adapter().get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        found = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(str(found or "").strip()))
    except ValueError:
        return "unknown"
