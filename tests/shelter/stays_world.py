"""Sites, beds and cases shared by the shelter tests: Site A worked by the
team North's shelter staff, Site B by the team South's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from haven.accounts.models import Role
from haven.shelter.models import Bed, ShelterSite
from tests.factories import make_staff, record_intake


def make_site(agency, team, alias: str, beds: int = 2) -> ShelterSite:
    site = ShelterSite.objects.create(agency=agency, team=team, alias=alias)
    for n in range(1, beds + 1):
        Bed.objects.create(site=site, room="Room 1", label=f"Bed {n}")
    return site


def bed_of(site: ShelterSite, n: int = 1) -> Bed:
    return Bed.objects.get(site=site, label=f"Bed {n}")


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def site_a(agency, team):
    return make_site(agency, team, "Site A")


@pytest.fixture
def site_b(agency, other_team):
    return make_site(agency, other_team, "Site B")


@pytest.fixture
def shelter_b(agency, other_team):
    return make_staff(agency=agency, role=Role.SHELTER, team=other_team, username="t-shelter-b")


@pytest.fixture
def case(advocate, team):
    return record_intake(
        actor=advocate,
        team=team,
        advocate=advocate,
        preferred_name="Guadalupe Ramírez Soto",
        language="spa",
    )


@pytest.fixture
def second_case(advocate, team):
    return record_intake(
        actor=advocate, team=team, advocate=advocate, preferred_name="Amara Okafor (synthetic)"
    )


@pytest.fixture
def other_site(other_agency):
    from haven.core.models import Team

    team = Team.objects.create(agency=other_agency, name="Far Team")
    return make_site(other_agency, team, "Far Site")
