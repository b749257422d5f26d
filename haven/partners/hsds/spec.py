"""The tables of HSDS 3.0, read from the specification's own data package
description (``spec/datapackage.json``): each table's file, its fields with
their types and constraints, and how its rows point at other tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_FILE = Path(__file__).resolve().parent / "spec" / "datapackage.json"
HSDS_VERSION = "3.0"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # string, number, date, datetime, time
    format: str  # "", uuid, email, uri
    required: bool
    enum: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str  # the resource name, e.g. "service"
    path: str  # the CSV file, e.g. "services.csv"
    fields: tuple[FieldSpec, ...]
    references: dict[str, str]  # field -> the table it points at

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


@cache
def package() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    return data


@cache
def tables() -> dict[str, Table]:
    found = {}
    for resource in package()["resources"]:
        schema = resource["schema"]
        fields = tuple(
            FieldSpec(
                name=field["name"],
                type=field.get("type", "string"),
                format="" if field.get("format", "default") == "default" else field["format"],
                required=bool(field.get("constraints", {}).get("required")),
                enum=tuple(field.get("constraints", {}).get("enum", ())),
            )
            for field in schema["fields"]
        )
        references = {
            key["fields"]: key["reference"]["resource"] for key in schema.get("foreignKeys", [])
        }
        found[resource["name"]] = Table(
            name=resource["name"], path=resource["path"], fields=fields, references=references
        )
    return found


def table_for_file(filename: str) -> Table | None:
    return next((t for t in tables().values() if t.path == filename), None)
