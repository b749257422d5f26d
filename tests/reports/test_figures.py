"""Every report figure over a population with known counts, exactly: first
with a threshold of 1 (the true counts), then with the default of 5 (each
figure suppressed or rounded as the rule says), and across reports (no
difference of two published figures is a small count). Destroying a person
leaves every figure as it was."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest

from haven.people.services import person_destroy
from haven.protocol.models import NeedCategory
from haven.reports.figures import Report, Table, report
from haven.reports.models import Episode, LawChoiceFact, NeedFact, ReferralFact

pytestmark = pytest.mark.django_db


def values(table: Table, column: int = 0) -> dict[str, int | None]:
    """Row key → published value of one column, with the total under "total"."""
    found = {row.key: row.figures[column].value for row in table.rows}
    found["total"] = table.totals[column].value
    return found


def category(code: str) -> str:
    return str(NeedCategory.objects.get(agency=None, code=code).pk)


def test_the_true_counts_with_a_threshold_of_one(population):
    found = report(population.scope())

    assert values(found.table("served")) == {"new": 15, "continuing": 4, "total": 19}
    assert values(found.table("age")) == {"adult": 16, "minor": 2, "unknown": 1, "total": 19}
    assert values(found.table("trafficking")) == {
        "labor": 7,
        "sex": 10,
        "both": 1,
        "unknown": 1,
        "total": 19,
    }
    assert values(found.table("gender")) == {
        "woman": 11,
        "man": 6,
        "another": 0,
        "declined": 0,
        "": 2,
        "total": 19,
    }
    assert values(found.table("language")) == {
        "eng": 4,
        "spa": 11,
        "tir": 1,
        "vie": 3,
        "other": 0,
        "": 0,
        "total": 19,
    }
    assert values(found.table("law")) == {"chose": 5, "declined": 2, "": 12, "total": 19}
    needs = found.table("needs")
    shelter, immigration = category("shelter"), category("immigration")
    assert values(needs, 0) == {shelter: 12, immigration: 6, "other": 0, "total": 18}
    assert values(needs, 1) == {shelter: 5, immigration: 0, "other": 0, "total": 5}
    referrals = found.table("referrals")
    assert [row.key for row in referrals.rows] == [shelter, "other"]
    by_status = dict(zip(referrals.columns, referrals.rows[0].figures, strict=True))
    assert {label: figure.value for label, figure in by_status.items()} == {
        "Sent": 2,
        "Accepted": 1,
        "Declined": 0,
        "Completed": 0,
        "Withdrawn": 0,
        "All referrals": 3,
    }


def test_a_team_counts_its_own_cases_and_calls_new_who_is_new_to_it(population):
    first = report(population.scope(team_id=population.team1.pk))
    second = report(population.scope(team_id=population.team2.pk))

    assert values(first.table("served")) == {"new": 12, "continuing": 4, "total": 16}
    # The person who moved on to team 2 in March is new to team 2.
    assert values(second.table("served")) == {"new": 4, "continuing": 0, "total": 4}
    assert values(second.table("trafficking"))["labor"] == 3
    assert values(second.table("needs"), 0) == {"other": 0, "total": 0}


def test_the_period_decides_who_was_served(population):
    january = report(population.scope(date(2026, 1, 1), date(2026, 1, 31)))
    april = report(population.scope(date(2026, 4, 1), date(2026, 4, 30)))
    year_2025 = report(population.scope(date(2025, 1, 1), date(2025, 12, 31)))

    # January: the 4 from October and the 3 of 15 January.
    assert values(january.table("served")) == {"new": 3, "continuing": 4, "total": 7}
    # April: nobody has closed since, and one more came in.
    assert values(april.table("served")) == {"new": 1, "continuing": 19, "total": 20}
    assert values(april.table("law")) == {"chose": 5, "declined": 3, "": 12, "total": 20}
    assert values(april.table("needs"), 1)[category("shelter")] == 1
    # 2025: the 2 served and closed, and the 4 of October.
    assert values(year_2025.table("served")) == {"new": 6, "continuing": 0, "total": 6}


def test_with_the_default_threshold_small_counts_are_hidden_and_the_rest_rounded(population):
    found = report(population.scope(threshold=5))

    assert values(found.table("served")) == {"new": 15, "continuing": None, "total": 20}
    assert values(found.table("age")) == {"adult": 15, "minor": None, "unknown": None, "total": 20}
    assert values(found.table("trafficking")) == {
        "labor": 5,
        "sex": 10,
        "both": None,
        "unknown": None,
        "total": 20,
    }
    assert values(found.table("gender")) == {
        "woman": 10,
        "man": 5,
        "another": 0,
        "declined": 0,
        "": None,
        "total": 20,
    }
    # Only Spanish reaches 5 speakers: Tigrinya, Vietnamese and English are
    # counted together, so none of them is named.
    assert values(found.table("language")) == {"spa": 10, "other": 10, "": 0, "total": 20}
    assert values(found.table("law")) == {"chose": 5, "declined": None, "": 10, "total": 20}
    needs = found.table("needs")
    shelter, immigration = category("shelter"), category("immigration")
    assert values(needs, 0) == {shelter: 10, immigration: 5, "other": 0, "total": 20}
    assert values(needs, 1) == {shelter: 5, immigration: 0, "other": 0, "total": 5}
    # Three referrals for shelter: too few to name their kind.
    referrals = found.table("referrals")
    assert [row.key for row in referrals.rows] == ["other"]
    assert [figure.value for figure in referrals.rows[0].figures] == [None, None, 0, 0, 0, None]
    assert [str(figure) for figure in referrals.totals][:2] == ["<5", "<5"]


def _published(found: Report) -> list[int]:
    return [
        figure.value
        for table in found.tables
        if table.key not in {"professionals", "training"}  # exact: staff, not people served
        for figure in [f for row in table.rows for f in row.figures] + list(table.totals)
        if figure.value is not None
    ]


def test_no_difference_between_reports_is_a_small_count(population):
    """Reports over overlapping periods and teams, set against each other:
    every difference of two published figures is 0 or at least 5."""
    scopes = [
        population.scope(threshold=5),
        population.scope(threshold=5, team_id=population.team1.pk),
        population.scope(threshold=5, team_id=population.team2.pk),
        population.scope(date(2026, 1, 1), date(2026, 1, 31), threshold=5),
        population.scope(date(2026, 2, 1), date(2026, 3, 31), threshold=5),
        population.scope(date(2026, 1, 1), date(2026, 4, 30), threshold=5),
        population.scope(date(2025, 1, 1), date(2026, 12, 31), threshold=5),
    ]
    figures = sorted({value for scope in scopes for value in _published(report(scope))})
    assert figures, "the reports published something"
    for a, b in combinations(figures, 2):
        assert abs(a - b) == 0 or abs(a - b) >= 5
    assert all(value % 5 == 0 for value in figures)


def test_destroying_a_person_leaves_every_figure_unchanged(population):
    scopes = [
        population.scope(),
        population.scope(threshold=5),
        population.scope(team_id=population.team2.pk),
        population.scope(date(2025, 1, 1), date(2026, 12, 31)),
    ]
    before = [report(scope) for scope in scopes]
    # One with needs and a choice about law enforcement, one with a
    # referral, one served by two teams.
    gone = [
        population.february[0].person,
        population.february[8].person,
        population.continuing[0].person,
    ]
    gone_ids = {person.pk for person in gone}
    case_ids = {case.pk for person in gone for case in person.cases.all()}
    for person in gone:
        person_destroy(actor=population.staff, person=person, basis="request")

    after = [report(scope) for scope in scopes]
    assert after == before
    # The facts stay, but nothing in them points at who was destroyed.
    for model in (Episode, NeedFact, ReferralFact, LawChoiceFact):
        assert not model.objects.filter(person_ref__in=gone_ids).exists()
        assert not model.objects.filter(case_ref__in=case_ids).exists()
    # The person served by two teams is still one person.
    assert values(after[0].table("served"))["continuing"] == 4


def test_a_case_that_moves_to_another_team_takes_its_facts_along(population):
    case = population.february[0]
    case.team = population.team2
    case.save()
    second = report(population.scope(team_id=population.team2.pk))
    assert values(second.table("served"))["new"] == 5
    assert values(second.table("law"))["chose"] == 1
    assert values(second.table("needs"), 0)[category("shelter")] == 1
