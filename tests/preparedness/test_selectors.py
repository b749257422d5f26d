"""The aggregates the readiness view and the reports read: exact states at
the edges of every date rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from haven.accounts.models import Role
from haven.preparedness import selectors, services
from haven.preparedness.models import PartnerAgreement, PolicyDocument
from haven.preparedness.selectors import AgreementCounts
from tests.factories import make_staff
from tests.preparedness.conftest import (
    agreement_values,
    days_ago,
    make_org,
    make_policy,
    meeting_values,
    version_values,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("next_review_on", "state"),
    [
        (TODAY - timedelta(days=1), "overdue"),
        (TODAY, "due_soon"),
        (TODAY + timedelta(days=60), "due_soon"),
        (TODAY + timedelta(days=61), "current"),
    ],
)
def test_review_states_at_their_boundaries(admin_user, agency, next_review_on, state):
    document = make_policy(admin_user)
    PolicyDocument.objects.filter(pk=document.pk).update(next_review_on=next_review_on)
    [found] = selectors.policy_states(agency.pk, TODAY)
    assert found.state == state
    assert found.next_review_on == next_review_on


def test_policy_states_count_acknowledgements_of_the_current_version_by_active_staff(
    all_personas, agency, outsider
):
    admin = all_personas["admin"]
    document = make_policy(
        admin,
        title="Identification",
        kind="identification",
        first=version_values(
            approved_on=days_ago(5), next_review_on=days_ago(5) + timedelta(days=400)
        ),
    )
    make_policy(admin, title="Draft", kind="other", first=None)
    for role in ("advocate", "intake", "auditor"):
        services.policy_acknowledge(
            actor=all_personas[role], document_id=document.pk, version_number=1
        )
    # One who acknowledged then left does not count, nor does anyone of another agency.
    all_personas["intake"].is_active = False
    all_personas["intake"].save()
    states = selectors.policy_states(agency.pk, days_ago(0))
    assert [
        (s.kind, s.title, s.version, s.state, s.acknowledged, s.staff_total) for s in states
    ] == [
        ("identification", "Identification", 1, "current", 2, 5),
        ("other", "Draft", None, "no_version", 0, 5),
    ]
    assert states[0].kind_label == "Identifying people who have been trafficked"
    assert states[0].document_id == document.pk
    # A new version starts the count again.
    services.version_add(
        actor=admin,
        document_id=document.pk,
        values=version_values(approved_on=days_ago(0), changes="x"),
    )
    assert selectors.policy_states(agency.pk, days_ago(0))[0].acknowledged == 0
    assert selectors.policy_states(outsider.agency_id, days_ago(0)) == []


def test_missing_policy_kinds_are_the_listed_kinds_without_a_document(admin_user, agency):
    assert len(selectors.missing_policy_kinds(agency.pk)) == 8
    make_policy(admin_user, kind="eligibility")
    make_policy(admin_user, kind="mandated_reporting", first=None)
    make_policy(admin_user, kind="other")
    assert [k for k, _label in selectors.missing_policy_kinds(agency.pk)] == [
        "identification",
        "encounter",
        "confidentiality",
        "staff_safety",
        "interpreters",
        "data_retention",
    ]


def _agreement(admin, org, signed_on, expires_on, kind="mou"):
    agreement = services.agreement_record(actor=admin, values=agreement_values(org, kind=kind))
    PartnerAgreement.objects.filter(pk=agreement.pk).update(
        signed_on=signed_on, expires_on=expires_on
    )
    return agreement


@pytest.mark.parametrize(
    ("expires_on", "counts"),
    [
        (None, AgreementCounts(on_file=1, expiring=0, expired=0)),
        (TODAY - timedelta(days=1), AgreementCounts(on_file=0, expiring=0, expired=1)),
        (TODAY, AgreementCounts(on_file=1, expiring=1, expired=0)),
        (TODAY + timedelta(days=60), AgreementCounts(on_file=1, expiring=1, expired=0)),
        (TODAY + timedelta(days=61), AgreementCounts(on_file=1, expiring=0, expired=0)),
    ],
)
def test_agreement_counts_at_their_boundaries(admin_user, agency, expires_on, counts):
    _agreement(admin_user, make_org(agency), date(2020, 1, 1), expires_on)
    assert selectors.agreement_counts(agency.pk, TODAY) == counts


def test_a_renewal_replaces_the_agreement_it_renews(admin_user, agency):
    org = make_org(agency)
    other = make_org(agency, "County Clinic (synthetic)")
    _agreement(admin_user, org, date(2020, 1, 1), date(2023, 1, 1))
    _agreement(admin_user, org, date(2023, 1, 1), date(2026, 7, 1))
    _agreement(admin_user, org, date(2021, 1, 1), date(2022, 1, 1), kind="data_sharing")
    _agreement(admin_user, other, date(2024, 1, 1), None)
    assert selectors.agreement_counts(agency.pk, TODAY) == AgreementCounts(
        on_file=2, expiring=1, expired=1
    )


def test_open_follow_ups_are_written_and_not_done(supervisor, agency, outsider):
    services.meeting_save(actor=supervisor, values=meeting_values())
    services.meeting_save(actor=supervisor, values=meeting_values(follow_ups="Call back"))
    services.meeting_save(
        actor=supervisor,
        values=meeting_values(follow_ups="Send the draft", follow_up_due=days_ago(-3)),
    )
    services.meeting_save(
        actor=supervisor, values=meeting_values(follow_ups="Done one", follow_up_done=True)
    )
    assert selectors.open_meeting_follow_ups(agency.pk, days_ago(0)) == 2
    assert selectors.open_meeting_follow_ups(outsider.agency_id, days_ago(0)) == 0


def test_staff_total_counts_only_active_staff_with_a_role(admin_user, agency):
    make_staff(agency=agency, role=Role.ADVOCATE, username="t-extra")
    gone = make_staff(agency=agency, role=Role.ADVOCATE, username="t-gone")
    gone.is_active = False
    gone.save()
    make_policy(admin_user)
    [state] = selectors.policy_states(agency.pk, days_ago(0))
    assert state.staff_total == 2
