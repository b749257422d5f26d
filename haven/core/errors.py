"""Exceptions of the domain, raised by services, selectors and policies.

They say what went wrong in the domain's own words and nothing of HTTP: the
pages and the API each turn them into an answer in one place
(``haven.core.middleware.NotFoundMiddleware`` and the exception handlers of
``haven.api.api``). A rule that refuses input raises Django's
``ValidationError``, keyed by the field it is about, which forms already
understand.
"""

from __future__ import annotations


class NotFound(Exception):
    """What was asked for does not exist, or is not the caller's to see.

    The two are one exception on purpose: a record outside the caller's
    reach must answer exactly like one that does not exist, so that the
    answer never tells whether it is there. Its message, if any, is for
    developers and is never shown.
    """
