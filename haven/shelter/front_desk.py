"""The agency's sites as staff safety knows them (haven.safety.places): where
the front desk may check a visitor in, whom an alert there reaches, and the
sites on the lockdown page. A site is named by its alias only, public by
design; nothing here opens a sealed value."""

from __future__ import annotations

import uuid

from django.urls import reverse

from haven.accounts.models import Role, User
from haven.accounts.policies import teams_of
from haven.safety.places import PlaceState
from haven.shelter.models import ShelterSite
from haven.shelter.selectors import closure_in_force


def _sites(agency_id: int) -> list[ShelterSite]:
    return list(ShelterSite.objects.filter(agency_id=agency_id, is_active=True).order_by("alias"))


def _site(agency_id: int, place_id: str) -> ShelterSite | None:
    try:
        wanted = uuid.UUID(place_id)
    except ValueError:
        return None
    return ShelterSite.objects.filter(pk=wanted, agency_id=agency_id, is_active=True).first()


class SitePlaces:
    """The provider of ``haven.safety.places``: a place id is a site's id."""

    def choices(self, agency_id: int) -> list[tuple[str, str]]:
        return [(str(site.pk), site.alias) for site in _sites(agency_id)]

    def alerted(self, agency_id: int, place_id: str) -> list[User]:
        """An alert at a site reaches the shelter staff of its team."""
        site = _site(agency_id, place_id)
        if site is None:
            return []
        return list(
            User.objects.filter(
                agency_id=agency_id,
                is_active=True,
                memberships__role=Role.SHELTER,
                memberships__team_id=site.team_id,
            ).distinct()
        )

    def places_alerting(self, user: User) -> set[str]:
        teams = teams_of(user, Role.SHELTER)
        if not teams:
            return set()
        return {
            str(pk)
            for pk in ShelterSite.objects.filter(
                agency_id=user.agency_id, team_id__in=teams, is_active=True
            ).values_list("pk", flat=True)
        }

    def states(self, agency_id: int) -> list[PlaceState]:
        states = []
        for site in _sites(agency_id):
            closure = closure_in_force(site)
            states.append(
                PlaceState(
                    label=site.alias,
                    closed_until=closure.ends_at if closure is not None else None,
                    close_url=reverse("shelter:site_close", args=[site.pk]),
                )
            )
        return states
