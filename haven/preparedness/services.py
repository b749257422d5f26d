"""Writes for organizational preparedness, each checked by its policy,
validated in full before anything is written, and audited in its own
transaction. Anything outside the actor's reach (another agency's record
included) is a 404; bad input is a ValidationError naming the field."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from haven.accounts.models import User
from haven.attachments import filetypes
from haven.attachments.models import Attachment, Use
from haven.attachments.services import Upload, attachment_store
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import keys, limits
from haven.core.errors import NotFound
from haven.core.text import check_texts, single_spaced
from haven.partners.models import Organization
from haven.preparedness.models import (
    AgreementKind,
    MeetingKind,
    PartnerAgreement,
    PartnerMeeting,
    PolicyAcknowledgement,
    PolicyDocument,
    PolicyKind,
    PolicyReview,
    PolicyVersion,
    ReviewOutcome,
)
from haven.preparedness.policies import (
    may_acknowledge_policies,
    may_own_policy,
    may_write_agreements,
    may_write_meetings,
    may_write_policies,
)

MAX_STAFF = 50
# Nothing an agency keeps here was approved, held or signed before this year:
# an earlier one is a typo.
EARLIEST_YEAR = 1990
# A policy is reviewed at least this often.
REVIEW_YEARS = 5
# A follow-up due later than this after the meeting is a typo.
FOLLOW_UP_YEARS = 5
# An agreement running longer than this is a typo.
AGREEMENT_YEARS = 25
# Policies and signed agreements are documents: what a word processor or a
# scanner makes of one, never a photo, a recording or an e-mail.
DOCUMENT_TYPES = frozenset({filetypes.PDF, filetypes.DOCX})
STALE_MESSAGE = _lazy(
    "Someone changed this record while you were editing it. Reload it and try again."
)
NEWER_VERSION = _lazy(
    "A new version of this policy was approved meanwhile. Reload it and read it first."
)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def document_problem(upload: Upload) -> str:
    """Why a file cannot be a policy or an agreement, or ""."""
    if upload.type in DOCUMENT_TYPES:
        return ""
    return _(
        "Only a PDF or a Word document (.docx) is accepted here; this file is a %(kind)s. "
        "Save or scan it as a PDF."
    ) % {"kind": upload.type.label}


def _check_file(errors: dict[str, list[str]], upload: Upload | None) -> None:
    if upload is None:
        errors["file"] = [_("Choose the file: a PDF or a Word document (.docx).")]
    elif problem := document_problem(upload):
        errors["file"] = [problem]


def _check_past_day(
    errors: dict[str, list[str]], name: str, day: date | None, missing: str
) -> bool:
    """A day that has come, not before EARLIEST_YEAR; False (with a message) otherwise."""
    if day is None:
        errors[name] = [missing]
    elif day.year < EARLIEST_YEAR:
        errors[name] = [_("Check the year: nothing before %(year)d.") % {"year": EARLIEST_YEAR}]
    elif day > timezone.localdate():
        errors[name] = [_("This date is in the future.")]
    else:
        return True
    return False


def _check_next_review(
    errors: dict[str, list[str]], since: date | None, next_review_on: date | None, since_what: str
) -> None:
    if next_review_on is None:
        errors["next_review_on"] = [_("Say when it is next to be reviewed.")]
    elif since is not None and next_review_on <= since:
        errors["next_review_on"] = [
            _("The next review must come after %(what)s.") % {"what": since_what}
        ]
    elif since is not None and next_review_on > add_years(since, REVIEW_YEARS):
        errors["next_review_on"] = [
            _("Review a policy at least every %(years)d years: choose an earlier date.")
            % {"years": REVIEW_YEARS}
        ]


def _owner(actor: User, errors: dict[str, list[str]], owner_id: int | None) -> User | None:
    owner = (
        User.objects.filter(pk=owner_id, agency_id=actor.agency_id, is_active=True).first()
        if owner_id is not None
        else None
    )
    if owner is None or not may_own_policy(owner):
        errors["owner"] = [_("Choose an active staff member of your agency.")]
        return None
    return owner


def _audit(
    action: Action, actor: User, object_type: str, object_id: uuid.UUID, **detail: object
) -> None:
    audit_record(
        action=action, actor=actor, object_type=object_type, object_id=object_id, detail=detail
    )


# --- Policies --------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyValues:
    kind: str
    title: str
    owner_id: int | None


@dataclass(frozen=True)
class VersionValues:
    approved_on: date | None
    next_review_on: date | None
    changes: str = ""
    file: Upload | None = None


def _check_policy(actor: User, errors: dict[str, list[str]], values: PolicyValues) -> str:
    title = single_spaced(values.title)
    check_texts(errors, [("title", values.title, limits.LINE)])
    if not title and "title" not in errors:
        errors["title"] = [_("Give the policy a title.")]
    if values.kind not in PolicyKind.values:
        errors["kind"] = [_("Choose what the policy is about.")]
    _owner(actor, errors, values.owner_id)
    return title


def _check_version(
    errors: dict[str, list[str]], values: VersionValues, previous: PolicyVersion | None
) -> str:
    changes = values.changes.strip()
    check_texts(errors, [("changes", changes, limits.LONG_NOTE)])
    if previous is not None and not changes and "changes" not in errors:
        errors["changes"] = [_("Say what changed since version %(n)d.") % {"n": previous.number}]
    approved = _check_past_day(
        errors, "approved_on", values.approved_on, _("Say when this version was approved.")
    )
    if approved and previous is not None and values.approved_on < previous.approved_on:  # type: ignore[operator]
        errors["approved_on"] = [
            _("A new version cannot be approved before the current one (%(day)s).")
            % {"day": previous.approved_on.isoformat()}
        ]
    _check_next_review(
        errors,
        values.approved_on if approved else None,
        values.next_review_on,
        _("the approval"),
    )
    _check_file(errors, values.file)
    return changes


def policy_save(
    *,
    actor: User,
    values: PolicyValues,
    document_id: uuid.UUID | None = None,
    revision: int | None = None,
    first_version: VersionValues | None = None,
) -> PolicyDocument:
    """Add a policy (with its first version when one is given), or change
    its kind, title or owner (``revision`` is the one the form was built
    from, so an edit from a stale page is refused)."""
    if not may_write_policies(actor):
        raise NotFound
    document: PolicyDocument | None = None
    if document_id is not None:
        document = PolicyDocument.objects.filter(pk=document_id, agency_id=actor.agency_id).first()
        if document is None:
            raise NotFound
    errors: dict[str, list[str]] = {}
    title = _check_policy(actor, errors, values)
    changes = ""
    if first_version is not None and document is None:
        changes = _check_version(errors, first_version, None)
    if document is not None and (revision is None or document.revision != revision):
        errors.setdefault("__all__", []).append(str(STALE_MESSAGE))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new = document is None
        if document is None:
            document = PolicyDocument(
                id=uuid.uuid4(), agency_id=actor.agency_id, created_by=actor, revision=1
            )
        else:
            # Conditional, so two edits from the same page cannot both win.
            bumped = PolicyDocument.objects.filter(
                pk=document.pk, revision=document.revision
            ).update(revision=document.revision + 1)
            if not bumped:
                raise ValidationError(str(STALE_MESSAGE))
            document.revision += 1
        document.kind = values.kind
        document.title = title
        document.owner_id = values.owner_id  # type: ignore[assignment]  # checked by _owner
        document.save()
        _audit(
            Action.POLICY_CHANGED,
            actor,
            "policy",
            document.pk,
            new=new,
            kind=document.kind,
            owner=document.owner_id,
        )
        if new and first_version is not None:
            _version_write(actor, document, first_version, changes, None)
    return document


def _version_write(
    actor: User,
    document: PolicyDocument,
    values: VersionValues,
    changes: str,
    previous: PolicyVersion | None,
) -> PolicyVersion:
    assert values.file is not None  # noqa: S101 (checked by _check_version)
    assert values.approved_on is not None  # noqa: S101
    assert values.next_review_on is not None  # noqa: S101
    stored = attachment_store(actor=actor, case=None, upload=values.file, use=Use.POLICY)
    version = PolicyVersion.objects.create(
        document=document,
        number=previous.number + 1 if previous is not None else 1,
        approved_on=values.approved_on,
        next_review_on=values.next_review_on,
        changes=changes,
        file=stored,
        created_by=actor,
    )
    if previous is not None:
        # The review that led to the new version.
        PolicyReview.objects.create(
            document=document,
            version=previous,
            reviewed_on=values.approved_on,
            outcome=ReviewOutcome.REVISED,
            next_review_on=values.next_review_on,
            reviewed_by=actor,
        )
    PolicyDocument.objects.filter(pk=document.pk).update(
        current_version=version, next_review_on=values.next_review_on
    )
    document.current_version = version
    document.next_review_on = values.next_review_on
    _audit(
        Action.POLICY_VERSION_ADDED,
        actor,
        "policy",
        document.pk,
        version=version.number,
        file=str(stored.pk),
    )
    return version


def version_add(*, actor: User, document_id: uuid.UUID, values: VersionValues) -> PolicyVersion:
    """Add the next version of a policy, numbered by the service; it
    becomes the one staff read and acknowledge."""
    if not may_write_policies(actor):
        raise NotFound
    document = (
        PolicyDocument.objects.select_related("current_version")
        .filter(pk=document_id, agency_id=actor.agency_id)
        .first()
    )
    if document is None:
        raise NotFound
    previous = document.current_version
    errors: dict[str, list[str]] = {}
    changes = _check_version(errors, values, previous)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One version at a time per policy: the second of two waits here,
        # then finds the current version moved on.
        locked = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        if locked.current_version_id != document.current_version_id:
            raise ValidationError(str(NEWER_VERSION))
        return _version_write(actor, document, values, changes, previous)


def review_record(
    *,
    actor: User,
    document_id: uuid.UUID,
    version_number: int | None,
    reviewed_on: date | None,
    next_review_on: date | None,
) -> PolicyReview:
    """An administrator reviewed the current version and found nothing to
    change: the policy's next review moves to ``next_review_on``. (A review
    that changes the policy is the upload of a new version.)"""
    if not may_write_policies(actor):
        raise NotFound
    document = (
        PolicyDocument.objects.select_related("current_version")
        .filter(pk=document_id, agency_id=actor.agency_id)
        .first()
    )
    if document is None:
        raise NotFound
    current = document.current_version
    errors: dict[str, list[str]] = {}
    if current is None:
        raise ValidationError(
            {"__all__": [_("This policy has no version yet: upload the first one.")]}
        )
    if version_number is not None and version_number != current.number:
        errors["__all__"] = [str(NEWER_VERSION)]
    ok = _check_past_day(errors, "reviewed_on", reviewed_on, _("Say when the policy was reviewed."))
    if ok and reviewed_on < current.approved_on:  # type: ignore[operator]
        errors["reviewed_on"] = [
            _("The review cannot come before the version's approval (%(day)s).")
            % {"day": current.approved_on.isoformat()}
        ]
        ok = False
    _check_next_review(errors, reviewed_on if ok else None, next_review_on, _("the review"))
    if errors:
        raise ValidationError(errors)
    assert reviewed_on is not None  # noqa: S101
    assert next_review_on is not None  # noqa: S101
    with transaction.atomic():
        moved = PolicyDocument.objects.filter(pk=document.pk, current_version_id=current.pk).update(
            next_review_on=next_review_on
        )
        if not moved:
            raise ValidationError(str(NEWER_VERSION))
        review = PolicyReview.objects.create(
            document=document,
            version=current,
            reviewed_on=reviewed_on,
            outcome=ReviewOutcome.NO_CHANGES,
            next_review_on=next_review_on,
            reviewed_by=actor,
        )
        _audit(
            Action.POLICY_REVIEWED,
            actor,
            "policy",
            document.pk,
            version=current.number,
            outcome=ReviewOutcome.NO_CHANGES.value,
        )
    return review


def policy_acknowledge(
    *, actor: User, document_id: uuid.UUID, version_number: int | None
) -> PolicyAcknowledgement:
    """The actor read the current version (``version_number``, the one their
    page showed: a version approved since is not acknowledged unseen)."""
    if not may_acknowledge_policies(actor):
        raise NotFound
    document = (
        PolicyDocument.objects.select_related("current_version")
        .filter(pk=document_id, agency_id=actor.agency_id)
        .first()
    )
    if document is None:
        raise NotFound
    current = document.current_version
    if current is None:
        raise ValidationError(_("This policy has no version to acknowledge yet."))
    if version_number is not None and version_number != current.number:
        raise ValidationError(str(NEWER_VERSION))
    already = _("You have already acknowledged version %(n)d of this policy.") % {
        "n": current.number
    }
    if PolicyAcknowledgement.objects.filter(version=current, user=actor).exists():
        raise ValidationError(already)
    try:
        with transaction.atomic():
            acknowledgement = PolicyAcknowledgement.objects.create(
                agency_id=actor.agency_id,
                version=current,
                user=actor,
                acknowledged_at=timezone.now(),
            )
            _audit(
                Action.POLICY_ACKNOWLEDGED,
                actor,
                "policy",
                document.pk,
                version=current.number,
            )
    except IntegrityError as error:
        # Sent twice at once: the first one counts.
        raise ValidationError(already) from error
    return acknowledgement


# --- Partner meetings ------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingValues:
    kind: str
    held_on: date | None
    organization_id: uuid.UUID | None = None
    partner_name: str = ""
    staff_ids: Sequence[int] = ()
    partner_attendees: str = ""
    agreements: str = ""
    follow_ups: str = ""
    follow_up_due: date | None = None
    follow_up_done: bool = False


def _meeting_staff(
    actor: User, errors: dict[str, list[str]], wanted: set[int], linked: set[int]
) -> list[User]:
    """Staff of the agency: active ones, or those the meeting already named
    (someone who has left since still attended)."""
    if len(wanted) > MAX_STAFF:
        errors["staff"] = [_("Name at most %(count)d staff members.") % {"count": MAX_STAFF}]
        return []
    staff = list(
        User.objects.filter(agency_id=actor.agency_id, pk__in=wanted).exclude(
            is_active=False, pk__in=wanted - linked
        )
    )
    if len(staff) != len(wanted):
        errors["staff"] = [_("Choose staff members of your agency.")]
    return staff


def _check_meeting(
    actor: User, errors: dict[str, list[str]], values: MeetingValues
) -> dict[str, str]:
    texts = {
        "partner_name": single_spaced(values.partner_name),
        "partner_attendees": values.partner_attendees.strip(),
        "agreements": values.agreements.strip(),
        "follow_ups": values.follow_ups.strip(),
    }
    check_texts(
        errors,
        [
            ("partner_name", values.partner_name, limits.LINE),
            ("partner_attendees", texts["partner_attendees"], limits.NOTE),
            ("agreements", texts["agreements"], limits.LONG),
            ("follow_ups", texts["follow_ups"], limits.LONG_NOTE),
        ],
    )
    if values.kind not in MeetingKind.values:
        errors["kind"] = [_("Choose which partner it was.")]
    if values.organization_id is not None:
        if not Organization.objects.filter(
            pk=values.organization_id, agency_id=actor.agency_id
        ).exists():
            errors["organization"] = [_("Choose a partner from your agency's directory.")]
        elif texts["partner_name"]:
            errors["partner_name"] = [
                _("Choose the partner from the directory or write its name, not both.")
            ]
    elif not texts["partner_name"] and "partner_name" not in errors:
        errors["organization"] = [
            _("Choose the partner from the directory, or write its name if it is not there.")
        ]
    held = _check_past_day(errors, "held_on", values.held_on, _("Say when the meeting was held."))
    due = values.follow_up_due
    if (due is not None or values.follow_up_done) and not texts["follow_ups"]:
        errors.setdefault("follow_ups", []).append(
            _("Write the follow-ups to give them a due date or mark them done.")
        )
    if due is not None and held:
        assert values.held_on is not None  # noqa: S101
        if due < values.held_on:
            errors["follow_up_due"] = [_("Follow-ups cannot be due before the meeting.")]
        elif due > add_years(values.held_on, FOLLOW_UP_YEARS):
            errors["follow_up_due"] = [_("Check the year.")]
    return texts


def meeting_save(
    *,
    actor: User,
    values: MeetingValues,
    meeting_id: uuid.UUID | None = None,
    revision: int | None = None,
) -> PartnerMeeting:
    """Record a meeting with a partner, or change one (``revision`` is the one
    the form was built from, so an edit from a stale page is refused)."""
    if not may_write_meetings(actor):
        raise NotFound
    meeting: PartnerMeeting | None = None
    if meeting_id is not None:
        meeting = PartnerMeeting.objects.filter(pk=meeting_id, agency_id=actor.agency_id).first()
        if meeting is None:
            raise NotFound
    errors: dict[str, list[str]] = {}
    texts = _check_meeting(actor, errors, values)
    linked = set(meeting.staff.values_list("pk", flat=True)) if meeting is not None else set()
    staff = _meeting_staff(actor, errors, set(values.staff_ids), linked)
    if meeting is not None and (revision is None or meeting.revision != revision):
        errors.setdefault("__all__", []).append(str(STALE_MESSAGE))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new = meeting is None
        if meeting is None:
            meeting = PartnerMeeting(
                id=uuid.uuid4(),
                agency_id=actor.agency_id,
                data_key_id=keys.data_key_create(actor.agency)[0].pk,
                created_by=actor,
            )
        else:
            bumped = PartnerMeeting.objects.filter(pk=meeting.pk, revision=meeting.revision).update(
                revision=meeting.revision + 1
            )
            if not bumped:
                raise ValidationError(str(STALE_MESSAGE))
            meeting.revision += 1
        meeting.kind = values.kind
        meeting.organization_id = values.organization_id
        meeting.partner_name = texts["partner_name"]
        meeting.held_on = values.held_on  # type: ignore[assignment]
        meeting.partner_attendees = texts["partner_attendees"] or None
        meeting.agreements = texts["agreements"] or None
        meeting.follow_ups = texts["follow_ups"] or None
        meeting.follow_up_due = values.follow_up_due
        meeting.follow_up_done = values.follow_up_done
        meeting.save()
        meeting.staff.set(staff)
        _audit(
            Action.PARTNER_MEETING_CHANGED,
            actor,
            "partner_meeting",
            meeting.pk,
            new=new,
            kind=meeting.kind,
            staff=sorted(u.pk for u in staff),
            follow_up_done=meeting.follow_up_done,
        )
    return meeting


# --- Partner agreements ----------------------------------------------------------------


@dataclass(frozen=True)
class AgreementValues:
    organization_id: uuid.UUID | None
    kind: str
    signed_on: date | None
    expires_on: date | None = None
    file: Upload | None = None


def agreement_record(*, actor: User, values: AgreementValues) -> PartnerAgreement:
    """Keep a signed agreement with a partner of the directory. A renewal is
    a new agreement: the latest signed one of an organization and kind is
    the one in force."""
    if not may_write_agreements(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    if (
        values.organization_id is None
        or not Organization.objects.filter(
            pk=values.organization_id, agency_id=actor.agency_id
        ).exists()
    ):
        errors["organization"] = [_("Choose a partner from your agency's directory.")]
    if values.kind not in AgreementKind.values:
        errors["kind"] = [_("Choose what kind of agreement it is.")]
    signed = _check_past_day(
        errors, "signed_on", values.signed_on, _("Say when the agreement was signed.")
    )
    if values.expires_on is not None and signed:
        assert values.signed_on is not None  # noqa: S101
        if values.expires_on <= values.signed_on:
            errors["expires_on"] = [_("An agreement expires after it is signed.")]
        elif values.expires_on > add_years(values.signed_on, AGREEMENT_YEARS):
            errors["expires_on"] = [_("Check the year.")]
    _check_file(errors, values.file)
    if errors:
        raise ValidationError(errors)
    assert values.file is not None  # noqa: S101
    assert values.organization_id is not None  # noqa: S101
    assert values.signed_on is not None  # noqa: S101
    with transaction.atomic():
        stored: Attachment = attachment_store(
            actor=actor, case=None, upload=values.file, use=Use.PARTNER_AGREEMENT
        )
        agreement = PartnerAgreement.objects.create(
            agency_id=actor.agency_id,
            organization_id=values.organization_id,
            kind=values.kind,
            signed_on=values.signed_on,
            expires_on=values.expires_on,
            file=stored,
            created_by=actor,
        )
        _audit(
            Action.PARTNER_AGREEMENT_RECORDED,
            actor,
            "partner_agreement",
            agreement.pk,
            kind=agreement.kind,
            organization=str(values.organization_id),
            file=str(stored.pk),
        )
    return agreement
