"""Reasons to keep staff out that belong to apps above this one.

An emergency lockdown (the safety app) keeps an agency's staff out, but the
sign-in flows live here, and this app must not import the apps built on it.
So an app registers a hold in its ``AppConfig.ready()``, and every sign-in
asks all of them. The holds registered are listed in
docs/adr/0020-layers.md; a test checks the lockdown's is among them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Hold:
    name: str
    # Whether a sign-in with this name must be refused before any password
    # is checked. The hold audits its own refusals.
    refuses_sign_in: Callable[[str], bool]
    # For someone who has just signed in, or is signed in: None to let them
    # on, or the answer to give after the hold has signed them out.
    ends_session: Callable[[HttpRequest, object], HttpResponse | None]


_HOLDS: dict[str, Hold] = {}


def register(hold: Hold) -> None:
    _HOLDS[hold.name] = hold


def registered() -> list[str]:
    return sorted(_HOLDS)


def sign_in_refused(username: str) -> bool:
    """Whether any hold refuses a sign-in with ``username``. Every hold is
    asked, so each one audits the attempts it refuses."""
    refused = [hold.refuses_sign_in(username) for hold in _HOLDS.values()]
    return any(refused)


def session_ended(request: HttpRequest, user: object) -> HttpResponse | None:
    """The answer of the first hold that ends ``user``'s session, or None."""
    for hold in _HOLDS.values():
        answer = hold.ends_session(request, user)
        if answer is not None:
            return answer
    return None
