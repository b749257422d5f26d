"""What a schemathesis run against the API needs besides its token."""

from __future__ import annotations

from django.test import override_settings


def wrong_tokens_allowed() -> override_settings:
    """Schemathesis sends wrong and missing tokens on purpose, to check they
    are refused: far more than the limit of wrong tokens from one address
    (haven.accounts.token_failures), which would block the run's own token
    after ten and leave nothing tested. The limit has tests of its own."""
    return override_settings(HAVEN_API_TOKEN_FAILURES=10**9)
