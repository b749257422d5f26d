"""The case list's "In shelter" mark: a case whose person holds a bed, or a
placement, tonight; known to those who see where people stay, never to the
front desk; it never says which site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from haven.people.caselist import CaseFilters
from haven.people.selectors import case_page
from haven.shelter.marks import IN_SHELTER
from tests.factories import record_intake
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db


def test_a_case_staying_tonight_is_marked_and_one_whose_stay_ended_is_not(advocate, team):
    site = site_of(team, "Site A", beds=2)
    staying = record_intake(actor=advocate, team=team)
    left = record_intake(actor=advocate, team=team)
    never = record_intake(actor=advocate, team=team)
    today = timezone.localdate()
    stay_at(staying, site, actor=advocate)
    stay_at(left, site, actor=advocate, starts_on=today - timedelta(days=5), ends_on=today)

    found = case_page(user=advocate, filters=CaseFilters(marks=(IN_SHELTER,)))

    assert [case.pk for case in found.cases] == [staying.pk]
    everyone = case_page(user=advocate, filters=CaseFilters())
    assert IN_SHELTER in everyone.marks[staying.pk]
    assert IN_SHELTER not in everyone.marks.get(left.pk, [])
    assert IN_SHELTER not in everyone.marks.get(never.pk, [])


def test_the_front_desk_never_learns_who_is_in_shelter(intake, team):
    site = site_of(team, "Site A", beds=1)
    case = record_intake(actor=intake, team=team)
    stay_at(case, site, actor=intake)

    found = case_page(user=intake, filters=CaseFilters())

    assert [row.pk for row in found.cases] == [case.pk]
    assert IN_SHELTER not in found.marks.get(case.pk, [])
