"""The directory over the API, and the HSDS 3.0 API."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from django.test import Client

from haven.accounts.api_tokens import api_token_create
from haven.audit.models import AuditEvent
from haven.partners.models import Organization, TaxonomyTerm
from tests.partners.conftest import directory_counts

pytestmark = pytest.mark.django_db

HSDS = Path("/work/shared/hsds-3.0")
PARTNERS = "/api/v1/partners"
READERS = ["advocate", "supervisor", "intake", "shelter", "admin", "auditor"]
EDITORS = {"supervisor", "admin"}
NEW_PARTNER = {
    "name": "Sample Clinic (synthetic)",
    "description": "Primary care (invented for tests).",
    "kind": "medical",
    "government_level": "local",
    "phone": "+1 414 555 0100",
    "agreement_on_file": True,
    "agreement_date": "2025-01-15",
}


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((HSDS / "schema" / "compiled" / name).read_text())
    return jsonschema.Draft202012Validator(schema)


def put_json(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("persona", READERS)
def test_every_staff_role_lists_and_reads_partners(client_for, all_personas, directory, persona):
    client = client_for(all_personas[persona])
    body = client.get(PARTNERS).json()
    assert body["count"] == 2
    assert [p["name"] for p in body["items"]] == [
        "Sample County Sheriff (synthetic)",
        "Sample Legal Aid (synthetic)",
    ]
    assert body["items"][0]["recipient_categories"] == ["law_enforcement", "local"]
    detail = client.get(f"{PARTNERS}/{directory['legal'].pk}").json()
    assert detail["services"][0]["need_categories"] == ["criminal_proceedings", "immigration"]
    assert detail["services"][0]["areas"] == ["55025", "statewide"]
    assert detail["contacts"][0]["phones"] == ["-555-0101"]
    assert detail["locations"][0]["services"] == [str(directory["service"].pk)]
    assert detail["phones"] == ["+1 608 555 0100"]


def test_filters_and_pages(client_for, advocate, directory):
    client = client_for(advocate)
    assert [p["name"] for p in client.get(PARTNERS, {"need": "immigration"}).json()["items"]] == [
        "Sample Legal Aid (synthetic)"
    ]
    assert client.get(PARTNERS, {"kind": "law_enforcement"}).json()["count"] == 1
    assert client.get(PARTNERS, {"language": "es"}).json()["count"] == 1  # ISO 639-1 too
    page = client.get(PARTNERS, {"per_page": 1, "page": 2}).json()
    assert (page["count"], page["page"], page["pages"]) == (2, 2, 2)
    assert [p["name"] for p in page["items"]] == ["Sample Legal Aid (synthetic)"]
    assert client.get(PARTNERS, {"per_page": 500}).status_code == 422
    assert client.get(PARTNERS, {"kind": "spy"}).status_code == 422


def test_editors_create_and_change_partners(client_for, supervisor, other_agency):
    client = client_for(supervisor)
    response = post_json(client, PARTNERS, NEW_PARTNER)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["recipient_categories"] == ["local"]
    assert created["agreement_date"] == "2025-01-15"
    changed = {
        **NEW_PARTNER,
        "name": "Renamed Clinic (synthetic)",
        "haven_agency": str(other_agency.public_id),
    }
    response = put_json(client, f"{PARTNERS}/{created['id']}", changed)
    assert response.status_code == 200, response.content
    assert response.json()["haven_agency"] == str(other_agency.public_id)
    service = {
        "name": "Walk-in clinic",
        "need_categories": ["medical_care"],
        "taxonomy_terms": [str(TaxonomyTerm.objects.get(code="health.urgent").pk)],
        "languages": ["spa"],
        "areas": ["55079"],
    }
    response = post_json(client, f"{PARTNERS}/{created['id']}/services", service)
    assert response.status_code == 201, response.content
    service_id = response.json()["id"]
    response = put_json(
        client,
        f"{PARTNERS}/{created['id']}/services/{service_id}",
        {**service, "status": "inactive"},
    )
    assert response.json()["status"] == "inactive"
    assert response.json()["areas"] == ["55079"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "=1+1"}, "name", "formula"),
        ({"website": "javascript:alert(1)"}, "website", "http://"),
        ({"haven_agency": "00000000-0000-0000-0000-000000000000"}, "haven_agency", "No agency"),
    ],
)
def test_a_refused_partner_is_a_422_and_writes_nothing(
    client_for, supervisor, body, field, message
):
    before = directory_counts()
    response = post_json(client_for(supervisor), PARTNERS, {**NEW_PARTNER, **body})
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["body", field]
    assert message in problem["msg"]
    assert directory_counts() == before


def test_linking_to_your_own_agency_is_a_422(client_for, supervisor, agency):
    response = post_json(
        client_for(supervisor), PARTNERS, {**NEW_PARTNER, "haven_agency": str(agency.public_id)}
    )
    assert response.status_code == 422
    assert "your own agency" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("persona", sorted(set(READERS) - EDITORS))
def test_readers_cannot_write_over_the_api(client_for, all_personas, directory, persona):
    client = client_for(all_personas[persona])
    before = directory_counts()
    legal = directory["legal"]
    assert post_json(client, PARTNERS, NEW_PARTNER).status_code == 404
    assert put_json(client, f"{PARTNERS}/{legal.pk}", NEW_PARTNER).status_code == 404
    service = {"name": "x"}
    assert post_json(client, f"{PARTNERS}/{legal.pk}/services", service).status_code == 404
    url = f"{PARTNERS}/{legal.pk}/services/{directory['service'].pk}"
    assert put_json(client, url, service).status_code == 404
    assert directory_counts() == before


def test_another_agency_gets_404_on_every_route_for_our_rows(client_for, directory, outsider):
    client = client_for(outsider)
    legal, service = directory["legal"], directory["service"]
    before = (directory_counts(), AuditEvent.objects.count())
    for url in (
        f"{PARTNERS}/{legal.pk}",
        f"/api/v1/hsds/services/{service.pk}",
        f"/api/v1/hsds/organizations/{legal.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert put_json(client, f"{PARTNERS}/{legal.pk}", NEW_PARTNER).status_code == 404
    assert post_json(client, f"{PARTNERS}/{legal.pk}/services", {"name": "x"}).status_code == 404
    url = f"{PARTNERS}/{legal.pk}/services/{service.pk}"
    assert put_json(client, url, {"name": "x"}).status_code == 404
    assert client.get(PARTNERS).json()["count"] == 0
    assert client.get("/api/v1/hsds/services").json()["total_items"] == 0
    assert client.get("/api/v1/hsds/organizations").json()["total_items"] == 0
    assert (directory_counts(), AuditEvent.objects.count()) == before
    # A malformed id answers like a missing one.
    assert client.get(f"{PARTNERS}/not-a-uuid").status_code == 404
    assert Organization.objects.get(pk=legal.pk).name == "Sample Legal Aid (synthetic)"


def test_the_hsds_root_says_which_version(client_for, advocate):
    body = client_for(advocate).get("/api/v1/hsds/").json()
    assert body["version"] == "3.0"
    assert body["openapi_url"] == "http://testserver/api/v1/openapi.json"


def test_hsds_services_are_paginated_as_the_hsds_api_says(client_for, advocate, directory):
    client = client_for(advocate)
    body = client.get("/api/v1/hsds/services", {"per_page": 1}).json()
    assert {k: v for k, v in body.items() if k != "contents"} == {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "size": 1,
        "first_page": True,
        "last_page": True,
        "empty": False,
    }
    item = body["contents"][0]
    assert item["name"] == "Immigration legal help (synthetic)"
    assert item["organization"]["name"] == "Sample Legal Aid (synthetic)"
    schema = json.loads((HSDS / "schema" / "compiled" / "service_list.json").read_text())
    jsonschema.validate(item, schema)
    empty = client.get("/api/v1/hsds/services", {"page": 5}).json()
    assert (empty["empty"], empty["size"], empty["last_page"]) == (True, 0, True)
    term = TaxonomyTerm.objects.get(code="legal.immigration")
    found = client.get("/api/v1/hsds/services", {"taxonomy_term_id": str(term.pk)}).json()
    assert found["total_items"] == 1
    other = TaxonomyTerm.objects.get(code="basic.food")
    assert (
        client.get("/api/v1/hsds/services", {"taxonomy_term_id": str(other.pk)}).json()[
            "total_items"
        ]
        == 0
    )
    assert client.get("/api/v1/hsds/services", {"search": "visa"}).json()["total_items"] == 1


def test_hsds_objects_validate_against_the_schemas(client_for, advocate, directory):
    client = client_for(advocate)
    service = client.get(f"/api/v1/hsds/services/{directory['service'].pk}").json()
    assert list(validator("service.json").iter_errors(service)) == []
    assert service["organization"]["name"] == "Sample Legal Aid (synthetic)"
    assert service["service_at_locations"][0]["location"]["name"] == "Main office"
    organization = client.get(f"/api/v1/hsds/organizations/{directory['legal'].pk}").json()
    assert list(validator("organization.json").iter_errors(organization)) == []
    page = client.get("/api/v1/hsds/organizations").json()
    assert page["total_items"] == 2
    for item in page["contents"]:
        assert list(validator("organization_list.json").iter_errors(item)) == []


def test_a_bearer_token_reads_the_hsds_api(advocate, directory):
    token = api_token_create(user=advocate, lifetime=timedelta(hours=1))
    response = Client().get("/api/v1/hsds/services", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["total_items"] == 1


def test_anonymous_callers_get_401(client):
    for url in (PARTNERS, "/api/v1/hsds/", "/api/v1/hsds/services", f"{PARTNERS}/{uuid.uuid4()}"):
        assert client.get(url).status_code == 401, url


def test_the_openapi_document_lists_the_directory_and_hsds_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/partners": {"get", "post"},
        "/api/v1/partners/{organization_id}": {"get", "put"},
        "/api/v1/partners/{organization_id}/services": {"post"},
        "/api/v1/partners/{organization_id}/services/{service_id}": {"put"},
        "/api/v1/hsds/": {"get"},
        "/api/v1/hsds/services": {"get"},
        "/api/v1/hsds/services/{service_id}": {"get"},
        "/api/v1/hsds/organizations": {"get"},
        "/api/v1/hsds/organizations/{organization_id}": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
