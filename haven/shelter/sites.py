"""Writes of the agency's shelter sites: setting a site up (alias, team,
beds, keyholders), its sealed details, opening its address, and closing it
to admissions.

Each write is checked by its policy (anything outside the actor's reach is
``NotFound``, as if it did not exist), validated in full before anything is
written, and audited in the same transaction. An audit row holds ids and
codes only: never a site's name, address, phone or rules
(docs/adr/0026-shelter-and-agency-steps.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from haven.accounts.models import User
from haven.accounts.stepup import WRONG_CODE, second_factor_valid
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import keys, limits
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.core.text import check_texts, single_spaced
from haven.safety.lockdown import two_to_end
from haven.shelter.models import (
    AddressOpening,
    Bed,
    OpeningReason,
    ShelterSite,
    SiteClosure,
    SiteKeyholder,
)
from haven.shelter.policies import (
    may_close_site,
    may_hold_site_keys,
    may_manage_site,
    may_manage_sites,
    may_move_site_to,
    may_name_keyholder,
    may_open_site_address,
)
from haven.shelter.selectors import closure_in_force

# The protocol's "a day to a week" (step 10), as for a lockdown.
CLOSURE_MIN_DAYS = 1
CLOSURE_MAX_DAYS = 7
BED_TAKEN = _lazy("This room already has a bed with this label.")


def _site_for(
    actor: User, site_id: uuid.UUID, rule: Callable[[User, ShelterSite], bool]
) -> ShelterSite:
    """The site, if ``rule`` lets the actor act on it; NotFound otherwise,
    exactly like a site that does not exist."""
    site = ShelterSite.objects.filter(pk=site_id, agency_id=actor.agency_id).first()
    if site is None or not rule(actor, site):
        raise NotFound
    return site


# --- Setting a site up ---


@dataclass(frozen=True)
class SiteValues:
    alias: str
    team_id: int | None
    is_active: bool = True


def _checked_site(actor: User, values: SiteValues, *, site_id: uuid.UUID | None) -> tuple[str, int]:
    """The alias and team to store, once the values are known to be right."""
    alias = single_spaced(values.alias or "")
    errors: dict[str, list[str]] = {}
    check_texts(errors, [("alias", alias, limits.SHORT_LINE)])
    if not alias:
        errors.setdefault("alias", []).append(
            _("Give the site a public alias, such as “Site A”. Never its address.")
        )
    elif (
        ShelterSite.objects.filter(agency_id=actor.agency_id, alias__iexact=alias)
        .exclude(pk__in=[site_id] if site_id else [])
        .exists()
    ):
        errors.setdefault("alias", []).append(
            _("Another site of the agency already has this alias. Choose another.")
        )
    if not Team.objects.filter(
        pk=values.team_id or 0, agency_id=actor.agency_id, is_active=True
    ).exists():
        errors["team_id"] = [_("Choose one of the agency's teams: its shelter staff work here.")]
    if errors or values.team_id is None:
        raise ValidationError(errors)
    return alias, values.team_id


def _same_alias() -> ValidationError:
    """Two administrators choosing one alias at the same moment."""
    return ValidationError(
        {"alias": [_("Another site of the agency already has this alias. Choose another.")]}
    )


def site_create(*, actor: User, values: SiteValues) -> ShelterSite:
    """A new site, by alias and team. Its sealed details are set by those who
    may know them (``site_sealed_set``), never by an administrator's role."""
    if not may_manage_sites(actor):
        raise NotFound
    alias, team_id = _checked_site(actor, values, site_id=None)
    try:
        with transaction.atomic():
            site = ShelterSite.objects.create(
                agency_id=actor.agency_id,
                team_id=team_id,
                alias=alias,
                is_active=values.is_active,
                created_by=actor,
            )
            audit_record(
                action=Action.SITE_CREATED,
                actor=actor,
                object_type="shelter_site",
                object_id=site.pk,
                detail={"team": values.team_id},
            )
    except IntegrityError as error:
        raise _same_alias() from error
    return site


