"""The data migration from a case's shelter team to stays.

The database is taken back to before ``shelter.0002_from_shelter_teams``
(the column ``Case.shelter_team`` exists again), cases recorded through the
services are given shelter teams through the historical model, and the
migrations run forward: each such case has one open stay, from the day of
the migration, with no bed, at the one site made for its team. Migrating
costs seconds, so one test walks there and back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from haven.reports.models import StayFact
from haven.shelter.models import ShelterSite, Stay
from tests.factories import TeamFactory, record_intake

BEFORE = [
    ("people", "0009_hand_off_and_case_opened"),
    ("shelter", "0001_sites_and_stays"),
    ("reports", "0001_facts"),
]
AFTER = [
    ("people", "0010_no_shelter_team"),
    ("shelter", "0002_from_shelter_teams"),
    ("reports", "0002_stay_facts"),
]
MIGRATED_ON = date(2026, 5, 4)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def forward_afterwards(transactional_db):
    """Forward again to the last migrations after the test, whatever it did,
    so the next test finds today's schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_each_case_with_a_shelter_team_gets_an_open_stay_at_its_teams_site_and_back(
    forward_afterwards, monkeypatch, agency, team, intake, advocate, other_agency, outsider
):
    quiet = TeamFactory(agency=agency, name="Quiet Harbor Shelter")
    river = TeamFactory(agency=agency, name="Riverside Shelter")
    first = record_intake(actor=intake, team=team, legal_name="Synthetic One")
    second = record_intake(actor=advocate, team=team, legal_name="Synthetic Two")
    third = record_intake(actor=intake, team=team, legal_name="Synthetic Three")
    untouched = record_intake(actor=intake, team=team, legal_name="Synthetic Four")
    foreign_team = TeamFactory(agency=other_agency, name="Quiet Harbor Shelter")
    foreign = record_intake(
        actor=outsider, team=outsider.memberships.first().team, legal_name="Synthetic Five"
    )
    # A site already called after the Riverside team, of another team: the
    # new one gets a name of its own, as aliases are unique in an agency.
    ShelterSite.objects.create(agency=agency, team=team, alias="Riverside Shelter")
    # Recorded with today's schema (its receivers write today's facts), then
    # taken back to before the migration.
    back_then = _migrate(BEFORE)
    OldCase = back_then.get_model("people", "Case")
    OldCase.objects.filter(pk__in=[first.pk, second.pk]).update(shelter_team_id=quiet.pk)
    OldCase.objects.filter(pk=third.pk).update(shelter_team_id=river.pk)
    OldCase.objects.filter(pk=foreign.pk).update(shelter_team_id=foreign_team.pk)
    moment = timezone.make_aware(datetime.combine(MIGRATED_ON, datetime.min.time()))
    monkeypatch.setattr(timezone, "now", lambda: moment + timedelta(hours=12))

    _migrate(AFTER)

    assert "shelter_team_id" not in {
        c.name
        for c in connection.introspection.get_table_description(connection.cursor(), "people_case")
    }
    stays = {
        s.case_id: s for s in Stay.objects.select_related("site", "site__team", "case__person")
    }
    assert set(stays) == {first.pk, second.pk, third.pk, foreign.pk}
    assert untouched.pk not in stays
    for stay in stays.values():
        assert (stay.starts_on, stay.ends_on, stay.bed_id, stay.outcome) == (
            MIGRATED_ON,
            None,
            None,
            "",
        )
        assert stay.compromised_at is None
        assert stay.data_key_id == stay.case.person.data_key_id
        assert stay.site.agency_id == stay.case.agency_id
        assert stay.site.data_key_id is None
        assert stay.site.address is None
        assert stay.created_by_id == stay.case.created_by_id
    assert stays[first.pk].site == stays[second.pk].site
    assert (stays[first.pk].site.alias, stays[first.pk].site.team) == (
        "Quiet Harbor Shelter",
        quiet,
    )
    assert (stays[third.pk].site.alias, stays[third.pk].site.team) == (
        "Riverside Shelter (2)",
        river,
    )
    assert stays[foreign.pk].site.team == foreign_team
    assert stays[foreign.pk].site.alias == "Quiet Harbor Shelter"
    assert ShelterSite.objects.filter(agency=agency).count() == 3
    # The report facts of the new stays are written too.
    assert set(StayFact.objects.values_list("stay_ref", flat=True)) == {
        s.pk for s in stays.values()
    }

    # Going back gives each case with an open stay its site's team again.
    apps = _migrate(BEFORE)
    teams = dict(apps.get_model("people", "Case").objects.values_list("pk", "shelter_team_id"))
    assert teams[first.pk] == teams[second.pk] == quiet.pk
    assert (teams[third.pk], teams[untouched.pk]) == (river.pk, None)
