"""The partner directory in the API, and its HSDS 3.0 API: schemas and
routing only.

Everything is scoped to the caller's agency by ``haven.partners.selectors``
and ``services``: a partner of another agency, or a route the caller's
role may not use, answers 404 exactly like a missing one. A service's
refusal answers 422 at the field of the body it is about. The
directory names no person served, so filters travel in the query string.
"""

from __future__ import annotations

import math
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import AfterValidator, StrictBool, StrictInt

from haven.accounts.models import User
from haven.api.common import NOT_FOUND, REFUSED, WRITE_FAILURES, out, staff_allowed, uuid_or_404
from haven.api.inputs import (
    Coded,
    DirectoryText,
    Email,
    Input,
    LanguageCode,
    OptionalDay,
    PartnerPhone,
    Url,
    WideLine,
    clean_text,
)
from haven.core.errors import NotFound
from haven.partners import selectors, services
from haven.partners.hsds.export import NestedBuilder, Snapshot, organization_row, service_row
from haven.partners.hsds.spec import HSDS_VERSION
from haven.partners.models import (
    GovernmentLevel,
    LocationType,
    Organization,
    PartnerKind,
    Service,
    ServiceStatus,
    recipient_categories,
)
from haven.partners.policies import may_read_directory

router = Router(tags=["partners"])
hsds = Router(tags=["hsds"])

MAX_PER_PAGE = 200

# Words to search for: hidden characters (a NUL among them, which PostgreSQL
# cannot compare) are refused with 422 like any other text. Not strict: a
# query string is text whatever it looks like.
SearchWords = Annotated[str, Field(max_length=100), AfterValidator(clean_text)]
KindCode = Literal[
    "shelter",
    "legal",
    "medical",
    "mental_health",
    "immigration",
    "employment",
    "law_enforcement",
    "da_victim_witness",
    "prosecutor",
    "child_protection",
    "federal",
    "other",
]
LevelCode = Literal["none", "federal", "state", "local"]
StatusCode = Literal["active", "inactive", "defunct", "temporarily closed"]
ShortCode = Annotated[str, Field(max_length=40, strict=True)]


class PartnerIn(Input):
    """Every field of a partner: a change sends them all."""

    name: WideLine
    alternate_name: WideLine = ""
    description: DirectoryText = Field(description="What the partner does (HSDS requires it).")
    kind: KindCode = "other"
    government_level: LevelCode = "none"
    website: Url = Field(default="", description="http:// or https:// only.")
    email: Email = ""
    phone: PartnerPhone = ""
    agreement_on_file: StrictBool = False
    agreement_date: OptionalDay = None
    haven_agency: uuid.UUID | None = Field(
        default=None,
        description="The public id of another agency on this installation that this partner is.",
    )


class ServiceIn(Input):
    """Every field of a service: a change sends them all."""

    name: WideLine
    alternate_name: WideLine = ""
    description: DirectoryText = ""
    status: StatusCode = "active"
    url: Url = ""
    email: Email = ""
    eligibility_description: DirectoryText = ""
    fees_description: DirectoryText = ""
    application_process: DirectoryText = ""
    interpretation_services: DirectoryText = ""
    hours: DirectoryText = ""
    minimum_age: StrictInt | None = Field(default=None, ge=0, le=120)
    maximum_age: StrictInt | None = Field(default=None, ge=0, le=120)
    need_categories: list[ShortCode] = Field(
        default_factory=list, max_length=40, description="Need category codes."
    )
    taxonomy_terms: list[uuid.UUID] = Field(
        default_factory=list, max_length=60, description="Ids of taxonomy terms."
    )
    languages: list[LanguageCode] = Field(
        default_factory=list, max_length=40, description="ISO 639-3 codes."
    )
    areas: list[ShortCode] = Field(
        default_factory=list,
        max_length=80,
        description='"statewide", or the FIPS codes of the counties served.',
    )