def site_edit(*, actor: User, site_id: uuid.UUID, values: SiteValues) -> ShelterSite:
    site = _site_for(actor, site_id, may_manage_site)
    alias, team_id = _checked_site(actor, values, site_id=site.pk)
    if team_id != site.team_id and not may_move_site_to(actor, team_id):
        raise ValidationError(
            {
                "team_id": [
                    _("You work in this team: another administrator must move the site to it.")
                ]
            }
        )
    try:
        with transaction.atomic():
            ShelterSite.objects.filter(pk=site.pk).update(
                alias=alias, team_id=team_id, is_active=values.is_active
            )
            audit_record(
                action=Action.SITE_CHANGED,
                actor=actor,
                object_type="shelter_site",
                object_id=site.pk,
                detail={"team": values.team_id, "active": values.is_active},
            )
    except IntegrityError as error:
        raise _same_alias() from error
    site.refresh_from_db()
    return site


# --- Beds ---


def bed_add(*, actor: User, site_id: uuid.UUID, room: str, label: str) -> Bed:
    """A bed in a room of the site; the site's capacity is its active beds."""
    site = _site_for(actor, site_id, may_manage_site)
    room, label = single_spaced(room or ""), single_spaced(label or "")
    errors: dict[str, list[str]] = {}
    check_texts(errors, [("room", room, limits.BED_LABEL), ("label", label, limits.BED_LABEL)])
    if not room:
        errors.setdefault("room", []).append(_("Say which room, as staff call it."))
    if not label:
        errors.setdefault("label", []).append(_("Say which bed, as staff call it."))
    same = Bed.objects.filter(site=site, room__iexact=room, label__iexact=label)
    if not errors and same.exists():
        errors["label"] = [str(BED_TAKEN)]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            bed = Bed.objects.create(site=site, room=room, label=label)
            audit_record(
                action=Action.SITE_BEDS_CHANGED,
                actor=actor,
                object_type="shelter_site",
                object_id=site.pk,
                detail={"bed": bed.pk, "added": True},
            )
    except IntegrityError as error:
        raise ValidationError({"label": [str(BED_TAKEN)]}) from error
    return bed


def bed_set_active(*, actor: User, bed_id: int, is_active: bool) -> Bed:
    """Take a bed out of use, or back into it. Beds are never deleted: past
    stays name them, and occupancy on a past date must still add up."""
    bed = Bed.objects.filter(pk=bed_id, site__agency_id=actor.agency_id).first()
    if bed is None:
        raise NotFound
    _site_for(actor, bed.site_id, may_manage_site)
    with transaction.atomic():
        Bed.objects.filter(pk=bed.pk).update(is_active=is_active)
        audit_record(
            action=Action.SITE_BEDS_CHANGED,
            actor=actor,
            object_type="shelter_site",
            object_id=bed.site_id,
            detail={"bed": bed.pk, "active": is_active},
        )
    bed.is_active = is_active
    return bed


# --- Keyholders ---


def keyholder_add(*, actor: User, site_id: uuid.UUID, user_id: int) -> SiteKeyholder:
    """Name a supervisor of the agency as knowing the site's address."""
    site = _site_for(actor, site_id, may_manage_site)
    named = User.objects.filter(pk=user_id, agency_id=actor.agency_id, is_active=True).first()
    if named is None or not may_hold_site_keys(named):
        raise ValidationError(
            {"user_id": [_("Choose a supervisor of the agency: only they may be keyholders.")]}
        )
    if not may_name_keyholder(actor, named):
        raise ValidationError({"user_id": [_("Another administrator must name you.")]})
    if SiteKeyholder.objects.filter(site=site, user=named).exists():
        raise ValidationError({"user_id": [_("This supervisor is already a keyholder here.")]})
    try:
        with transaction.atomic():
            held = SiteKeyholder.objects.create(site=site, user=named, added_by=actor)
            audit_record(
                action=Action.SITE_KEYHOLDER_ADDED,
                actor=actor,
                object_type="shelter_site",
                object_id=site.pk,
                detail={"user": named.pk},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"user_id": [_("This supervisor is already a keyholder here.")]}
        ) from error
    return held


