"""The agency's shelter sites over the JSON API: schemas and routing only.

A site is named by its public alias. Its name as staff know it, address,
phone and rules are sealed and answered by one operation only,
``POST /shelter/sites/{site_id}/address``, which takes a reason and a fresh
code from the caller's authenticator and is recorded like break-glass; it
answers 404 to anyone but the site team's shelter staff and its keyholders,
exactly like a site that does not exist. Who may see and do what is decided
by ``haven.shelter.policies`` through the app's selectors and services.

A service's refusal answers 422 at the field of the body it is about.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import StrictBool, StrictInt

from haven.accounts.http import authenticated_user
from haven.api.common import (
    NO_CONTENT,
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    refusals_at,
    uuid_or_404,
)
from haven.api.inputs import (
    LARGEST_ID,
    Coded,
    Input,
    Lines,
    OneLine,
    ShortLine,
    StaffId,
)
from haven.core import limits
from haven.core.errors import NotFound
from haven.shelter import site_selectors, sites
from haven.shelter.models import Bed, OpeningReason
from haven.shelter.policies import may_manage_site

router = Router(tags=["shelter"])

# --- Sites ---

SiteId = PathEx[str, P(description="The site's id, a UUID.")]
BedId = PathEx[str, P(description="The bed's id, a number.")]
UserId = PathEx[str, P(description="The staff member's id, a number.")]
BedLabel = Annotated[str, OneLine(limits.BED_LABEL)]
TeamId = Annotated[StrictInt, Field(gt=0, le=LARGEST_ID)]


class SiteOut(Schema):
    id: uuid.UUID
    alias: str = Field(description="The site's public alias: how everything names it.")
    team_id: int = Field(description="The team whose shelter staff work at the site.")
    is_active: bool
    capacity: int = Field(description="Its beds in use.")
    occupied_tonight: int = Field(description="Stays holding a bed tonight.")
    closed_until: datetime | None = Field(
        description="When a closure to new admissions ends, while one is in force."
    )


class BedOut(Schema):
    id: int
    room: str
    label: str
    is_active: bool
    taken_tonight: bool


class SiteIn(Input):
    alias: ShortLine = Field(description="Required; unique in the agency. Never the address.")
    team_id: TeamId = Field(description="A team of your agency.")
    is_active: StrictBool = True


class BedIn(Input):
    room: BedLabel = Field(description="The room, as staff call it.")
    label: BedLabel = Field(description="The bed, as staff call it; unique in its room.")


class BedActiveIn(Input):
    is_active: StrictBool = Field(description="False takes the bed out of use.")


class KeyholderIn(Input):
    user_id: StaffId = Field(description="A supervisor of your agency.")


class SealedIn(Input):
    """Absent or null keeps what is recorded; "" clears it."""

    name: Annotated[str, OneLine(limits.LINE)] | None = None
    address: Annotated[str, Lines(limits.SUMMARY)] | None = None
    phone: Annotated[str, OneLine(limits.PHONE)] | None = None
    rules: Annotated[str, Lines(limits.LONG_NOTE)] | None = None
    second_factor: Annotated[str, OneLine(64)] = Field(
        description="A current code from your authenticator app, or a recovery code."
    )


class AddressIn(Input):
    reason: Annotated[str, Coded(OpeningReason)] = Field(description="Why you need it.")
    second_factor: Annotated[str, OneLine(64)] = Field(
        description="A current code from your authenticator app, or a recovery code."
    )


class AddressOut(Schema):
    name: str
    address: str
    phone: str
    rules: str


def _number_or_404(value: str) -> int:
    """A malformed id answers exactly like a record that does not exist."""
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= LARGEST_ID:
        raise NotFound
    return int(value)


def _site_out(row: site_selectors.SiteRow) -> SiteOut:
    return SiteOut(
        id=row.site.pk,
        alias=row.site.alias,
        team_id=row.site.team_id,
        is_active=row.site.is_active,
        capacity=row.capacity,
        occupied_tonight=row.occupied,
        closed_until=row.closed_until,
    )


def _bed_out(bed: Bed, taken: bool) -> BedOut:
    return BedOut(
        id=bed.pk, room=bed.room, label=bed.label, is_active=bed.is_active, taken_tonight=taken
    )


@router.get("/shelter/sites", response={200: list[SiteOut], **NOT_FOUND})
def shelter_site_list(request: HttpRequest) -> list[SiteOut]:
    """Your agency's shelter sites, by alias, with tonight's occupancy.

    Never an address. Advocates, supervisors, shelter staff and administrators.
    """
    user = authenticated_user(request)
    return [_site_out(row) for row in site_selectors.site_list(user=user)]


@router.post("/shelter/sites", response={201: SiteOut, **WRITE_FAILURES})
def shelter_site_create(request: HttpRequest, site: SiteIn) -> Status[SiteOut]:
    """Add a shelter site, by alias and team.

    Its sealed details are recorded by its shelter staff or keyholders. Administrators.
    """
    user = authenticated_user(request)
    values = sites.SiteValues(alias=site.alias, team_id=site.team_id, is_active=site.is_active)
    with refusals_at():
        made = sites.site_create(actor=user, values=values)
    return Status(201, _site_out(site_selectors.site_row(user=user, site_id=made.pk)))


@router.get("/shelter/sites/{site_id}", response={200: SiteOut, **NOT_FOUND})
def shelter_site_detail(request: HttpRequest, site_id: SiteId) -> SiteOut:
    """One shelter site, by alias.

    Never its address. Advocates, supervisors, shelter staff and administrators.
    """
    user = authenticated_user(request)
    return _site_out(site_selectors.site_row(user=user, site_id=uuid_or_404(site_id)))


@router.put("/shelter/sites/{site_id}", response={200: SiteOut, **WRITE_FAILURES})
def shelter_site_edit(request: HttpRequest, site_id: SiteId, site: SiteIn) -> SiteOut:
    """Change a site's alias, team, or whether it is in use.

    Administrators.
    """
    user = authenticated_user(request)
    values = sites.SiteValues(alias=site.alias, team_id=site.team_id, is_active=site.is_active)
    with refusals_at():
        sites.site_edit(actor=user, site_id=uuid_or_404(site_id), values=values)
    return _site_out(site_selectors.site_row(user=user, site_id=site_id))


@router.get("/shelter/sites/{site_id}/beds", response={200: list[BedOut], **NOT_FOUND})
def shelter_bed_list(request: HttpRequest, site_id: SiteId) -> list[BedOut]:
    """A site's beds by room, and whether each is taken tonight.

    No resident is named. Whoever may see the site.
    """
    user = authenticated_user(request)
    site = site_selectors.site_get(user=user, site_id=uuid_or_404(site_id))
    return [_bed_out(row.bed, row.taken) for row in site_selectors.site_beds(site)]


@router.post("/shelter/sites/{site_id}/beds", response={201: BedOut, **WRITE_FAILURES})
def shelter_bed_add(request: HttpRequest, site_id: SiteId, bed: BedIn) -> Status[BedOut]:
    """Add a bed to a room of a site.

    The site's capacity is its beds in use. Administrators.
    """
    user = authenticated_user(request)
    with refusals_at():
        made = sites.bed_add(
            actor=user, site_id=uuid_or_404(site_id), room=bed.room, label=bed.label
        )
    return Status(201, _bed_out(made, taken=False))


@router.put("/shelter/sites/{site_id}/beds/{bed_id}", response={200: BedOut, **WRITE_FAILURES})
def shelter_bed_edit(
    request: HttpRequest, site_id: SiteId, bed_id: BedId, bed: BedActiveIn
) -> BedOut:
    """Take a bed out of use, or put it back.

    Beds are never deleted: past stays name them. Administrators.
    """
    user = authenticated_user(request)
    site = site_selectors.site_get(user=user, site_id=uuid_or_404(site_id))
    wanted = _number_or_404(bed_id)
    if not may_manage_site(user, site) or not site.beds.filter(pk=wanted).exists():
        raise NotFound
    changed = sites.bed_set_active(actor=user, bed_id=wanted, is_active=bed.is_active)
    taken = next(r.taken for r in site_selectors.site_beds(site) if r.bed.pk == changed.pk)
    return _bed_out(changed, taken)


@router.post("/shelter/sites/{site_id}/keyholders", response={**NO_CONTENT, **WRITE_FAILURES})
def shelter_keyholder_add(
    request: HttpRequest, site_id: SiteId, keyholder: KeyholderIn
) -> Status[None]:
    """Name a supervisor as a keyholder of a site: they may then open its address.

    Administrators.
    """
    user = authenticated_user(request)
    with refusals_at():
        sites.keyholder_add(actor=user, site_id=uuid_or_404(site_id), user_id=keyholder.user_id)
    return Status(204, None)


@router.delete(
    "/shelter/sites/{site_id}/keyholders/{user_id}",
    response={**NO_CONTENT, **NOT_FOUND, **REFUSED},
)
def shelter_keyholder_remove(
    request: HttpRequest, site_id: SiteId, user_id: UserId
) -> Status[None]:
    """Remove a keyholder of a site.

    Administrators.
    """
    user = authenticated_user(request)
    with refusals_at(whole=("path", "user_id")):
        sites.keyholder_remove(
            actor=user, site_id=uuid_or_404(site_id), user_id=_number_or_404(user_id)
        )
    return Status(204, None)


@router.put("/shelter/sites/{site_id}/sealed", response={**NO_CONTENT, **WRITE_FAILURES})
def shelter_site_sealed(request: HttpRequest, site_id: SiteId, sealed: SealedIn) -> Status[None]:
    """Record a site's name as staff know it, address, phone and rules, sealed.

    Answers nothing back. The site team's shelter staff and its keyholders, with a fresh code
    from their authenticator as for opening the address: refused with 422 at second_factor,
    nothing written, on a wrong or missing code.
    """
    user = authenticated_user(request)
    values = sites.SealedValues(
        name=sealed.name, address=sealed.address, phone=sealed.phone, rules=sealed.rules
    )
    with refusals_at():
        sites.site_sealed_set(
            actor=user,
            site_id=uuid_or_404(site_id),
            values=values,
            second_factor=sealed.second_factor,
        )
    return Status(204, None)


@router.post("/shelter/sites/{site_id}/address", response={200: AddressOut, **WRITE_FAILURES})
def shelter_site_address(request: HttpRequest, site_id: SiteId, opening: AddressIn) -> AddressOut:
    """Open a site's address, with a reason and a fresh second-factor code.

    Recorded like break-glass: who, when and the reason's code, never the address. Do not keep
    the answer. The site team's shelter staff and its keyholders; 404 to anyone else.
    """
    user = authenticated_user(request)
    with refusals_at():
        opened = sites.site_address_open(
            actor=user,
            site_id=uuid_or_404(site_id),
            reason=opening.reason,
            second_factor=opening.second_factor,
        )
    return AddressOut(
        name=opened.name, address=opened.address, phone=opened.phone, rules=opened.rules
    )


routers = (router,)
