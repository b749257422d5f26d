"""A small synthetic directory, and helpers to count what is in one."""

from __future__ import annotations

import datetime

import pytest

from haven.partners import services
from haven.partners.models import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

LEGAL_AID = {
    "name": "Sample Legal Aid (synthetic)",
    "alternate_name": "SLA",
    "description": "Free immigration and criminal-record help (invented for tests).",
    "kind": "legal",
    "government_level": "none",
    "website": "https://legal.example.org",
    "email": "intake@legal.example.org",
    "phone": "+1 608 555 0100",
    "agreement_on_file": True,
    "agreement_date": datetime.date(2024, 3, 1),
    "haven_agency": None,
}
SHERIFF = {
    "name": "Sample County Sheriff (synthetic)",
    "description": "Victim services unit (invented for tests).",
    "kind": "law_enforcement",
    "government_level": "local",
}


def directory_counts() -> dict[str, int]:
    """How many rows of each kind the whole installation's directories hold."""
    models = (Organization, Service, Location, ServiceAtLocation, Contact, Phone, Language)
    models += (ServiceArea, Schedule, Taxonomy, TaxonomyTerm)
    counts = {m.__name__: m.objects.count() for m in models}
    counts["service_terms"] = Service.taxonomy_terms.through.objects.count()
    counts["service_needs"] = Service.need_categories.through.objects.count()
    return counts


def build_directory(actor) -> dict[str, object]:
    """Two partners: a legal aid program with a full service, location and
    contact, and a sheriff's office."""
    legal = services.organization_save(actor=actor, values=LEGAL_AID)
    service = services.service_save(
        actor=actor,
        organization=legal,
        values={
            "name": "Immigration legal help (synthetic)",
            "description": "T and U visa applications.",
            "status": "active",
            "eligibility_description": "Adults and youth 14 and over.",
            "fees_description": "Free.",
            "hours": "Mon-Fri 9-5\nEvenings by appointment",
            "minimum_age": 14,
            "url": "https://legal.example.org/immigration",
            "need_codes": ["immigration", "criminal_proceedings"],
            "term_ids": [str(TaxonomyTerm.objects.get(code="legal.immigration").pk)],
            "languages": ["eng", "spa"],
            "areas": ["statewide", "55025"],
        },
    )
    location = services.location_save(
        actor=actor,
        organization=legal,
        values={
            "name": "Main office",
            "location_type": "physical",
            "address_1": "1 Example Street",
            "city": "Madison",
            "state_province": "WI",
            "postal_code": "53703",
            "country": "US",
            "latitude": 43.07,
            "longitude": -89.38,
            "service_ids": [service.pk],
        },
    )
    contact = services.contact_save(
        actor=actor,
        organization=legal,
        values={
            "name": "Pat Example",
            "title": "Intake coordinator",
            "email": "pat@legal.example.org",
            "phone": "-555-0101",
        },
    )
    sheriff = services.organization_save(actor=actor, values=SHERIFF)
    return {
        "legal": legal,
        "service": service,
        "location": location,
        "contact": contact,
        "sheriff": sheriff,
    }


@pytest.fixture
def directory(supervisor):
    return build_directory(supervisor)