class ServiceOut(Schema):
    id: uuid.UUID
    name: str
    alternate_name: str
    description: str
    status: Annotated[str, Coded(ServiceStatus)]
    url: str
    email: str
    eligibility_description: str
    fees_description: str
    application_process: str
    interpretation_services: str
    hours: str
    minimum_age: int | None
    maximum_age: int | None
    need_categories: list[str]
    taxonomy_terms: list[uuid.UUID]
    languages: list[str]
    areas: list[str] = Field(description='"statewide", county FIPS codes, or other area names.')


class LocationOut(Schema):
    id: uuid.UUID
    name: str
    location_type: Annotated[str, Coded(LocationType)]
    address_1: str
    address_2: str
    city: str
    state_province: str
    postal_code: str
    country: str
    latitude: float | None
    longitude: float | None
    services: list[uuid.UUID]


class ContactOut(Schema):
    id: uuid.UUID
    name: str
    title: str
    department: str
    email: str
    phones: list[str]


class PartnerOut(Schema):
    id: uuid.UUID
    name: str
    alternate_name: str
    description: str
    kind: Annotated[str, Coded(PartnerKind)]
    government_level: Annotated[str, Coded(GovernmentLevel)]
    recipient_categories: list[str] = Field(
        description="The consent categories it falls under: law_enforcement, federal, state, local."
    )
    website: str
    email: str
    agreement_on_file: bool
    agreement_date: date | None
    haven_agency: uuid.UUID | None


class PartnerDetailOut(PartnerOut):
    phones: list[str]
    services: list[ServiceOut]
    locations: list[LocationOut]
    contacts: list[ContactOut]


class PartnerPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PartnerOut]


class DirectoryQuery(Schema):
    q: SearchWords = Field(default="", description="Words in a name or description.")
    kind: KindCode | None = None
    need: str = Field(default="", max_length=40, description="A need category code.")
    language: str = Field(default="", max_length=3, description="An ISO 639 code.")
    area: str = Field(default="", max_length=10, description='"statewide" or a county FIPS code.')
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)

    def wanted(self) -> selectors.DirectoryFilter:
        return selectors.DirectoryFilter(
            kind=self.kind or "",
            need=self.need.strip(),
            language=self.language.strip().lower(),
            area=self.area.strip(),
            text=" ".join(self.q.split()),
        )


# --- Converting ----------------------------------------------------------------------------


def _partner_out(o: Organization) -> PartnerOut:
    return out(
        PartnerOut,
        o,
        recipient_categories=sorted(recipient_categories(o)),
        haven_agency=o.haven_agency.public_id if o.haven_agency else None,
    )


def _service_out(s: Service) -> ServiceOut:
    return out(
        ServiceOut,
        s,
        need_categories=sorted(c.code for c in s.need_categories.all()),
        taxonomy_terms=sorted((t.pk for t in s.taxonomy_terms.all()), key=str),
        languages=sorted({lang.code for lang in s.languages.all()}),
        areas=[
            "statewide" if a.kind == "statewide" else (a.county_id or a.name) for a in s.areas.all()
        ],
    )


def _detail_out(o: Organization) -> PartnerDetailOut:
    parts = selectors.organization_page(o)
    return PartnerDetailOut(
        **_partner_out(o).model_dump(),
        phones=[p.number for p in parts["phones"]],  # type: ignore[attr-defined]
        services=[_service_out(s) for s in parts["services"]],  # type: ignore[attr-defined]
        locations=[
            out(
                LocationOut,
                loc,
                services=sorted(loc.services_here.values_list("service_id", flat=True), key=str),
            )
            for loc in parts["locations"]  # type: ignore[attr-defined]
        ],
        contacts=[
            out(ContactOut, c, phones=[p.number for p in c.phones.all()])
            for c in parts["contacts"]  # type: ignore[attr-defined]
        ],
    )


def _reader(request: HttpRequest) -> User:
    return staff_allowed(request, may_read_directory)


def _organization(request: HttpRequest, organization_id: str) -> tuple[User, Organization]:
    user = _reader(request)
    return user, selectors.organization_get(user=user, organization_id=uuid_or_404(organization_id))


def _partner_values(body: PartnerIn) -> dict[str, Any]:
    return body.model_dump()


