"""Reads of the agency's shelters, for the pages and the API.

Sites are named by alias; nothing here opens an address (see
services.site_address_open, which audits it)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from haven.shelter.models import ShelterSite, SiteClosure


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
