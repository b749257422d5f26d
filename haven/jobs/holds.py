"""Reasons to stop an agency's jobs that belong to apps above this one.

An emergency lockdown (the safety app) stops its agency's jobs, but the
safety app sits beside this one and may not be imported here. So the
composition layer (``haven.desk``, which may import both) registers a hold
in its ``AppConfig.ready()``: while any hold says so, the agency's waiting
jobs wait and a running one is refused at its next step.
"""

from __future__ import annotations

from collections.abc import Callable

# name -> whether the agency's jobs must stop now
_HOLDS: dict[str, Callable[[int], bool]] = {}


def register(name: str, holds_agency: Callable[[int], bool]) -> None:
    _HOLDS[name] = holds_agency


def registered() -> list[str]:
    return sorted(_HOLDS)


def held(agency_id: int) -> bool:
    """Whether some hold stops the agency's jobs now."""
    return any(holds_agency(agency_id) for holds_agency in _HOLDS.values())
