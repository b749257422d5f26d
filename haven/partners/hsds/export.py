"""An agency's directory as HSDS 3.0: rows of the tabular data package, and
the nested JSON objects the HSDS schemas and API describe, built from the
same rows so both forms always agree."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q

from haven.partners.hsds.fields import (
    AGREEMENT,
    FIELD_TERMS,
    FIELDS_TAXONOMY,
    GOVERNMENT_LEVEL,
    NEED_CATEGORY,
    PARTNER_KIND,
    FieldTerm,
    stable_id,
)
from haven.partners.models import (
    Contact,
    Language,
    Location,
    LocationType,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

Row = dict[str, Any]


def _value(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _row(**values: object) -> Row:
    return {name: _value(value) for name, value in values.items()}


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


# --- One row per HSDS table row ---------------------------------------------------------------


def organization_row(o: Organization) -> Row:
    return _row(
        id=o.pk,
        name=o.name,
        alternate_name=o.alternate_name,
        description=o.description,
        email=o.email,
        website=o.website,
    )


def service_row(s: Service) -> Row:
    return _row(
        id=s.pk,
        organization_id=s.organization_id,
        name=s.name,
        alternate_name=s.alternate_name,
        description=s.description,
        url=s.url,
        email=s.email,
        status=s.status,
        interpretation_services=s.interpretation_services,
        application_process=s.application_process,
        fees_description=s.fees_description,
        eligibility_description=s.eligibility_description,
        minimum_age=s.minimum_age,
        maximum_age=s.maximum_age,
        last_modified=s.updated_at,
    )


def location_row(loc: Location) -> Row:
    return _row(
        id=loc.pk,
        location_type=loc.location_type,
        url=loc.url,
        organization_id=_id(loc.organization_id),
        name=loc.name,
        alternate_name=loc.alternate_name,
        description=loc.description,
        transportation=loc.transportation,
        latitude=loc.latitude,
        longitude=loc.longitude,
    )


def address_row(loc: Location) -> Row | None:
    """A location's address, when it has every field HSDS requires."""
    if loc.address_id is None or not all(
        (loc.address_1, loc.city, loc.state_province, loc.postal_code, loc.country)
    ):
        return None
    kind = LocationType.POSTAL if loc.location_type == LocationType.POSTAL else "physical"
    return _row(
        id=loc.address_id,
        location_id=loc.pk,
        address_1=loc.address_1,
        address_2=loc.address_2,
        city=loc.city,
        state_province=loc.state_province,
        postal_code=loc.postal_code,
        country=loc.country,
        address_type=kind,
    )


def service_at_location_row(sal: ServiceAtLocation) -> Row:
    return _row(
        id=sal.pk,
        service_id=sal.service_id,
        location_id=sal.location_id,
        description=sal.description,
    )


def contact_row(c: Contact) -> Row:
    return _row(
        id=c.pk,
        organization_id=_id(c.organization_id),
        service_id=_id(c.service_id),
        location_id=_id(c.location_id),
        name=c.name,
        title=c.title,
        department=c.department,
        email=c.email,
    )


def phone_row(p: Phone) -> Row:
    return _row(
        id=p.pk,
        location_id=_id(p.location_id),
        service_id=_id(p.service_id),
        organization_id=_id(p.organization_id),
        contact_id=_id(p.contact_id),
        number=p.number,
        extension=p.extension,
        type=p.type,
        description=p.description,
    )


def language_row(lang: Language) -> Row:
    return _row(
        id=lang.pk,
        service_id=_id(lang.service_id),
        location_id=_id(lang.location_id),
        phone_id=_id(lang.phone_id),
        name=lang.name,
        code=lang.code,
        note=lang.note,
    )


def service_area_row(a: ServiceArea) -> Row:
    return _row(
        id=a.pk,
        service_id=a.service_id,
        name=a.name,
        description=a.description,
        extent=a.extent,
        extent_type=a.extent_type,
        uri=a.uri,
    )


SCHEDULE_FIELDS = [
    "valid_from",
    "valid_to",
    "dtstart",
    "timezone",
    "until",
    "count",
    "wkst",
    "freq",
    "interval",
    "byday",
    "byweekno",
    "bymonthday",
    "byyearday",
    "description",
    "opens_at",
    "closes_at",
    "schedule_link",
    "attending_type",
    "notes",
]


def schedule_row(s: Schedule) -> Row:
    return _row(
        id=s.pk,
        service_id=_id(s.service_id),
        location_id=_id(s.location_id),
        **{name: getattr(s, name) for name in SCHEDULE_FIELDS},
    )


def hours_row(s: Service) -> Row | None:
    """Hours typed as text travel as a schedule with only a description."""
    if not s.hours:
        return None
    return _row(id=stable_id(s.pk, "hours"), service_id=s.pk, description=s.hours)


def taxonomy_row(t: Taxonomy) -> Row:
    return _row(id=t.pk, name=t.name, description=t.description, uri=t.uri, version=t.version)


def term_row(t: TaxonomyTerm) -> Row:
    return _row(
        id=t.pk,
        code=t.code,
        name=t.name,
        description=t.description,
        parent_id=_id(t.parent_id),
        taxonomy_id=_id(t.taxonomy_id),
        language=t.language,
        term_uri=t.term_uri,
    )


