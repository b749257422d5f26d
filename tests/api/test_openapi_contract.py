"""Every operation of the API against its own OpenAPI document.

The test walks the document, not a list of routes, so a new operation is
covered the day it is added. An authorised user (one who holds every role)
sends each operation requests it must refuse (a malformed or unknown id, a
body of the wrong shape, a value of the wrong type in every field, missing
fields, bad query values) and the smallest request the document allows.
Whatever comes back must be an answer the document lists for the
operation, shaped as it says; a 422 must use the shared error schema, and
each problem's ``loc`` must name a place the document gives the request:
``["body", field]``, ``["query", name]``, ``["path", name]``, ``["body"]``,
or ``["form", field]`` and ``["file", field]`` in a multipart body.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator

from haven.accounts.models import Membership, Role
from haven.api.api import api
from haven.api.referrals import INBOX_SIZE
from haven.people import caselist
from tests.factories import make_staff, record_intake

pytestmark = pytest.mark.django_db

DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), default=str))
SHARED_ERRORS = "#/components/schemas/Refusals"
MESSAGE = "#/components/schemas/Message"
METHODS = {"get", "post", "put", "patch", "delete"}
OPERATIONS = [
    pytest.param(method, path, operation, id=f"{method.upper()} {path}")
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    if method in METHODS
]
# A value no documented field takes: not a string, number, boolean or list,
# and its one key is no field's name.
WRONG = {"unexpected": ["shape"]}
# What the bad requests send; an answer never quotes it back.
SENT = ("unexpected", "shape", "no-such-value", "not-an-id", "xxxxxxxx")


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = DOCUMENT["components"]["schemas"][name]
    return schema


def body_schema(operation: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The content type and the schema of the operation's request body."""
    content = operation.get("requestBody", {}).get("content", {})
    for kind, media in content.items():
        return kind, resolve(media["schema"])
    return None


def parameters(operation: dict[str, Any], where: str) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", []) if p["in"] == where]


