"""A world for the shelter sites' tests: one agency with two teams, a site
for each ("Site A" worked by North, "Site B" by South), every role, a named
keyholder, a designated lockdown administrator, and another agency with its
own site and shelter staff.

Made through the services, as staff would, so the tests exercise the same
paths as the pages and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models

from conftest import make_agency, make_other_agency, make_outsider, make_persona, make_team
from haven.accounts.models import Role, User
from haven.audit.models import AuditEvent
from haven.core.models import DataKey, Team
from haven.safety import services as safety_services
from haven.shelter import sites as services
from haven.shelter.models import ShelterSite
from tests.factories import TeamFactory, make_staff
from tests.safety.conftest import second_factor

SEALED = services.SealedValues(
    name="Casa Quillfeather Retreat",
    address="4471 Marrowbine Lane, Pellingford",
    phone="608-555-0193",
    rules="Curfew at the blue lantern hour; no visitors in the orchard",
)


@dataclass
class World:
    site_a: ShelterSite
    site_b: ShelterSite
    elsewhere: ShelterSite
    north: Team
    south: Team
    users: dict[str, User]


def make_world() -> World:
    agency = make_agency()
    north = make_team(agency)
    south = TeamFactory(agency=agency, name="South")
    users = {
        name: make_persona(persona, agency, north)
        for name, persona in (
            ("advocate", "advocate"),
            ("supervisor", "supervisor"),
            ("intake", "intake"),
            ("shelter", "shelter"),
            ("admin", "admin_user"),
            ("auditor", "auditor"),
        )
    }
    users["keyholder"] = make_staff(
        agency=agency, role=Role.SUPERVISOR, team=south, username="t-keyholder"
    )
    users["shelter_b"] = make_staff(
        agency=agency, role=Role.SHELTER, team=south, username="t-shelter-b"
    )
    users["lockdown_admin"] = make_staff(agency=agency, role=Role.ADMIN, username="t-lockdown")
    safety_services.safety_settings_save(
        actor=users["admin"],
        alert_user_ids=[],
        lockdown_user_ids=[users["lockdown_admin"].pk],
        two_to_end_lockdown=False,
    )
    other = make_other_agency()
    users["outsider"] = make_outsider(other)
    other_team = Team.objects.get(agency=other)
    users["outsider_shelter"] = make_staff(
        agency=other, role=Role.SHELTER, team=other_team, username="t-outsider-shelter"
    )
    admin = users["admin"]
    site_a = services.site_create(
        actor=admin, values=services.SiteValues(alias="Site A", team_id=north.pk)
    )
    site_b = services.site_create(
        actor=admin, values=services.SiteValues(alias="Site B", team_id=south.pk)
    )
    for site in (site_a, site_b):
        services.bed_add(actor=admin, site_id=site.pk, room="Room 1", label="A")
        services.bed_add(actor=admin, site_id=site.pk, room="Room 1", label="B")
    services.keyholder_add(actor=admin, site_id=site_a.pk, user_id=users["keyholder"].pk)
    services.site_sealed_set(
        actor=users["shelter"],
        site_id=site_a.pk,
        values=SEALED,
        second_factor=second_factor(users["shelter"]),
    )
    # The code spent setting the world up is not one a test may not spend again
    # (allauth keeps used codes in the cache; the tests' users are fetched fresh).
    cache.clear()
    elsewhere = services.site_create(
        actor=users["outsider"],
        values=services.SiteValues(alias="Elsewhere House", team_id=other_team.pk),
    )
    return World(site_a, site_b, elsewhere, north, south, users)


def _rows(model: type[models.Model]) -> list[tuple[Any, ...]]:
    names = [f.attname for f in model._meta.concrete_fields]
    return [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        for row in model.objects.order_by("pk").values_list(*names)  # type: ignore[attr-defined]
    ]


def database_state() -> dict[str, Any]:
    """Every row of the shelter app, the audit trail and the data keys:
    equal before and after means nothing was written."""
    state = {m._meta.label: _rows(m) for m in apps.get_app_config("shelter").get_models()}
    state["audit"] = _rows(AuditEvent)
    state["keys"] = _rows(DataKey)
    return state
