"""Writing a checked import into an agency's directory.

The policy (ADR 0011): a row whose id the directory already holds is
updated to the file's values; a new id adds a row; nothing missing from the
file is removed. Haven's own fields (a partner's kind, government level and
agreement; a service's need categories, kinds of service and hours) change
only when the file carries them. Everything is planned, and every value
checked, before the first write; the writes then happen in one transaction.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.partners.hsds.export import SCHEDULE_FIELDS
from haven.partners.hsds.fields import (
    AGREEMENT,
    FIELD_TERMS,
    GOVERNMENT_LEVEL,
    NEED_CATEGORY,
    PARTNER_KIND,
)
from haven.partners.hsds.reader import ImportRefused, Record
from haven.partners.hsds.validate import Checked
from haven.partners.models import (
    AreaKind,
    Contact,
    GovernmentLevel,
    Language,
    Location,
    Organization,
    PartnerKind,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from haven.protocol.models import County
from haven.protocol.needs import categories_for

Fields = dict[str, Any]
_SCHEDULE_TEXT = {
    "wkst",
    "freq",
    "byday",
    "byweekno",
    "bymonthday",
    "byyearday",
    "description",
    "schedule_link",
    "attending_type",
    "notes",
}
_COUNTY = re.compile(r"^(?P<name>.+?)(\s+county)?(,\s*(wi|wisconsin))?$", re.IGNORECASE)


@dataclass
class Summary:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class _OrgFields:
    kind: str | None = None
    level: str | None = None
    agreement: bool = False
    agreement_date: date | None = None
    from_haven: bool = False


@dataclass
class _Plan:
    org_fields: dict[str, _OrgFields] = field(default_factory=lambda: defaultdict(_OrgFields))
    service_terms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    service_needs: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    hours: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _text(values: Fields, name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value)


class Loader:
    def __init__(self, checked: Checked, agency_id: int):
        self.checked = checked
        self.agency_id = agency_id
        self.rows = checked.rows
        self.summary = Summary(notes=list(checked.notes))
        self.plan = _Plan()
        # Which organization each service (in the file or the directory) belongs to.
        self.service_org: dict[str, str] = {
            i: r.values["organization_id"] for i, r in self.rows.get("service", {}).items()
        }
        self.sal_service: dict[str, tuple[str, str]] = {
            i: (r.values["service_id"], r.values["location_id"])
            for i, r in self.rows.get("service_at_location", {}).items()
        }

    # -- planning (no writes) --

    def plan_all(self) -> None:
        self._lookup_existing_links()
        self._plan_attributes()
        self._plan_hours()

    def _lookup_existing_links(self) -> None:
        wanted_services = set()
        wanted_sal = set()
        for table in ("contact", "phone", "schedule"):
            for record in self.rows.get(table, {}).values():
                if record.values.get("service_id"):
                    wanted_services.add(record.values["service_id"])
                if record.values.get("service_at_location_id"):
                    wanted_sal.add(record.values["service_at_location_id"])
        wanted_sal -= set(self.sal_service)
        for sal in ServiceAtLocation.objects.filter(agency_id=self.agency_id, pk__in=wanted_sal):
            self.sal_service[str(sal.pk)] = (str(sal.service_id), str(sal.location_id))
            wanted_services.add(str(sal.service_id))
        wanted_services -= set(self.service_org)
        for pk, org in Service.objects.filter(
            agency_id=self.agency_id, pk__in=wanted_services
        ).values_list("pk", "organization_id"):
            self.service_org[str(pk)] = str(org)

    def _attribute_target(self, record: Record) -> tuple[str, str] | None:
        if record.parent is not None:
            return record.parent
        link_id = record.values.get("link_id")
        if not link_id:
            return None
        entity = (record.values.get("link_entity") or "").strip().lower()
        if entity in ("organization", "service") and self._exists(entity, link_id):
            return entity, link_id
        for table in ("service", "organization"):
            if self._exists(table, link_id):
                return table, link_id
        return None

    def _exists(self, table: str, row_id: str) -> bool:
        if row_id in self.rows.get(table, {}):
            return True
        model = Service if table == "service" else Organization
        return model.objects.filter(agency_id=self.agency_id, pk=row_id).exists()

    def _plan_attributes(self) -> None:
        needs = {c.code: c.pk for c in categories_for(self.agency_id)}
        problems: list[str] = []
        for record in self.rows.get("attribute", {}).values():
            target = self._attribute_target(record)
            term_id = uuid.UUID(record.values["taxonomy_term_id"])
            value = _text(record.values, "value").strip()
            where = record.where
            if target is None:
                self.summary.notes.append(
                    _("%(where)s: the attribute links to no organization or service; left out.")
                    % {"where": where}
                )
                continue
            table, row_id = target
            field_term = FIELD_TERMS.get(term_id)
            if field_term is None:
                if table == "service":
                    self.plan.service_terms[row_id].add(str(term_id))
                else:
                    self.summary.notes.append(
                        _("%(where)s: Haven keeps kinds of service for services only; left out.")
                        % {"where": where}
                    )
                continue
            if field_term.entity != table:
                self.summary.notes.append(
                    _("%(where)s: this Haven field does not apply here; left out.")
                    % {"where": where}
                )
                continue
            if field_term is NEED_CATEGORY:
                if value in needs:
                    self.plan.service_needs[row_id].add(needs[value])
                else:
                    self.summary.notes.append(
                        _("%(where)s: your agency has no need category %(code)s; left out.")
                        % {"where": where, "code": value[:40]}
                    )
                continue
            org = self.plan.org_fields[row_id]
            org.from_haven = True
            if field_term is PARTNER_KIND:
                if value not in PartnerKind.values:
                    problems.append(
                        _("%(where)s, field value: should be one of: %(values)s")
                        % {"where": where, "values": ", ".join(PartnerKind.values)}
                    )
                org.kind = value
            elif field_term is GOVERNMENT_LEVEL:
                if value not in GovernmentLevel.values:
                    problems.append(
                        _("%(where)s, field value: should be one of: %(values)s")
                        % {"where": where, "values": ", ".join(GovernmentLevel.values)}
                    )
                org.level = value
            elif field_term is AGREEMENT:
                org.agreement = True
                if value:
                    try:
                        org.agreement_date = date.fromisoformat(value)
                    except ValueError:
                        problems.append(
                            _("%(where)s, field value: should be a date as YYYY-MM-DD, or empty")
                            % {"where": where}
                        )
        if problems:
            raise ImportRefused(problems[:50])

    def _plan_hours(self) -> None:
        """A schedule with nothing but words, for a service, is its hours."""
        structured = [n for n in SCHEDULE_FIELDS if n not in ("description", "notes")]
        for schedule_id, record in list(self.rows.get("schedule", {}).items()):
            values = record.values
            service_id = (
                values.get("service_id")
                or self.sal_service.get(values.get("service_at_location_id") or "", (None, None))[0]
            )
            if service_id and not any(values.get(n) is not None for n in structured):
                words = "\n".join(
                    _text(values, n) for n in ("description", "notes") if values.get(n)
                )
                if words:
                    self.plan.hours[service_id].append(words)
                del self.rows["schedule"][schedule_id]

    # -- writing --

    def write(self) -> Summary:
        self._taxonomies()
        self._organizations()
        self._locations()
        self._addresses()
        self._services()
        self._at_locations()
        self._contacts()
        self._phones()
        self._languages()
        self._areas()
        self._schedules()
        self._service_links()
        return self.summary

    def _upsert(self, table: str, model: type[Model], rows: dict[str, Fields]) -> None:
        existing = self.checked.existing.get(table, set())
        new = [
            model(id=uuid.UUID(i), agency_id=self.agency_id, **values)
            for i, values in rows.items()
            if i not in existing
        ]
        model._default_manager.bulk_create(new, batch_size=500)
        changed = [i for i in rows if i in existing]
        if changed:
            names = list(next(iter(rows.values())).keys())
            if any(f.name == "updated_at" for f in model._meta.get_fields()):
                names.append("updated_at")
            objects = model._default_manager.in_bulk([uuid.UUID(i) for i in changed])
            now = timezone.now()
            for pk, obj in objects.items():
                for name, value in rows[str(pk)].items():
                    setattr(obj, name, value)
                if "updated_at" in names:
                    obj.updated_at = now  # type: ignore[attr-defined]
            model._default_manager.bulk_update(list(objects.values()), names, batch_size=500)
        label = model._meta.verbose_name_plural or table
        if new:
            self.summary.added[str(label)] = self.summary.added.get(str(label), 0) + len(new)
        if changed:
            self.summary.updated[str(label)] = self.summary.updated.get(str(label), 0) + len(
                changed
            )

    def _records(self, table: str) -> list[tuple[str, Fields]]:
        shipped = self.checked.shipped
        return [(i, r.values) for i, r in self.rows.get(table, {}).items() if i not in shipped]

    def _taxonomies(self) -> None:
        self._upsert(
            "taxonomy",
            Taxonomy,
            {
                i: {n: _text(v, n) for n in ("name", "description", "uri", "version")}
                for i, v in self._records("taxonomy")
            },
        )
        terms = self._records("taxonomy_term")
        self._upsert(
            "taxonomy_term",
            TaxonomyTerm,
            {
                i: {
                    "taxonomy_id": _uuid(v.get("taxonomy_id")),
                    "parent_id": None,
                    **{
                        n: _text(v, n)
                        for n in ("code", "name", "description", "language", "term_uri")
                    },
                }
                for i, v in terms
            },
        )
        # Parents afterwards: a term may come before its parent in the file.
        with_parent = {
            uuid.UUID(i): _uuid(v["parent_id"])
            for i, v in terms
            if v.get("parent_id") and v["parent_id"] != i
        }
        objects = TaxonomyTerm.objects.in_bulk(list(with_parent))
        for pk, obj in objects.items():
            obj.parent_id = with_parent[pk]
        TaxonomyTerm.objects.bulk_update(list(objects.values()), ["parent_id"], batch_size=500)

    def _organizations(self) -> None:
        names = ("name", "alternate_name", "description", "email", "website")
        self._upsert(
            "organization",
            Organization,
            {i: {n: _text(v, n) for n in names} for i, v in self._records("organization")},
        )
        orgs = Organization.objects.in_bulk([uuid.UUID(i) for i in self.plan.org_fields])
        for pk, org in orgs.items():
            planned = self.plan.org_fields[str(pk)]
            if planned.kind:
                org.kind = planned.kind
            if planned.level:
                org.government_level = planned.level
            if planned.from_haven:
                org.agreement_on_file = planned.agreement
                org.agreement_date = planned.agreement_date
        Organization.objects.bulk_update(
            list(orgs.values()),
            ["kind", "government_level", "agreement_on_file", "agreement_date"],
            batch_size=500,
        )

    def _locations(self) -> None:
        names = ("location_type", "url", "name", "alternate_name", "description", "transportation")
        self._upsert(
            "location",
            Location,
            {
                i: {
                    "organization_id": _uuid(v.get("organization_id")),
                    "latitude": v.get("latitude"),
                    "longitude": v.get("longitude"),
                    **{n: _text(v, n) for n in names},
                }
                for i, v in self._records("location")
            },
        )

    def _addresses(self) -> None:
        chosen: dict[str, Record] = {}
        for record in self.rows.get("address", {}).values():
            location_id = record.values.get("location_id")
            if not location_id:
                self.summary.notes.append(
                    _("%(where)s: the address belongs to no location; left out.")
                    % {"where": record.where}
                )
                continue
            first = chosen.get(location_id)
            if first is None or (
                first.values.get("address_type") != "physical"
                and record.values.get("address_type") == "physical"
            ):
                if first is not None:
                    self._one_address_note(first)
                chosen[location_id] = record
            else:
                self._one_address_note(record)
        names = ("address_1", "address_2", "city", "state_province", "postal_code", "country")
        locations = Location.objects.in_bulk([uuid.UUID(i) for i in chosen])
        for pk, location in locations.items():
            values = chosen[str(pk)].values
            location.address_id = _uuid(values["id"])
            for name in names:
                setattr(location, name, _text(values, name))
        Location.objects.bulk_update(
            list(locations.values()), ["address_id", *names], batch_size=500
        )

    def _one_address_note(self, record: Record) -> None:
        self.summary.notes.append(
            _("%(where)s: Haven keeps one address per location; this one was left out.")
            % {"where": record.where}
        )

    def _services(self) -> None:
        names = (
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "eligibility_description",
        )
        rows = {}
        for i, v in self._records("service"):
            fields: Fields = {n: _text(v, n) for n in names}
            fields["fees_description"] = _text(v, "fees_description") or _text(v, "fees")
            fields["organization_id"] = _uuid(v["organization_id"])
            fields["minimum_age"] = v.get("minimum_age")
            fields["maximum_age"] = v.get("maximum_age")
            rows[i] = fields
        self._upsert("service", Service, rows)
        services = Service.objects.in_bulk([uuid.UUID(i) for i in self.plan.hours])
        for pk, service in services.items():
            service.hours = "\n\n".join(self.plan.hours[str(pk)])[:10000]
        Service.objects.bulk_update(list(services.values()), ["hours"], batch_size=500)

    def _at_locations(self) -> None:
        rows: dict[str, Fields] = {}
        pairs = {
            (str(s), str(loc)): str(pk)
            for pk, s, loc in ServiceAtLocation.objects.filter(
                agency_id=self.agency_id
            ).values_list("pk", "service_id", "location_id")
        }
        for i, v in self._records("service_at_location"):
            pair = (v["service_id"], v["location_id"])
            if pairs.get(pair, i) != i:
                self.summary.notes.append(
                    _("%(where)s: this service is already listed at this location; left out.")
                    % {"where": self.rows["service_at_location"][i].where}
                )
                continue
            pairs[pair] = i
            rows[i] = {
                "service_id": _uuid(pair[0]),
                "location_id": _uuid(pair[1]),
                "description": _text(v, "description"),
            }
        self._upsert("service_at_location", ServiceAtLocation, rows)

    def _owners(self, v: Fields) -> tuple[str | None, str | None, str | None]:
        """(organization, service, location) a contact or phone belongs to."""
        service = v.get("service_id")
        location = v.get("location_id")
        sal = self.sal_service.get(v.get("service_at_location_id") or "")
        if sal is not None:
            service = service or sal[0]
            location = location or sal[1]
        organization = v.get("organization_id")
        return organization, service, location

    def _orphan(self, table: str, row_id: str) -> None:
        self.summary.notes.append(
            _("%(where)s: linked to nothing Haven keeps; left out.")
            % {"where": self.rows[table][row_id].where}
        )

    def _contacts(self) -> None:
        rows: dict[str, Fields] = {}
        for i, v in self._records("contact"):
            organization, service, location = self._owners(v)
            organization = organization or (self.service_org.get(service) if service else None)
            if not (organization or service or location):
                self._orphan("contact", i)
                continue
            rows[i] = {
                "organization_id": _uuid(organization),
                "service_id": _uuid(service),
                "location_id": _uuid(location),
                **{n: _text(v, n) for n in ("name", "title", "department", "email")},
            }
        self._upsert("contact", Contact, rows)
        self.kept_contacts = set(rows) | self.checked.existing.get("contact", set())

    def _phones(self) -> None:
        rows: dict[str, Fields] = {}
        for i, v in self._records("phone"):
            organization, service, location = self._owners(v)
            contact = v.get("contact_id")
            if contact and contact not in self.kept_contacts:
                contact = None
            if not (organization or service or location or contact):
                self._orphan("phone", i)
                continue
            rows[i] = {
                "organization_id": _uuid(organization),
                "service_id": _uuid(service),
                "location_id": _uuid(location),
                "contact_id": _uuid(contact),
                "number": _text(v, "number"),
                "extension": v.get("extension"),
                "type": _text(v, "type"),
                "description": _text(v, "description"),
            }
        self._upsert("phone", Phone, rows)

    def _languages(self) -> None:
        rows: dict[str, Fields] = {}
        for i, v in self._records("language"):
            if not (v.get("service_id") or v.get("location_id") or v.get("phone_id")):
                self._orphan("language", i)
                continue
            rows[i] = {
                "service_id": _uuid(v.get("service_id")),
                "location_id": _uuid(v.get("location_id")),
                "phone_id": _uuid(v.get("phone_id")),
                **{n: _text(v, n) for n in ("name", "code", "note")},
            }
        self._upsert("language", Language, rows)

    def _areas(self) -> None:
        counties = {c.name.casefold(): c.fips for c in County.objects.all()}
        rows: dict[str, Fields] = {}
        for i, v in self._records("service_area"):
            if not v.get("service_id"):
                self._orphan("service_area", i)
                continue
            name = _text(v, "name")
            kind, county = AreaKind.OTHER, None
            match = _COUNTY.match(name.strip())
            if name.strip().casefold() == "statewide":
                kind = AreaKind.STATEWIDE
            elif match and match.group("name").casefold() in counties:
                kind, county = AreaKind.COUNTY, counties[match.group("name").casefold()]
            rows[i] = {
                "service_id": _uuid(v["service_id"]),
                "kind": kind,
                "county_id": county,
                **{n: _text(v, n) for n in ("name", "description", "extent", "extent_type", "uri")},
            }
        self._upsert("service_area", ServiceArea, rows)

    def _schedules(self) -> None:
        rows: dict[str, Fields] = {}
        for i, v in self._records("schedule"):
            sal = self.sal_service.get(v.get("service_at_location_id") or "")
            service = v.get("service_id") or (sal[0] if sal else None)
            location = v.get("location_id") or (sal[1] if sal else None)
            if not (service or location):
                self._orphan("schedule", i)
                continue
            fields: Fields = {"service_id": _uuid(service), "location_id": _uuid(location)}
            for name in SCHEDULE_FIELDS:
                value = v.get(name)
                fields[name] = ("" if value is None else value) if name in _SCHEDULE_TEXT else value
            rows[i] = fields
        self._upsert("schedule", Schedule, rows)

    def _service_links(self) -> None:
        term_ids = {t for terms in self.plan.service_terms.values() for t in terms}
        known_terms = {
            str(pk)
            for pk in TaxonomyTerm.objects.filter(pk__in=term_ids).values_list("pk", flat=True)
        }
        services = Service.objects.in_bulk(
            [uuid.UUID(i) for i in set(self.plan.service_terms) | set(self.plan.service_needs)]
        )
        for pk, service in services.items():
            terms = self.plan.service_terms.get(str(pk))
            if terms is not None and str(pk) in self.plan.service_terms:
                service.taxonomy_terms.set(
                    list(TaxonomyTerm.objects.filter(pk__in=[t for t in terms if t in known_terms]))
                )
            if str(pk) in self.plan.service_needs:
                service.need_categories.set(self.plan.service_needs[str(pk)])