def keyholder_remove(*, actor: User, site_id: uuid.UUID, user_id: int) -> None:
    site = _site_for(actor, site_id, may_manage_site)
    with transaction.atomic():
        removed, _rows = SiteKeyholder.objects.filter(site=site, user_id=user_id).delete()
        if not removed:
            raise ValidationError(_("This person is not a keyholder of the site."))
        audit_record(
            action=Action.SITE_KEYHOLDER_REMOVED,
            actor=actor,
            object_type="shelter_site",
            object_id=site.pk,
            detail={"user": user_id},
        )


# --- The sealed details ---


@dataclass(frozen=True)
class SealedValues:
    """What only those who may open the address know of a site. None keeps
    what is recorded; "" clears it."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None
    rules: str | None = None


SEALED_LIMITS = {
    "name": limits.LINE,
    "address": limits.SUMMARY,
    "phone": limits.PHONE,
    "rules": limits.LONG_NOTE,
}
# Written on several lines; the others are one line.
_MULTILINE = frozenset({"address", "rules"})


def site_sealed_set(
    *, actor: User, site_id: uuid.UUID, values: SealedValues, second_factor: str
) -> ShelterSite:
    """Set the site's name, address, phone and rules, sealed under the site's
    own data key (made with the first sealed value). Only those who may open
    the address may set it, with a fresh code from their authenticator as
    for opening it: a stolen session alone cannot send staff driving
    residents to another address. The audit row says which fields changed,
    never what they say."""
    site = _site_for(actor, site_id, may_open_site_address)
    texts = {
        name: (value.strip() if name in _MULTILINE else single_spaced(value))
        for name in SEALED_LIMITS
        if (value := getattr(values, name)) is not None
    }
    errors: dict[str, list[str]] = {}
    check_texts(errors, [(name, text, SEALED_LIMITS[name]) for name, text in texts.items()])
    if errors:
        raise ValidationError(errors)
    if not texts:
        raise ValidationError(_("Nothing to change: fill in what you want to record."))
    if not second_factor_valid(actor, second_factor):
        raise ValidationError({"second_factor": [str(WRONG_CODE)]})
    with transaction.atomic():
        site = ShelterSite.objects.select_for_update().get(pk=site.pk)
        if site.data_key_id is None:
            site.data_key = keys.data_key_create(actor.agency)[0]
        for name, text in texts.items():
            setattr(site, name, text or None)
        site.save(update_fields=["data_key", *texts])
        audit_record(
            action=Action.SITE_SEALED_CHANGED,
            actor=actor,
            object_type="shelter_site",
            object_id=site.pk,
            detail={"changed": sorted(texts)},
        )
    return site


@dataclass(frozen=True)
class SiteAddress:
    """A site's sealed details, opened for one response only."""

    name: str
    address: str
    phone: str
    rules: str


def site_address_open(
    *, actor: User, site_id: uuid.UUID, reason: str, second_factor: str
) -> SiteAddress:
    """Open the site's address, like break-glass: a reason from the list and
    a fresh code from the actor's authenticator; the opening is recorded and
    audited with the site's id and the reason's code, never the address."""
    site = _site_for(actor, site_id, may_open_site_address)
    if reason not in OpeningReason.values:
        raise ValidationError({"reason": [_("Choose why you need the address.")]})
    if not second_factor_valid(actor, second_factor):
        raise ValidationError({"second_factor": [str(WRONG_CODE)]})
    with transaction.atomic():
        opening = AddressOpening.objects.create(site=site, user=actor, reason=reason)
        audit_record(
            action=Action.SITE_ADDRESS_OPENED,
            actor=actor,
            object_type="shelter_site",
            object_id=site.pk,
            detail={"reason": reason, "opening": str(opening.pk)},
        )
    if site.data_key_id is None:
        return SiteAddress(name="", address="", phone="", rules="")
    return SiteAddress(
        name=site.name or "",
        address=site.address or "",
        phone=site.phone or "",
        rules=site.rules or "",
    )


