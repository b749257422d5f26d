"""Keeps a locked-down agency's staff out, request by request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from haven.safety.lockdown import refuse_signed_in


def unavailable(request: HttpRequest) -> HttpResponse:
    """The neutral answer during a lockdown: it says nothing of why, or of
    the agency, so a screen seen over a shoulder gives nothing away."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Service unavailable."}, status=503)
    if getattr(request, "htmx", False):
        # A page polling in the background (the alert banner) leaves the
        # screen at once, rather than ignoring an answer it cannot swap in.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("account_login")
        return response
    response = render(request, "safety/unavailable.html", status=503)
    response["Retry-After"] = "3600"
    return response


class LockdownMiddleware:
    """A signed-in member of a locked-down agency, other than its lockdown
    administrators, is signed out at their next request and shown the
    neutral page. Checked on every request, so it holds at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if refuse_signed_in(request, request.user):
            return unavailable(request)
        return self.get_response(request)


def lockdown_ends_session(request: HttpRequest, user: object) -> HttpResponse | None:
    """The lockdown's hold on a session (see accounts.holds): signed out and
    the neutral page for anyone it keeps out, None for everyone else."""
    return unavailable(request) if refuse_signed_in(request, user) else None
