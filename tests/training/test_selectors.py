"""Refresher states, the overview, and the figures other parts read, with
exact values and the state boundaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from haven.accounts.models import Membership, Role
from haven.core.errors import NotFound
from haven.training import selectors, services
from haven.training.selectors import DueState, TopicCoverage, TrainingFigures, add_months, due_state
from tests.factories import make_staff
from tests.training.conftest import every, topic, train

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("day", "months", "due"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 6, 15), 12, date(2025, 6, 15)),
        (date(2015, 6, 15), 120, date(2025, 6, 15)),
    ],
)
def test_months_are_added_to_the_last_day_of_a_short_month(day, months, due):
    assert add_months(day, months) == due


@pytest.mark.parametrize(
    ("latest", "state"),
    [
        # Due 2025-07-15 (today + 30): due soon; due 2025-07-16: current.
        (date(2024, 7, 15), DueState.DUE_SOON),
        (date(2024, 7, 16), DueState.CURRENT),
        # Due today: still due soon; due yesterday: overdue.
        (date(2024, 6, 15), DueState.DUE_SOON),
        (date(2024, 6, 14), DueState.OVERDUE),
        (None, DueState.NEVER),
    ],
)
def test_due_states_at_their_boundaries(latest, state):
    assert due_state(latest, 12, TODAY)[1] == state


def test_without_an_interval_ever_trained_is_current():
    assert due_state(date(1995, 1, 1), None, TODAY) == (None, DueState.CURRENT)
    assert due_state(None, None, TODAY) == (None, DueState.NEVER)


@pytest.fixture
def world(agency, team, other_team, admin_user, advocate, supervisor, outsider):
    """Laws every 12 months, dynamics every 24, the rest once.

    advocate (team North): laws 2024-06-14 (overdue), 2024-07-01 (due soon:
    the latest counts); dynamics 2024-01-01 (current, due 2026-01-01).
    supervisor (North): laws 2024-08-01 (current), 3.5 hours; staff safety.
    admin: nothing. A member of South: laws 2025-02-01, 4 hours.
    A former staff member: laws 2025-03-01, 1 hour: counted in figures,
    not in coverage. The outsider's agency: records of its own, never seen.
    """
    south = make_staff(agency=agency, role=Role.SHELTER, team=other_team, username="t-south")
    gone = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-gone")
    every(admin_user, "laws", 12)
    every(admin_user, "dynamics", 24)
    train(admin_user, advocate, "laws", date(2024, 6, 14))
    train(admin_user, advocate, "laws", date(2024, 7, 1))
    train(admin_user, advocate, "dynamics", date(2024, 1, 1), "6")
    train(admin_user, supervisor, "laws", date(2024, 8, 1), "3.5")
    train(admin_user, supervisor, "staff_safety", date(2025, 1, 10), "1.25")
    train(admin_user, south, "laws", date(2025, 2, 1), "4")
    train(admin_user, gone, "laws", date(2025, 3, 1), "1")
    gone.is_active = False
    gone.save()
    train(outsider, outsider, "laws", date(2025, 2, 1), "9")
    services.event_record(
        actor=admin_user,
        values=services.EventValues(
            topic_id=topic("laws").pk,
            title="Partners' briefing",
            held_on=date(2025, 4, 1),
            hours=Decimal("2"),
            outside_professionals=15,
        ),
    )
    services.event_record(
        actor=outsider,
        values=services.EventValues(
            topic_id=topic("laws").pk,
            title="Elsewhere",
            held_on=date(2025, 4, 1),
            hours=Decimal("2"),
            outside_professionals=99,
        ),
    )
    return {"south": south, "gone": gone}


def test_topic_coverage_counts_active_staff_per_topic(world, agency, admin_user):
    own = services.topic_add(actor=admin_user, name="Shelter intake")
    coverage = {c.label: c for c in selectors.topic_coverage(agency.pk, TODAY)}
    # advocate, supervisor, admin, south: the former staff member is not counted.
    assert coverage["Trafficking laws"] == TopicCoverage(
        topic_id=topic("laws").pk,
        label="Trafficking laws",
        staff_total=4,
        current=3,
        due_soon=1,
        overdue=0,
        never=1,
    )
    assert coverage["Dynamics of human trafficking"] == TopicCoverage(
        topic("dynamics").pk, "Dynamics of human trafficking", 4, 1, 0, 0, 3
    )
    assert coverage["Staff safety"] == TopicCoverage(
        topic("staff_safety").pk, "Staff safety", 4, 1, 0, 0, 3
    )
    assert coverage["Shelter intake"] == TopicCoverage(own.pk, "Shelter intake", 4, 0, 0, 0, 4)
    assert len(coverage) == 8


def test_an_overdue_refresher_is_not_current(world, agency):
    later = date(2025, 7, 2)  # the advocate's laws were due 2025-07-01
    laws = next(
        c for c in selectors.topic_coverage(agency.pk, later) if c.label == "Trafficking laws"
    )
    assert (laws.current, laws.due_soon, laws.overdue, laws.never) == (2, 1, 1, 1)


def test_training_figures_for_the_agency(world, agency):
    figures = selectors.training_figures(agency.pk, date(2024, 7, 1), date(2025, 4, 30))
    # advocate laws 2024-07-01, supervisor laws and staff safety, south, gone.
    assert figures == TrainingFigures(
        staff_trained=4,
        hours=Decimal("11.75"),
        outside_professionals=15,
        by_topic=[
            ("Dynamics of human trafficking", 0),
            ("Trafficking laws", 4),
            ("Protections and services for survivors", 0),
            ("Working with interpreters", 0),
            ("Mandated reporting", 0),
            ("Staff safety", 1),
            ("Trauma-informed practice", 0),
        ],
    )


def test_training_figures_for_a_team(world, agency, team, supervisor):
    # The supervisor holds two memberships in the team: counted once.
    Membership.objects.create(user=supervisor, role=Role.ADVOCATE, team=team)
    figures = selectors.training_figures(agency.pk, date(2024, 1, 1), date(2024, 12, 31), team.pk)
    assert (figures.staff_trained, figures.hours, figures.outside_professionals) == (
        2,
        Decimal("13.50"),
        0,
    )
    assert dict(figures.by_topic)["Trafficking laws"] == 2


def test_training_figures_of_an_empty_period(world, agency):
    figures = selectors.training_figures(agency.pk, date(2000, 1, 1), date(2000, 12, 31))
    assert (figures.staff_trained, figures.hours, figures.outside_professionals) == (
        0,
        Decimal("0"),
        0,
    )


def test_my_refreshers_show_the_latest_completion(world, advocate):
    mine = selectors.my_refreshers(user=advocate, today=TODAY)
    assert [(r.label, r.latest, r.due_on, r.state) for r in mine] == [
        ("Dynamics of human trafficking", date(2024, 1, 1), date(2026, 1, 1), DueState.CURRENT),
        ("Trafficking laws", date(2024, 7, 1), date(2025, 7, 1), DueState.DUE_SOON),
    ]


def test_the_overview_has_a_row_per_active_staff_member(world, supervisor, admin_user):
    view = selectors.overview(user=supervisor, today=TODAY)
    assert len(view.topics) == 7
    names = [row.staff.username for row in view.rows]
    assert sorted(names) == ["t-admin", "t-advocate", "t-south", "t-supervisor"]
    advocate_row = next(r for r in view.rows if r.staff.username == "t-advocate")
    assert [c.state for c in advocate_row.cells][:2] == [DueState.CURRENT, DueState.DUE_SOON]


def test_the_overview_is_for_administrators_and_supervisors(world, advocate, auditor):
    for user in (advocate, auditor):
        with pytest.raises(NotFound):
            selectors.overview(user=user, today=TODAY)
