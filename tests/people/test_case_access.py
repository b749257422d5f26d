"""Who opens which case: every role against every kind of case.

Anything outside a user's scope is a 404, exactly like a case that does not
exist, and a refusal changes nothing but what the audit trail says was shown.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.people.models import Case
from haven.people.selectors import case_get, case_page
from haven.people.services import break_glass_open, case_open
from tests.factories import TeamFactory, record_person
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(agency, team, other_team, intake, advocate, supervisor, shelter, outsider):
    """One case of each kind, recorded through the services. The shelter
    staff are assigned to the intake's own case; the team's case is of a
    resident of their site, which opens nothing of the case to them."""

    def new_case(actor, team_, **extra):
        person = record_person(actor=actor, legal_name=f"Synthetic {uuid.uuid4().hex[:6]}")
        case = case_open(actor=actor, person=person, team=team_)
        for field, value in extra.items():
            setattr(case, field, value)
        case.save()
        return case

    own = new_case(intake, team)
    own.assigned.add(advocate, shelter)
    team_case = new_case(supervisor, team)
    stay_at(team_case, site_of(team), actor=supervisor)
    elsewhere = new_case(supervisor, other_team)
    restricted = new_case(supervisor, team, restricted=True)
    foreign_team = outsider.memberships.exclude(team=None).first().team
    foreign = new_case(outsider, foreign_team)
    return {
        "own": own,
        "team": team_case,
        "other team": elsewhere,
        "restricted": restricted,
        "other agency": foreign,
    }


EXPECTED = {
    "advocate": {"own", "team"},
    "supervisor": {"own", "team"},
    "intake": {"own"},
    "shelter": {"own"},
    "admin": set(),
    "auditor": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("kind", ["own", "team", "other team", "restricted", "other agency"])
def test_case_access_matrix(all_personas, cases, persona, kind):
    user = all_personas[persona]
    case = cases[kind]
    before = (Case.objects.get(pk=case.pk).status, Case.objects.count())
    if kind in EXPECTED[persona]:
        assert case_get(user=user, case_id=case.pk) == case
    else:
        with pytest.raises(NotFound):
            case_get(user=user, case_id=case.pk)
    assert (Case.objects.get(pk=case.pk).status, Case.objects.count()) == before


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_case_list_shows_exactly_the_visible_cases(all_personas, cases, persona):
    user = all_personas[persona]
    if not EXPECTED[persona]:
        with pytest.raises(NotFound):
            case_page(user=user)
        return
    shown = {case.pk for case in case_page(user=user).cases}
    assert shown == {cases[kind].pk for kind in EXPECTED[persona]}
    event = AuditEvent.objects.filter(action=Action.PEOPLE_VIEWED, actor=user).latest("seq")
    assert sorted(event.detail["ids"]) == sorted(
        str(cases[kind].person_id) for kind in EXPECTED[persona]
    )


def test_outsider_sees_none_of_them(outsider, cases):
    for kind in ("own", "team", "other team", "restricted"):
        with pytest.raises(NotFound):
            case_get(user=outsider, case_id=cases[kind].pk)


def test_restricted_case_opens_only_for_named_staff(cases, advocate, supervisor):
    restricted = cases["restricted"]
    restricted.named_staff.add(advocate)
    assert case_get(user=advocate, case_id=restricted.pk) == restricted
    with pytest.raises(NotFound):
        case_get(user=supervisor, case_id=restricted.pk)


def test_break_glass_opens_a_case_for_an_hour_with_a_reason(cases, advocate):
    elsewhere = cases["other team"]
    with pytest.raises(ValidationError):
        break_glass_open(actor=advocate, case_id=elsewhere.pk, reason="need")
    break_glass_open(
        actor=advocate,
        case_id=elsewhere.pk,
        reason="Person called the hotline in crisis; their advocate is away",
    )
    assert case_get(user=advocate, case_id=elsewhere.pk) == elsewhere
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert event.object_id == str(elsewhere.pk)
    assert "hotline" not in str(event.detail)


def test_break_glass_cannot_cross_agencies(cases, advocate):
    with pytest.raises(NotFound):
        break_glass_open(
            actor=advocate,
            case_id=cases["other agency"].pk,
            reason="Trying to reach another agency's case",
        )


def test_case_cannot_be_opened_on_another_agencys_team(intake, outsider):
    person = record_person(actor=intake, legal_name="Synthetic Someone")
    foreign_team = TeamFactory(agency=outsider.agency)
    with pytest.raises(NotFound):
        case_open(actor=intake, person=person, team=foreign_team)
    assert Case.objects.count() == 0


def test_supervisor_sees_break_glass_on_their_dashboard(client_for, cases, advocate, supervisor):
    from django.urls import reverse

    team_case = cases["team"]
    team_case.assigned.clear()
    other = cases["other team"]
    break_glass_open(actor=advocate, case_id=other.pk, reason="Covering for a colleague on leave")
    # The other team's case: its supervisors are not this supervisor.
    page = client_for(supervisor).get(reverse("desk:dashboard"))
    assert b"Covering for a colleague" not in page.content
    break_glass_open(
        actor=advocate,
        case_id=cases["restricted"].pk,
        reason="Restricted case opened in an emergency",
    )
    page = client_for(supervisor).get(reverse("desk:dashboard"))
    assert b"Restricted case opened in an emergency" in page.content
