"""Reads of the partner directory, always scoped to the asking user's agency.

A user who may not read the directory, and a row of another agency, both
answer 404 exactly like a row that does not exist. The directory holds no
one's identifying data, so reads are not audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.partners.languages import codes_for
from haven.partners.models import (
    AreaKind,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from haven.partners.policies import may_read_directory
from haven.protocol.models import NeedCategory

PAGE_SIZE = 50
STATEWIDE = "statewide"


def _require_reader(user: User) -> None:
    if not may_read_directory(user):
        raise NotFound


def organizations_of(user: User) -> QuerySet[Organization]:
    _require_reader(user)
    return Organization.objects.filter(agency_id=user.agency_id)


def services_of(user: User) -> QuerySet[Service]:
    _require_reader(user)
    return Service.objects.filter(agency_id=user.agency_id)


def terms_for(agency_id: int) -> QuerySet[TaxonomyTerm]:
    """Haven's shipped terms and the agency's own."""
    return TaxonomyTerm.objects.filter(Q(agency=None) | Q(agency_id=agency_id)).order_by(
        "code", "name", "id"
    )


@dataclass(frozen=True)
class DirectoryFilter:
    kind: str = ""
    need: str = ""  # a need category code
    language: str = ""  # an ISO 639 code
    area: str = ""  # "statewide" or a county FIPS code
    text: str = ""

    @property
    def on_services(self) -> bool:
        return bool(self.need or self.language or self.area)


def _service_q(wanted: DirectoryFilter) -> Q:
    """Services that match every service-level filter at once."""
    q = Q()
    if wanted.need:
        q &= Q(
            Exists(
                Service.need_categories.through.objects.filter(
                    service_id=OuterRef("pk"), needcategory__code=wanted.need
                )
            )
        )
    if wanted.language:
        q &= Q(
            Exists(
                Language.objects.filter(
                    service_id=OuterRef("pk"), code__in=sorted(codes_for(wanted.language))
                )
            )
        )
    if wanted.area:
        # A statewide service serves every county too.
        area_q = Q(kind=AreaKind.STATEWIDE)
        if wanted.area != STATEWIDE:
            area_q |= Q(county_id=wanted.area)
        q &= Q(Exists(ServiceArea.objects.filter(area_q, service_id=OuterRef("pk"))))
    return q


def directory_search(*, user: User, wanted: DirectoryFilter) -> QuerySet[Organization]:
    """The agency's partners that match the filters, by name."""
    organizations = organizations_of(user)
    if wanted.kind:
        organizations = organizations.filter(kind=wanted.kind)
    if wanted.text:
        text = wanted.text
        matching_services = Service.objects.filter(
            Q(name__icontains=text) | Q(description__icontains=text),
            agency_id=user.agency_id,
            organization_id=OuterRef("pk"),
        )
        organizations = organizations.filter(
            Q(name__icontains=text)
            | Q(alternate_name__icontains=text)
            | Q(description__icontains=text)
            | Q(Exists(matching_services))
        )
    if wanted.on_services:
        organizations = organizations.filter(
            Exists(
                Service.objects.filter(
                    _service_q(wanted), agency_id=user.agency_id, organization_id=OuterRef("pk")
                )
            )
        )
    return organizations.order_by("name", "id")


def service_search(
    *,
    user: User,
    wanted: DirectoryFilter,
    organization_id: uuid.UUID | None = None,
    term_id: uuid.UUID | None = None,
    taxonomy_id: uuid.UUID | None = None,
) -> QuerySet[Service]:
    """The agency's services that match, by name (for the HSDS API)."""
    services = services_of(user).filter(_service_q(wanted))
    if wanted.kind:
        services = services.filter(organization__kind=wanted.kind)
    if wanted.text:
        services = services.filter(
            Q(name__icontains=wanted.text) | Q(description__icontains=wanted.text)
        )
    if organization_id is not None:
        services = services.filter(organization_id=organization_id)
    if term_id is not None:
        services = services.filter(
            Exists(
                Service.taxonomy_terms.through.objects.filter(
                    service_id=OuterRef("pk"), taxonomyterm_id=term_id
                )
            )
        )
    if taxonomy_id is not None:
        services = services.filter(
            Exists(
                Service.taxonomy_terms.through.objects.filter(
                    service_id=OuterRef("pk"), taxonomyterm__taxonomy_id=taxonomy_id
                )
            )
        )
    return services.select_related("organization").order_by("name", "id")


def organization_get(*, user: User, organization_id: uuid.UUID) -> Organization:
    organization = (
        organizations_of(user).select_related("haven_agency").filter(pk=organization_id).first()
    )
    if organization is None:
        raise NotFound
    return organization


def service_prefetch() -> list[Prefetch[Any]]:
    """What a service's page (or its HSDS form) shows, in a fixed number of queries."""
    return [
        Prefetch("need_categories", queryset=NeedCategory.objects.order_by("code", "pk")),
        Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.order_by("code", "name", "id")),
        Prefetch("languages", queryset=Language.objects.order_by("code", "id")),
        Prefetch(
            "areas", queryset=ServiceArea.objects.select_related("county").order_by("name", "id")
        ),
        Prefetch("phones", queryset=Phone.objects.order_by("number", "id")),
        Prefetch(
            "at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").order_by("id"),
        ),
        Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
    ]


def organization_page(organization: Organization) -> dict[str, object]:
    """Everything an organization's page shows."""
    services = list(
        Service.objects.filter(organization=organization)
        .prefetch_related(*service_prefetch())
        .order_by("name", "id")
    )
    locations = list(
        Location.objects.filter(organization=organization)
        .prefetch_related(Prefetch("phones", queryset=Phone.objects.order_by("number", "id")))
        .order_by("name", "city", "id")
    )
    contacts = list(
        Contact.objects.filter(organization=organization)
        .prefetch_related(Prefetch("phones", queryset=Phone.objects.order_by("number", "id")))
        .order_by("name", "id")
    )
    phones = list(
        Phone.objects.filter(
            organization=organization, service=None, location=None, contact=None
        ).order_by("number", "id")
    )
    return {"services": services, "locations": locations, "contacts": contacts, "phones": phones}


def service_get(*, user: User, organization: Organization, service_id: uuid.UUID) -> Service:
    service = services_of(user).filter(organization=organization, pk=service_id).first()
    if service is None:
        raise NotFound
    return service


def location_get(*, user: User, organization: Organization, location_id: uuid.UUID) -> Location:
    _require_reader(user)
    location = Location.objects.filter(
        agency_id=user.agency_id, organization=organization, pk=location_id
    ).first()
    if location is None:
        raise NotFound
    return location


def contact_get(*, user: User, organization: Organization, contact_id: uuid.UUID) -> Contact:
    _require_reader(user)
    contact = Contact.objects.filter(
        agency_id=user.agency_id, organization=organization, pk=contact_id
    ).first()
    if contact is None:
        raise NotFound
    return contact
