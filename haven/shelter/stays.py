"""Writes of stays: admitting to a bed, moving, ending, marking a stay
compromised, the waiting list, check-ins and placements at a partner.

Every write and its audit event happen in one transaction. A bed's stays and
the case's stays are locked (``select_for_update``; on SQLite every write
transaction is IMMEDIATE, which serialises writers) before the checks that
keep two stays off one bed, and one person out of two beds, on any night.
Audit rows carry ids and codes only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.text import check_texts
from haven.partners.models import Organization, PartnerKind
from haven.people.models import Case
from haven.people.policies import may_open_case
from haven.protocol.models import Need, Step
from haven.protocol.tracker import step_reopen
from haven.referrals.services import ReferralRequest, referral_send
from haven.shelter import policies
from haven.shelter.models import Bed, CheckIn, ShelterSite, Stay, StayOutcome, StayRequest
from haven.shelter.selectors import closure_in_force

# How far back an admission, a move or an end may be dated: a weekend's
# arrivals written up on Monday, not a history rewritten months later.
BACKDATE_DAYS = 7
# How far ahead a bed may be held for someone who is coming.
AHEAD_DAYS = 30
SHELTER_NEED = "shelter"


def _day_in_reach(day: date, field_name: str, errors: dict[str, list[str]]) -> None:
    today = timezone.localdate()
    if day < today - timedelta(days=BACKDATE_DAYS):
        errors.setdefault(field_name, []).append(
            _("Choose a day no more than %(days)s days ago.") % {"days": BACKDATE_DAYS}
        )
    elif day > today + timedelta(days=AHEAD_DAYS):
        errors.setdefault(field_name, []).append(
            _("Choose a day no more than %(days)s days ahead.") % {"days": AHEAD_DAYS}
        )


def _from(day: date) -> Q:
    """Stays that hold a night on or after ``day``: those an open-ended stay
    from ``day`` would overlap."""
    return Q(ends_on__isnull=True) | Q(ends_on__gt=day)


def _workable_case(actor: User, case: Case) -> None:
    if case.agency_id != actor.agency_id or not may_open_case(actor, case.pk):
        raise NotFound
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed: reopen it before admitting anyone."))


def _bed_of_agency(actor: User, bed_id: int | None) -> Bed:
    """An active bed of an active site of the actor's agency; another
    agency's bed and a missing one are not found."""
    bed = (
        Bed.objects.filter(pk=bed_id, site__agency_id=actor.agency_id)
        .select_related("site")
        .first()
        if bed_id is not None
        else None
    )
    if bed is None:
        raise NotFound
    if not bed.is_active or not bed.site.is_active:
        raise ValidationError({"bed": [_("This bed is not in use: choose another.")]})
    return bed


def _refuse_closed(site: ShelterSite) -> None:
    closure = closure_in_force(site)
    if closure is not None:
        reopens = formats.date_format(timezone.localtime(closure.ends_at), "DATE_FORMAT")
        raise ValidationError(
            {
                "bed": [
                    _(
                        "This site is closed to new admissions until %(day)s. Choose a bed at "
                        "another site, or put the person on the waiting list."
                    )
                    % {"day": reopens}
                ]
            }
        )


def _refuse_overlaps(case: Case, bed: Bed, starts_on: date, *, leaving: Stay | None) -> None:
    """Inside the transaction, with the rows locked: the bed free and the
    person in no other stay from ``starts_on`` on."""
    others = Stay.objects.exclude(pk=leaving.pk) if leaving is not None else Stay.objects
    list(Bed.objects.select_for_update().filter(pk=bed.pk))
    list(Case.objects.select_for_update().filter(pk=case.pk))
    if others.filter(_from(starts_on), bed=bed).exists():
        raise ValidationError({"bed": [_("This bed is taken on some of these nights.")]})
    if others.filter(_from(starts_on), case__person_id=case.person_id).exists():
        raise ValidationError(
            {"starts_on": [_("This person already has a stay on some of these nights.")]}
        )


def _new_stay(actor: User, case: Case, bed: Bed | None, starts_on: date, notes: str) -> Stay:
    stay = Stay(
        case=case,
        data_key_id=case.person.data_key_id,
        site=bed.site if bed is not None else None,
        bed=bed,
        starts_on=starts_on,
        created_by=actor,
    )
    stay.safety_notes = notes or None
    stay.save()
    return stay


