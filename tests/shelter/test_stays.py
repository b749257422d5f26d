"""Stays: admitting to a bed, moving, ending; occupancy on any past night
after moves and ends; the bad input refused with a clear message and
nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.people.services import case_close
from haven.protocol.models import CaseStep, Step, StepState
from haven.protocol.tracker import steps_start
from haven.shelter.models import SiteClosure, Stay, StayOutcome, StayRequest
from haven.shelter.stay_selectors import occupancy
from haven.shelter.stays import (
    BACKDATE_DAYS,
    stay_admit,
    stay_end,
    stay_mark_compromised,
    stay_move,
    stay_request_add,
    stay_request_withdraw,
)
from tests.shelter.stays_world import bed_of, days_ago

pytestmark = pytest.mark.django_db


def test_an_advocate_admits_the_person_to_a_bed(advocate, case, site_a):
    stay = stay_admit(
        actor=advocate, case=case, bed_id=bed_of(site_a).pk, safety_notes="No visitors"
    )
    stay.refresh_from_db()
    assert (stay.site, stay.bed, stay.starts_on, stay.ends_on) == (
        site_a,
        bed_of(site_a),
        timezone.localdate(),
        None,
    )
    assert stay.data_key_id == case.person.data_key_id
    assert stay.safety_notes == "No visitors"
    event = AuditEvent.objects.filter(action=Action.STAY_ADMITTED).get()
    assert event.detail["stay"] == str(stay.pk)
    assert "No visitors" not in str(event.detail)


def test_occupancy_on_past_nights_stays_right_after_a_move_and_an_end(
    advocate, case, second_case, site_a, site_b
):
    first = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk, starts_on=days_ago(6))
    stay_admit(actor=advocate, case=second_case, bed_id=bed_of(site_a, 2).pk, starts_on=days_ago(5))
    moved = stay_move(actor=advocate, stay=first, bed_id=bed_of(site_b).pk, on=days_ago(4))
    stay_end(actor=advocate, stay=moved, ends_on=days_ago(2), outcome=StayOutcome.FAMILY)

    def holders(site, day):
        night = occupancy(site, day)
        return (night.taken, night.free, [b.stay.case_id if b.stay else None for b in night.beds])

    assert holders(site_a, days_ago(7)) == (0, 2, [None, None])
    assert holders(site_a, days_ago(6)) == (1, 1, [case.pk, None])
    assert holders(site_a, days_ago(5)) == (2, 0, [case.pk, second_case.pk])
    # The night of the move is at the new site, and only there.
    assert holders(site_a, days_ago(4)) == (1, 1, [None, second_case.pk])
    assert holders(site_b, days_ago(4)) == (1, 1, [case.pk, None])
    assert holders(site_b, days_ago(3)) == (1, 1, [case.pk, None])
    # The day the stay ends is not a night of it.
    assert holders(site_b, days_ago(2)) == (0, 2, [None, None])
    assert holders(site_a, timezone.localdate()) == (1, 1, [None, second_case.pk])
    first.refresh_from_db()
    assert (first.ends_on, first.outcome) == (days_ago(4), StayOutcome.MOVED)


def test_a_full_bed_is_refused_and_nothing_is_written(advocate, case, second_case, site_a):
    stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    with pytest.raises(ValidationError) as refused:
        stay_admit(actor=advocate, case=second_case, bed_id=bed_of(site_a).pk)
    assert refused.value.message_dict == {"bed": ["This bed is taken on some of these nights."]}
    assert Stay.objects.count() == 1


def test_a_bed_held_from_a_later_day_is_taken_for_an_open_stay(advocate, case, second_case, site_a):
    stay_admit(
        actor=advocate,
        case=case,
        bed_id=bed_of(site_a).pk,
        starts_on=timezone.localdate() + timedelta(days=3),
    )
    with pytest.raises(ValidationError):
        stay_admit(actor=advocate, case=second_case, bed_id=bed_of(site_a).pk)
    assert Stay.objects.count() == 1


def test_a_person_in_one_stay_is_not_admitted_to_another(advocate, case, site_a, site_b):
    stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk, starts_on=days_ago(2))
    with pytest.raises(ValidationError) as refused:
        stay_admit(actor=advocate, case=case, bed_id=bed_of(site_b).pk)
    assert refused.value.message_dict == {
        "starts_on": ["This person already has a stay on some of these nights."]
    }
    assert Stay.objects.count() == 1


def test_a_closed_site_refuses_admissions_saying_when_it_reopens(advocate, case, site_a):
    ends = timezone.now() + timedelta(days=3)
    SiteClosure.objects.create(
        site=site_a,
        why=SiteClosure.Why.COMPROMISED,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=ends,
        requested_by=advocate,
    )
    with pytest.raises(ValidationError) as refused:
        stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    (message,) = refused.value.message_dict["bed"]
    assert message.startswith("This site is closed to new admissions until ")
    assert str(timezone.localtime(ends).year) in message
    assert not Stay.objects.exists()


def test_a_day_too_far_back_is_refused(advocate, case, site_a):
    with pytest.raises(ValidationError) as refused:
        stay_admit(
            actor=advocate,
            case=case,
            bed_id=bed_of(site_a).pk,
            starts_on=days_ago(BACKDATE_DAYS + 1),
        )
    assert refused.value.message_dict == {
        "starts_on": [f"Choose a day no more than {BACKDATE_DAYS} days ago."]
    }
    assert not Stay.objects.exists()


def test_a_closed_case_is_not_admitted(advocate, supervisor, case, site_a):
    case_close(actor=advocate, case=case, reason="goals_met")
    with pytest.raises(ValidationError):
        stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    assert not Stay.objects.exists()


def test_another_agencys_bed_is_not_found(advocate, case, other_site):
    with pytest.raises(NotFound):
        stay_admit(actor=advocate, case=case, bed_id=bed_of(other_site).pk)
    assert not Stay.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.STAY_ADMITTED).exists()


def test_a_stay_cannot_end_before_it_began(advocate, case, site_a):
    stay = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk, starts_on=days_ago(1))
    with pytest.raises(ValidationError) as refused:
        stay_end(actor=advocate, stay=stay, ends_on=days_ago(3), outcome=StayOutcome.LEFT)
    assert refused.value.message_dict == {"ends_on": ["A stay cannot end before it began."]}
    stay.refresh_from_db()
    assert (stay.ends_on, stay.outcome) == (None, "")


def test_an_unknown_outcome_is_refused(advocate, case, site_a):
    stay = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    with pytest.raises(ValidationError):
        stay_end(actor=advocate, stay=stay, ends_on=None, outcome="vanished")
    stay.refresh_from_db()
    assert stay.ends_on is None


def test_an_ended_stay_is_not_ended_again(advocate, case, site_a):
    stay = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk, starts_on=days_ago(1))
    stay_end(actor=advocate, stay=stay, ends_on=None, outcome=StayOutcome.LONGER_TERM)
    with pytest.raises(ValidationError):
        stay_end(actor=advocate, stay=stay, ends_on=None, outcome=StayOutcome.LEFT)
    stay.refresh_from_db()
    assert stay.outcome == StayOutcome.LONGER_TERM


def test_moving_into_a_taken_bed_changes_nothing(advocate, case, second_case, site_a):
    first = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    stay_admit(actor=advocate, case=second_case, bed_id=bed_of(site_a, 2).pk)
    with pytest.raises(ValidationError):
        stay_move(actor=advocate, stay=first, bed_id=bed_of(site_a, 2).pk)
    first.refresh_from_db()
    assert (first.ends_on, first.outcome) == (None, "")
    assert Stay.objects.count() == 2


def test_a_compromised_stay_puts_the_safety_plan_back_in_progress(advocate, case, site_a):
    steps_start(case)
    CaseStep.objects.filter(case=case, step=Step.SAFETY).update(state=StepState.DONE)
    stay = stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk)
    stay_mark_compromised(actor=advocate, stay=stay)
    stay.refresh_from_db()
    assert stay.compromised_at is not None
    assert CaseStep.objects.get(case=case, step=Step.SAFETY).state == StepState.IN_PROGRESS
    assert AuditEvent.objects.filter(action=Action.STAY_COMPROMISED).count() == 1


def test_admitting_from_the_waiting_list_closes_the_request(advocate, case, site_a):
    request = stay_request_add(actor=advocate, case=case, site_id=None, priority="urgent")
    stay_admit(actor=advocate, case=case, bed_id=bed_of(site_a).pk, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == StayRequest.Status.ADMITTED
    assert request.closed_at is not None


def test_a_request_is_withdrawn_once(advocate, case):
    request = stay_request_add(actor=advocate, case=case, site_id=None, priority="normal")
    stay_request_withdraw(actor=advocate, request=request)
    with pytest.raises(ValidationError):
        stay_request_withdraw(actor=advocate, request=request)
    request.refresh_from_db()
    assert request.status == StayRequest.Status.WITHDRAWN


def test_a_second_waiting_request_is_refused(advocate, case):
    stay_request_add(actor=advocate, case=case, site_id=None, priority="normal")
    with pytest.raises(ValidationError):
        stay_request_add(actor=advocate, case=case, site_id=None, priority="urgent")
    assert StayRequest.objects.count() == 1