def field_term_row(t: FieldTerm) -> Row:
    return _row(
        id=t.id,
        code=t.code,
        name=t.name,
        description=t.description,
        taxonomy_id=FIELDS_TAXONOMY["id"],
        language="eng",
    )


def attribute_row(link_id: uuid.UUID, entity: str, term_id: uuid.UUID, value: str) -> Row:
    return _row(
        id=stable_id("attribute", link_id, term_id, value),
        link_id=link_id,
        taxonomy_term_id=term_id,
        link_entity=entity,
        value=value,
    )


def organization_attributes(o: Organization) -> list[Row]:
    rows = [
        attribute_row(o.pk, "organization", PARTNER_KIND.id, o.kind),
        attribute_row(o.pk, "organization", GOVERNMENT_LEVEL.id, o.government_level),
    ]
    if o.agreement_on_file:
        value = o.agreement_date.isoformat() if o.agreement_date else ""
        rows.append(attribute_row(o.pk, "organization", AGREEMENT.id, value))
    return rows


# --- Loading an agency's directory at once -------------------------------------------------------


class Snapshot:
    """Every row of an agency's directory (or of some of its partners),
    loaded in a fixed number of queries and grouped by parent."""

    def __init__(self, agency_id: int, organization_ids: Iterable[uuid.UUID] | None = None):
        scope = Q(agency_id=agency_id)
        orgs = Organization.objects.filter(scope)
        if organization_ids is not None:
            orgs = orgs.filter(pk__in=list(organization_ids))
        self.organizations = list(orgs.order_by("name", "id"))
        org_ids = [o.pk for o in self.organizations]
        self.services = list(
            Service.objects.filter(scope, organization_id__in=org_ids)
            .prefetch_related("taxonomy_terms", "need_categories")
            .order_by("name", "id")
        )
        service_ids = [s.pk for s in self.services]
        self.locations = list(
            Location.objects.filter(scope, organization_id__in=org_ids).order_by(
                "name", "city", "id"
            )
        )
        if organization_ids is None:  # locations no partner owns, from an import
            self.locations += list(
                Location.objects.filter(scope, organization=None).order_by("name", "city", "id")
            )
        location_ids = [loc.pk for loc in self.locations]
        near = Q(organization_id__in=org_ids) | Q(service_id__in=service_ids)
        near |= Q(location_id__in=location_ids)
        self.at_locations = list(
            ServiceAtLocation.objects.filter(scope, service_id__in=service_ids).order_by("id")
        )
        self.contacts = list(Contact.objects.filter(scope).filter(near).order_by("name", "id"))
        contact_ids = [c.pk for c in self.contacts]
        self.phones = list(
            Phone.objects.filter(scope)
            .filter(near | Q(contact_id__in=contact_ids))
            .order_by("number", "id")
        )
        phone_ids = [p.pk for p in self.phones]
        self.languages = list(
            Language.objects.filter(scope)
            .filter(
                Q(service_id__in=service_ids)
                | Q(location_id__in=location_ids)
                | Q(phone_id__in=phone_ids)
            )
            .order_by("code", "id")
        )
        self.areas = list(
            ServiceArea.objects.filter(scope, service_id__in=service_ids).order_by("name", "id")
        )
        self.schedules = list(
            Schedule.objects.filter(scope)
            .filter(Q(service_id__in=service_ids) | Q(location_id__in=location_ids))
            .order_by("id")
        )
        used_terms = {t.pk for s in self.services for t in s.taxonomy_terms.all()}
        self.terms = list(
            TaxonomyTerm.objects.filter(
                Q(agency=None) | Q(agency_id=agency_id) | Q(pk__in=used_terms)
            ).order_by("code", "name", "id")
        )
        taxonomy_ids = {t.taxonomy_id for t in self.terms if t.taxonomy_id}
        self.taxonomies = list(
            Taxonomy.objects.filter(
                Q(agency=None) | Q(agency_id=agency_id) | Q(pk__in=taxonomy_ids)
            ).order_by("name", "id")
        )

    # -- the tabular package --

    def tables(self) -> dict[str, list[Row]]:
        """Rows per HSDS table (by resource name)."""
        service_attributes = []
        for s in self.services:
            for category in sorted(s.need_categories.all(), key=lambda c: c.code):
                service_attributes.append(
                    attribute_row(s.pk, "service", NEED_CATEGORY.id, category.code)
                )
            for term in sorted(s.taxonomy_terms.all(), key=lambda t: str(t.pk)):
                service_attributes.append(attribute_row(s.pk, "service", term.pk, ""))
        return {
            "organization": [organization_row(o) for o in self.organizations],
            "service": [service_row(s) for s in self.services],
            "location": [location_row(loc) for loc in self.locations],
            "address": [r for loc in self.locations if (r := address_row(loc))],
            "service_at_location": [service_at_location_row(x) for x in self.at_locations],
            "contact": [contact_row(c) for c in self.contacts],
            "phone": [phone_row(p) for p in self.phones],
            "language": [language_row(lang) for lang in self.languages],
            "service_area": [service_area_row(a) for a in self.areas],
            "schedule": [schedule_row(s) for s in self.schedules]
            + [r for s in self.services if (r := hours_row(s))],
            "taxonomy": [taxonomy_row(t) for t in self.taxonomies] + [dict(FIELDS_TAXONOMY)],
            "taxonomy_term": [term_row(t) for t in self.terms]
            + [field_term_row(t) for t in FIELD_TERMS.values()],
            "attribute": [a for o in self.organizations for a in organization_attributes(o)]
            + service_attributes,
        }

    # -- the nested JSON --

    def objects(self) -> NestedBuilder:
        return NestedBuilder(self.tables())


