"""OpenAPI links: which operation an id in an answer opens next.

Ninja writes no links, so a client (or a fuzzer) could not tell from the
document that the ``id`` a ``POST /threats`` answers is the ``threat_id`` of
``GET /threats/{threat_id}``. They follow from the paths themselves, so they
are derived here rather than written by hand for each operation:

* an answer's ``id`` fills the parameter that follows the operation's own
  collection: ``POST /cases/{case_id}/needs`` answers a need whose ``id`` is
  the ``need_id`` of ``/cases/{case_id}/needs/{need_id}``; that parameter may
  also be named as it is in the answer (``version``, ``code``);
* a field of the answer named like a path parameter (``case_id``,
  ``site_id``...) fills that parameter wherever it appears;
* a parameter of the operation's own path is passed on as it was sent;
* a list answers the first item's values (``/0/id``, ``/items/0/id``).

An operation is linked only when at least one value comes from the answer:
two operations that take the same path parameter say nothing new together.
"""

from __future__ import annotations

import re
from typing import Any

_PARAMETER = re.compile(r"\{(\w+)\}")
# Lists of one page: the items and the key they sit under.
_PAGE_KEYS = ("items", "contents")


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _answer(document: dict[str, Any], response: dict[str, Any]) -> tuple[str, set[str]] | None:
    """Where the values of a JSON answer are (a JSON pointer prefix) and
    the names of its fields, or None when it holds no object."""
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    schema = _resolve(document, schema)
    prefix = ""
    if schema.get("type") == "array":
        schema, prefix = _resolve(document, schema.get("items", {})), "/0"
    else:
        for key in _PAGE_KEYS:
            items = schema.get("properties", {}).get(key, {})
            if items.get("type") == "array":
                schema, prefix = _resolve(document, items.get("items", {})), f"/{key}/0"
                break
    fields = set(schema.get("properties", {}))
    return (prefix, fields) if fields else None


def _collection(path: str) -> str:
    """The collection an operation works on: its path, less a final parameter."""
    return path.rsplit("/", 1)[0] if path.endswith("}") else path


def _value(
    name: str, source_path: str, target_path: str, prefix: str, fields: set[str]
) -> str | None:
    if f"{{{name}}}" in source_path:
        return f"$request.path.{name}"
    if target_path.startswith(f"{_collection(source_path)}/{{{name}}}"):
        if name in fields:
            return f"$response.body#{prefix}/{name}"
        if name.endswith("_id") and "id" in fields:
            return f"$response.body#{prefix}/id"
    if name.endswith("_id") and name in fields:
        return f"$response.body#{prefix}/{name}"
    return None


def _link(
    source_path: str, target_path: str, operation_id: str, prefix: str, fields: set[str]
) -> dict[str, Any] | None:
    parameters: dict[str, str] = {}
    for name in _PARAMETER.findall(target_path):
        value = _value(name, source_path, target_path, prefix, fields)
        if value is None:
            return None
        parameters[f"path.{name}"] = value
    if not any(v.startswith("$response.") for v in parameters.values()):
        return None
    return {"operationId": operation_id, "parameters": parameters}


def add_links(document: dict[str, Any]) -> None:
    """Add the links to every successful JSON answer of ``document``."""
    targets = [
        (path, operation["operationId"])
        for path, operations in document["paths"].items()
        for operation in operations.values()
        if _PARAMETER.search(path) and "operationId" in operation
    ]
    for source_path, operations in document["paths"].items():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                answer = _answer(document, response) if str(status).startswith("2") else None
                if answer is None:
                    continue
                links = {
                    operation_id: link
                    for target_path, operation_id in targets
                    if operation_id != operation.get("operationId")
                    and (link := _link(source_path, target_path, operation_id, *answer))
                }
                if links:
                    response["links"] = links
