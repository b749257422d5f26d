"""Writes to the partner directory. Each takes the acting staff member,
asks the directory's policy, checks every value, and records its audit
event in the same transaction. A refusal raises ``ValidationError`` with a
message per field and writes nothing; a row of another agency is a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.models import Agency
from haven.partners import checks
from haven.partners.languages import OFFERED
from haven.partners.models import (
    AreaKind,
    Contact,
    GovernmentLevel,
    Language,
    Location,
    LocationType,
    Organization,
    PartnerKind,
    Phone,
    PhoneType,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from haven.partners.policies import may_edit_directory
from haven.partners.selectors import STATEWIDE, terms_for
from haven.protocol.models import County, NeedCategory
from haven.protocol.needs import categories_for

ORGANIZATION_TEXT = [
    ("name", limits.WIDE_LINE, True),
    ("alternate_name", limits.WIDE_LINE, False),
    ("description", limits.DIRECTORY_TEXT, True),  # HSDS requires it
]
SERVICE_TEXT = [
    ("name", limits.WIDE_LINE, True),
    ("alternate_name", limits.WIDE_LINE, False),
    ("description", limits.DIRECTORY_TEXT, False),
    ("interpretation_services", limits.DIRECTORY_TEXT, False),
    ("application_process", limits.DIRECTORY_TEXT, False),
    ("eligibility_description", limits.DIRECTORY_TEXT, False),
    ("fees_description", limits.DIRECTORY_TEXT, False),
    ("hours", limits.DIRECTORY_TEXT, False),
]
LOCATION_TEXT = [
    ("name", limits.WIDE_LINE, False),
    ("alternate_name", limits.WIDE_LINE, False),
    ("description", limits.DIRECTORY_TEXT, False),
    ("transportation", limits.DIRECTORY_TEXT, False),
    ("address_1", limits.SUMMARY, False),
    ("address_2", limits.SUMMARY, False),
    ("city", limits.WIDE_LINE, False),
    ("state_province", limits.WIDE_LINE, False),
    ("postal_code", 40, False),
]
CONTACT_TEXT = [
    ("name", limits.WIDE_LINE, False),
    ("title", limits.WIDE_LINE, False),
    ("department", limits.WIDE_LINE, False),
]


def _require_editor(actor: User) -> None:
    if not may_edit_directory(actor):
        raise NotFound


def _own(actor: User, row: Model) -> None:
    """A row handed in must be the actor's agency's (404 otherwise)."""
    if getattr(row, "agency_id", None) != actor.agency_id:
        raise NotFound


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return "" if value is None else str(value).strip()


def _check_text(
    errors: dict[str, list[str]],
    values: Mapping[str, Any],
    spec: Iterable[tuple[str, int, bool]],
) -> dict[str, str]:
    cleaned = {}
    for name, limit, required in spec:
        value = _text(values, name)
        problem = checks.text_problem(value, limit, required=required)
        if problem:
            errors.setdefault(name, []).append(problem)
        cleaned[name] = value
    return cleaned


def _check_email(errors: dict[str, list[str]], values: Mapping[str, Any]) -> str:
    value = _text(values, "email")
    problem = checks.email_problem(value, limits.EMAIL)
    if problem:
        errors.setdefault("email", []).append(problem)
    return value


def _check_web(errors: dict[str, list[str]], values: Mapping[str, Any], name: str) -> str:
    value = _text(values, name)
    problem = checks.web_problem(value, limits.URL)
    if problem:
        errors.setdefault(name, []).append(problem)
    return value


def _check_choice(
    errors: dict[str, list[str]], values: Mapping[str, Any], name: str, allowed: Iterable[str]
) -> str:
    value = _text(values, name)
    if value not in set(allowed):
        errors.setdefault(name, []).append(_("Choose one of the options offered."))
    return value


def _check_phone(errors: dict[str, list[str]], values: Mapping[str, Any]) -> str:
    value = " ".join(_text(values, "phone").split())
    problem = checks.text_problem(value, limits.PARTNER_PHONE)
    if problem:
        errors.setdefault("phone", []).append(problem)
    return value


def _audit(actor: User, row: Model, change: str) -> None:
    audit_record(
        action=Action.PARTNER_CHANGED,
        actor=actor,
        object_type=row._meta.model_name or "",
        object_id=str(row.pk),
        detail={"change": change},
    )


def _set_main_phone(*, actor: User, phone: str, **owner: Any) -> None:
    """The one phone number a form shows for an organization or a contact:
    the owner's first phone row, created, changed or removed."""
    rows = Phone.objects.filter(agency_id=actor.agency_id, **owner).order_by("number", "id")
    if "organization" in owner:
        rows = rows.filter(service=None, location=None, contact=None)
    current = rows.first()
    if not phone:
        if current is not None:
            current.delete()
        return
    if current is None:
        Phone.objects.create(agency_id=actor.agency_id, number=phone, type=PhoneType.VOICE, **owner)
    elif current.number != phone:
        current.number = phone
        current.save(update_fields=["number"])


