"""Policies, their versions, reviews and acknowledgements; meetings and
agreements with partners: what the services write and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from haven.accounts.models import Role
from haven.attachments.models import Use
from haven.attachments.services import attachment_open
from haven.audit.models import Action, AuditEvent
from haven.preparedness import services
from haven.preparedness.models import (
    PartnerMeeting,
    PolicyAcknowledgement,
    PolicyDocument,
    PolicyReview,
    PolicyVersion,
)
from tests.factories import make_staff
from tests.preparedness.conftest import (
    agreement_values,
    days_ago,
    make_org,
    make_policy,
    meeting_values,
    refused,
    version_values,
)

pytestmark = pytest.mark.django_db


def test_a_policy_is_added_with_its_first_version_as_a_policy_document(admin_user, advocate):
    document = make_policy(admin_user, owner=advocate)
    stored = PolicyDocument.objects.get(pk=document.pk)
    version = PolicyVersion.objects.get(document=stored)
    assert (stored.kind, stored.title, stored.owner_id) == (
        "eligibility",
        "Who we serve",
        advocate.pk,
    )
    assert version.number == 1
    assert stored.current_version_id == version.pk
    assert stored.next_review_on == version.next_review_on
    assert version.file.use == Use.POLICY
    assert version.file.case_id is None
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == [
        Action.POLICY_CHANGED.value,
        Action.ATTACHMENT_ADDED.value,
        Action.POLICY_VERSION_ADDED.value,
    ]
    _file, data = attachment_open(actor=advocate, attachment_id=version.file_id)
    assert data.startswith(b"%PDF-")


def test_versions_are_numbered_by_the_service_and_the_latest_is_current(admin_user):
    document = make_policy(admin_user)
    second = services.version_add(
        actor=admin_user,
        document_id=document.pk,
        values=version_values(
            approved_on=days_ago(1),
            next_review_on=days_ago(1) + timedelta(days=700),
            changes="Adds labor trafficking.",
        ),
    )
    assert second.number == 2
    document.refresh_from_db()
    assert document.current_version_id == second.pk
    assert document.next_review_on == days_ago(1) + timedelta(days=700)
    review = PolicyReview.objects.get(document=document)
    assert (review.outcome, review.version.number, review.reviewed_on) == (
        "revised",
        1,
        days_ago(1),
    )


def test_a_review_with_no_changes_moves_the_next_review(admin_user):
    document = make_policy(admin_user)
    review = services.review_record(
        actor=admin_user,
        document_id=document.pk,
        version_number=1,
        reviewed_on=days_ago(0),
        next_review_on=days_ago(0) + timedelta(days=365),
    )
    document.refresh_from_db()
    assert review.outcome == "no_changes"
    assert document.next_review_on == days_ago(0) + timedelta(days=365)
    assert AuditEvent.objects.filter(
        action=Action.POLICY_REVIEWED, object_id=str(document.pk)
    ).exists()


def test_a_review_of_a_version_no_longer_current_is_refused(admin_user):
    document = make_policy(admin_user)
    services.version_add(
        actor=admin_user,
        document_id=document.pk,
        values=version_values(approved_on=days_ago(0), changes="New text"),
    )
    refused(
        lambda: services.review_record(
            actor=admin_user,
            document_id=document.pk,
            version_number=1,
            reviewed_on=days_ago(0),
            next_review_on=days_ago(-30),
        ),
        "__all__",
    )


def test_each_staff_member_acknowledges_each_version_once(admin_user, advocate):
    document = make_policy(admin_user)
    services.policy_acknowledge(actor=advocate, document_id=document.pk, version_number=1)
    refused(
        lambda: services.policy_acknowledge(
            actor=advocate, document_id=document.pk, version_number=1
        )
    )
    services.version_add(
        actor=admin_user,
        document_id=document.pk,
        values=version_values(approved_on=days_ago(0), changes="New text"),
    )
    # The page showed version 1: acknowledging it now would be acknowledging unseen text.
    refused(
        lambda: services.policy_acknowledge(
            actor=advocate, document_id=document.pk, version_number=1
        )
    )
    services.policy_acknowledge(actor=advocate, document_id=document.pk, version_number=2)
    assert sorted(
        PolicyAcknowledgement.objects.filter(user=advocate).values_list(
            "version__number", flat=True
        )
    ) == [1, 2]


def test_a_policy_without_a_version_cannot_be_acknowledged_or_reviewed(admin_user, advocate):
    document = make_policy(admin_user, first=None)
    refused(
        lambda: services.policy_acknowledge(
            actor=advocate, document_id=document.pk, version_number=None
        )
    )
    refused(
        lambda: services.review_record(
            actor=admin_user,
            document_id=document.pk,
            version_number=None,
            reviewed_on=days_ago(0),
            next_review_on=days_ago(-10),
        )
    )


def test_a_stale_edit_of_a_policy_is_refused(admin_user, supervisor):
    document = make_policy(admin_user)
    values = services.PolicyValues(kind="other", title="Renamed", owner_id=supervisor.pk)
    services.policy_save(actor=admin_user, values=values, document_id=document.pk, revision=1)
    refused(
        lambda: services.policy_save(
            actor=admin_user, values=values, document_id=document.pk, revision=1
        ),
        "__all__",
    )
    document.refresh_from_db()
    assert (document.title, document.owner_id, document.revision) == ("Renamed", supervisor.pk, 2)


def test_a_meeting_is_recorded_sealed_and_a_stale_edit_is_refused(supervisor, advocate, agency):
    org = make_org(agency)
    meeting = services.meeting_save(
        actor=supervisor,
        values=meeting_values(
            organization_id=org.pk,
            staff_ids=[supervisor.pk, advocate.pk],
            partner_attendees="Victim-witness coordinator",
            agreements="Joint interviews at our office.",
            follow_ups="Send the protocol draft.",
            follow_up_due=days_ago(-14),
        ),
    )
    stored = PartnerMeeting.objects.get(pk=meeting.pk)
    assert stored.agreements == "Joint interviews at our office."
    raw = PartnerMeeting.objects.filter(pk=meeting.pk).values_list("agreements", flat=True).get()
    assert b"Joint interviews" not in bytes(raw)
    assert set(stored.staff.values_list("pk", flat=True)) == {supervisor.pk, advocate.pk}
    done = meeting_values(
        organization_id=org.pk, follow_ups="Send the protocol draft.", follow_up_done=True
    )
    services.meeting_save(actor=supervisor, values=done, meeting_id=meeting.pk, revision=1)
    refused(
        lambda: services.meeting_save(
            actor=supervisor, values=done, meeting_id=meeting.pk, revision=1
        ),
        "__all__",
    )
    stored.refresh_from_db()
    assert (stored.follow_up_done, stored.revision) == (True, 2)


def test_staff_who_left_stay_on_a_meeting_they_attended(supervisor, agency):
    leaver = make_staff(agency=agency, role=Role.ADVOCATE, username="t-leaver")
    meeting = services.meeting_save(actor=supervisor, values=meeting_values(staff_ids=[leaver.pk]))
    leaver.is_active = False
    leaver.save()
    services.meeting_save(
        actor=supervisor,
        values=meeting_values(staff_ids=[leaver.pk], agreements="More"),
        meeting_id=meeting.pk,
        revision=1,
    )
    # But a new meeting cannot name them.
    refused(
        lambda: services.meeting_save(
            actor=supervisor, values=meeting_values(staff_ids=[leaver.pk])
        ),
        "staff",
    )


def test_an_agreement_is_kept_as_a_partner_agreement_document(admin_user, auditor, agency):
    org = make_org(agency)
    agreement = services.agreement_record(
        actor=admin_user, values=agreement_values(org, expires_on=days_ago(-365))
    )
    assert agreement.file.use == Use.PARTNER_AGREEMENT
    _file, data = attachment_open(actor=auditor, attachment_id=agreement.file_id)
    assert data.startswith(b"%PDF-")
    event = AuditEvent.objects.get(action=Action.PARTNER_AGREEMENT_RECORDED)
    assert event.detail["kind"] == "mou"


def test_a_word_document_is_accepted_as_a_policy(admin_user):
    from tests import files

    document = make_policy(
        admin_user, first=version_values(file=files.accepted(files.docx(), "p.docx"))
    )
    assert document.current_version.file.content_type.endswith("wordprocessingml.document")


def test_audit_rows_hold_no_free_text(admin_user, supervisor):
    make_policy(admin_user, title="Synthetic Title Words")
    services.meeting_save(
        actor=supervisor, values=meeting_values(agreements="Synthetic agreement words")
    )
    details = " ".join(str(e.detail) for e in AuditEvent.objects.all())
    assert "Synthetic" not in details