def stay_admit(
    *,
    actor: User,
    case: Case,
    bed_id: int | None,
    starts_on: date | None = None,
    safety_notes: str = "",
    request_id: uuid.UUID | None = None,
) -> Stay:
    """Admit the person of ``case`` to a bed from ``starts_on`` (today by
    default), closing the waiting-list request it came from, if any."""
    _workable_case(actor, case)
    bed = _bed_of_agency(actor, bed_id)
    if not policies.may_admit(actor, bed.site):
        raise NotFound
    request = None
    if request_id is not None:
        request = StayRequest.objects.filter(
            pk=request_id, case=case, status=StayRequest.Status.WAITING
        ).first()
        if request is None:
            raise NotFound
    day = starts_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _day_in_reach(day, "starts_on", errors)
    notes = safety_notes.strip()
    check_texts(errors, [("safety_notes", notes, limits.NOTE)])
    if errors:
        raise ValidationError(errors)
    _refuse_closed(bed.site)
    with transaction.atomic():
        _refuse_overlaps(case, bed, day, leaving=None)
        stay = _new_stay(actor, case, bed, day, notes)
        if request is not None:
            request.status = StayRequest.Status.ADMITTED
            request.closed_at = timezone.now()
            request.save(update_fields=["status", "closed_at"])
        audit_record(
            action=Action.STAY_ADMITTED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={
                "stay": str(stay.pk),
                "site": str(bed.site_id),
                "bed": bed.pk,
                "request": str(request.pk) if request is not None else "",
            },
        )
    return stay


def _current(stay: Stay) -> None:
    if stay.ends_on is not None:
        raise ValidationError(_("This stay has already ended."))


def _still_current(stay: Stay) -> Stay:
    """Inside the transaction: ``stay`` as it is now, locked, and still
    open. The copy a page loaded may be stale: another tab may have moved
    or ended it meanwhile."""
    locked = Stay.objects.select_for_update().filter(pk=stay.pk).first()
    if locked is None or locked.ends_on is not None:
        raise ValidationError(_("This stay has already ended or moved."))
    return locked


def may_reach(actor: User, stay: Stay) -> bool:
    """Whether ``actor`` may see ``stay`` at all: its site's residents, or
    its case."""
    if stay.case.agency_id != actor.agency_id:
        return False
    if stay.site is not None and policies.may_see_residents(actor, stay.site):
        return True
    return may_open_case(actor, stay.case_id)


def _changeable(actor: User, stay: Stay) -> None:
    if not may_reach(actor, stay) or not policies.may_change_stay(actor, stay.site):
        raise NotFound


def stay_move(*, actor: User, stay: Stay, bed_id: int | None, on: date | None = None) -> Stay:
    """End ``stay`` on ``on`` (today by default) as moved, and start one in
    another bed the same day: one transaction, so no night is lost or
    counted twice."""
    _changeable(actor, stay)
    _current(stay)
    case = stay.case
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed: reopen it before admitting anyone."))
    bed = _bed_of_agency(actor, bed_id)
    if not policies.may_admit(actor, bed.site):
        raise NotFound
    day = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _day_in_reach(day, "on", errors)
    if day < stay.starts_on:
        errors.setdefault("on", []).append(_("A stay cannot end before it began."))
    if bed.pk == stay.bed_id:
        errors.setdefault("bed", []).append(_("Choose another bed than the one the person is in."))
    if errors:
        raise ValidationError(errors)
    if bed.site_id != stay.site_id:
        # A room move inside a closed site is not an admission; a new site is.
        _refuse_closed(bed.site)
    with transaction.atomic():
        _still_current(stay)
        _refuse_overlaps(case, bed, day, leaving=stay)
        stay.ends_on = day
        stay.outcome = StayOutcome.MOVED
        stay.ended_by = actor
        stay.save(update_fields=["ends_on", "outcome", "ended_by"])
        moved = _new_stay(actor, case, bed, day, str(stay.safety_notes or ""))
        audit_record(
            action=Action.STAY_MOVED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={
                "stay": str(stay.pk),
                "to_stay": str(moved.pk),
                "site": str(bed.site_id),
                "bed": bed.pk,
            },
        )
    return moved


