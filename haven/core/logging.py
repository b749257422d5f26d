"""Logging that never carries a person's data."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import get_resolver
from django.views.debug import SafeExceptionReporterFilter

from haven.core.request_context import current_request_id


class RequestIdFilter(logging.Filter):
    """Every line carries the id of the request it was written for.

    Django writes its line about a 4xx or 5xx answer ("Not Found: ...")
    after the middleware has answered and the id's context is cleared; it
    hands the request to the line, whose id is read instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = current_request_id.get() or getattr(request, "request_id", None) or "-"
        return True


_ID = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)
_WORD = re.compile(r"^[A-Za-z0-9._-]+$")
HIDDEN_SEGMENT = "[…]"


@functools.cache
def _route_words() -> frozenset[str]:
    """The fixed words of Haven's URLs ("cases", "attachments", "api"...)."""
    words: set[str] = set()

    def walk(patterns: Iterable[Any]) -> None:
        for pattern in patterns:
            route = str(pattern.pattern).strip("^$").removesuffix("\\Z")
            words.update(part for part in route.split("/") if _WORD.match(part))
            walk(getattr(pattern, "url_patterns", []))

    walk(get_resolver().url_patterns)
    return frozenset(words)


def loggable_path(path: str) -> str:
    """``path`` with each part that is neither a word of Haven's URLs nor an
    id shown as […]: the paths Haven builds hold ids only, but one typed
    into the address bar, or sent by a client, may hold a person's name."""
    words = _route_words()
    return "/".join(
        part if not part or part in words or _ID.match(part) else HIDDEN_SEGMENT
        for part in path.split("/")
    )


class RedactPathsFilter(logging.Filter):
    """Django's lines about an answer ("Not Found: /path", "Forbidden
    (CSRF token missing.): /path") quote the request's path: it is written
    as ``loggable_path`` shows it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest) or not isinstance(record.args, tuple):
            return True
        # Django escapes what it quotes (non-ASCII as \\xe9 and the like).
        quoted = {request.path, request.path.encode("unicode_escape").decode("ascii")}
        record.args = tuple(
            loggable_path(request.path) if arg in quoted else arg for arg in record.args
        )
        return True


_LINK_SECRET = re.compile(r"/(setup|invitation)/[^/\s]+/")


class RedactLinkSecretsFilter(logging.Filter):
    """Setup and invitation links carry a secret in their path; a log line
    about such a request (a 404 for an expired link, say) shows it redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _LINK_SECRET.sub(r"/\1/[redacted]/", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Exception reports show no POST field, query value or local variable.

    Any of them may hold a name or a date of birth typed by staff.
    """

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