def _clean(row: Row) -> Row:
    """HSDS JSON leaves a field out rather than giving it null or ""."""
    return {k: v for k, v in row.items() if v is not None and v != ""}


class NestedBuilder:
    """HSDS JSON objects (organization, service, location...) from the rows."""

    def __init__(self, tables: dict[str, list[Row]]):
        self.tables = tables
        self.by_id = {name: {r["id"]: r for r in rows} for name, rows in tables.items()}
        self.children: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
        for name, rows in tables.items():
            for row in rows:
                for field, value in row.items():
                    if field.endswith("_id") and field != "id" and value:
                        self.children[(name, field, value)].append(row)
        for row in tables["attribute"]:
            self.children[("attribute", "link_id", row["link_id"])].append(row)

    def _kids(self, table: str, field: str, parent_id: str) -> list[Row]:
        return self.children.get((table, field, parent_id), [])

    def attributes(self, link_id: str) -> list[Row]:
        out = []
        for row in self._kids("attribute", "link_id", link_id):
            term = self.by_id["taxonomy_term"].get(row["taxonomy_term_id"])
            obj = _clean(row)
            if term is not None:
                obj["taxonomy_term"] = _clean(term)
            out.append(obj)
        return out

    def phone(self, row: Row) -> Row:
        obj = _clean(row)
        obj["languages"] = [_clean(x) for x in self._kids("language", "phone_id", row["id"])]
        return obj

    def contact(self, row: Row) -> Row:
        obj = _clean(row)
        obj["phones"] = [self.phone(p) for p in self._kids("phone", "contact_id", row["id"])]
        return obj

    def location(self, row: Row) -> Row:
        lid = row["id"]
        obj = _clean(row)
        obj["languages"] = [_clean(x) for x in self._kids("language", "location_id", lid)]
        obj["addresses"] = [_clean(x) for x in self._kids("address", "location_id", lid)]
        obj["contacts"] = [self.contact(x) for x in self._kids("contact", "location_id", lid)]
        obj["phones"] = [self.phone(x) for x in self._kids("phone", "location_id", lid)]
        obj["schedules"] = [_clean(x) for x in self._kids("schedule", "location_id", lid)]
        return obj

    def service(self, row: Row, *, with_organization: bool = False) -> Row:
        sid = row["id"]
        obj = _clean(row)
        obj["phones"] = [self.phone(x) for x in self._kids("phone", "service_id", sid)]
        obj["schedules"] = [_clean(x) for x in self._kids("schedule", "service_id", sid)]
        obj["service_areas"] = [_clean(x) for x in self._kids("service_area", "service_id", sid)]
        at_locations = []
        for sal in self._kids("service_at_location", "service_id", sid):
            sal_obj = _clean(sal)
            place = self.by_id["location"].get(sal["location_id"])
            if place is not None and with_organization:
                sal_obj["location"] = self.location(place)
            at_locations.append(sal_obj)
        obj["service_at_locations"] = at_locations
        obj["languages"] = [_clean(x) for x in self._kids("language", "service_id", sid)]
        obj["contacts"] = [self.contact(x) for x in self._kids("contact", "service_id", sid)]
        obj["attributes"] = self.attributes(sid)
        if with_organization:
            org = self.by_id["organization"].get(row["organization_id"])
            if org is not None:
                obj["organization"] = self.organization(org, with_services=False)
        return obj

    def organization(self, row: Row, *, with_services: bool = True) -> Row:
        oid = row["id"]
        obj = _clean(row)
        obj["description"] = row.get("description") or ""
        obj["contacts"] = [
            self.contact(x)
            for x in self._kids("contact", "organization_id", oid)
            if not x.get("service_id") and not x.get("location_id")
        ]
        obj["phones"] = [
            self.phone(x)
            for x in self._kids("phone", "organization_id", oid)
            if not (x.get("service_id") or x.get("location_id") or x.get("contact_id"))
        ]
        obj["locations"] = [
            self.location(x) for x in self._kids("location", "organization_id", oid)
        ]
        obj["attributes"] = self.attributes(oid)
        if with_services:
            obj["services"] = [
                self.service(x) for x in self._kids("service", "organization_id", oid)
            ]
        return obj

    def organizations(self) -> list[Row]:
        return [self.organization(row) for row in self.tables["organization"]]

    def unowned_locations(self) -> list[Row]:
        return [
            self.location(row) for row in self.tables["location"] if not row.get("organization_id")
        ]
