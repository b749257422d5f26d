"""Sites and stays made straight through the models, for the tests of the
places shelter reaches (case access, exports, reports, the case page): they
test those places, not admitting, which has its own services and tests."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from haven.accounts.models import User
from haven.core.keys import data_key_create
from haven.core.models import Team
from haven.people.models import Case
from haven.shelter.models import Bed, ShelterSite, Stay


def site_of(team: Team, alias: str = "Site A", *, beds: int = 0, **sealed: str) -> ShelterSite:
    """A site of ``team`` with ``beds`` beds in one room; the ``sealed``
    values (name, address, phone, rules) under a data key of its own."""
    site = ShelterSite(agency=team.agency, team=team, alias=alias)
    if sealed:
        site.data_key = data_key_create(team.agency)[0]
        for field, value in sealed.items():
            setattr(site, field, value)
    site.save()
    for n in range(beds):
        Bed.objects.create(site=site, room="Room 1", label=f"Bed {n + 1}")
    return site


def stay_at(
    case: Case,
    site: ShelterSite | None,
    *,
    actor: User,
    starts_on: date | None = None,
    ends_on: date | None = None,
    bed: Bed | None = None,
    outcome: str = "",
    **sealed: str,
) -> Stay:
    """A stay of ``case`` at ``site`` (None: at a partner), open unless
    ``ends_on`` is given."""
    stay = Stay(
        case=case,
        site=site,
        bed=bed,
        data_key_id=case.person.data_key_id,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        outcome=outcome,
        created_by=actor,
    )
    for field, value in sealed.items():
        setattr(stay, field, value)
    stay.save()
    return stay


def resident_of(case: Case, team: Team, *, actor: User) -> Stay:
    """An open stay of ``case`` at the first site of ``team`` (made if it
    has none), whatever agency the case is of: tests forge links with it."""
    site = ShelterSite.objects.filter(team=team).first() or site_of(team, f"Site {team.pk}")
    return stay_at(case, site, actor=actor)
