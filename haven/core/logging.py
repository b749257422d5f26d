"""Logging that never carries a person's data."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

from haven.core.request_context import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
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
