"""The preparedness page: each staff member's own items, and the agency's
readiness for those who oversee it, changing as training and reviews are
recorded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.preparedness import services
from haven.preparedness.readiness import ATTENTION, OK, readiness
from haven.training.models import Topic
from haven.training.services import EventValues, event_record, refresher_set
from tests.factories import record_intake
from tests.preparedness.conftest import days_ago, make_policy, version_values
from tests.training.conftest import train

pytestmark = pytest.mark.django_db


def _section(sections, key):
    return next(s for s in sections if s.key == key)


def _item(section, label):
    return next(i for i in section.items if i.label.startswith(label))


def test_readiness_follows_training_and_reviews(admin_user, advocate, supervisor, auditor):
    today = timezone.localdate()
    overdue = make_policy(
        admin_user,
        kind="staff_safety",
        title="Safety and emergency shutdown",
        first=version_values(approved_on=days_ago(400), next_review_on=days_ago(35)),
    )
    before = readiness(admin_user.agency_id, today)
    dynamics = _item(_section(before, "training"), "Dynamics of human trafficking")
    assert dynamics.value == "0 of 4 (0%)"
    assert dynamics.state == ATTENTION
    assert "4 never trained" in dynamics.detail
    policy = _item(_section(before, "policies"), "Staff safety")
    assert (policy.value, policy.state) == ("Review overdue", ATTENTION)
    assert policy.url == reverse("preparedness:policy", args=[overdue.pk])
    # Kinds with no policy at all are listed as missing.
    missing = [i for i in _section(before, "policies").items if i.value == "No policy on file"]
    assert len(missing) == 7

    event_record(
        actor=admin_user,
        values=EventValues(
            topic_id=Topic.objects.get(agency=None, code="dynamics").pk,
            title="Recognising trafficking (synthetic)",
            held_on=today,
            hours=Decimal("2"),
            staff_ids=[advocate.pk, admin_user.pk],
        ),
    )
    services.review_record(
        actor=admin_user,
        document_id=overdue.pk,
        version_number=1,
        reviewed_on=today,
        next_review_on=today + timedelta(days=365),
    )

    after = readiness(admin_user.agency_id, today)
    dynamics = _item(_section(after, "training"), "Dynamics of human trafficking")
    assert dynamics.value == "2 of 4 (50%)"
    assert "2 never trained" in dynamics.detail
    policy = _item(_section(after, "policies"), "Staff safety")
    assert (policy.value, policy.state) == ("Current", OK)
    assert policy.detail == "acknowledged by 0 of 4 (0%)"


def test_a_refresher_interval_makes_old_training_overdue(admin_user, advocate, supervisor):
    topic = Topic.objects.get(agency=None, code="mandated_reporting")
    event_record(
        actor=admin_user,
        values=EventValues(
            topic_id=topic.pk,
            title="Reporting for minors (synthetic)",
            held_on=days_ago(400),
            hours=Decimal("1"),
            staff_ids=[advocate.pk],
        ),
    )
    today = timezone.localdate()
    item = _item(_section(readiness(admin_user.agency_id, today), "training"), "Mandated")
    assert item.value == "1 of 3 (33%)"
    refresher_set(actor=admin_user, topic_id=topic.pk, months=12)
    item = _item(_section(readiness(admin_user.agency_id, today), "training"), "Mandated")
    assert item.value == "0 of 3 (0%)"
    assert "1 overdue" in item.detail


def test_casework_counts_open_mandated_reports(admin_user, advocate, team):
    record_intake(
        actor=advocate,
        team=team,
        preferred_name="Synthetic Minor",
        date_of_birth=timezone.localdate() - timedelta(days=365 * 15),
    )
    casework = _section(readiness(admin_user.agency_id, timezone.localdate()), "casework")
    reports = _item(casework, "Mandated-report tasks open")
    # One open task: a count of people served, so shown as the reports show it.
    assert (reports.value, reports.state) == ("<5", ATTENTION)


@pytest.mark.parametrize("persona", ["admin_user", "supervisor", "auditor"])
def test_overseers_see_the_readiness(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("preparedness:home"))
    assert response.status_code == 200
    assert "Agency readiness" in response.content.decode()


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter"])
def test_others_see_only_their_own_items(client_for, request, admin_user, persona):
    make_policy(admin_user, kind="interpreters", title="Working with interpreters")
    body = client_for(request.getfixturevalue(persona)).get(reverse("preparedness:home"))
    text = body.content.decode()
    assert "Agency readiness" not in text
    assert "Policies to read and acknowledge" in text
    assert "Working with interpreters" in text


def test_the_page_names_no_one_served(client_for, admin_user, advocate, team):
    record_intake(
        actor=advocate,
        team=team,
        preferred_name="Synthetic Readiness Person",
        date_of_birth=timezone.localdate() - timedelta(days=365 * 16),
    )
    body = client_for(admin_user).get(reverse("preparedness:home")).content.decode()
    assert "Synthetic Readiness Person" not in body
    assert "Mandated-report tasks open" in body


def _for_you(client, user) -> str:
    body = client(user).get(reverse("preparedness:home")).content.decode()
    return body[body.index('id="mine-heading"') : body.index("</section>")]


def test_an_empty_agency_is_not_congratulated(client_for, advocate):
    mine = _for_you(client_for, advocate)
    assert "No policies are on file yet, so there is none to acknowledge." in mine
    assert "You have no training on record yet." in mine
    assert "acknowledged" not in mine.replace("to acknowledge", "")
    assert "current" not in mine


def test_the_own_items_say_what_is_on_file(client_for, admin_user, advocate):
    policy = make_policy(admin_user, kind="interpreters", title="Working with interpreters")
    assert "Working with interpreters" in _for_you(client_for, advocate)
    services.policy_acknowledge(actor=advocate, document_id=policy.pk, version_number=1)
    train(admin_user, advocate, "dynamics", days_ago(30))
    topics = Topic.objects.filter(agency=None).count()

    mine = _for_you(client_for, advocate)
    assert "You have acknowledged the 1 policy on file." in mine
    assert f"You have training on record for 1 of {topics} topics." in mine
    assert "No refresher is due." in mine