def _service_values(body: ServiceIn) -> dict[str, Any]:
    values = body.model_dump()
    values["need_codes"] = values.pop("need_categories")
    values["term_ids"] = values.pop("taxonomy_terms")
    return values


def _paged(items: QuerySet[Any], page: int, per_page: int) -> tuple[list[Any], int, int]:
    count = items.count()
    pages = max(1, math.ceil(count / per_page))
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), count, pages


PartnerId = PathEx[str, P(description="The partner's id (its HSDS organization id).")]
ServiceId = PathEx[str, P(description="The service's id (its HSDS id).")]


# --- The directory -------------------------------------------------------------------------


@router.get(
    "/partners",
    response={200: PartnerPage, **NOT_FOUND, **REFUSED},
)
def partner_list(request: HttpRequest, filters: Query[DirectoryQuery]) -> PartnerPage:
    """Your agency's partners.

    By name; filters on the kind of partner and on what its services offer.
    """
    user = _reader(request)
    found = selectors.directory_search(user=user, wanted=filters.wanted()).select_related(
        "haven_agency"
    )
    items, count, pages = _paged(found, filters.page, filters.per_page)
    return PartnerPage(
        count=count,
        page=filters.page,
        pages=pages,
        items=[_partner_out(o) for o in items],
    )


@router.get(
    "/partners/{organization_id}",
    response={200: PartnerDetailOut, **NOT_FOUND, **REFUSED},
)
def partner_detail(request: HttpRequest, organization_id: PartnerId) -> PartnerDetailOut:
    """One partner, with its services, locations and contacts."""
    _user, organization = _organization(request, organization_id)
    return _detail_out(organization)


@router.post(
    "/partners",
    response={201: PartnerDetailOut, **WRITE_FAILURES},
)
def partner_create(request: HttpRequest, partner: PartnerIn) -> Status[PartnerDetailOut]:
    """Add a partner.

    Supervisors and administrators.
    """
    user = _reader(request)
    organization = services.organization_save(actor=user, values=_partner_values(partner))
    return Status(201, _detail_out(organization))


@router.put(
    "/partners/{organization_id}",
    response={200: PartnerDetailOut, **WRITE_FAILURES},
)
def partner_update(
    request: HttpRequest, organization_id: PartnerId, partner: PartnerIn
) -> PartnerDetailOut:
    """Change a partner.

    Supervisors and administrators. Send every field.
    """
    user, organization = _organization(request, organization_id)
    services.organization_save(
        actor=user, values=_partner_values(partner), organization=organization
    )
    organization.refresh_from_db()
    return _detail_out(organization)


@router.post(
    "/partners/{organization_id}/services",
    response={201: ServiceOut, **WRITE_FAILURES},
)
def partner_service_create(
    request: HttpRequest, organization_id: PartnerId, service: ServiceIn
) -> Status[ServiceOut]:
    """Add a service to a partner.

    Supervisors and administrators.
    """
    user, organization = _organization(request, organization_id)
    row = services.service_save(
        actor=user, organization=organization, values=_service_values(service)
    )
    return Status(201, _service_out(_service_again(row)))


@router.put(
    "/partners/{organization_id}/services/{service_id}",
    response={200: ServiceOut, **WRITE_FAILURES},
)
def partner_service_update(
    request: HttpRequest, organization_id: PartnerId, service_id: ServiceId, service: ServiceIn
) -> ServiceOut:
    """Change a partner's service.

    Supervisors and administrators. Send every field.
    """
    user, organization = _organization(request, organization_id)
    row = selectors.service_get(
        user=user, organization=organization, service_id=uuid_or_404(service_id)
    )
    services.service_save(
        actor=user, organization=organization, values=_service_values(service), service=row
    )
    return _service_out(_service_again(row))


def _service_again(row: Service) -> Service:
    return Service.objects.prefetch_related(*selectors.service_prefetch()).get(pk=row.pk)


# --- HSDS 3.0 ------------------------------------------------------------------------------


class HsdsRoot(Schema):
    version: str
    profile: str
    openapi_url: str


