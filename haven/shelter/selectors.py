"""Reads of the agency's shelters, for the pages and the API.

Sites are named by alias; nothing here opens an address (see
services.site_address_open, which audits it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from haven.people.models import Case
from haven.shelter.models import ShelterSite, SiteClosure, Stay, stays_on


def closure_in_force(site: ShelterSite, at: datetime | None = None) -> SiteClosure | None:
    """The closure that keeps ``site`` from taking new admissions at ``at``
    (now by default), if any."""
    moment = at or timezone.now()
    return (
        SiteClosure.objects.filter(
            site=site, starts_at__lte=moment, ends_at__gt=moment, reopened_at__isnull=True
        )
        .order_by("-ends_at")
        .first()
    )


def sites_reopening(sites: Iterable[ShelterSite]) -> dict[uuid.UUID, datetime]:
    """When each of ``sites`` that is closed to admissions now reopens: for
    the lists of beds, which say so before anyone chooses one."""
    now = timezone.now()
    closures = SiteClosure.objects.filter(
        site__in=list(sites), starts_at__lte=now, ends_at__gt=now, reopened_at__isnull=True
    ).order_by("ends_at")
    return {closure.site_id: closure.ends_at for closure in closures}


# --- Places: shelter on the pages that existed before it ---


def current_stay(case: Case, day: date | None = None) -> Stay | None:
    """The stay that holds the person on the night of ``day`` (today by
    default), with its site and bed: for the case page, which names the site
    by its alias only. The caller has already been allowed to open the case."""
    on = day or timezone.localdate()
    return (
        Stay.objects.filter(stays_on(on), case=case)
        .select_related("site", "bed")
        .order_by("-starts_on", "-created_at")
        .first()
    )
