"""The OpenAPI document's links (haven/api/links.py): the id an answer holds
opens the operations that take it, as a client or a fuzzer follows them."""

from __future__ import annotations

import re

from haven.api.api import api

DOCUMENT = api.get_openapi_schema(path_prefix="/api/v1/")
OPERATIONS = {
    operation["operationId"]: (path, method)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
}


def links(method: str, path: str, status: int) -> dict[str, dict]:
    return DOCUMENT["paths"][f"/api/v1{path}"][method]["responses"][status].get("links", {})


def target(path: str, method: str) -> str:
    return DOCUMENT["paths"][f"/api/v1{path}"][method]["operationId"]


def test_a_created_record_links_to_the_operations_on_it():
    made = links("post", "/threats", 201)
    assert made[target("/threats/{threat_id}", "get")] == {
        "operationId": target("/threats/{threat_id}", "get"),
        "parameters": {"path.threat_id": "$response.body#/id"},
    }
    assert target("/threats/{threat_id}/follow-up", "post") in made


def test_a_nested_record_keeps_the_path_it_was_made_under():
    made = links("post", "/cases/{case_id}/communications", 201)
    addenda = made[target("/cases/{case_id}/communications/{entry_id}/addenda", "post")]
    assert addenda["parameters"] == {
        "path.case_id": "$request.path.case_id",
        "path.entry_id": "$response.body#/id",
    }


def test_a_list_links_through_its_first_item_and_a_field_named_like_a_parameter():
    listed = links("get", "/cases", 200)
    assert listed[target("/cases/{case_id}", "get")]["parameters"] == {
        "path.case_id": "$response.body#/0/id"
    }
    person = links("post", "/people", 201)
    assert person[target("/cases/{case_id}", "get")]["parameters"] == {
        "path.case_id": "$response.body#/case_id"
    }
    paged = links("get", "/persons-of-concern", 200)
    assert paged[target("/persons-of-concern/{concern_id}", "get")]["parameters"] == {
        "path.concern_id": "$response.body#/items/0/id"
    }


def test_an_item_named_by_another_field_than_id_is_linked_by_that_field():
    plans = links("post", "/cases/{case_id}/safety-plans", 201)
    assert plans[target("/cases/{case_id}/safety-plans/{version}", "get")]["parameters"] == {
        "path.case_id": "$request.path.case_id",
        "path.version": "$response.body#/version",
    }


def test_every_link_names_an_operation_and_fills_each_of_its_path_parameters():
    count = 0
    for operations in DOCUMENT["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                for name, link in response.get("links", {}).items():
                    count += 1
                    path, _method = OPERATIONS[link["operationId"]]
                    assert name == link["operationId"]
                    wanted = {f"path.{p}" for p in re.findall(r"\{(\w+)\}", path)}
                    assert set(link["parameters"]) == wanted, (name, link)
                    assert any(
                        v.startswith("$response.body#/") for v in link["parameters"].values()
                    )
    assert count > 300