class HsdsPage(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


class HsdsQuery(Schema):
    search: SearchWords = Field(default="", description="Words in a name or description.")
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)


class HsdsServiceQuery(HsdsQuery):
    organization_id: uuid.UUID | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None


HsdsObject = dict[str, Any]


def _hsds_page(rows: list[HsdsObject], total: int, page: int, per_page: int) -> HsdsPage:
    pages = max(1, math.ceil(total / per_page))
    return HsdsPage(
        total_items=total,
        total_pages=pages,
        page_number=page,
        size=len(rows),
        first_page=page == 1,
        last_page=page >= pages,
        empty=not rows,
        contents=rows,
    )


def _flat(row: dict[str, Any]) -> HsdsObject:
    return {k: v for k, v in row.items() if v is not None and v != ""}


@hsds.get(
    "/hsds/",
    response={200: HsdsRoot, **NOT_FOUND},
)
def hsds_root(request: HttpRequest) -> HsdsRoot:
    """HSDS API: about this API."""
    _reader(request)
    return HsdsRoot(
        version=HSDS_VERSION,
        profile="https://openreferral.org/",
        openapi_url=request.build_absolute_uri("/api/v1/openapi.json"),
    )


@hsds.get(
    "/hsds/services",
    response={200: HsdsPage, **NOT_FOUND, **REFUSED},
)
def hsds_services(request: HttpRequest, filters: Query[HsdsServiceQuery]) -> HsdsPage:
    """HSDS API: your agency's services.

    A page of services with their one-to-one fields and organization (HSDS 3.0).
    """
    user = _reader(request)
    found = selectors.service_search(
        user=user,
        wanted=selectors.DirectoryFilter(text=" ".join(filters.search.split())),
        organization_id=filters.organization_id,
        term_id=filters.taxonomy_term_id,
        taxonomy_id=filters.taxonomy_id,
    )
    items, total, _pages = _paged(found, filters.page, filters.per_page)
    rows = []
    for service in items:
        obj = _flat(service_row(service))
        obj["organization"] = {
            **_flat(organization_row(service.organization)),
            "description": service.organization.description,
        }
        rows.append(obj)
    return _hsds_page(rows, total, filters.page, filters.per_page)


@hsds.get(
    "/hsds/services/{service_id}",
    response={200: HsdsObject, **NOT_FOUND, **REFUSED},
)
def hsds_service(request: HttpRequest, service_id: ServiceId) -> HsdsObject:
    """HSDS API: one service, fully nested."""
    user = _reader(request)
    service = selectors.services_of(user).filter(pk=uuid_or_404(service_id)).first()
    if service is None:
        raise NotFound
    built = NestedBuilder(Snapshot(user.agency_id, [service.organization_id]).tables())
    row = built.by_id["service"][str(service.pk)]
    return built.service(row, with_organization=True)


@hsds.get(
    "/hsds/organizations",
    response={200: HsdsPage, **NOT_FOUND, **REFUSED},
)
def hsds_organizations(request: HttpRequest, filters: Query[HsdsQuery]) -> HsdsPage:
    """HSDS API: your agency's partner organizations."""
    user = _reader(request)
    found = selectors.directory_search(
        user=user, wanted=selectors.DirectoryFilter(text=" ".join(filters.search.split()))
    )
    items, total, _pages = _paged(found, filters.page, filters.per_page)
    rows = [{**_flat(organization_row(o)), "description": o.description} for o in items]
    return _hsds_page(rows, total, filters.page, filters.per_page)


@hsds.get(
    "/hsds/organizations/{organization_id}",
    response={200: HsdsObject, **NOT_FOUND, **REFUSED},
)
def hsds_organization(request: HttpRequest, organization_id: PartnerId) -> HsdsObject:
    """HSDS API: one organization, with its services."""
    _user, organization = _organization(request, organization_id)
    built = NestedBuilder(Snapshot(organization.agency_id, [organization.pk]).tables())
    return built.organization(built.by_id["organization"][str(organization.pk)])


# Every router of the module; the resources with tags of their own have their own.
routers = (router, hsds)
