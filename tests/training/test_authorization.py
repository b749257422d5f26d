"""Who may see and do what in staff training: every role and another
agency's user, written from the rules of haven/training/policies.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from haven.attachments.services import attachment_open
from haven.core.errors import NotFound
from haven.training import selectors, services
from tests import files
from tests.training.conftest import refused_404, topic, train

pytestmark = pytest.mark.django_db

ROLES = ("advocate", "supervisor", "intake", "shelter", "admin", "auditor", "outsider")
KEEPS = {"admin"}
READS_AGENCY = {"admin", "supervisor", "auditor"}
OVERVIEW = {"admin", "supervisor"}
CERTIFICATES = {"admin", "supervisor"}


@pytest.fixture
def people(all_personas, outsider):
    return {**all_personas, "outsider": outsider}


@pytest.fixture
def record(admin_user, advocate):
    """The advocate's training, with a certificate."""
    return train(
        admin_user, advocate, "laws", date(2025, 1, 2), certificate=files.accepted(files.pdf())
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_a_record(people, record, role):
    user = people[role]
    if role in READS_AGENCY or role == "advocate":
        assert selectors.record_get(user=user, record_id=record.pk) == record
    else:
        with pytest.raises(NotFound):
            selectors.record_get(user=user, record_id=record.pk)


@pytest.mark.parametrize("role", ROLES)
def test_who_lists_which_records(people, record, admin_user, role):
    user = people[role]
    own = train(admin_user, admin_user, "dynamics", date(2025, 1, 3))
    shown = set(selectors.records_of(user=user))
    expected = {
        "advocate": {record},
        "admin": {record, own},
        "supervisor": {record, own},
        "auditor": {record, own},
    }.get(role, set())
    assert shown == expected


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_a_certificate(people, record, role):
    user = people[role]
    if role in CERTIFICATES:
        assert attachment_open(actor=user, attachment_id=record.certificate_id)[1] == files.pdf()
    else:
        refused_404(lambda: attachment_open(actor=user, attachment_id=record.certificate_id))


@pytest.mark.parametrize("role", [r for r in ROLES if r not in KEEPS])
def test_only_administrators_write(people, advocate, role):
    user = people[role]
    values = services.RecordValues(
        staff_id=advocate.pk,
        topic_id=topic("laws").pk,
        completed_on=date(2025, 1, 2),
        hours=Decimal("1"),
    )
    if role != "outsider":  # the outsider is its own agency's administrator
        refused_404(lambda: services.training_record(actor=user, values=values))
        refused_404(lambda: services.topic_add(actor=user, name="X"))
        refused_404(lambda: services.refresher_set(actor=user, topic_id=topic("laws").pk, months=1))
        refused_404(
            lambda: services.event_record(
                actor=user,
                values=services.EventValues(
                    topic_id=topic("laws").pk,
                    title="T",
                    held_on=date(2025, 1, 2),
                    hours=Decimal("1"),
                    staff_ids=[advocate.pk],
                ),
            )
        )


def test_an_outsider_cannot_add_a_certificate_to_a_record(outsider, record):
    refused_404(
        lambda: services.certificate_add(
            actor=outsider, record_id=record.pk, upload=files.accepted(files.pdf())
        )
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_events_and_the_overview(people, admin_user, advocate, role):
    event = services.event_record(
        actor=admin_user,
        values=services.EventValues(
            topic_id=topic("laws").pk,
            title="T",
            held_on=date(2025, 1, 2),
            hours=Decimal("1"),
            staff_ids=[advocate.pk],
        ),
    )
    user = people[role]
    if role in READS_AGENCY:
        assert selectors.event_get(user=user, event_id=event.pk) == event
    else:
        with pytest.raises(NotFound):
            selectors.event_get(user=user, event_id=event.pk)
    if role in OVERVIEW or role == "outsider":
        # The outsider sees their own agency's overview, nobody of the first.
        rows = selectors.overview(user=user, today=date(2025, 1, 3)).rows
        assert (advocate in [r.staff for r in rows]) == (role != "outsider")
    else:
        with pytest.raises(NotFound):
            selectors.overview(user=user, today=date(2025, 1, 3))