def main_phone(**owner: Any) -> str:
    rows = Phone.objects.filter(**owner).order_by("number", "id")
    if "organization" in owner:
        rows = rows.filter(service=None, location=None, contact=None)
    first = rows.first()
    return first.number if first is not None else ""


# --- Organizations -------------------------------------------------------------------------


def _check_agency_link(
    errors: dict[str, list[str]], actor: User, public_id: object
) -> Agency | None:
    """Another agency, named by the public id its administrator gives out:
    agencies never see a list of each other."""
    if public_id is None or public_id == "":
        return None
    try:
        wanted = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        wanted = None
    agency = Agency.objects.filter(public_id=wanted).first() if wanted else None
    if agency is None:
        errors.setdefault("haven_agency", []).append(
            _("No agency on this installation has this id.")
        )
        return None
    if agency.pk == actor.agency_id:
        errors.setdefault("haven_agency", []).append(
            _("A partner cannot be your own agency: choose another one, or none.")
        )
        return None
    return agency


def organization_save(
    *, actor: User, values: Mapping[str, Any], organization: Organization | None = None
) -> Organization:
    """Add a partner, or change one. ``values`` holds the form's fields:
    the texts, website, email, phone, kind, government_level,
    agreement_on_file, agreement_date and haven_agency (another agency's
    public id, or None)."""
    _require_editor(actor)
    if organization is not None:
        _own(actor, organization)
    errors: dict[str, list[str]] = {}
    texts = _check_text(errors, values, ORGANIZATION_TEXT)
    website = _check_web(errors, values, "website")
    email = _check_email(errors, values)
    phone = _check_phone(errors, values)
    kind = _check_choice(errors, values, "kind", PartnerKind.values)
    level = _check_choice(errors, values, "government_level", GovernmentLevel.values)
    on_file = bool(values.get("agreement_on_file"))
    agreement_date = values.get("agreement_date")
    if agreement_date is not None and not isinstance(agreement_date, date):
        errors.setdefault("agreement_date", []).append(_("Enter the date as YYYY-MM-DD."))
        agreement_date = None
    if agreement_date is not None and not on_file:
        errors.setdefault("agreement_date", []).append(
            _("Tick the box for the agreement too, or leave the date blank.")
        )
    haven_agency = _check_agency_link(errors, actor, values.get("haven_agency"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = organization or Organization(agency_id=actor.agency_id)
        for name, value in texts.items():
            setattr(row, name, value)
        row.website = website
        row.email = email
        row.kind = kind
        row.government_level = level
        row.agreement_on_file = on_file
        row.agreement_date = agreement_date
        row.haven_agency = haven_agency
        row.save()
        _set_main_phone(actor=actor, phone=phone, organization=row)
        _audit(actor, row, "added" if organization is None else "changed")
    return row


# --- Services ------------------------------------------------------------------------------


def _check_age(errors: dict[str, list[str]], values: Mapping[str, Any], name: str) -> int | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
        errors.setdefault(name, []).append(_("Enter a whole number of years from 0 to 120."))
        return None
    return int(value)


def service_save(
    *,
    actor: User,
    organization: Organization,
    values: Mapping[str, Any],
    service: Service | None = None,
) -> Service:
    """Add a service to a partner, or change one. Besides its texts,
    ``values`` holds status, url, email, minimum_age, maximum_age, and the
    lists need_codes, term_ids, languages (ISO 639 codes) and areas
    ("statewide" or county FIPS codes); a list not given is left as it is."""
    _require_editor(actor)
    _own(actor, organization)
    if service is not None:
        _own(actor, service)
        if service.organization_id != organization.pk:
            raise NotFound
    errors: dict[str, list[str]] = {}
    texts = _check_text(errors, values, SERVICE_TEXT)
    url = _check_web(errors, values, "url")
    email = _check_email(errors, values)
    status = _check_choice(errors, values, "status", ServiceStatus.values)
    minimum = _check_age(errors, values, "minimum_age")
    maximum = _check_age(errors, values, "maximum_age")
    if minimum is not None and maximum is not None and minimum > maximum:
        errors.setdefault("maximum_age", []).append(
            _("The maximum age cannot be below the minimum age.")
        )
    needs = _check_needs(errors, actor, values.get("need_codes"))
    terms = _check_terms(errors, actor, values.get("term_ids"))
    languages = _check_languages(errors, values.get("languages"))
    areas = _check_areas(errors, values.get("areas"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = service or Service(agency_id=actor.agency_id, organization=organization)
        for name, value in texts.items():
            setattr(row, name, value)
        row.url = url
        row.email = email
        row.status = status
        row.minimum_age = minimum
        row.maximum_age = maximum
        row.save()
        if needs is not None:
            row.need_categories.set(needs)
        if terms is not None:
            row.taxonomy_terms.set(terms)
        if languages is not None:
            _set_languages(actor, row, languages)
        if areas is not None:
            _set_areas(actor, row, areas)
        _audit(actor, row, "added" if service is None else "changed")
    return row


def _check_needs(
    errors: dict[str, list[str]], actor: User, codes: object
) -> list[NeedCategory] | None:
    if codes is None:
        return None
    wanted = list(codes) if isinstance(codes, list | tuple | set | frozenset) else [codes]
    allowed = {c.code: c for c in categories_for(actor.agency_id)}
    if any(not isinstance(code, str) or code not in allowed for code in wanted):
        errors.setdefault("need_codes", []).append(_("Choose needs from the list."))
        return None
    return [allowed[code] for code in sorted(set(wanted))]


def _check_terms(
    errors: dict[str, list[str]], actor: User, ids: object
) -> list[TaxonomyTerm] | None:
    if ids is None:
        return None
    wanted: set[uuid.UUID] = set()
    for value in ids if isinstance(ids, list | tuple | set | frozenset) else [ids]:
        try:
            wanted.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            errors.setdefault("term_ids", []).append(_("Choose kinds of service from the list."))
            return None
    found = list(terms_for(actor.agency_id).filter(pk__in=wanted))
    if len(found) != len(wanted):
        errors.setdefault("term_ids", []).append(_("Choose kinds of service from the list."))
        return None
    return found


def _check_languages(errors: dict[str, list[str]], codes: object) -> list[str] | None:
    if codes is None:
        return None
    wanted = list(codes) if isinstance(codes, list | tuple | set | frozenset) else [codes]
    if any(not isinstance(c, str) or c not in OFFERED for c in wanted):
        errors.setdefault("languages", []).append(_("Choose languages from the list."))
        return None
    return sorted(set(wanted))


def _check_areas(errors: dict[str, list[str]], areas: object) -> list[str] | None:
    if areas is None:
        return None
    wanted = list(areas) if isinstance(areas, list | tuple | set | frozenset) else [areas]
    counties = set(County.objects.values_list("fips", flat=True))
    if any(not isinstance(a, str) or (a != STATEWIDE and a not in counties) for a in wanted):
        errors.setdefault("areas", []).append(_("Choose areas from the list."))
        return None
    return sorted(set(wanted))


def _set_languages(actor: User, service: Service, codes: list[str]) -> None:
    """Keep the rows (and their ids) of languages still named; the others go."""
    current = {row.code: row for row in Language.objects.filter(service=service)}
    for code, row in current.items():
        if code not in codes:
            row.delete()
    for code in codes:
        if code not in current:
            Language.objects.create(agency_id=actor.agency_id, service=service, code=code)


def _set_areas(actor: User, service: Service, areas: list[str]) -> None:
    """Statewide and county areas follow the list; other areas (from an
    import) are kept."""
    current: dict[str, ServiceArea] = {}
    for row in ServiceArea.objects.filter(service=service).exclude(kind=AreaKind.OTHER):
        key = STATEWIDE if row.kind == AreaKind.STATEWIDE else (row.county_id or "")
        if key in current or key not in areas:
            row.delete()
        else:
            current[key] = row
    counties = {c.fips: c for c in County.objects.filter(fips__in=areas)}
    for key in areas:
        if key in current:
            continue
        if key == STATEWIDE:
            ServiceArea.objects.create(
                agency_id=actor.agency_id,
                service=service,
                kind=AreaKind.STATEWIDE,
                name="Statewide",
            )
        else:
            county = counties[key]
            ServiceArea.objects.create(
                agency_id=actor.agency_id,
                service=service,
                kind=AreaKind.COUNTY,
                county=county,
                name=f"{county.name} County",
            )


# --- Locations -----------------------------------------------------------------------------


def _check_coordinate(
    errors: dict[str, list[str]], values: Mapping[str, Any], name: str, limit: float
) -> float | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not -limit <= number <= limit:
        errors.setdefault(name, []).append(
            _("Enter a number from -%(limit)s to %(limit)s.") % {"limit": int(limit)}
        )
        return None
    return number


def location_save(
    *,
    actor: User,
    organization: Organization,
    values: Mapping[str, Any],
    location: Location | None = None,
) -> Location:
    """Add or change a partner's location. ``values`` holds its texts,
    location_type, country, latitude, longitude, and service_ids: the
    partner's services offered there (a list; not given leaves them)."""
    _require_editor(actor)
    _own(actor, organization)
    if location is not None:
        _own(actor, location)
        if location.organization_id != organization.pk:
            raise NotFound
    errors: dict[str, list[str]] = {}
    texts = _check_text(errors, values, LOCATION_TEXT)
    location_type = _check_choice(errors, values, "location_type", LocationType.values)
    country = _text(values, "country").upper()
    if country and (len(country) != 2 or not country.isascii() or not country.isalpha()):
        errors.setdefault("country", []).append(
            _("Enter the country's two-letter code, such as US.")
        )
    latitude = _check_coordinate(errors, values, "latitude", 90)
    longitude = _check_coordinate(errors, values, "longitude", 180)
    if not (texts["name"] or texts["address_1"]):
        errors.setdefault("name", []).append(_("Give the location a name or an address."))
    address = ("address_1", "city", "state_province", "postal_code")
    if any(texts[n] for n in address[1:]) or texts["address_1"]:
        for name in address:
            if not texts[name]:
                errors.setdefault(name, []).append(
                    _("An address needs its street, city, state and postal code.")
                )
        if not country:
            errors.setdefault("country", []).append(
                _("Enter the country's two-letter code, such as US.")
            )
    services = None
    if values.get("service_ids") is not None:
        wanted = set(values["service_ids"])
        services = list(Service.objects.filter(organization=organization, pk__in=wanted))
        if len(services) != len(wanted):
            errors.setdefault("service_ids", []).append(_("Choose services from the list."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = location or Location(agency_id=actor.agency_id, organization=organization)
        for name, value in texts.items():
            setattr(row, name, value)
        row.location_type = location_type
        row.country = country
        row.latitude = latitude
        row.longitude = longitude
        if row.address_1 and row.address_id is None:
            row.address_id = uuid.uuid4()
        row.save()
        if services is not None:
            keep = {s.pk for s in services}
            ServiceAtLocation.objects.filter(location=row).exclude(service_id__in=keep).delete()
            have = set(
                ServiceAtLocation.objects.filter(location=row).values_list("service_id", flat=True)
            )
            for service in services:
                if service.pk not in have:
                    ServiceAtLocation.objects.create(
                        agency_id=actor.agency_id, service=service, location=row
                    )
        _audit(actor, row, "added" if location is None else "changed")
    return row


def location_remove(*, actor: User, location: Location) -> None:
    _require_editor(actor)
    _own(actor, location)
    with transaction.atomic():
        _audit(actor, location, "removed")
        location.delete()


# --- Contacts ------------------------------------------------------------------------------


def contact_save(
    *,
    actor: User,
    organization: Organization,
    values: Mapping[str, Any],
    contact: Contact | None = None,
) -> Contact:
    """Add or change someone to ask for at a partner: name, title,
    department, email and one phone number."""
    _require_editor(actor)
    _own(actor, organization)
    if contact is not None:
        _own(actor, contact)
        if contact.organization_id != organization.pk:
            raise NotFound
    errors: dict[str, list[str]] = {}
    texts = _check_text(errors, values, CONTACT_TEXT)
    email = _check_email(errors, values)
    phone = _check_phone(errors, values)
    if not (texts["name"] or texts["title"] or texts["department"]):
        errors.setdefault("name", []).append(_("Give a name, a title or a department to ask for."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = contact or Contact(agency_id=actor.agency_id, organization=organization)
        for name, value in texts.items():
            setattr(row, name, value)
        row.email = email
        row.save()
        _set_main_phone(actor=actor, phone=phone, contact=row)
        _audit(actor, row, "added" if contact is None else "changed")
    return row


def contact_remove(*, actor: User, contact: Contact) -> None:
    _require_editor(actor)
    _own(actor, contact)
    with transaction.atomic():
        _audit(actor, contact, "removed")
        contact.delete()
