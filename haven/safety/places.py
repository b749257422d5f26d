"""The places of an agency besides its office, as staff safety knows them.

The front desk checks a visitor in at the office or at one of the agency's
other places (its shelters, docs/adr/0026-shelter-and-agency-steps.md), and
the lockdown page lists them. Staff safety sits below the apps that keep
those places, so they tell it about them here, from their ``ready()``:
``register_places(provider)``. A place is named by a label that is public by
design (a shelter's alias), never by anything sealed.

A place id is a string of the provider's own; "" is the office.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from haven.accounts.models import User

OFFICE = ""


@dataclass(frozen=True)
class PlaceState:
    """A place on the lockdown page: its label, until when it takes no one
    new (None: open), and where to close or reopen it."""

    label: str
    closed_until: datetime | None
    close_url: str


class PlaceProvider(Protocol):
    def choices(self, agency_id: int) -> list[tuple[str, str]]:
        """The agency's places where a visitor may be checked in: (id, label)."""

    def alerted(self, agency_id: int, place_id: str) -> list[User]:
        """Who an alert at the place reaches besides the designated staff."""

    def places_alerting(self, user: User) -> set[str]:
        """The ids of the places whose alerts reach ``user``."""

    def states(self, agency_id: int) -> list[PlaceState]:
        """The agency's places for the lockdown page."""


_providers: list[PlaceProvider] = []


def register_places(provider: PlaceProvider) -> None:
    """Add ``provider``, in place of one of its kind registered before."""
    _providers[:] = [p for p in _providers if type(p) is not type(provider)]
    _providers.append(provider)


def place_choices(agency_id: int) -> list[tuple[str, str]]:
    """Every place of the agency but the office, by label."""
    return [choice for provider in _providers for choice in provider.choices(agency_id)]


def place_label(agency_id: int, place_id: str) -> str | None:
    """The label of one of the agency's places, or None when it is not one
    (another agency's, a closed one, a made-up id)."""
    return dict(place_choices(agency_id)).get(place_id)


def alerted_at(agency_id: int, place_id: str) -> list[User]:
    if place_id == OFFICE:
        return []
    return _unique(u for provider in _providers for u in provider.alerted(agency_id, place_id))


def places_alerting(user: User) -> set[str]:
    return {place for provider in _providers for place in provider.places_alerting(user)}


def place_states(agency_id: int) -> list[PlaceState]:
    return [state for provider in _providers for state in provider.states(agency_id)]


def _unique(users: Iterable[User]) -> list[User]:
    return list({u.pk: u for u in users}.values())
