"""Writes for staff safety, each checked by its policy, validated in full
before anything is written, and audited in its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from haven.accounts.models import User
from haven.attachments.models import Attachment, Use
from haven.attachments.services import Upload, attachment_store
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import keys, limits
from haven.core.errors import NotFound
from haven.core.text import check_texts
from haven.people.models import Case
from haven.people.policies import visible_cases_q
from haven.protocol.models import Step, StepState
from haven.protocol.tracker import step_advance
from haven.safety.checkins import check_ins_refused, paused_until
from haven.safety.lockdown import running_lockdown
from haven.safety.models import (
    Channel,
    CheckInAlert,
    ChecklistAnswer,
    Designation,
    PersonOfConcern,
    SafetyChecklist,
    SafetyPolicy,
    Threat,
    Visit,
    VisitorAlert,
)
from haven.safety.places import OFFICE, alerted_at, place_label
from haven.safety.policies import (
    may_be_lockdown_admin,
    may_change_report_number,
    may_keep_checklist,
    may_keep_concerns,
    may_keep_visitor_log,
    may_manage_safety,
    may_receive_alerts,
    may_record_threats,
    may_see_concerns,
    threats_visible_q,
)
from haven.safety.report_numbers import report_number_changed, report_number_problem
from haven.safety.screening import concern_index_refresh, lines, screen
from haven.safety.selectors import (
    alert_recipients,
    alerts_reaching_q,
    check_in_alerts_reaching_q,
)

MAX_FILES = 5
# Aliases or plates of one person: each is screened at every check-in.
MAX_LINES = 50
CHECKLIST_STALE = _lazy("Your checklist was changed in another window. Reload it and try again.")
STALE_MESSAGE = _lazy(
    "Someone changed this record while you were editing it. Reload it and try again."
)
# A clock a little ahead of the server's is not a threat from the future.
CLOCK_SKEW = timedelta(minutes=5)
# Nothing Haven records happened before this year: an earlier one is a typo.
EARLIEST_YEAR = 2000


def _new_key_id(actor: User) -> uuid.UUID:
    """Each safety record is sealed under a data key of its own, so it can be
    shredded alone."""
    key_id: uuid.UUID = keys.data_key_create(actor.agency)[0].pk
    return key_id


def _cases_chosen(
    actor: User, errors: dict[str, list[str]], case_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """The cases to link, which must all be cases the actor may open; any
    other id (another agency's, a made-up one) is refused alike."""
    wanted = set(case_ids)
    if not wanted:
        return set()
    found = set(
        Case.objects.filter(visible_cases_q(actor), pk__in=wanted).values_list("pk", flat=True)
    )
    if found != wanted:
        errors["cases"] = [_("Link only cases you can open.")]
    return found


def _keep_hidden_links(
    actor: User, current: set[uuid.UUID], chosen: set[uuid.UUID]
) -> set[uuid.UUID]:
    """Links to cases the actor cannot see stay as they were: nobody removes
    what they were never shown."""
    visible = set(
        Case.objects.filter(visible_cases_q(actor), pk__in=current).values_list("pk", flat=True)
    )
    return (current - visible) | chosen


def _cases_touched(actor: User, case_ids: set[uuid.UUID]) -> None:
    """A threat or person of concern linked to a case moves its staff-safety
    step forward."""
    for case in Case.objects.filter(pk__in=case_ids):
        step_advance(case, Step.STAFF_SAFETY, StepState.IN_PROGRESS, actor)


def _store_files(actor: User, files: Sequence[Upload], use: str) -> list[Attachment]:
    return [attachment_store(actor=actor, case=None, upload=upload, use=use) for upload in files]


# --- Persons of concern ---


@dataclass(frozen=True)
class ConcernValues:
    name: str
    aliases: str = ""
    description: str = ""
    vehicles: str = ""
    plates: str = ""
    associates: str = ""
    case_ids: Sequence[uuid.UUID] = ()
    photos: Sequence[Upload] = ()


def concern_save(
    *,
    actor: User,
    values: ConcernValues,
    concern_id: uuid.UUID | None = None,
    version: int | None = None,
) -> PersonOfConcern:
    """Record a person of concern, or change one (``version`` is the one the
    form was built from, so an edit from a stale page is refused)."""
    if not may_keep_concerns(actor):
        raise NotFound
    concern: PersonOfConcern | None = None
    if concern_id is not None:
        concern = PersonOfConcern.objects.filter(pk=concern_id, agency_id=actor.agency_id).first()
        if concern is None:
            raise NotFound
    errors: dict[str, list[str]] = {}
    # Checked as typed: a control character must be refused, not read as a line break.
    check_texts(
        errors, [("aliases", values.aliases, limits.NOTE), ("plates", values.plates, limits.NOTE)]
    )
    texts = {
        "name": values.name.strip(),
        "aliases": "\n".join(lines(values.aliases)),
        "description": values.description.strip(),
        "vehicles": values.vehicles.strip(),
        "plates": "\n".join(lines(values.plates)),
        "associates": values.associates.strip(),
    }
    longest = {"name": limits.LINE, "description": limits.LONG}
    check_texts(
        errors,
        [(k, v, longest.get(k, limits.NOTE)) for k, v in texts.items() if k not in errors],
    )
    if not texts["name"]:
        errors.setdefault("name", []).append(
            _("Write the name they are known by, even a nickname.")
        )
    for name in ("aliases", "plates"):
        if len(texts[name].splitlines()) > MAX_LINES:
            errors.setdefault(name, []).append(
                _("Give at most %(count)d, one per line.") % {"count": MAX_LINES}
            )
    if len(values.photos) > MAX_FILES:
        errors["photos"] = [_("Attach at most %(count)d files at a time.") % {"count": MAX_FILES}]
    cases = _cases_chosen(actor, errors, values.case_ids)
    if concern is not None and version is not None and concern.version != version:
        errors.setdefault("__all__", []).append(str(STALE_MESSAGE))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new = concern is None
        if concern is None:
            concern = PersonOfConcern(
                id=uuid.uuid4(),
                agency_id=actor.agency_id,
                data_key_id=_new_key_id(actor),
                created_by=actor,
            )
            links = cases
        else:
            # Conditional, so two edits from the same page cannot both win.
            bumped = PersonOfConcern.objects.filter(pk=concern.pk, version=concern.version).update(
                version=concern.version + 1
            )
            if not bumped:
                raise ValidationError(str(STALE_MESSAGE))
            concern.version += 1
            links = _keep_hidden_links(
                actor, set(concern.cases.values_list("pk", flat=True)), cases
            )
        for name, text in texts.items():
            setattr(concern, name, text or None)
        concern.save()
        concern.cases.set(Case.objects.filter(pk__in=links))
        _cases_touched(actor, cases)
        concern.photos.add(*_store_files(actor, values.photos, Use.PHOTO))
        concern_index_refresh(concern)
        audit_record(
            action=Action.CONCERN_CHANGED,
            actor=actor,
            object_type="person_of_concern",
            object_id=concern.pk,
            detail={"new": new, "cases": len(links), "photos": len(values.photos)},
        )
    return concern


def concern_remove(*, actor: User, concern_id: uuid.UUID) -> None:
    """Remove a person of concern recorded in error: their record, photos and
    digests go, and their data keys with them, so nothing of them opens again.
    Threats that named them stay, without the link."""
    if not may_keep_concerns(actor):
        raise NotFound
    concern = PersonOfConcern.objects.filter(pk=concern_id, agency_id=actor.agency_id).first()
    if concern is None:
        raise NotFound
    with transaction.atomic():
        photos = list(concern.photos.all())
        key_ids = [concern.data_key_id, *(photo.data_key_id for photo in photos)]
        concern.delete()
        for photo in photos:
            photo.delete()
        keys.data_keys_destroy(
            key_ids,
            kind="concern",
            rows=[
                ("safety.PersonOfConcern", [concern_id]),
                ("attachments.Attachment", [photo.pk for photo in photos]),
            ],
        )
        audit_record(
            action=Action.CONCERN_REMOVED,
            actor=actor,
            object_type="person_of_concern",
            object_id=concern_id,
            detail={"photos": len(photos)},
        )


# --- Threats ---


@dataclass(frozen=True)
class ThreatValues:
    occurred_at: datetime | None
    channel: str
    what_happened: str
    against_agency: bool = False
    targeted_staff_ids: Sequence[int] = ()
    reported_to_police: bool = False
    reported_on: date | None = None
    report_number: str = ""
    concern_ids: Sequence[uuid.UUID] = ()
    case_ids: Sequence[uuid.UUID] = ()
    evidence: Sequence[Upload] = field(default_factory=tuple)


def _check_report(
    errors: dict[str, list[str]],
    *,
    reported: bool,
    reported_on: date | None,
    number: str,
    since: date | None,
) -> None:
    if problem := report_number_problem(number):
        errors["report_number"] = [problem]
    if not reported and (reported_on or number):
        errors["reported_to_police"] = [
            _("Tick “reported to law enforcement” to record the report's date or number.")
        ]
    if reported_on is not None:
        if reported_on > timezone.localdate():
            errors["reported_on"] = [_("The report date cannot be in the future.")]
        elif since is not None and reported_on < since:
            errors["reported_on"] = [_("The report cannot come before the threat itself.")]


def threat_record(*, actor: User, values: ThreatValues) -> Threat:
    if not may_record_threats(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    what = values.what_happened.strip()
    number = values.report_number.strip()
    check_texts(errors, [("what_happened", what, limits.LONG)])
    if not what:
        errors.setdefault("what_happened", []).append(_("Say what happened."))
    if values.channel not in Channel.values:
        errors["channel"] = [_("Choose how the threat came.")]
    occurred = values.occurred_at
    since: date | None = None
    if occurred is None:
        errors["occurred_at"] = [_("Say when it happened.")]
    elif occurred > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = [_("A threat cannot be recorded before it happens.")]
    elif occurred.year < EARLIEST_YEAR:
        errors["occurred_at"] = [_("Check the year.")]
    else:
        since = timezone.localtime(occurred).date()
    _check_report(
        errors,
        reported=values.reported_to_police,
        reported_on=values.reported_on,
        number=number,
        since=since,
    )
    staff_ids = set(values.targeted_staff_ids)
    staff = list(User.objects.filter(agency_id=actor.agency_id, pk__in=staff_ids))
    if len(staff) != len(staff_ids):
        errors["targeted_staff"] = [_("Choose staff members of your agency.")]
    if not values.against_agency and not staff_ids:
        errors.setdefault("targeted_staff", []).append(
            _("Say whom it was aimed at: the agency, one or more staff members, or both.")
        )
    concern_ids = set(values.concern_ids)
    if concern_ids:
        found = PersonOfConcern.objects.filter(agency_id=actor.agency_id, pk__in=concern_ids)
        if not may_see_concerns(actor) or found.count() != len(concern_ids):
            errors["concerns"] = [_("Choose persons of concern from your agency's list.")]
    cases = _cases_chosen(actor, errors, values.case_ids)
    if len(values.evidence) > MAX_FILES:
        errors["evidence"] = [_("Attach at most %(count)d files at a time.") % {"count": MAX_FILES}]
    if errors:
        raise ValidationError(errors)
    assert occurred is not None  # noqa: S101 (checked above)
    with transaction.atomic():
        threat = Threat(
            id=uuid.uuid4(),
            agency_id=actor.agency_id,
            data_key_id=_new_key_id(actor),
            # In UTC: PostgreSQL refuses offsets beyond 15:59 that Python allows.
            occurred_at=occurred.astimezone(UTC),
            channel=values.channel,
            against_agency=values.against_agency,
            reported_to_police=values.reported_to_police,
            reported_on=values.reported_on,
            recorded_by=actor,
        )
        threat.what_happened = what
        threat.report_number = number or None
        threat.save()
        threat.targeted_staff.set(staff)
        threat.concerns.set(PersonOfConcern.objects.filter(pk__in=concern_ids))
        threat.cases.set(Case.objects.filter(pk__in=cases))
        _cases_touched(actor, cases)
        threat.evidence.add(*_store_files(actor, values.evidence, Use.EVIDENCE))
        audit_record(
            action=Action.THREAT_RECORDED,
            actor=actor,
            object_type="threat",
            object_id=threat.pk,
            detail={
                "channel": values.channel,
                "staff": sorted(u.pk for u in staff),
                "evidence": len(values.evidence),
            },
        )
        if number:
            report_number_changed(
                actor=actor, threat=threat, previous="", number=number, at=threat.recorded_at
            )
    return threat


@dataclass(frozen=True)
class ThreatFollowUp:
    """What is learnt after a threat is recorded: the police report, more evidence."""

    reported_to_police: bool
    reported_on: date | None = None
    report_number: str = ""
    evidence: Sequence[Upload] = field(default_factory=tuple)


def threat_follow_up(*, actor: User, threat_id: uuid.UUID, values: ThreatFollowUp) -> Threat:
    """Record the report to law enforcement or add evidence. What happened
    is not rewritten: the first account stays as it was given."""
    threat = Threat.objects.filter(threats_visible_q(actor), pk=threat_id).first()
    if threat is None or not may_record_threats(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    number = values.report_number.strip()
    _check_report(
        errors,
        reported=values.reported_to_police,
        reported_on=values.reported_on,
        number=number,
        since=timezone.localtime(threat.occurred_at).date(),
    )
    if threat.reported_to_police and not values.reported_to_police:
        errors["reported_to_police"] = [_("A report once made stays recorded.")]
    previous = threat.report_number or ""
    if previous and number != previous and not may_change_report_number(actor, threat):
        errors.setdefault("report_number", []).append(
            _(
                "Only whoever recorded this threat, the staff designated for safety alerts, "
                "supervisors and administrators can change a report number once recorded."
            )
        )
    if len(values.evidence) > MAX_FILES:
        errors["evidence"] = [_("Attach at most %(count)d files at a time.") % {"count": MAX_FILES}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        threat.reported_to_police = values.reported_to_police
        threat.reported_on = values.reported_on
        threat.report_number = number or None
        threat.save(update_fields=["reported_to_police", "reported_on", "report_number"])
        threat.evidence.add(*_store_files(actor, values.evidence, Use.EVIDENCE))
        audit_record(
            action=Action.THREAT_UPDATED,
            actor=actor,
            object_type="threat",
            object_id=threat.pk,
            detail={"reported": values.reported_to_police, "evidence": len(values.evidence)},
        )
        if number != previous:
            report_number_changed(
                actor=actor, threat=threat, previous=previous, number=number, at=timezone.now()
            )
    return threat


# --- The visitor log ---


@dataclass(frozen=True)
class VisitValues:
    name_given: str
    asking_for: str = ""
    purpose: str = ""
    plate: str = ""
    id_seen: bool = False
    # Where the visitor came: "" for the office, or one of the agency's
    # places (haven.safety.places) by its id.
    place: str = OFFICE


def visit_check_in(*, actor: User, values: VisitValues) -> Visit:
    """Record a visitor and screen them against the persons of concern. A
    match raises an alert for the designated staff; the visit itself only
    says it was flagged. Past the hourly limit of check-ins
    (haven.safety.checkins) nothing of the visitor is written or screened:
    the refusal is recorded and raised as CheckInsPaused."""
    if not may_keep_visitor_log(actor):
        raise NotFound
    texts = {
        "name_given": " ".join(values.name_given.split()),
        "asking_for": values.asking_for.strip(),
        "purpose": values.purpose.strip(),
        "plate": values.plate.strip(),
    }
    errors: dict[str, list[str]] = {}
    check_texts(
        errors,
        [(k, v, limits.LINE if k != "purpose" else limits.WIDE_LINE) for k, v in texts.items()],
    )
    if not texts["name_given"]:
        errors.setdefault("name_given", []).append(
            _("Write the name the visitor gave. If they would not give one, write that.")
        )
    label = "" if values.place == OFFICE else place_label(actor.agency_id, values.place)
    if label is None:
        # Another agency's place, one no longer in use and a made-up id alike.
        errors["place"] = [_("Choose the office or one of your agency's sites.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        resume_at = paused_until(actor=actor, now=now)
        if resume_at is not None:
            refusal = check_ins_refused(actor=actor, now=now, resume_at=resume_at)
        else:
            return _visit_record(actor, values, texts, label or "", now)
    # Raised once the refusal and its alert are committed, so that they stay.
    raise refusal


def _visit_record(
    actor: User, values: VisitValues, texts: dict[str, str], label: str, now: datetime
) -> Visit:
    visit = Visit(
        id=uuid.uuid4(),
        agency_id=actor.agency_id,
        data_key_id=_new_key_id(actor),
        id_seen=values.id_seen,
        screened_by=actor,
        checked_in_at=now,
        place=values.place,
        place_label=label,
    )
    for name, text in texts.items():
        setattr(visit, name, text or None)
    found = screen(actor.agency_id, name=texts["name_given"], plate=texts["plate"])
    visit.flagged = bool(found)
    visit.save()
    audit_record(
        action=Action.VISITOR_CHECKED_IN,
        actor=actor,
        object_type="visit",
        object_id=visit.pk,
        # Where, by id, only away from the office.
        detail={"flagged": visit.flagged, **({"place": visit.place} if visit.place else {})},
    )
    if found:
        alert = VisitorAlert.objects.create(
            agency_id=actor.agency_id, visit=visit, exact=found.exact, raised_at=now
        )
        alert.concerns.set(PersonOfConcern.objects.filter(pk__in=found.concern_ids))
        audit_record(
            action=Action.VISITOR_ALERT_RAISED,
            actor=actor,
            object_type="visitor_alert",
            object_id=alert.pk,
            detail={
                "visit": str(visit.pk),
                "exact": found.exact,
                "matches": len(found.concern_ids),
                **({"place": visit.place} if visit.place else {}),
                "recipients": sorted(
                    {u.pk for u in alert_recipients(actor.agency_id)}
                    | {u.pk for u in alerted_at(actor.agency_id, visit.place)}
                ),
            },
        )
    return visit


def visit_check_out(*, actor: User, visit_id: uuid.UUID) -> Visit:
    if not may_keep_visitor_log(actor):
        raise NotFound
    visit = Visit.objects.filter(pk=visit_id, agency_id=actor.agency_id).first()
    if visit is None:
        raise NotFound
    with transaction.atomic():
        done = Visit.objects.filter(pk=visit.pk, checked_out_at__isnull=True).update(
            checked_out_at=timezone.now()
        )
        if not done:
            raise ValidationError(_("This visitor has already been checked out."))
        audit_record(
            action=Action.VISITOR_CHECKED_OUT, actor=actor, object_type="visit", object_id=visit.pk
        )
    visit.refresh_from_db(fields=["checked_out_at"])
    return visit


def alert_acknowledge(*, actor: User, alert_id: uuid.UUID) -> None:
    """A staff member the alert reached says they are dealing with it: a
    visitor alert, or an alert of the check-in limit (one id names either)."""
    open_ones: QuerySet[VisitorAlert] | QuerySet[CheckInAlert]
    if VisitorAlert.objects.filter(alerts_reaching_q(actor), pk=alert_id).exists():
        open_ones, kind = VisitorAlert.objects.filter(pk=alert_id), "visitor_alert"
    elif CheckInAlert.objects.filter(check_in_alerts_reaching_q(actor), pk=alert_id).exists():
        open_ones, kind = CheckInAlert.objects.filter(pk=alert_id), "check_in_alert"
    else:
        raise NotFound
    with transaction.atomic():
        done = open_ones.filter(acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=actor
        )
        if not done:
            raise ValidationError(_("Someone is already dealing with this alert."))
        audit_record(
            action=Action.VISITOR_ALERT_ACKNOWLEDGED,
            actor=actor,
            object_type=kind,
            object_id=alert_id,
        )


# --- Each staff member's checklist ------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistValues:
    unlisted_phone: str = ""
    address_confidentiality: str = ""
    varied_routes: str = ""
    alternative_stay: str = ""
    alternative_stay_notes: str = ""
    emergency_contacts: str = ""
    notes: str = ""


CHECKLIST_ITEMS = ("unlisted_phone", "address_confidentiality", "varied_routes", "alternative_stay")
CHECKLIST_TEXTS = ("alternative_stay_notes", "emergency_contacts", "notes")


def checklist_save(
    *, actor: User, values: ChecklistValues, version: int | None = None
) -> SafetyChecklist:
    """Save the actor's own checklist: nobody fills in someone else's."""
    if not may_keep_checklist(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    for item in CHECKLIST_ITEMS:
        if getattr(values, item) not in ["", *ChecklistAnswer.values]:
            errors[item] = [_("Choose one of the options offered.")]
    texts = {name: getattr(values, name).strip() for name in CHECKLIST_TEXTS}
    check_texts(errors, [(name, text, limits.NOTE) for name, text in texts.items()])
    checklist = SafetyChecklist.objects.filter(user=actor).first()
    if checklist is not None and version is not None and checklist.version != version:
        errors.setdefault("__all__", []).append(str(CHECKLIST_STALE))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            checklist = _checklist_write(actor, checklist, values, texts)
    except IntegrityError as error:
        # Saved twice at once for the first time: one of the two wins.
        raise ValidationError(str(CHECKLIST_STALE)) from error
    return checklist


def _checklist_write(
    actor: User,
    checklist: SafetyChecklist | None,
    values: ChecklistValues,
    texts: dict[str, str],
) -> SafetyChecklist:
    if checklist is None:
        checklist = SafetyChecklist(
            id=uuid.uuid4(),
            agency_id=actor.agency_id,
            user=actor,
            data_key_id=_new_key_id(actor),
        )
    else:
        bumped = SafetyChecklist.objects.filter(pk=checklist.pk, version=checklist.version).update(
            version=checklist.version + 1
        )
        if not bumped:
            raise ValidationError(str(CHECKLIST_STALE))
        checklist.version += 1
    for item in CHECKLIST_ITEMS:
        setattr(checklist, item, getattr(values, item))
    for name, text in texts.items():
        setattr(checklist, name, text or None)
    checklist.save()
    audit_record(
        action=Action.CHECKLIST_SAVED,
        actor=actor,
        object_type="safety_checklist",
        object_id=checklist.pk,
    )
    return checklist


# --- Designations and policy ---


def safety_settings_save(
    *,
    actor: User,
    alert_user_ids: Sequence[int],
    lockdown_user_ids: Sequence[int],
    two_to_end_lockdown: bool,
) -> None:
    """Who receives visitor alerts, who are the lockdown administrators, and
    whether ending a lockdown early takes two of them."""
    if not may_manage_safety(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    staff = {
        u.pk: u
        for u in User.objects.filter(
            agency_id=actor.agency_id,
            is_active=True,
            pk__in=set(alert_user_ids) | set(lockdown_user_ids),
        )
    }
    alerted = [staff.get(pk) for pk in set(alert_user_ids)]
    if any(u is None or not may_receive_alerts(u) for u in alerted):
        errors["alerts"] = [
            _("Choose active staff who may see persons of concern to receive alerts.")
        ]
    lockdown = [staff.get(pk) for pk in set(lockdown_user_ids)]
    if any(u is None or not may_be_lockdown_admin(u) for u in lockdown):
        errors["lockdown"] = [_("Only active agency administrators can run a lockdown.")]
    if two_to_end_lockdown and len(set(lockdown_user_ids)) < 2:
        errors["two_to_end_lockdown"] = [
            _("Designate at least two lockdown administrators for this policy.")
        ]
    if running_lockdown(actor.agency_id) is not None and not lockdown_user_ids:
        errors["lockdown"] = [_("During a lockdown, keep at least one lockdown administrator.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for duty, ids in (
            (Designation.Duty.ALERTS, set(alert_user_ids)),
            (Designation.Duty.LOCKDOWN, set(lockdown_user_ids)),
        ):
            Designation.objects.filter(agency_id=actor.agency_id, duty=duty).exclude(
                user_id__in=ids
            ).delete()
            existing = set(
                Designation.objects.filter(agency_id=actor.agency_id, duty=duty).values_list(
                    "user_id", flat=True
                )
            )
            Designation.objects.bulk_create(
                Designation(agency_id=actor.agency_id, user_id=pk, duty=duty)
                for pk in sorted(ids - existing)
            )
        SafetyPolicy.objects.update_or_create(
            agency_id=actor.agency_id, defaults={"two_to_end_lockdown": two_to_end_lockdown}
        )
        audit_record(
            action=Action.SAFETY_SETTINGS_CHANGED,
            actor=actor,
            object_type="agency",
            object_id=actor.agency_id,
            detail={
                "alerts": sorted(set(alert_user_ids)),
                "lockdown": sorted(set(lockdown_user_ids)),
                "two_to_end_lockdown": two_to_end_lockdown,
            },
        )
