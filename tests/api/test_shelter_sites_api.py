"""The shelter sites over the JSON API: sites by alias and never an address
in a list or a read; the address only to the site team's shelter staff and
its keyholders, with a reason and a fresh code, and 404 with nothing written
to anyone else; refusals of bad input at their field."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from haven.accounts.api_tokens import api_token_create
from haven.audit.models import Action, AuditEvent
from haven.shelter import sites
from haven.shelter.models import AddressOpening, ShelterSite, SiteClosure
from tests.safety.conftest import second_factor, wrong_code
from tests.shared import fresh, shared_data
from tests.shelter.sites_world import SEALED, database_state, make_world

pytestmark = pytest.mark.django_db

ROLES = (
    "advocate",
    "supervisor",
    "keyholder",
    "shelter",
    "shelter_b",
    "intake",
    "admin",
    "lockdown_admin",
    "auditor",
    "outsider",
    "outsider_shelter",
)
SEE_SITES = {"advocate", "supervisor", "keyholder", "shelter", "shelter_b", "admin"}
SEE_SITES |= {"lockdown_admin"}
OPEN_ADDRESS = {"shelter", "keyholder"}


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    yield from shared_data(django_db_blocker, make_world)


@pytest.fixture
def world(shared):
    return fresh(shared)


class Api:
    def __init__(self, user):
        self.client = Client()
        token = api_token_create(user=user, lifetime=timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path):
        return self.client.get(f"/api/v1{path}", **self.headers)

    def post(self, path, body, method="post"):
        send = getattr(self.client, method)
        return send(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.headers
        )


@pytest.mark.parametrize("role", ROLES)
def test_sites_are_listed_by_alias_without_an_address(world, role):
    api = Api(world.users[role])
    before = database_state()
    listed = api.get("/shelter/sites")
    one = api.get(f"/shelter/sites/{world.site_a.pk}")
    if role in SEE_SITES:
        assert listed.status_code == 200
        assert [s["alias"] for s in listed.json()] == ["Site A", "Site B"]
        assert listed.json()[0]["capacity"] == 2
        assert listed.json()[0]["occupied_tonight"] == 0
        assert listed.json()[0]["closed_until"] is None
        assert one.status_code == 200
        for sealed in (SEALED.name, SEALED.address, SEALED.phone, SEALED.rules):
            assert sealed not in listed.text
            assert sealed not in one.text
    else:
        assert one.status_code == 404
        assert listed.status_code == (200 if role.startswith("outsider") else 404)
        assert "Site A" not in listed.text
        assert database_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_address_opens_only_for_those_who_may_know_it(world, role):
    user = world.users[role]
    api = Api(user)
    before = database_state()
    response = api.post(
        f"/shelter/sites/{world.site_a.pk}/address",
        {"reason": "emergency", "second_factor": second_factor(user)},
    )
    if role in OPEN_ADDRESS:
        assert response.status_code == 200
        assert response.json() == {
            "name": SEALED.name,
            "address": SEALED.address,
            "phone": SEALED.phone,
            "rules": SEALED.rules,
        }
        assert AddressOpening.objects.get().reason == "emergency"
        event = AuditEvent.objects.get(action=Action.SITE_ADDRESS_OPENED)
        assert SEALED.address not in json.dumps(event.detail)
    else:
        assert response.status_code == 404
        assert database_state() == before


def test_a_wrong_code_opens_nothing(world):
    shelter = world.users["shelter"]
    response = Api(shelter).post(
        f"/shelter/sites/{world.site_a.pk}/address",
        {"reason": "emergency", "second_factor": wrong_code(shelter)},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "second_factor"]
    assert SEALED.address not in response.text
    assert not AddressOpening.objects.exists()


def test_only_administrators_add_sites_and_a_duplicate_alias_is_refused(world):
    body = {"alias": "Site C", "team_id": world.north.pk}
    assert Api(world.users["shelter"]).post("/shelter/sites", body).status_code == 404
    admin = Api(world.users["admin"])
    made = admin.post("/shelter/sites", body)
    assert made.status_code == 201
    assert made.json()["alias"] == "Site C"
    again = admin.post("/shelter/sites", {"alias": "site a", "team_id": world.north.pk})
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "alias"]
    other_team = admin.post(
        "/shelter/sites", {"alias": "Site D", "team_id": world.elsewhere.team_id}
    )
    assert other_team.status_code == 422
    assert other_team.json()["detail"][0]["loc"] == ["body", "team_id"]
    assert ShelterSite.objects.filter(agency=world.site_a.agency).count() == 3


def test_closing_a_site_is_not_in_the_api_and_a_closure_shows_on_the_site(world):
    """Like a lockdown (ADR 16), closing and reopening a site are done on the
    pages only, so a stolen API token can neither close a site nor reopen a
    compromised one; the API shows until when a site is closed."""
    api = Api(world.users["lockdown_admin"])
    path = f"/shelter/sites/{world.site_a.pk}"
    for action in ("closure", "reopen", "close"):
        assert api.post(f"{path}/{action}", {"days": 3, "why": "threat"}).status_code in (404, 405)
    assert not SiteClosure.objects.exists()
    sites.site_close(
        actor=world.users["lockdown_admin"], site_id=world.site_a.pk, days=3, why="compromised"
    )
    assert api.get(path).json()["closed_until"] is not None
