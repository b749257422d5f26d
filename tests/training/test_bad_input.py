"""Bad input: a clear message on the field, nothing written."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from haven.training import services
from tests.training.conftest import refused, topic

pytestmark = pytest.mark.django_db


def _values(staff, **changes):
    base = {
        "staff_id": staff.pk,
        "topic_id": topic("laws").pk,
        "completed_on": date(2025, 1, 2),
        "hours": Decimal("2"),
    }
    return services.RecordValues(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("-1")}, "hours"),
        ({"hours": Decimal("40.01")}, "hours"),
        ({"hours": Decimal("1.255")}, "hours"),
        ({"hours": Decimal("NaN")}, "hours"),
        ({"hours": Decimal("Infinity")}, "hours"),
        ({"hours": None}, "hours"),
        ({"completed_on": date(1989, 12, 31)}, "completed_on"),
        ({"completed_on": date(2999, 1, 1)}, "completed_on"),
        ({"completed_on": None}, "completed_on"),
        ({"topic_id": 999999}, "topic"),
        ({"topic_id": None}, "topic"),
        ({"staff_id": 999999}, "staff"),
        ({"partner_id": uuid.uuid4()}, "partner"),
        ({"provider": "x" * 201}, "provider"),
        ({"provider": "Coalition\u202e"}, "provider"),
    ],
)
def test_a_bad_record_is_refused(admin_user, advocate, changes, field):
    refused(
        lambda: services.training_record(actor=admin_user, values=_values(advocate, **changes)),
        field,
    )


def test_forty_hours_is_the_most(admin_user, advocate):
    record = services.training_record(
        actor=admin_user, values=_values(advocate, hours=Decimal("40"))
    )
    assert record.hours == Decimal("40")


def test_another_agencys_staff_topic_and_partner_are_refused(
    admin_user, advocate, outsider, other_partner
):
    own = services.topic_add(actor=outsider, name="Elsewhere topic")
    refused(lambda: services.training_record(actor=admin_user, values=_values(outsider)), "staff")
    refused(
        lambda: services.training_record(
            actor=admin_user, values=_values(advocate, topic_id=own.pk)
        ),
        "topic",
    )
    refused(
        lambda: services.training_record(
            actor=admin_user, values=_values(advocate, partner_id=other_partner.pk)
        ),
        "partner",
    )


def test_a_former_staff_member_is_refused(admin_user, advocate):
    advocate.is_active = False
    advocate.save()
    refused(lambda: services.training_record(actor=admin_user, values=_values(advocate)), "staff")


@pytest.mark.parametrize("months", [0, -1, 121])
def test_a_bad_interval_is_refused(admin_user, months):
    refused(
        lambda: services.refresher_set(actor=admin_user, topic_id=topic("laws").pk, months=months),
        "months",
    )


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "Intake\x00"])
def test_a_bad_topic_name_is_refused(admin_user, name):
    refused(lambda: services.topic_add(actor=admin_user, name=name), "name")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"presenters": "x" * 501}, "presenters"),
        ({"outside_professionals": -1}, "outside_professionals"),
        ({"outside_professionals": 10001}, "outside_professionals"),
        ({"staff_ids": [], "outside_professionals": 0}, "staff"),
        ({"partner_ids": [uuid.uuid4()]}, "partners"),
        ({"hours": Decimal("41")}, "hours"),
        ({"held_on": date(2999, 1, 1)}, "held_on"),
    ],
)
def test_a_bad_event_is_refused(admin_user, advocate, changes, field):
    base = {
        "topic_id": topic("laws").pk,
        "title": "Briefing",
        "held_on": date(2025, 1, 2),
        "hours": Decimal("2"),
        "staff_ids": [advocate.pk],
    }
    refused(
        lambda: services.event_record(
            actor=admin_user, values=services.EventValues(**{**base, **changes})
        ),
        field,
    )
