"""Writes for staff training, each checked by its policy, validated in full
before anything is written, and audited in its own transaction.

Audit details hold ids and counts only: never a provider's name, a title or
a presenter.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from haven.accounts.models import User
from haven.attachments import filetypes
from haven.attachments.models import Use
from haven.attachments.services import Upload, attachment_store
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.text import check_texts, single_spaced
from haven.partners.models import Organization
from haven.training.models import Event, Record, Refresher, Topic
from haven.training.policies import may_keep_training
from haven.training.selectors import active_staff, agency_topics_q, record_get

# Nothing Haven records happened before this year: an earlier one is a typo.
EARLIEST_YEAR = 1990
MAX_HOURS = Decimal("40")
MIN_MONTHS = 1
MAX_MONTHS = 120
MAX_ATTENDEES = 500
MAX_PARTNERS = 20
MAX_OUTSIDE = 10000
# What a certificate may be: a document, never a recording or a message.
CERTIFICATE_TYPES = filetypes.SCANS | {filetypes.DOCX}
CERTIFICATE_ACCEPTED = _lazy(
    "A certificate must be a PDF, an image (a scan or a photo of it) or a Word document."
)


def certificate_problem(upload: Upload) -> str:
    """Why a file cannot be a certificate, or ""."""
    return "" if upload.type in CERTIFICATE_TYPES else str(CERTIFICATE_ACCEPTED)


def _check_day(errors: dict[str, list[str]], name: str, day: date | None) -> None:
    if day is None:
        errors[name] = [_("Give the date.")]
    elif day > timezone.localdate():
        errors[name] = [_("The date cannot be in the future.")]
    elif day.year < EARLIEST_YEAR:
        errors[name] = [
            _("Check the year: nothing before %(year)d is recorded.") % {"year": EARLIEST_YEAR}
        ]


def _check_hours(errors: dict[str, list[str]], name: str, hours: Decimal | None) -> None:
    if hours is None:
        errors[name] = [_("Give the hours.")]
    elif not hours.is_finite() or hours <= 0:
        errors[name] = [_("The hours must be more than 0.")]
    elif hours > MAX_HOURS:
        errors[name] = [
            _("One training counts at most %(max)d hours: record a longer course in parts.")
            % {"max": int(MAX_HOURS)}
        ]
    elif hours != hours.quantize(Decimal("0.01")):
        errors[name] = [_("Give the hours to at most two decimals, for example 1.5 or 0.25.")]


def _topic(actor: User, errors: dict[str, list[str]], topic_id: int | None) -> Topic | None:
    topic = (
        Topic.objects.filter(agency_topics_q(actor.agency_id), pk=topic_id).first()
        if topic_id is not None
        else None
    )
    if topic is None:
        errors["topic"] = [_("Choose a topic of your agency.")]
    return topic


def _partners(
    actor: User, errors: dict[str, list[str]], name: str, ids: Sequence[uuid.UUID]
) -> list[Organization]:
    wanted = set(ids)
    found = list(Organization.objects.filter(agency_id=actor.agency_id, pk__in=wanted))
    if len(found) != len(wanted):
        errors[name] = [_("Choose partners from your agency's directory.")]
    return found


# --- Topics and refreshers ---


def topic_add(*, actor: User, name: str) -> Topic:
    """An agency's own topic, next to Haven's."""
    if not may_keep_training(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    name = single_spaced(name)
    check_texts(errors, [("name", name, limits.LINE)])
    if not name and not errors:
        errors["name"] = [_("Name the topic.")]
    if not errors:
        taken = {
            label.casefold()
            for topic in Topic.objects.filter(agency_topics_q(actor.agency_id))
            for label in (topic.label, topic.name)
        }
        if name.casefold() in taken:
            errors["name"] = [_("Your agency already has this topic.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        topic = Topic.objects.create(agency_id=actor.agency_id, name=name)
        audit_record(
            action=Action.TRAINING_TOPIC_ADDED,
            actor=actor,
            object_type="training_topic",
            object_id=topic.pk,
        )
    return topic


def refresher_set(*, actor: User, topic_id: int | None, months: int | None) -> Refresher:
    """How often the agency wants ``topic`` taken again; None: once is enough."""
    if not may_keep_training(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    topic = _topic(actor, errors, topic_id)
    if months is not None and not MIN_MONTHS <= months <= MAX_MONTHS:
        errors["months"] = [
            _("A refresher interval is from %(min)d to %(max)d months; leave it empty for none.")
            % {"min": MIN_MONTHS, "max": MAX_MONTHS}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        refresher, _created = Refresher.objects.update_or_create(
            agency_id=actor.agency_id, topic=topic, defaults={"months": months}
        )
        audit_record(
            action=Action.TRAINING_REFRESHER_SET,
            actor=actor,
            object_type="training_topic",
            object_id=topic_id or "",
            detail={"months": months},
        )
    return refresher


# --- Training records ---


@dataclass(frozen=True)
class RecordValues:
    staff_id: int | None
    topic_id: int | None
    completed_on: date | None
    hours: Decimal | None
    provider: str = ""
    partner_id: uuid.UUID | None = None
    certificate: Upload | None = None


def _staff(actor: User, ids: Sequence[int]) -> list[User]:
    wanted = set(ids)
    found = list(active_staff(actor.agency_id).filter(pk__in=wanted))
    return found if len(found) == len(wanted) else []


def _store_certificate(actor: User, upload: Upload | None) -> uuid.UUID | None:
    if upload is None:
        return None
    return attachment_store(actor=actor, case=None, upload=upload, use=Use.CERTIFICATE).pk


def training_record(*, actor: User, values: RecordValues) -> Record:
    """One staff member's completed training, with its certificate if given."""
    if not may_keep_training(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    provider = single_spaced(values.provider)
    check_texts(errors, [("provider", provider, limits.LINE)])
    staff = _staff(actor, [values.staff_id] if values.staff_id is not None else [])
    if not staff:
        errors["staff"] = [_("Choose a current staff member of your agency.")]
    topic = _topic(actor, errors, values.topic_id)
    _check_day(errors, "completed_on", values.completed_on)
    _check_hours(errors, "hours", values.hours)
    partners = _partners(actor, errors, "partner", [values.partner_id] if values.partner_id else [])
    if values.certificate is not None and certificate_problem(values.certificate):
        errors["certificate"] = [certificate_problem(values.certificate)]
    if errors:
        raise ValidationError(errors)
    # Checked above.
    assert topic is not None  # noqa: S101
    assert values.completed_on is not None  # noqa: S101
    assert values.hours is not None  # noqa: S101
    with transaction.atomic():
        record = Record.objects.create(
            agency_id=actor.agency_id,
            staff=staff[0],
            topic=topic,
            completed_on=values.completed_on,
            hours=values.hours,
            provider=provider,
            partner=partners[0] if partners else None,
            certificate_id=_store_certificate(actor, values.certificate),
            recorded_by=actor,
        )
        audit_record(
            action=Action.TRAINING_RECORDED,
            actor=actor,
            object_type="training_record",
            object_id=record.pk,
            detail={
                "staff": staff[0].pk,
                "topic": values.topic_id,
                "certificate": record.certificate_id is not None,
            },
        )
    return record


def certificate_add(*, actor: User, record_id: uuid.UUID, upload: Upload) -> Record:
    """The certificate of a training recorded without one, or a better copy."""
    record = record_get(user=actor, record_id=record_id)
    if not may_keep_training(actor):
        raise NotFound
    problem = certificate_problem(upload)
    if problem:
        raise ValidationError({"certificate": [problem]})
    with transaction.atomic():
        record.certificate_id = _store_certificate(actor, upload)
        record.save(update_fields=["certificate"])
        audit_record(
            action=Action.TRAINING_CERTIFICATE_ADDED,
            actor=actor,
            object_type="training_record",
            object_id=record.pk,
            detail={"attachment": str(record.certificate_id)},
        )
    return record


# --- In-service events ---


@dataclass(frozen=True)
class EventValues:
    topic_id: int | None
    title: str
    held_on: date | None
    hours: Decimal | None
    staff_ids: Sequence[int] = ()
    partner_ids: Sequence[uuid.UUID] = ()
    presenters: str = ""
    outside_professionals: int = 0


def event_record(*, actor: User, values: EventValues) -> Event:
    """An in-service event, and the training record of each staff member
    who attended, together or not at all."""
    if not may_keep_training(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    title = single_spaced(values.title)
    presenters = single_spaced(values.presenters)
    check_texts(errors, [("title", title, limits.LINE), ("presenters", presenters, limits.SUMMARY)])
    if not title and "title" not in errors:
        errors["title"] = [_("Give the event a title.")]
    topic = _topic(actor, errors, values.topic_id)
    _check_day(errors, "held_on", values.held_on)
    _check_hours(errors, "hours", values.hours)
    staff_ids = set(values.staff_ids)
    staff = _staff(actor, list(staff_ids))
    if len(staff_ids) > MAX_ATTENDEES or (staff_ids and not staff):
        errors["staff"] = [_("Choose current staff members of your agency.")]
    partners: list[Organization] = []
    if len(values.partner_ids) > MAX_PARTNERS:
        errors["partners"] = [_("Choose at most %(max)d partners.") % {"max": MAX_PARTNERS}]
    else:
        partners = _partners(actor, errors, "partners", values.partner_ids)
    outside = values.outside_professionals
    if not 0 <= outside <= MAX_OUTSIDE:
        errors["outside_professionals"] = [
            _("Give a number from 0 to %(max)d.") % {"max": MAX_OUTSIDE}
        ]
    elif not staff_ids and not outside:
        errors["staff"] = [
            _("Choose the staff members who attended, or count the partners' staff who did.")
        ]
    if errors:
        raise ValidationError(errors)
    held_on, hours = values.held_on, values.hours
    # Checked above.
    assert topic is not None  # noqa: S101
    assert held_on is not None  # noqa: S101
    assert hours is not None  # noqa: S101
    with transaction.atomic():
        event = Event.objects.create(
            agency_id=actor.agency_id,
            topic=topic,
            title=title,
            held_on=held_on,
            hours=hours,
            presenters=presenters,
            outside_professionals=outside,
            recorded_by=actor,
        )
        event.partners.set(partners)
        Record.objects.bulk_create(
            Record(
                agency_id=actor.agency_id,
                staff=member,
                topic=topic,
                completed_on=held_on,
                hours=hours,
                event=event,
                recorded_by=actor,
            )
            for member in staff
        )
        audit_record(
            action=Action.TRAINING_EVENT_RECORDED,
            actor=actor,
            object_type="training_event",
            object_id=event.pk,
            detail={
                "topic": values.topic_id,
                "staff": sorted(m.pk for m in staff),
                "partners": len(partners),
                "outside_professionals": outside,
            },
        )
    return event
