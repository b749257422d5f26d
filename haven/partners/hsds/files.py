"""The files of an export: a zip of HSDS JSON, or a zip of the tabular data
package (one CSV per table and ``datapackage.json``).

Every text cell of a CSV that a spreadsheet would run as a formula gets a
single quote before it (``checks.csv_cell``); the import takes it off
again. Number, date and id columns hold only values checked to be what
they say, which a spreadsheet reads as plain values.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from haven.partners.checks import csv_cell
from haven.partners.hsds.export import Row, Snapshot
from haven.partners.hsds.spec import HSDS_VERSION, Table, package, tables

ATTRIBUTION = (
    "Exported from Haven's partner directory in the Human Services Data Specification "
    f"(HSDS) {HSDS_VERSION}.\n"
    "Human Services Data Specification: an Open Referral resource (https://openreferral.org/), "
    "licensed CC BY-SA 4.0.\n"
)
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries carry no clock time: the same data, same bytes


def _write(archive: zipfile.ZipFile, name: str, data: str) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data.encode("utf-8"))


def _cell(table: Table, name: str, value: Any) -> str:
    if value is None:
        return ""
    spec = table.field(name)
    if spec is not None and spec.type == "number":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return csv_cell(str(value))


def table_csv(table: Table, rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.field_names)
    for row in rows:
        writer.writerow([_cell(table, name, row.get(name)) for name in table.field_names])
    return out.getvalue()


def tabular_zip(snapshot: Snapshot) -> bytes:
    rows = snapshot.tables()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write(archive, "datapackage.json", json.dumps(package(), indent=2, ensure_ascii=False))
        for name, table in tables().items():
            _write(archive, table.path, table_csv(table, rows.get(name, [])))
        _write(archive, "README.txt", ATTRIBUTION)
    return buffer.getvalue()


def json_zip(snapshot: Snapshot) -> bytes:
    built = snapshot.objects()
    rows = built.tables
    parts = {
        "organizations.json": built.organizations(),
        "locations.json": built.unowned_locations(),
        "taxonomies.json": [{k: v for k, v in t.items() if v} for t in rows["taxonomy"]],
        "taxonomy_terms.json": [{k: v for k, v in t.items() if v} for t in rows["taxonomy_term"]],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            _write(archive, name, json.dumps(content, indent=2, ensure_ascii=False))
        _write(archive, "README.txt", ATTRIBUTION)
    return buffer.getvalue()


def counts(snapshot: Snapshot) -> dict[str, int]:
    return {
        "organizations": len(snapshot.organizations),
        "services": len(snapshot.services),
        "locations": len(snapshot.locations),
        "contacts": len(snapshot.contacts),
    }
