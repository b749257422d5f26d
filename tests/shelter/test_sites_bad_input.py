"""Bad input to the shelter sites' services: a clear message at the field it
is about, and nothing changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from haven.core import limits
from haven.core.errors import NotFound
from haven.shelter import sites as services
from tests.safety.conftest import second_factor
from tests.shared import fresh, shared_data
from tests.shelter.sites_world import database_state, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    yield from shared_data(django_db_blocker, make_world)


@pytest.fixture
def world(shared):
    return fresh(shared)


def _refused(call, field):
    before = database_state()
    with pytest.raises(ValidationError) as refusal:
        call()
    assert field in refusal.value.message_dict
    assert database_state() == before


@pytest.mark.parametrize(
    ("alias", "team", "field"),
    [
        ("", "north", "alias"),
        ("   ", "north", "alias"),
        ("x" * (limits.SHORT_LINE + 1), "north", "alias"),
        ("Site\u202eA", "north", "alias"),
        ("SITE A", "north", "alias"),
        ("Site C", "elsewhere", "team_id"),
        ("Site C", None, "team_id"),
    ],
)
def test_a_site_with_bad_values_is_refused(world, alias, team, field):
    team_id = {"north": world.north.pk, "elsewhere": world.elsewhere.team_id, None: None}[team]
    values = services.SiteValues(alias=alias, team_id=team_id)
    _refused(lambda: services.site_create(actor=world.users["admin"], values=values), field)


def test_a_second_bed_of_the_same_label_in_a_room_is_refused(world):
    _refused(
        lambda: services.bed_add(
            actor=world.users["admin"], site_id=world.site_a.pk, room="room 1", label="a"
        ),
        "label",
    )


def test_only_a_supervisor_may_be_a_keyholder(world):
    _refused(
        lambda: services.keyholder_add(
            actor=world.users["admin"], site_id=world.site_a.pk, user_id=world.users["advocate"].pk
        ),
        "user_id",
    )


def test_a_too_long_address_is_refused(world):
    values = services.SealedValues(address="x" * (limits.SUMMARY + 1))
    _refused(
        lambda: services.site_sealed_set(
            actor=world.users["shelter"],
            site_id=world.site_a.pk,
            values=values,
            second_factor=second_factor(world.users["shelter"]),
        ),
        "address",
    )


def test_an_unknown_reason_opens_nothing(world):
    shelter = world.users["shelter"]
    _refused(
        lambda: services.site_address_open(
            actor=shelter,
            site_id=world.site_a.pk,
            reason="curious",
            second_factor=second_factor(shelter),
        ),
        "reason",
    )


@pytest.mark.parametrize("days", [0, 8, None, -1])
def test_a_closure_outside_one_to_seven_days_is_refused(world, days):
    _refused(
        lambda: services.site_close(
            actor=world.users["lockdown_admin"], site_id=world.site_a.pk, days=days, why="threat"
        ),
        "days",
    )


def test_a_closure_by_an_administrator_not_designated_is_404_and_writes_nothing(world):
    before = database_state()
    with pytest.raises(NotFound):
        services.site_close(
            actor=world.users["admin"], site_id=world.site_a.pk, days=3, why="threat"
        )
    assert database_state() == before


def test_closing_a_closed_site_again_and_reopening_an_open_one_are_refused(world):
    lockdown_admin = world.users["lockdown_admin"]
    services.site_close(actor=lockdown_admin, site_id=world.site_a.pk, days=2, why="threat")
    before = database_state()
    with pytest.raises(ValidationError, match="already closed"):
        services.site_close(actor=lockdown_admin, site_id=world.site_a.pk, days=3, why="other")
    with pytest.raises(ValidationError, match="not closed"):
        services.site_reopen(actor=lockdown_admin, site_id=world.site_b.pk)
    assert database_state() == before


def test_where_two_are_needed_the_first_asks_and_a_second_reopens(world):
    from haven.accounts.models import Role
    from haven.safety import services as safety_services
    from tests.factories import make_staff

    first = world.users["lockdown_admin"]
    second = make_staff(agency=first.agency, role=Role.ADMIN, username="t-lockdown-2")
    safety_services.safety_settings_save(
        actor=world.users["admin"],
        alert_user_ids=[],
        lockdown_user_ids=[first.pk, second.pk],
        two_to_end_lockdown=True,
    )
    services.site_close(actor=first, site_id=world.site_a.pk, days=3, why="compromised")
    assert services.site_reopen(actor=first, site_id=world.site_a.pk) is False
    with pytest.raises(ValidationError, match="second lockdown administrator"):
        services.site_reopen(actor=first, site_id=world.site_a.pk)
    assert services.site_reopen(actor=second, site_id=world.site_a.pk) is True
