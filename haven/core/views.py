"""The error pages, and the health endpoints for monitoring."""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from haven.core.health import health, healthy
from haven.core.storage import storage_is_full

logger = logging.getLogger("haven.storage")
# A client that honours it waits this long before trying again.
STORAGE_FULL_RETRY_AFTER = 300


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is for developers; the page says what a person can do about it.
    return render(request, "403_csrf.html", status=403)


def _api_error(request: HttpRequest, status: int, detail: str) -> HttpResponse | None:
    """API clients get JSON errors, whatever went wrong and wherever."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    return None


@login_not_required
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, 400, "Bad request.") or render(request, "400.html", status=400)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, 404, "Not Found") or render(request, "404.html", status=404)


@login_not_required
def storage_full(request: HttpRequest) -> HttpResponse:
    """503: the server's storage is full, so nothing could be saved.

    The answer and the log line name the condition only: never the SQL,
    a path on the server, or anything the request carried.
    """
    logger.error(
        "Storage full: the database or the file store cannot grow; answered 503, nothing saved."
    )
    response: HttpResponse | None = _api_error(
        request,
        503,
        "The server's storage is full, so nothing was saved. Try again later; "
        "the server's administrator must free space.",
    )
    if response is None:
        # Rendered without the request, like the 500 page: no context
        # processor touches the database that cannot be written.
        html = render_to_string("503_storage_full.html", {"LANGUAGE_CODE": get_language()})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(STORAGE_FULL_RETRY_AFTER)
    return response


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: one raised outside a
    # view (saving the session, say) because storage is full answers as
    # StorageFullMiddleware answers one raised inside.
    error = sys.exc_info()[1]
    if error is not None and storage_is_full(error):
        return storage_full(request)
    # Rendered without the request, so no context processor touches the
    # database that may be the very thing that failed.
    request_id = getattr(request, "request_id", "")
    html: str
    try:
        html = render_to_string("500.html", {"request_id": request_id})
    except Exception:  # the error page must never fail in turn
        html = (
            f"<!DOCTYPE html><title>Error</title><h1>Something went wrong.</h1><p>{request_id}</p>"
        )
    return HttpResponse(html, status=500)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers. Touches nothing, the database least of all."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Every health check, "ok" or "fail" each (haven.core.health): 200 when
    all pass, 503 otherwise. Nothing else is said: no path, version or error."""
    answers = health()
    return JsonResponse(answers, status=200 if healthy(answers) else 503)
