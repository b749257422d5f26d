"""Reads of the agency's shelter sites for the pages and the API: by alias,
team, capacity, how many beds are taken tonight and whether the site is
closed to admissions. Nothing here opens a site's sealed details: that is
``sites.site_address_open``, which audits it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.shelter.models import Bed, ShelterSite, SiteClosure, SiteKeyholder, Stay, stays_on
from haven.shelter.policies import may_hold_site_keys, may_see_site, may_see_sites
from haven.shelter.selectors import closure_in_force


@dataclass(frozen=True)
class SiteRow:
    """A site as lists and the API show it: never its sealed details."""

    site: ShelterSite
    capacity: int
    occupied: int
    closure: SiteClosure | None

    @property
    def closed_until(self) -> datetime | None:
        return self.closure.ends_at if self.closure is not None else None


def _rows(sites: list[ShelterSite], day: date) -> list[SiteRow]:
    ids = [site.pk for site in sites]
    capacity = dict(
        Bed.objects.filter(site_id__in=ids, is_active=True)
        .values_list("site_id")
        .annotate(n=Count("pk"))
        .values_list("site_id", "n")
    )
    occupied = dict(
        Stay.objects.filter(stays_on(day), site_id__in=ids)
        .values_list("site_id")
        .annotate(n=Count("pk"))
        .values_list("site_id", "n")
    )
    now = timezone.now()
    closures: dict[uuid.UUID, SiteClosure] = {}
    for closure in SiteClosure.objects.filter(
        site_id__in=ids, starts_at__lte=now, ends_at__gt=now, reopened_at__isnull=True
    ).order_by("ends_at"):
        closures[closure.site_id] = closure  # the latest ending wins, as closure_in_force
    return [
        SiteRow(
            site=site,
            capacity=capacity.get(site.pk, 0),
            occupied=occupied.get(site.pk, 0),
            closure=closures.get(site.pk),
        )
        for site in sites
    ]


def site_list(*, user: User) -> list[SiteRow]:
    """The agency's sites, active first, with tonight's occupancy."""
    if not may_see_sites(user):
        raise NotFound
    sites = list(
        ShelterSite.objects.filter(agency_id=user.agency_id)
        .select_related("team")
        .order_by("-is_active", "alias")
    )
    return _rows(sites, timezone.localdate())


def site_get(*, user: User, site_id: uuid.UUID | str) -> ShelterSite:
    """The site, if the user may see it; NotFound otherwise, exactly like a
    site that does not exist."""
    try:
        wanted = uuid.UUID(str(site_id))
    except ValueError:
        raise NotFound from None
    site = (
        ShelterSite.objects.filter(pk=wanted, agency_id=user.agency_id)
        .select_related("team")
        .first()
    )
    if site is None or not may_see_site(user, site):
        raise NotFound
    return site


def site_row(*, user: User, site_id: uuid.UUID | str) -> SiteRow:
    return _rows([site_get(user=user, site_id=site_id)], timezone.localdate())[0]


@dataclass(frozen=True)
class BedRow:
    bed: Bed
    taken: bool


def site_beds(site: ShelterSite, day: date | None = None) -> list[BedRow]:
    """The site's beds by room, and whether each is taken on the night of
    ``day`` (tonight by default). No resident is named here."""
    night = day or timezone.localdate()
    taken = set(
        Stay.objects.filter(stays_on(night), site=site, bed__isnull=False).values_list(
            "bed_id", flat=True
        )
    )
    return [
        BedRow(bed=bed, taken=bed.pk in taken)
        for bed in Bed.objects.filter(site=site).order_by("-is_active", "room", "label")
    ]


def site_keyholders(site: ShelterSite) -> list[User]:
    return [
        held.user
        for held in SiteKeyholder.objects.filter(site=site)
        .select_related("user")
        .order_by("user__username")
    ]


def keyholder_choices(*, user: User, site: ShelterSite) -> list[User]:
    """The agency's supervisors who are not yet keyholders of ``site``."""
    held = SiteKeyholder.objects.filter(site=site).values("user_id")
    return [
        staff
        for staff in User.objects.filter(agency_id=user.agency_id, is_active=True)
        .exclude(pk__in=held)
        .order_by("username")
        if may_hold_site_keys(staff)
    ]


def team_choices(*, user: User) -> list[Team]:
    return list(Team.objects.filter(agency_id=user.agency_id, is_active=True).order_by("name"))


def closure_of(site: ShelterSite) -> SiteClosure | None:
    return closure_in_force(site)


def sites_of_teams(*, agency_id: int, team_ids: frozenset[int]) -> list[ShelterSite]:
    """The active sites worked by ``team_ids``."""
    return list(
        ShelterSite.objects.filter(
            Q(team_id__in=team_ids), agency_id=agency_id, is_active=True
        ).order_by("alias")
    )