def smallest(schema: dict[str, Any]) -> Any:
    """The plainest value the schema allows (a real service may still refuse it)."""
    schema = resolve(schema)
    for choice in schema.get("anyOf", []):
        if resolve(choice).get("type") != "null":
            return smallest(choice)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        shape = schema.get("format")
        if shape == "uuid":
            return str(uuid.uuid4())
        if shape == "date":
            return timezone.localdate().isoformat()
        if shape == "date-time":
            return timezone.now().isoformat()
        if schema.get("pattern") == r"^\d{5}$":
            return "55025"
        return "Synthetic"[: schema.get("maxLength", 9)].ljust(schema.get("minLength", 0), "x")
    if kind in {"integer", "number"}:
        if "exclusiveMinimum" in schema:
            return schema["exclusiveMinimum"] + 1
        return max(schema.get("minimum", 1), 1) if schema.get("maximum", 1) >= 1 else 0
    if kind == "boolean":
        return False
    if kind == "array":
        return [smallest(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "object" and "properties" in schema:
        return {
            name: smallest(field)
            for name, field in schema["properties"].items()
            if name in schema.get("required", [])
        }
    return {}


def wrong(schema: dict[str, Any]) -> Any:
    """A query value of the wrong type, or out of range, for the schema."""
    schema = resolve(schema)
    for choice in schema.get("anyOf", []):
        if resolve(choice).get("type") != "null":
            return wrong(choice)
    if "enum" in schema or schema.get("format") in {"uuid", "date"}:
        return "no-such-value"
    if schema.get("type") in {"integer", "number"}:
        return "x"
    if "maxLength" in schema:
        return "x" * (schema["maxLength"] + 1)
    return None


@pytest.fixture
def caller(agency, team):
    """Signed in as one staff member who holds every role, with a case of their team."""
    user = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-contract")
    for role in (Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR, Role.INTAKE, Role.SHELTER):
        Membership.objects.create(user=user, role=role, team=team)
    case = record_intake(actor=user, team=team)
    client = Client()
    client.force_login(user)
    return client, str(case.pk)


def is_case(parameter: dict[str, Any]) -> bool:
    return parameter["name"] in {"case", "case_id"}


def target(path: str, operation: dict[str, Any], case_id: str, *, ids: str | None) -> str:
    """The path with each id filled in: the caller's case, and ``ids``
    (or a random UUID, which names nothing) for the others."""
    for parameter in parameters(operation, "path"):
        value = case_id if is_case(parameter) and ids is None else (ids or str(uuid.uuid4()))
        path = path.replace("{" + parameter["name"] + "}", value)
    return path


def query(operation: dict[str, Any], case_id: str, **override: Any) -> dict[str, Any]:
    found = {
        p["name"]: case_id if is_case(p) else smallest(p["schema"])
        for p in parameters(operation, "query")
        if p.get("required")
    }
    return {**found, **override}


def send(
    client: Client, method: str, url: str, operation: dict[str, Any], body: Any, **params: Any
) -> Any:
    if params:
        url = f"{url}?{urlencode(params)}"
    request = getattr(client, method)
    found = body_schema(operation)
    if found is None:
        return request(url)
    kind, _schema = found
    if kind == "multipart/form-data":
        return client.post(url, body)
    if isinstance(body, bytes):
        return request(url, data=body, content_type="application/json")
    return request(url, data=json.dumps(body), content_type="application/json")


def documented_schema(operation: dict[str, Any], status: int) -> dict[str, Any] | None:
    answer = operation["responses"].get(str(status))
    assert answer is not None, f"{status} is not documented: {sorted(operation['responses'])}"
    media = answer.get("content", {}).get("application/json")
    return None if media is None else media["schema"]


def places(operation: dict[str, Any]) -> dict[str, set[str]]:
    """Where the document says the request carries something."""
    found: dict[str, set[str]] = {
        where: {p["name"] for p in parameters(operation, where)} for where in ("path", "query")
    }
    body = body_schema(operation)
    if body is not None:
        kind, schema = body
        names = set(schema.get("properties", {}))
        if kind == "multipart/form-data":
            files = {n for n, f in schema["properties"].items() if f.get("format") == "binary"}
            found["file"], found["form"] = files, names - files
        else:
            found["body"] = names
    return found


def check_answer(operation: dict[str, Any], response: Any) -> list[list[Any]]:
    """The answer is one the operation documents, shaped as documented;
    returns the locations of a 422's problems."""
    assert response.status_code < 500, response.content[:500]
    schema = documented_schema(operation, response.status_code)
    if schema is None or not response.get("Content-Type", "").startswith("application/json"):
        return []
    data = response.json()
    Draft202012Validator({**schema, "components": DOCUMENT["components"]}).validate(data)
    if response.status_code != 422:
        return []
    known = places(operation)
    locations = [problem["loc"] for problem in data["detail"]]
    for problem in data["detail"]:
        assert not any(sent in problem["msg"] for sent in SENT), problem
    for loc in locations:
        where = loc[0]
        assert where in known or where == "body", (loc, known)
        # ["body"] and ["form"] are the request body as a whole.
        if len(loc) > 1 or where not in {"body", "form"}:
            assert loc[1] in known.get(where, set()), (loc, known)
    return locations


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS)
def test_every_operation_that_takes_input_documents_the_shared_422(method, path, operation):
    responses = operation["responses"]
    takes_input = body_schema(operation) is not None or parameters(operation, "query")
    if takes_input:
        assert "422" in responses
    if "422" in responses:
        schema = responses["422"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": SHARED_ERRORS}
    takes_json = body_schema(operation) is not None and body_schema(operation)[0] == (
        "application/json"
    )
    if takes_json:
        assert responses["400"]["content"]["application/json"]["schema"] == {"$ref": MESSAGE}
        assert responses["415"]["content"]["application/json"]["schema"] == {"$ref": MESSAGE}
    # A body that is not JSON is the only 400, and one not sent as JSON the
    # only 415; nothing else documents them.
    assert ("400" in responses) == takes_json
    assert ("415" in responses) == takes_json
    if operation.get("parameters") or "requestBody" in operation:
        # An id that names nothing, or a record out of reach.
        assert responses["404"]["content"]["application/json"]["schema"] == {"$ref": MESSAGE}


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS)
def test_every_operation_is_summed_up_by_its_docstring(method, path, operation):
    """The summary is the first paragraph of the route's docstring, never
    the name of its function that ninja falls back on."""
    summary = operation["summary"]
    name = operation["operationId"].rsplit("_api_", 1)[-1].split("_", 1)[-1]
    assert summary
    assert not summary.endswith(".")
    assert summary != name.title().replace("_", " ")
    assert "\n" not in summary


def test_the_sizes_the_document_states_are_those_served():
    cases = DOCUMENT["paths"]["/api/v1/cases"]["get"]["description"]
    inbox = DOCUMENT["paths"]["/api/v1/referrals/inbox"]["get"]["description"]
    assert f"{caselist.PAGE_SIZE} a page" in cases
    assert f"The newest {INBOX_SIZE}:" in inbox


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS)
def test_every_operation_answers_as_documented(caller, method, path, operation):
    client, case_id = caller
    body = body_schema(operation)
    smallest_body = smallest(body[1]) if body else None
    params = query(operation, case_id)

    if parameters(operation, "path"):
        # A malformed id, and an id that names nothing, answer like each other.
        for ids in ("not-an-id", str(uuid.uuid4())):
            response = send(
                client,
                method,
                target(path, operation, case_id, ids=ids),
                operation,
                smallest_body,
                **params,
            )
            check_answer(operation, response)
            if body is None:
                assert response.status_code == 404, (ids, response.content[:300])

    url = target(path, operation, case_id, ids=None)
    # The smallest request the document allows.
    check_answer(operation, send(client, method, url, operation, smallest_body, **params))

    bad_query = {
        p["name"]: wrong(p["schema"])
        for p in parameters(operation, "query")
        if wrong(p["schema"]) is not None
    }
    if bad_query:
        response = send(client, method, url, operation, smallest_body, **{**params, **bad_query})
        assert response.status_code == 422, response.content[:300]
        assert {tuple(loc) for loc in check_answer(operation, response)} >= {
            ("query", name) for name in bad_query
        }

    if body is None:
        return
    kind, schema = body
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if kind == "application/json":
        # Not JSON at all; JSON but not an object; every field of the wrong type.
        response = send(client, method, url, operation, b"{", **params)
        assert response.status_code == 400
        check_answer(operation, response)
        # JSON, but not sent as JSON.
        response = getattr(client, method)(
            url + (f"?{urlencode(params)}" if params else ""),
            data=json.dumps(smallest_body),
            content_type="text/plain",
        )
        assert response.status_code == 415, response.content[:300]
        check_answer(operation, response)
        response = send(client, method, url, operation, [], **params)
        assert response.status_code == 422
        check_answer(operation, response)
        response = send(client, method, url, operation, dict.fromkeys(properties, WRONG), **params)
        assert response.status_code == 422
        assert {loc[1] for loc in check_answer(operation, response)} == set(properties)
    if required:
        response = send(client, method, url, operation, {}, **params)
        assert response.status_code == 422, response.content[:300]
        sent_at = {loc[1] for loc in check_answer(operation, response) if len(loc) > 1}
        assert sent_at >= set(required)


def test_no_two_schemas_share_a_name():
    """The OpenAPI document keeps one schema per name: two modules declaring a
    schema of the same name would silently answer with the other's shape."""
    import inspect

    from ninja import Schema

    from haven.api import api as api_module

    seen: dict[str, str] = {}
    clashes = []
    for module_name in dir(api_module):
        module = getattr(api_module, module_name)
        if not inspect.ismodule(module) or not module.__name__.startswith("haven.api."):
            continue
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                if name in seen and seen[name] != module.__name__:
                    clashes.append((name, seen[name], module.__name__))
                seen[name] = module.__name__
    assert not clashes
