"""Session rules: idle and absolute timeouts, MFA for everyone, each user's language."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from haven.audit.models import Action
from haven.audit.services import audit_record

STARTED = "haven_started"
SEEN = "haven_seen"
TRACKED = "haven_tracked"
# Paths a signed-in user without a second factor may still reach: enrolment
# itself, signing out, and the pages enrolment needs along the way.
MFA_ENROLMENT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/i18n/",
    "/static/",
)


# The page the browser calls when the tab has been idle: it must not count as activity.
# The visitor-alert banner asks every few seconds for the same reason.
# A background job's page asks for its progress every second (/jobs/<id>/progress/,
# /reports/runs/<id>/progress/).
class _PassivePaths:
    exact = frozenset({"/accounts/session-check/", "/safety/alerts/live/"})

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and (
            path in self.exact
            or (path.startswith(("/jobs/", "/reports/runs/")) and path.endswith("/progress/"))
        )


PASSIVE_PATHS = _PassivePaths()


def _wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _refresh_interval() -> timedelta:
    # Writing the session on every request costs a database write; a coarse
    # clock is enough as long as it is finer than the idle timeout itself.
    return min(timedelta(seconds=30), settings.HAVEN_IDLE_TIMEOUT / 4)


class SignOutClearsSiteDataMiddleware:
    """When a session ends, the browser is told to drop what it kept of
    Haven's pages, so a shared computer's cache and storage hold nothing of
    the work after. That is the answer to the request that ended it (signing
    out, a timeout), or to the first request of a browser whose session was
    ended elsewhere (a lockdown, "sign out everywhere", a deactivation)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        had_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        ended_here = signed_in and not request.user.is_authenticated
        ended_elsewhere = had_session and not signed_in and request.session.is_empty()
        if ended_here or ended_elsewhere:
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class SessionTimeoutMiddleware:
    """Sign out a session idle for HAVEN_IDLE_TIMEOUT, or older than HAVEN_SESSION_MAX_AGE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.setdefault(STARTED, now)
            seen = request.session.get(SEEN, now)
            idle = now - seen > settings.HAVEN_IDLE_TIMEOUT.total_seconds()
            too_old = now - started > settings.HAVEN_SESSION_MAX_AGE.total_seconds()
            if idle or too_old:
                audit_record(
                    action=Action.SESSION_EXPIRED,
                    actor=user,
                    object_type="user",
                    object_id=user.pk,
                    detail={"reason": "idle" if idle else "age"},
                )
                logout(request)
                return self._expired(request)
            if request.path_info not in PASSIVE_PATHS and (
                SEEN not in request.session or now - seen >= _refresh_interval().total_seconds()
            ):
                request.session[SEEN] = now
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse:
        if _wants_json(request):
            return JsonResponse({"detail": "Session expired."}, status=401)
        messages.info(request, _("You were signed out after a period of inactivity."))
        login_url = reverse("account_login")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login_url
            return response
        return redirect(login_url)


class UserSessionActivityMiddleware:
    """Keeps the list of where each user is signed in (allauth's user
    sessions) up to date: at once when the session's address or browser
    changes, otherwise at the idle clock's pace. allauth's own middleware
    writes on every request, a write transaction per page view that a
    single-writer database pays for; the list only needs to be this fresh."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        session = request.session
        if user.is_authenticated and session.session_key and request.path_info not in PASSIVE_PATHS:
            agent = request.META.get("HTTP_USER_AGENT", "")
            client = f"{get_adapter().get_client_ip(request)}\0{agent}"
            # A digest: the session store need not hold the address itself.
            seen_as = hashlib.sha256(client.encode()).hexdigest()[:32]
            now = time.time()
            last = session.get(TRACKED)
            if (
                not isinstance(last, list)
                or last[0] != seen_as
                or now - last[1] >= _refresh_interval().total_seconds()
            ):
                UserSession.objects.create_from_request(request, user=user, session=session)
                session[TRACKED] = [seen_as, now]
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Every account needs a second factor: until it has one, only enrolment is open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        missing = user.is_authenticated and not is_mfa_enabled(user, ["totp", "webauthn"])
        # The pages still open say so to the header, which then offers no
        # link that would only bounce back here.
        request.second_factor_missing = missing  # type: ignore[attr-defined]
        if missing and not request.path_info.startswith(MFA_ENROLMENT_PREFIXES):
            if _wants_json(request):
                return JsonResponse({"detail": "A second factor is required."}, status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in staff member sees Haven in the language of their profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            language = getattr(user, "language", settings.LANGUAGE_CODE)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
