from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Haven API"


def test_openapi_document_is_built_once_and_served_the_same(client):
    from haven.api.api import api

    first = client.get("/api/v1/openapi.json").content
    built = api.get_openapi_schema(path_prefix="/api/v1/")
    assert client.get("/api/v1/openapi.json").content == first
    # The same document, not a new one built for the request.
    assert api.get_openapi_schema(path_prefix="/api/v1/") is built


def test_me_needs_a_session(client):
    assert client.get("/api/v1/me").status_code == 401


def test_me_describes_the_signed_in_user(client_for, supervisor, team):
    body = client_for(supervisor).get("/api/v1/me").json()
    assert body == {
        "id": supervisor.pk,
        "username": supervisor.username,
        "display_name": supervisor.display_name,
        "agency": supervisor.agency.name,
        "agency_id": str(supervisor.agency.public_id),
        "roles": ["supervisor"],
        "memberships": [{"role": "supervisor", "team_id": team.pk}],
        "teams": [{"id": team.pk, "name": team.name}],
        "language": "en",
    }


def test_api_errors_are_json_never_html(client_for, advocate):
    response = client_for(advocate).get("/api/v1/no-such-thing")
    assert response.status_code == 404


def test_unknown_api_path_and_oversized_body_answer_in_json(client_for, advocate):
    client = client_for(advocate)
    missing = client.get("/api/v1/no/such/path/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    huge = client.post(
        "/api/v1/people", data="x" * (2 * 1024 * 1024), content_type="application/json"
    )
    assert huge.status_code in {400, 403}
    assert huge["Content-Type"].startswith("application/json")
