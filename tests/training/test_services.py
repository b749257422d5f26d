"""Recording trainings, events, topics and refresher intervals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from haven.attachments.models import Attachment, Use
from haven.attachments.services import attachment_open
from haven.audit.models import Action, AuditEvent
from haven.training import services
from haven.training.models import Event, Record, Refresher, Topic
from tests import files
from tests.training.conftest import refused, topic, train

pytestmark = pytest.mark.django_db


def test_seven_topics_are_shipped_in_order():
    codes = list(Topic.objects.filter(agency=None).values_list("code", flat=True))
    assert codes == [
        "dynamics",
        "laws",
        "protections",
        "interpreters",
        "mandated_reporting",
        "staff_safety",
        "trauma_informed",
    ]
    assert topic("mandated_reporting").label == "Mandated reporting"


def test_a_training_is_recorded_with_its_certificate_and_audited(admin_user, advocate, partner):
    upload = files.accepted(files.pdf(), "certificate.pdf")
    record = train(
        admin_user,
        advocate,
        "laws",
        date(2025, 3, 4),
        "1.5",
        provider="State coalition",
        partner_id=partner.pk,
        certificate=upload,
    )
    record.refresh_from_db()
    assert (record.staff, record.topic.code, record.completed_on, record.hours) == (
        advocate,
        "laws",
        date(2025, 3, 4),
        Decimal("1.50"),
    )
    assert (record.provider, record.partner, record.recorded_by) == (
        "State coalition",
        partner,
        admin_user,
    )
    certificate = Attachment.objects.get(pk=record.certificate_id)
    assert (certificate.use, certificate.case_id, certificate.content_type) == (
        Use.CERTIFICATE,
        None,
        "application/pdf",
    )
    _row, data = attachment_open(actor=admin_user, attachment_id=certificate.pk)
    assert data == files.pdf()
    event = AuditEvent.objects.get(action=Action.TRAINING_RECORDED)
    assert event.object_id == str(record.pk)
    assert event.detail == {"staff": advocate.pk, "topic": topic("laws").pk, "certificate": True}


@pytest.mark.parametrize("maker", [files.pdf, files.png, files.jpeg, files.docx])
def test_a_certificate_may_be_any_document(admin_user, advocate, maker):
    record = train(
        admin_user, advocate, "laws", date(2025, 1, 2), certificate=files.accepted(maker(), "c")
    )
    assert record.certificate_id is not None


@pytest.mark.parametrize("maker", [files.wav, files.eml])
def test_a_recording_or_an_email_is_no_certificate(admin_user, advocate, maker):
    error = refused(
        lambda: train(
            admin_user, advocate, "laws", date(2025, 1, 2), certificate=files.accepted(maker(), "c")
        ),
        "certificate",
    )
    assert error.message_dict["certificate"] == [
        "A certificate must be a PDF, an image (a scan or a photo of it) or a Word document."
    ]


def test_a_certificate_is_added_later(admin_user, advocate):
    record = train(admin_user, advocate, "laws", date(2025, 1, 2))
    services.certificate_add(
        actor=admin_user, record_id=record.pk, upload=files.accepted(files.png(), "c.png")
    )
    record.refresh_from_db()
    assert Attachment.objects.get(pk=record.certificate_id).content_type == "image/png"
    assert AuditEvent.objects.filter(action=Action.TRAINING_CERTIFICATE_ADDED).count() == 1


def test_an_event_records_each_attendee_in_one_go(admin_user, advocate, supervisor, partner):
    event = services.event_record(
        actor=admin_user,
        values=services.EventValues(
            topic_id=topic("dynamics").pk,
            title="Labor trafficking in agriculture",
            held_on=date(2025, 5, 6),
            hours=Decimal("3"),
            staff_ids=[advocate.pk, supervisor.pk],
            partner_ids=[partner.pk],
            presenters="A. Presenter, victim-witness coordinator",
            outside_professionals=12,
        ),
    )
    records = Record.objects.filter(event=event).order_by("staff__username")
    assert [(r.staff, r.topic.code, r.completed_on, r.hours) for r in records] == [
        (advocate, "dynamics", date(2025, 5, 6), Decimal("3.00")),
        (supervisor, "dynamics", date(2025, 5, 6), Decimal("3.00")),
    ]
    assert list(event.partners.all()) == [partner]
    assert event.outside_professionals == 12
    audit = AuditEvent.objects.get(action=Action.TRAINING_EVENT_RECORDED)
    assert audit.detail == {
        "topic": topic("dynamics").pk,
        "staff": sorted([advocate.pk, supervisor.pk]),
        "partners": 1,
        "outside_professionals": 12,
    }


def test_an_event_with_one_bad_attendee_records_nobody(admin_user, advocate, outsider):
    refused(
        lambda: services.event_record(
            actor=admin_user,
            values=services.EventValues(
                topic_id=topic("dynamics").pk,
                title="T",
                held_on=date(2025, 5, 6),
                hours=Decimal("1"),
                staff_ids=[advocate.pk, outsider.pk],
            ),
        ),
        "staff",
    )
    assert Event.objects.count() == 0


def test_an_event_for_partners_only_records_no_staff(admin_user):
    event = services.event_record(
        actor=admin_user,
        values=services.EventValues(
            topic_id=topic("laws").pk,
            title="Briefing for clinics",
            held_on=date(2025, 5, 6),
            hours=Decimal("1"),
            outside_professionals=30,
        ),
    )
    assert event.records.count() == 0


def test_an_agency_adds_its_own_topic_and_sets_intervals(admin_user, outsider):
    own = services.topic_add(actor=admin_user, name="  Shelter   intake  ")
    assert (own.name, own.agency_id, own.code) == ("Shelter intake", admin_user.agency_id, "")
    services.refresher_set(actor=admin_user, topic_id=own.pk, months=12)
    services.refresher_set(actor=admin_user, topic_id=topic("laws").pk, months=24)
    services.refresher_set(actor=admin_user, topic_id=topic("laws").pk, months=None)
    assert dict(Refresher.objects.values_list("topic_id", "months")) == {
        own.pk: 12,
        topic("laws").pk: None,
    }
    # Another agency sees neither the topic nor the intervals.
    refused(lambda: services.refresher_set(actor=outsider, topic_id=own.pk, months=3), "topic")


@pytest.mark.parametrize("name", ["Mandated reporting", "mandated REPORTING", "Shelter intake"])
def test_a_topic_is_not_added_twice(admin_user, name):
    services.topic_add(actor=admin_user, name="Shelter intake")
    refused(lambda: services.topic_add(actor=admin_user, name=name), "name")


def test_the_same_topic_name_in_two_agencies(admin_user, outsider):
    services.topic_add(actor=admin_user, name="Shelter intake")
    services.topic_add(actor=outsider, name="Shelter intake")
    assert Topic.objects.filter(name="Shelter intake").count() == 2


def test_today_is_not_the_future(admin_user, advocate):
    record = train(admin_user, advocate, "laws", timezone.localdate())
    assert record.completed_on == timezone.localdate()
    refused(
        lambda: train(admin_user, advocate, "laws", timezone.localdate() + timedelta(days=1)),
        "completed_on",
    )
