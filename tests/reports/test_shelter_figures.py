"""Nights and stays in the reports: counted from the stay facts, which
follow each stay as it is saved, over the first quarter of 2026.

- Person 1 stayed at Site A from 20 December, moved to Site B on 10 January
  and left for longer-term housing on 1 February: 9 nights at A and 22 at B
  in the quarter.
- Person 2 came to Site A on 25 March and is still there: 7 nights.
- Person 3 was placed at a partner from 10 to 15 February: 5 nights.
- Person 4 left Site A for their family on 1 January: their last night was
  31 December, so no night in the quarter, but the stay ended in it.
- Person 5 came to Site B on 2 April: after the quarter.
- Person 6 came to Site A on 31 March (other team's case): 1 night.
"""

from __future__ import annotations

from datetime import date

import pytest

from haven.reports.figures import report, shelter_tables
from haven.reports.models import StayFact
from haven.reports.services import report_run
from haven.shelter.models import StayOutcome
from tests.factories import record_intake
from tests.reports.conftest import Q1
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def stays(agency, team, other_team, supervisor):
    site_a = site_of(team, "Site A", name="Synthetic Hidden Name", address="9 Secret Street")
    site_b = site_of(other_team, "Site B")
    people = [
        record_intake(actor=supervisor, team=other_team if n == 5 else team) for n in range(6)
    ]
    first = stay_at(people[0], site_a, actor=supervisor, starts_on=date(2025, 12, 20))
    # The move: the first stay ends the day the next begins.
    first.ends_on, first.outcome = date(2026, 1, 10), StayOutcome.MOVED
    first.save()
    stay_at(
        people[0],
        site_b,
        actor=supervisor,
        starts_on=date(2026, 1, 10),
        ends_on=date(2026, 2, 1),
        outcome=StayOutcome.LONGER_TERM,
    )
    stay_at(people[1], site_a, actor=supervisor, starts_on=date(2026, 3, 25))
    stay_at(
        people[2],
        None,
        actor=supervisor,
        starts_on=date(2026, 2, 10),
        ends_on=date(2026, 2, 15),
        outcome=StayOutcome.LEFT,
    )
    stay_at(
        people[3],
        site_a,
        actor=supervisor,
        starts_on=date(2025, 10, 1),
        ends_on=date(2026, 1, 1),
        outcome=StayOutcome.FAMILY,
    )
    stay_at(people[4], site_b, actor=supervisor, starts_on=date(2026, 4, 2))
    stay_at(people[5], site_a, actor=supervisor, starts_on=date(2026, 3, 31))
    return {"agency": agency, "team": team, "site_a": site_a, "site_b": site_b}


def scope(stays, threshold=1, team_id=None):
    from haven.reports.figures import Scope

    return Scope(
        agency_id=stays["agency"].pk,
        start=Q1[0],
        end=Q1[1],
        threshold=threshold,
        team_id=team_id,
    )


def values(table) -> dict[str, list[str]]:
    found = {row.label: [str(f) for f in row.figures] for row in table.rows}
    found["total"] = [str(f) for f in table.totals]
    return found


def test_stays_people_and_nights_by_site_alias_and_at_partners(stays):
    sheltered, ended = shelter_tables(scope(stays))
    assert sheltered.columns == ("Stays begun", "People sheltered", "Nights")
    assert values(sheltered) == {
        "Site A": ["2", "3", "17"],
        "Site B": ["1", "1", "22"],
        "At partners": ["1", "1", "5"],
        # Person 1 stayed at two sites: one person sheltered.
        "total": ["4", "4", "44"],
    }
    assert values(ended) == {
        **{str(label): ["0"] for label in StayOutcome.labels},
        "Moved to another bed or site": ["1"],
        "Moved to longer-term housing": ["1"],
        "Left without notice": ["1"],
        "Returned to family": ["1"],
        "Not recorded": ["0"],
        "total": ["4"],
    }


def test_every_shelter_figure_goes_through_the_small_number_rule(stays):
    sheltered, ended = shelter_tables(scope(stays, threshold=5))
    assert values(sheltered) == {
        "Site A": ["<5", "<5", "15"],
        "Site B": ["<5", "<5", "20"],
        "At partners": ["<5", "<5", "5"],
        "total": ["<5", "<5", "45"],
    }
    assert values(ended)["total"] == ["<5"]
    assert values(ended)["Returned to family"] == ["<5"]


def test_a_team_counts_the_stays_of_its_own_cases(stays):
    sheltered, _ended = shelter_tables(scope(stays, team_id=stays["team"].pk))
    assert values(sheltered)["Site A"] == ["1", "2", "16"]
    assert values(sheltered)["total"] == ["3", "3", "43"]


def test_a_site_is_named_by_its_alias_only_in_the_report(stays, supervisor):
    found = report_run(actor=supervisor, scope=scope(stays))
    text = repr(found)
    assert "Site A" in text
    assert "Hidden" not in text
    assert "Secret" not in text


def test_the_facts_follow_each_save_and_hold_no_place(stays):
    ended_move = StayFact.objects.get(starts_on=date(2025, 12, 20))
    assert (ended_move.ends_on, ended_move.outcome) == (date(2026, 1, 10), "moved")
    assert ended_move.site_id == stays["site_a"].pk
    assert StayFact.objects.filter(site=None).count() == 1
    assert [t.key for t in report(scope(stays)).tables].count("shelter") == 1