def stay_end(*, actor: User, stay: Stay, ends_on: date | None, outcome: str) -> Stay:
    """End ``stay``: its last night is the one before ``ends_on``."""
    _changeable(actor, stay)
    _current(stay)
    errors: dict[str, list[str]] = {}
    day = ends_on or timezone.localdate()
    if outcome not in StayOutcome.values or outcome == StayOutcome.MOVED:
        # A move is made with the move form, which starts the next stay.
        errors["outcome"] = [_("Choose how the stay ended.")]
    if day < stay.starts_on:
        errors["ends_on"] = [_("A stay cannot end before it began.")]
    else:
        _day_in_reach(day, "ends_on", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _still_current(stay)
        stay.ends_on = day
        stay.outcome = outcome
        stay.ended_by = actor
        stay.save(update_fields=["ends_on", "outcome", "ended_by"])
        audit_record(
            action=Action.STAY_ENDED,
            actor=actor,
            object_type="case",
            object_id=stay.case_id,
            detail={"stay": str(stay.pk), "outcome": outcome, "site": str(stay.site_id or "")},
        )
    return stay


def stay_mark_compromised(*, actor: User, stay: Stay) -> Stay:
    """A trafficker may know where the person stays: mark the stay, and put
    the safety plan back in progress so the tracker prompts its review."""
    _changeable(actor, stay)
    _current(stay)
    if stay.compromised_at is not None:
        return stay  # a second click changes nothing
    with transaction.atomic():
        locked = _still_current(stay)
        if locked.compromised_at is not None:
            stay.compromised_at = locked.compromised_at
            return stay  # marked meanwhile from another tab
        stay.compromised_at = timezone.now()
        stay.save(update_fields=["compromised_at"])
        step_reopen(stay.case, Step.SAFETY, actor)
        audit_record(
            action=Action.STAY_COMPROMISED,
            actor=actor,
            object_type="case",
            object_id=stay.case_id,
            detail={"stay": str(stay.pk), "site": str(stay.site_id or "")},
        )
    return stay


# --- The waiting list ---


def stay_request_add(
    *,
    actor: User,
    case: Case,
    site_id: uuid.UUID | None,
    priority: str,
    note: str = "",
) -> StayRequest:
    """Put the person of ``case`` on the waiting list, for a site or any."""
    if not policies.may_work_stays(actor):
        raise NotFound
    _workable_case(actor, case)
    errors: dict[str, list[str]] = {}
    site = None
    if site_id is not None:
        site = ShelterSite.objects.filter(
            pk=site_id, agency_id=actor.agency_id, is_active=True
        ).first()
        if site is None:
            errors["site"] = [_("Choose one of your agency's sites, or any site.")]
    if priority not in StayRequest.Priority.values:
        errors["priority"] = [_("Choose how urgent it is.")]
    note = note.strip()
    check_texts(errors, [("note", note, limits.SUMMARY)])
    if StayRequest.objects.filter(case=case, status=StayRequest.Status.WAITING).exists():
        errors.setdefault("site", []).append(_("This person is already on the waiting list."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = StayRequest(
            case=case,
            data_key_id=case.person.data_key_id,
            agency_id=case.agency_id,
            site=site,
            priority=priority,
            asked_on=timezone.localdate(),
            created_by=actor,
        )
        request.note = note or None
        request.save()
        audit_record(
            action=Action.STAY_REQUESTED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"request": str(request.pk), "site": str(site_id or ""), "priority": priority},
        )
    return request


def stay_request_withdraw(*, actor: User, request: StayRequest) -> StayRequest:
    if request.case.agency_id != actor.agency_id or not may_open_case(actor, request.case_id):
        raise NotFound
    if not policies.may_work_stays(actor):
        raise NotFound
    if request.status != StayRequest.Status.WAITING:
        raise ValidationError(_("This request is no longer waiting."))
    with transaction.atomic():
        request.status = StayRequest.Status.WITHDRAWN
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "closed_at"])
        audit_record(
            action=Action.STAY_REQUEST_WITHDRAWN,
            actor=actor,
            object_type="case",
            object_id=request.case_id,
            detail={"request": str(request.pk)},
        )
    return request


# --- Check-ins ---


