"""Who may see and do what with the shelter sites: every role, and two
members of another agency, against every page of the sites.

The expected outcomes are written from the rules of
``haven/shelter/policies.py``'s docstring, never computed from its
functions. Each cell asserts the allowed answer, or a 404 that looks like a
site that does not exist and writes nothing at all (no address opening, no
audit row, no data key).

The world (tests/shelter/sites_world.py): "Site A" is worked by the team
North (``shelter``, ``supervisor`` and ``advocate`` are on it); "Site B" by
South (``shelter_b``, and ``keyholder``, a supervisor named keyholder of
Site A). ``lockdown_admin`` is the designated lockdown administrator;
``admin`` is an administrator not designated. ``outsider`` is another
agency's advocate, administrator and auditor; ``outsider_shelter`` its
shelter staff.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import Action, AuditEvent
from haven.shelter.models import AddressOpening, Bed, SiteClosure, SiteKeyholder
from tests.safety.conftest import second_factor
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
# The list and a site's page: staff who work cases, shelter staff and
# administrators of the agency.
SEE_SITES = {
    "advocate",
    "supervisor",
    "keyholder",
    "shelter",
    "shelter_b",
    "admin",
    "lockdown_admin",
}
# A list of sites of their own agency, where Site A is not.
OWN_LIST = {"outsider", "outsider_shelter"}
# Site A's address: its team's shelter staff and its keyholder.
OPEN_ADDRESS = {"shelter", "keyholder"}
# Setting Site A up: administrators (designated or not).
MANAGE = {"admin", "lockdown_admin"}
# Closing Site A: the designated lockdown administrator.
CLOSE = {"lockdown_admin"}


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    yield from shared_data(django_db_blocker, make_world)


@pytest.fixture
def world(shared):
    return fresh(shared)


def _client(client_for, world, role):
    return client_for(world.users[role])


def _refused(response, before):
    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_sites_list(client_for, world, role):
    client = _client(client_for, world, role)
    before = database_state()
    response = client.get(reverse("shelter:sites"))
    if role in SEE_SITES:
        assert response.status_code == 200
        assert "Site A" in response.text
        assert "Site B" in response.text
        assert SEALED.address not in response.text
        assert SEALED.name not in response.text
    elif role in OWN_LIST:
        assert response.status_code == 200
        assert "Site A" not in response.text
        assert "Elsewhere House" in response.text
    else:
        _refused(response, before)


@pytest.mark.parametrize("role", ROLES)
def test_a_sites_page(client_for, world, role):
    client = _client(client_for, world, role)
    before = database_state()
    response = client.get(reverse("shelter:site", args=[world.site_a.pk]))
    if role in SEE_SITES:
        assert response.status_code == 200
        assert "Site A" in response.text
        for sealed in (SEALED.name, SEALED.address, SEALED.phone, SEALED.rules):
            assert sealed not in response.text
        address_link = reverse("shelter:site_address", args=[world.site_a.pk])
        assert (address_link in response.text) == (role in OPEN_ADDRESS)
    else:
        _refused(response, before)


@pytest.mark.parametrize("role", ROLES)
def test_the_address_page_asks_why(client_for, world, role):
    client = _client(client_for, world, role)
    before = database_state()
    response = client.get(reverse("shelter:site_address", args=[world.site_a.pk]))
    if role in OPEN_ADDRESS:
        assert response.status_code == 200
        assert SEALED.address not in response.text
        assert database_state() == before
    else:
        _refused(response, before)


@pytest.mark.parametrize("role", ROLES)
def test_opening_the_address(client_for, world, role):
    user = world.users[role]
    client = _client(client_for, world, role)
    before = database_state()
    url = reverse("shelter:site_address", args=[world.site_a.pk])
    response = client.post(url, {"reason": "transport", "second_factor": second_factor(user)})
    if role in OPEN_ADDRESS:
        assert response.status_code == 200
        assert SEALED.address.split(",")[0] in response.text
        assert SEALED.phone in response.text
        assert "no-store" in response["Cache-Control"]
        opening = AddressOpening.objects.get()
        assert (opening.site_id, opening.user_id, opening.reason) == (
            world.site_a.pk,
            user.pk,
            "transport",
        )
        event = AuditEvent.objects.filter(action=Action.SITE_ADDRESS_OPENED).get()
        assert event.object_id == str(world.site_a.pk)
        assert event.detail == {"reason": "transport", "opening": str(opening.pk)}
    else:
        _refused(response, before)


@pytest.mark.parametrize("role", ROLES)
def test_recording_the_sealed_details(client_for, world, role):
    client = _client(client_for, world, role)
    before = database_state()
    url = reverse("shelter:site_sealed", args=[world.site_a.pk])
    code = second_factor(world.users[role])
    response = client.post(url, {"phone": "608-555-0100", "second_factor": code})
    if role in OPEN_ADDRESS:
        assert response.status_code == 303
        world.site_a.refresh_from_db()
        assert world.site_a.phone == "608-555-0100"
        assert world.site_a.address == SEALED.address  # left blank: kept
    else:
        _refused(response, before)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_setting_up_beds_and_keyholders(client_for, world, role):
    client = _client(client_for, world, role)
    before = database_state()
    url = reverse("shelter:site_setup", args=[world.site_a.pk])
    if role not in MANAGE:
        _refused(client.get(url), before)
        _refused(client.post(url, {"action": "bed", "room": "Room 2", "label": "C"}), before)
        _refused(
            client.post(url, {"action": "keyholder", "user_id": world.users["supervisor"].pk}),
            before,
        )
        bed = Bed.objects.filter(site=world.site_a).first()
        _refused(
            client.post(
                reverse("shelter:bed_active", args=[world.site_a.pk, bed.pk]), {"active": "0"}
            ),
            before,
        )
        _refused(
            client.post(
                reverse(
                    "shelter:keyholder_remove",
                    args=[world.site_a.pk, world.users["keyholder"].pk],
                )
            ),
            before,
        )
        return
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "bed", "room": "Room 2", "label": "C"}).status_code == 303
    assert Bed.objects.filter(site=world.site_a, room="Room 2", label="C").exists()
    supervisor = world.users["supervisor"]
    response = client.post(url, {"action": "keyholder", "user_id": supervisor.pk})
    assert response.status_code == 303
    assert SiteKeyholder.objects.filter(site=world.site_a, user=supervisor).exists()
    remove = reverse("shelter:keyholder_remove", args=[world.site_a.pk, supervisor.pk])
    assert client.post(remove).status_code == 303
    assert not SiteKeyholder.objects.filter(site=world.site_a, user=supervisor).exists()


@pytest.mark.parametrize("role", ROLES)
def test_closing_and_reopening(client_for, world, role):
    client = _client(client_for, world, role)
    before = database_state()
    url = reverse("shelter:site_close", args=[world.site_a.pk])
    if role not in CLOSE:
        _refused(client.get(url), before)
        _refused(client.post(url, {"action": "close", "days": "3", "why": "threat"}), before)
        _refused(client.post(url, {"action": "reopen"}), before)
        return
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "close", "days": "3", "why": "threat"}).status_code == 303
    closure = SiteClosure.objects.get()
    assert (closure.ends_at - closure.starts_at).days == 3
    assert client.post(url, {"action": "reopen"}).status_code == 303
    closure.refresh_from_db()
    assert closure.reopened_by_id == world.users[role].pk
    actions = list(
        AuditEvent.objects.filter(object_id=str(world.site_a.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == [Action.SITE_CLOSED, Action.SITE_REOPENED]
