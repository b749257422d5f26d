"""Request-wide concerns: request ids, security headers, login-by-default,
the domain's not-found answered as a page, and a full disk answered as a 503."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.security import SecurityMiddleware
from django.utils.cache import add_never_cache_headers

from haven.core.errors import NotFound
from haven.core.keys import request_keys
from haven.core.request_context import current_request_id
from haven.core.storage import storage_is_full
from haven.core.views import bad_request, healthz, readyz, storage_full

_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


class RequestIdMiddleware:
    """Give every request an id, for log lines, audit events and the response.

    An id sent by a reverse proxy is kept when well-formed and a proxy is
    configured (HAVEN_PROXY_COUNT), so one request can be followed across the
    proxy's and Haven's logs; without a proxy, clients cannot choose it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "") if settings.HAVEN_PROXY_COUNT else ""
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        keys_token = request_keys.set({})
        try:
            response = self.get_response(request)
        finally:
            request_keys.reset(keys_token)
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Haven's ``Permissions-Policy``, and Django's security headers, on every answer.

    It comes first after the request id, before the frame and content
    policies and Django's security middleware, so that every answer passes
    through all of them on its way out, Django's early errors included (a
    bad Host header, a body too large, a NUL in a query). Django's security
    middleware sets its headers on every answer but one: the error it raises
    itself when its redirect to HTTPS reads a bad Host header. They are set
    again here, which changes nothing where they already are.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.django_headers = SecurityMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response = self.django_headers.process_response(request, response)
        response.headers.setdefault("Permissions-Policy", _PERMISSIONS_POLICY)
        return response


def _permissions_policy(features: dict[str, tuple[str, ...]]) -> str:
    """``camera=(), publickey-credentials-get=(self), ...`` (its structured-field form)."""
    return ", ".join(f"{name}=({' '.join(allowed)})" for name, allowed in features.items())


_PERMISSIONS_POLICY = _permissions_policy(settings.HAVEN_PERMISSIONS_POLICY)


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user unless its view says otherwise.

    The JSON API answers for itself (401 with a JSON body, not a redirect to a
    sign-in page), so it is left to django-ninja's authentication.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None and getattr(request, "htmx", False):
            # htmx would follow a redirect and swap the sign-in page into a
            # corner of the old one; make the whole page go instead.
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response


class NeverCacheMiddleware:
    """No page Haven renders may be kept by a browser or a proxy.

    A shared front-desk computer or a stolen laptop would otherwise keep
    copies of pages after sign-out. Static files are served before this
    middleware and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class NulRefusedMiddleware:
    """A page's query string carrying a NUL character is refused with 400.

    No page has a use for one, PostgreSQL cannot store or compare text
    holding one (it would answer 500), and forms already refuse it (Django's
    fields). The JSON API checks its own parameters with its text types and
    answers 422, as its OpenAPI document says.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/") and any(
            "\x00" in key or "\x00" in value for key, value in request.GET.items()
        ):
            return bad_request(request)
        return self.get_response(request)


class NotFoundMiddleware:
    """The domain's ``NotFound`` answers exactly like a page that does not exist.

    Services, selectors and policies know nothing of HTTP; this is the one
    place the pages turn their ``NotFound`` into Django's own 404 (the same
    page, status and log line as ``Http404``). The JSON API answers its own
    before the exception gets here (``haven.api.api``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            # Django's handling of Http404, so DEBUG and handler404 behave as ever.
            response: HttpResponse = response_for_exception(request, Http404())
            return response
        return None


class HealthMiddleware:
    """``/healthz`` and ``/readyz`` answer here, before sessions, sign-in,
    the lockdown and every other middleware that reads the session or the
    database: a monitor needs no session, and a signed-in browser asking
    them neither counts as activity nor is signed out. Security headers,
    the content security policy and no-caching still apply (they come
    before this one)."""

    PATHS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
        "/healthz": healthz,
        "/readyz": readyz,
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.PATHS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)


class StorageFullMiddleware:
    """A view that failed because storage is full answers 503, page or API.

    The services write each record in one transaction, so the failed write
    has rolled back whole before the exception gets here: nothing is
    half-written. Nothing is kept from the failure either, so the next
    request works as soon as there is space again, without a restart. A
    failure outside a view (saving the session, say) reaches
    ``haven.core.views.server_error``, which answers the same.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if storage_is_full(exception):
            return storage_full(request)
        return None