def check_in_record(*, actor: User, stay: Stay, wellbeing: str, note: str = "") -> CheckIn:
    """Shelter staff of the site saw (or missed) a current resident."""
    if stay.site is None or not policies.may_record_check_in(actor, stay.site):
        raise NotFound
    if not stay.covers(timezone.localdate()):
        raise ValidationError(_("Check-ins are for people staying tonight."))
    errors: dict[str, list[str]] = {}
    if wellbeing not in CheckIn.Wellbeing.values:
        errors["wellbeing"] = [_("Choose how the person is.")]
    note = note.strip()
    check_texts(errors, [("note", note, limits.SUMMARY)])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        check_in = CheckIn(stay=stay, data_key_id=stay.data_key_id, wellbeing=wellbeing, by=actor)
        check_in.note = note or None
        check_in.save()
        audit_record(
            action=Action.CHECK_IN_RECORDED,
            actor=actor,
            object_type="case",
            object_id=stay.case_id,
            detail={"stay": str(stay.pk), "check_in": str(check_in.pk), "wellbeing": wellbeing},
        )
    return check_in


# --- Placement at a partner ---


@dataclass(frozen=True)
class Placement:
    """Shelter secured at a partner, through a referral of the case's
    shelter need."""

    organization_id: uuid.UUID
    purpose: str
    kinds: Sequence[str]
    starts_on: date | None = None
    message: str = ""
    # Only when the person agreed to record more than "at partner".
    location_agreed: bool = False
    location: str = ""
    outside_expertise_confirmed: bool = False
    service_id: uuid.UUID | None = field(default=None)


def place_at_partner(*, actor: User, case: Case, placement: Placement) -> Stay:
    """Send the case's shelter need to a shelter partner through the
    consent gate and, once sent, record the stay there.

    The gate keeps its own transaction (its refusal is audited even though
    nothing else is written), so everything about the stay is checked
    before the referral goes, and checked again, locked, after."""
    if not policies.may_place_at_partner(actor):
        raise NotFound
    _workable_case(actor, case)
    errors: dict[str, list[str]] = {}
    need = (
        Need.objects.filter(case=case, category__code=SHELTER_NEED)
        .filter(Q(category__agency__isnull=True) | Q(category__agency_id=case.agency_id))
        .first()
    )
    if need is None:
        errors["organization_id"] = [
            _("Record the person's need for shelter in their needs first.")
        ]
    if not Organization.objects.filter(
        pk=placement.organization_id, agency_id=actor.agency_id, kind=PartnerKind.SHELTER
    ).exists():
        errors.setdefault("organization_id", []).append(
            _("Choose a shelter partner from your agency's directory.")
        )
    day = placement.starts_on or timezone.localdate()
    _day_in_reach(day, "starts_on", errors)
    location = placement.location.strip() if placement.location_agreed else ""
    check_texts(errors, [("location", location, limits.WIDE_LINE)])
    if placement.location.strip() and not placement.location_agreed:
        errors.setdefault("location", []).append(
            _("Record where only if the person agreed: tick the box, or leave it out.")
        )
    if Stay.objects.filter(_from(day), case__person_id=case.person_id).exists():
        errors.setdefault("starts_on", []).append(
            _("This person already has a stay on some of these nights.")
        )
    if errors:
        raise ValidationError(errors)
    assert need is not None  # noqa: S101 (errors raised above otherwise)
    referral = referral_send(
        actor=actor,
        case=case,
        request=ReferralRequest(
            need_id=need.pk,
            organization_id=placement.organization_id,
            service_id=placement.service_id,
            purpose=placement.purpose,
            kinds=placement.kinds,
            message=placement.message,
            outside_expertise_confirmed=placement.outside_expertise_confirmed,
        ),
    )
    with transaction.atomic():
        list(Case.objects.select_for_update().filter(pk=case.pk))
        if Stay.objects.filter(_from(day), case__person_id=case.person_id).exists():
            # Another tab admitted the person meanwhile: the referral stands.
            raise ValidationError(
                {"starts_on": [_("This person already has a stay on some of these nights.")]}
            )
        stay = _new_stay(actor, case, None, day, "")
        stay.referral = referral
        stay.location = location or None
        stay.save(update_fields=["referral", "location"])
        audit_record(
            action=Action.STAY_PLACED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={
                "stay": str(stay.pk),
                "referral": str(referral.pk),
                "location_recorded": bool(location),
            },
        )
    return stay
