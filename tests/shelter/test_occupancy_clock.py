"""Occupancy on past nights, with a controlled clock: the days pass as the
person is admitted, moved and leaves, each change made on its own day with
the services' default of "today"; afterwards, every night of the fortnight
is asked again. Occupancy is a query over the stays' dates, so the past
stays right after every move and end."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from haven.shelter.stay_selectors import occupancy
from haven.shelter.stays import stay_admit, stay_end, stay_move
from tests.shelter.stays_world import bed_of

pytestmark = pytest.mark.django_db

FIRST = date(2026, 3, 2)


class Clock:
    """Today, as Haven's services read it (django.utils.timezone)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.set(FIRST)

    def set(self, day: date) -> None:
        noon = timezone.make_aware(datetime.combine(day, time(12)))
        self.monkeypatch.setattr(timezone, "now", lambda: noon)


def taken(site, day: date) -> int:
    return occupancy(site, day).taken


def test_every_past_night_is_right_after_a_move_and_an_end(
    monkeypatch, advocate, case, second_case, site_a, site_b
):
    clock = Clock(monkeypatch)
    first = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)  # day 0
    clock.set(FIRST + timedelta(days=2))
    other = stay_admit(actor=advocate, case=second_case, bed_id=bed_of(site_a, 2).pk)
    clock.set(FIRST + timedelta(days=4))
    moved = stay_move(actor=advocate, stay=first, bed_id=bed_of(site_b).pk)  # day 4
    clock.set(FIRST + timedelta(days=6))
    stay_end(actor=advocate, stay=other, ends_on=None, outcome="longer_term")  # day 6
    clock.set(FIRST + timedelta(days=9))
    stay_end(actor=advocate, stay=moved, ends_on=None, outcome="family")  # day 9
    clock.set(FIRST + timedelta(days=14))

    nights = [FIRST + timedelta(days=n) for n in range(-1, 11)]
    assert [taken(site_a, night) for night in nights] == [0, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 0]
    assert [taken(site_b, night) for night in nights] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]
    # The person was in exactly one bed on every night they stayed.
    for night in nights[1:10]:
        holders = [
            b.stay.case_id
            for site in (site_a, site_b)
            for b in occupancy(site, night).beds
            if b.stay is not None
        ]
        assert holders.count(case.pk) == 1, night
