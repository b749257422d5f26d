"""The retention rule over backup times, and the folder names that carry them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from haven.backups.retention import folder_name, taken_at, to_keep, to_prune

stamps = st.lists(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    max_size=200,
    unique=True,
)
counts = st.integers(min_value=0, max_value=15)


@given(stamps, counts, counts, counts)
def test_the_newest_backup_is_never_pruned(found, daily, weekly, monthly):
    going = to_prune(found, daily=daily, weekly=weekly, monthly=monthly)
    assert going <= set(found)
    if found:
        assert max(found) not in going


@given(stamps, counts, counts, counts)
def test_at_most_one_backup_per_kept_period_is_kept(found, daily, weekly, monthly):
    kept = to_keep(found, daily=daily, weekly=weekly, monthly=monthly)
    assert len(kept) <= 1 + daily + weekly + monthly
    assert kept | to_prune(found, daily=daily, weekly=weekly, monthly=monthly) == set(found)


@given(stamps)
def test_the_newest_of_each_of_the_last_seven_days_is_kept(found):
    kept = to_keep(found)
    days = sorted({s.date() for s in found}, reverse=True)[:7]
    for day in days:
        assert max(s for s in found if s.date() == day) in kept
    months = sorted({(s.year, s.month) for s in found}, reverse=True)[:12]
    for month in months:
        assert max(s for s in found if (s.year, s.month) == month) in kept


@given(stamps, counts, counts, counts)
def test_pruning_again_prunes_nothing(found, daily, weekly, monthly):
    kept = to_keep(found, daily=daily, weekly=weekly, monthly=monthly)
    assert to_prune(kept, daily=daily, weekly=weekly, monthly=monthly) == set()


def test_a_year_of_nightly_backups_keeps_seven_days_four_weeks_and_twelve_months():
    last = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    nightly = [last - timedelta(days=n) for n in range(400)]
    kept = to_keep(nightly)
    assert sorted(kept, reverse=True)[:7] == nightly[:7]
    # Seven days, the newest of four weeks (two of them already among the
    # days), and the newest of twelve months (one of them already kept).
    assert len(kept) == 7 + 2 + 11
    assert min(kept) == datetime(2026, 1, 31, 2, 0, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)))
def test_a_folder_name_gives_back_its_time(at):
    assert taken_at(folder_name(at)) == at


def test_only_a_backup_folder_name_has_a_time():
    assert taken_at("haven-20261207T020000.000000Z") == datetime(2026, 12, 7, 2, tzinfo=UTC)
    for name in (
        "haven-20261207T020000Z",
        "haven-20261307T020000.000000Z",
        ".haven-20261207T020000.000000Z.partial",
        "haven-20261207T020000.000000Z.bak",
        "photos",
    ):
        assert taken_at(name) is None
