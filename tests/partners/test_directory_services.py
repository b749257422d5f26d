"""The directory's models and services: scoping, checks, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.partners import services
from haven.partners.models import (
    AreaKind,
    Organization,
    PartnerKind,
    Phone,
    TaxonomyTerm,
    recipient_categories,
)
from haven.partners.taxonomy import SHIPPED_NAMES
from haven.protocol.migrations import __file__ as protocol_migrations
from tests.partners.conftest import LEGAL_AID, directory_counts

pytestmark = pytest.mark.django_db

TAXONOMY_FILE = (
    Path(__file__).resolve().parents[2] / "haven" / "partners" / "data" / "taxonomy.json"
)


def shipped_need_codes() -> set[str]:
    source = (Path(protocol_migrations).parent / "0002_shipped_data.py").read_text()
    namespace: dict[str, object] = {}
    start = source.index("NEEDS = [")
    exec(source[start : source.index("]\n", start) + 2], namespace)  # noqa: S102 - our own file
    return {code for code, _label, _term in namespace["NEEDS"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kind", "level", "expected"),
    [
        ("legal", "none", set()),
        ("law_enforcement", "none", {"law_enforcement"}),
        ("law_enforcement", "local", {"law_enforcement", "local"}),
        ("federal", "none", {"federal"}),
        ("immigration", "federal", {"federal"}),
        ("child_protection", "state", {"state"}),
        ("da_victim_witness", "local", {"prosecution", "local"}),
        ("prosecutor", "local", {"prosecution", "local"}),
        ("prosecutor", "federal", {"prosecution", "federal"}),
    ],
)
def test_recipient_categories_follow_kind_and_government_level(kind, level, expected):
    organization = Organization(kind=kind, government_level=level)
    assert recipient_categories(organization) == frozenset(expected)


def test_partner_kinds_are_the_ones_the_brief_lists():
    assert PartnerKind.values == [
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


def test_the_shipped_taxonomy_is_loaded_with_valid_need_codes():
    data = json.loads(TAXONOMY_FILE.read_text())
    terms = TaxonomyTerm.objects.filter(agency=None)
    assert 25 <= terms.count() == len(data["terms"]) <= 40
    needs = shipped_need_codes()
    codes = {t.code for t in terms}
    for term in terms:
        assert set(term.need_codes) <= needs, term.code
        assert term.description
    parents = {t["code"]: t["parent"] for t in data["terms"]}
    for term in terms.select_related("parent"):
        assert (term.parent.code if term.parent else None) == parents[term.code]
    # Every need category is answered by some term, and every name is translatable.
    assert needs <= {code for t in terms for code in t.need_codes}
    assert set(SHIPPED_NAMES) == codes
    assert {str(SHIPPED_NAMES[t.code]) for t in terms} == {t.name for t in terms}


def test_a_supervisor_adds_a_partner_and_it_is_audited(supervisor):
    before = AuditEvent.objects.filter(action=Action.PARTNER_CHANGED).count()
    organization = services.organization_save(actor=supervisor, values=LEGAL_AID)
    assert organization.agency_id == supervisor.agency_id
    assert organization.agreement_on_file is True
    assert list(
        Phone.objects.filter(organization=organization).values_list("number", flat=True)
    ) == ["+1 608 555 0100"]
    events = AuditEvent.objects.filter(action=Action.PARTNER_CHANGED)
    assert events.count() == before + 1
    assert events.order_by("-pk").first().detail == {"change": "added"}


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter", "auditor"])
def test_readers_may_not_change_the_directory(all_personas, persona):
    before = directory_counts()
    with pytest.raises(NotFound):
        services.organization_save(actor=all_personas[persona], values=LEGAL_AID)
    assert directory_counts() == before


def test_another_agencys_partner_cannot_be_changed(directory, outsider):
    with pytest.raises(NotFound):
        services.organization_save(
            actor=outsider, values=LEGAL_AID, organization=directory["legal"]
        )
    with pytest.raises(NotFound):
        services.service_save(actor=outsider, organization=directory["legal"], values={"name": "x"})


def test_a_partner_cannot_be_its_own_agency(supervisor, agency, other_agency):
    with pytest.raises(ValidationError) as refused:
        services.organization_save(
            actor=supervisor, values={**LEGAL_AID, "haven_agency": agency.public_id}
        )
    assert "your own agency" in str(refused.value.message_dict["haven_agency"])
    linked = services.organization_save(
        actor=supervisor, values={**LEGAL_AID, "haven_agency": other_agency.public_id}
    )
    assert linked.haven_agency_id == other_agency.pk
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=linked.pk).update(haven_agency=agency)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"description": "  "}, "description", "This field is required."),
        ({"name": "=HYPERLINK(1)"}, "name", "formula"),
        ({"name": "@SUM(A1)"}, "name", "formula"),
        ({"website": "javascript:alert(1)"}, "website", "http://"),
        ({"email": "not an address"}, "email", "e-mail address"),
        ({"kind": "spy"}, "kind", "Choose one of the options offered."),
        ({"name": "a\u202eb"}, "name", "invisible"),
        ({"haven_agency": "not-a-uuid"}, "haven_agency", "No agency"),
        ({"agreement_on_file": False}, "agreement_date", "Tick the box"),
    ],
)
def test_bad_partner_values_are_refused_and_nothing_is_written(supervisor, values, field, message):
    before = directory_counts()
    with pytest.raises(ValidationError) as refused:
        services.organization_save(actor=supervisor, values={**LEGAL_AID, **values})
    assert message in " ".join(refused.value.message_dict[field])
    assert directory_counts() == before


def test_service_lists_are_kept_in_their_own_rows(directory, supervisor):
    service = directory["service"]
    assert sorted(c.code for c in service.need_categories.all()) == [
        "criminal_proceedings",
        "immigration",
    ]
    assert sorted(service.languages.values_list("code", flat=True)) == ["eng", "spa"]
    areas = sorted((a.kind, a.county_id or "", a.name) for a in service.areas.all())
    assert areas == [("county", "55025", "Dane County"), ("statewide", "", "Statewide")]
    kept = service.languages.get(code="spa").pk
    services.service_save(
        actor=supervisor,
        organization=directory["legal"],
        service=service,
        values={"name": service.name, "status": "active", "languages": ["spa", "hmn"]},
    )
    assert sorted(service.languages.values_list("code", flat=True)) == ["hmn", "spa"]
    assert service.languages.get(code="spa").pk == kept  # the row (and its HSDS id) stays
    # Lists not sent are left as they were.
    assert service.areas.filter(kind=AreaKind.STATEWIDE).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"need_codes": ["flying"]}, "need_codes"),
        ({"term_ids": ["00000000-0000-0000-0000-000000000000"]}, "term_ids"),
        ({"languages": ["xx"]}, "languages"),
        ({"areas": ["99999"]}, "areas"),
        ({"status": "open"}, "status"),
        ({"minimum_age": 20, "maximum_age": 10}, "maximum_age"),
        ({"url": "ftp://example.org"}, "url"),
    ],
)
def test_bad_service_values_are_refused(directory, supervisor, values, field):
    before = directory_counts()
    with pytest.raises(ValidationError) as refused:
        services.service_save(
            actor=supervisor,
            organization=directory["legal"],
            values={"name": "New (synthetic)", "status": "active", **values},
        )
    assert field in refused.value.message_dict
    assert directory_counts() == before


def test_an_address_needs_its_parts(directory, supervisor):
    with pytest.raises(ValidationError) as refused:
        services.location_save(
            actor=supervisor,
            organization=directory["legal"],
            values={"location_type": "physical", "address_1": "2 Example Road", "country": "US"},
        )
    assert set(refused.value.message_dict) == {"city", "state_province", "postal_code"}


def test_removing_a_contact_is_audited(directory, supervisor):
    contact = directory["contact"]
    contact_id = str(contact.pk)
    services.contact_remove(actor=supervisor, contact=contact)
    event = AuditEvent.objects.filter(action=Action.PARTNER_CHANGED).order_by("-pk").first()
    assert event.object_type == "contact"
    assert event.object_id == contact_id
    assert event.detail == {"change": "removed"}