# --- Closing a site to admissions ---


def site_close(*, actor: User, site_id: uuid.UUID, days: int | None, why: str) -> SiteClosure:
    """Close the site to new admissions for 1 to 7 days, at once: a site
    whose location may be known must stop taking people now. Reopening
    early is what needs a second administrator, where the agency asks for
    two (``site_reopen``)."""
    site = _site_for(actor, site_id, may_close_site)
    errors: dict[str, list[str]] = {}
    if days is None or not CLOSURE_MIN_DAYS <= days <= CLOSURE_MAX_DAYS:
        errors["days"] = [
            _("A site closes for %(low)d to %(high)d days.")
            % {"low": CLOSURE_MIN_DAYS, "high": CLOSURE_MAX_DAYS}
        ]
    if why not in SiteClosure.Why.values:
        errors["why"] = [_("Choose why the site closes.")]
    if errors:
        raise ValidationError(errors)
    assert days is not None  # noqa: S101 - checked above; narrows the type
    now = timezone.now()
    with transaction.atomic():
        # One closure at a time per site: lock the site's row while deciding.
        ShelterSite.objects.select_for_update().filter(pk=site.pk).first()
        running = closure_in_force(site, now)
        if running is not None:
            raise ValidationError(
                _("This site is already closed to admissions until %(until)s.")
                % {"until": timezone.localtime(running.ends_at).strftime("%Y-%m-%d %H:%M")}
            )
        closure = SiteClosure.objects.create(
            site=site,
            why=why,
            starts_at=now,
            ends_at=now + timedelta(days=days),
            requested_by=actor,
            two_to_reopen=two_to_end(actor.agency_id),
        )
        audit_record(
            action=Action.SITE_CLOSED,
            actor=actor,
            object_type="shelter_site",
            object_id=site.pk,
            detail={"closure": str(closure.pk), "days": days, "why": why},
        )
    return closure


def site_reopen(*, actor: User, site_id: uuid.UUID) -> bool:
    """Reopen the site to admissions before its closure ends. True when it
    reopened; False when the agency asks for two lockdown administrators and
    this was the first (a second one must now reopen it)."""
    site = _site_for(actor, site_id, may_close_site)
    now = timezone.now()
    with transaction.atomic():
        running = closure_in_force(site, now)
        row = (
            SiteClosure.objects.select_for_update().filter(pk=running.pk).first()
            if running is not None
            else None
        )
        if row is None or row.reopened_at is not None:
            raise ValidationError(_("This site is not closed to admissions."))
        if row.two_to_reopen:
            if row.reopen_requested_by_id is None:
                row.reopen_requested_by = actor
                row.reopen_requested_at = now
                row.save(update_fields=["reopen_requested_by", "reopen_requested_at"])
                audit_record(
                    action=Action.SITE_REOPEN_REQUESTED,
                    actor=actor,
                    object_type="shelter_site",
                    object_id=site.pk,
                    detail={"closure": str(row.pk)},
                )
                return False
            if row.reopen_requested_by_id == actor.pk:
                raise ValidationError(
                    _("A second lockdown administrator must confirm that the site reopens.")
                )
        row.reopened_at = now
        row.reopened_by = actor
        row.save(update_fields=["reopened_at", "reopened_by"])
        audit_record(
            action=Action.SITE_REOPENED,
            actor=actor,
            object_type="shelter_site",
            object_id=site.pk,
            detail={"closure": str(row.pk), "confirmed_by": row.reopen_requested_by_id},
        )
    return True
