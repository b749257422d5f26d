"""Reading an uploaded HSDS file into records, one per row of an HSDS table,
each knowing where it came from ("services.csv row 4", "organizations.json
item 1 > services[0]") so that every message can point at it.

Accepted: a zip of the tabular data package (CSV files, with or without
``datapackage.json``), a zip of HSDS JSON files, or one JSON file. A JSON
file holds an object (organization, service, service at location, location,
taxonomy or taxonomy term), a list of them, or a page of the HSDS API
(``contents``). Nested objects become records of their own tables, linked
to the object they sit in.

Nothing here trusts the upload: its size is checked before it is read, a
zip's declared and real sizes are both bounded, and bad bytes, bad zips,
bad CSV and bad JSON each answer with a message, never an exception.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.utils.translation import gettext as _

from haven.partners.checks import csv_uncell
from haven.partners.hsds.spec import tables

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_FILES = 100
MAX_RECORDS = 200_000
MAX_PROBLEMS = 50


class ImportRefused(Exception):
    """The file cannot be imported; ``problems`` says why, each naming the
    file, row and field at fault."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Record:
    table: str
    where: str
    values: dict[str, Any]
    from_csv: bool
    # For an attribute nested in an object: that object's table and id.
    parent: tuple[str, str] | None = None


@dataclass
class Bundle:
    records: dict[str, list[Record]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, record: Record) -> None:
        rows = self.records.setdefault(record.table, [])
        if sum(len(r) for r in self.records.values()) >= MAX_RECORDS:
            raise ImportRefused([_("The file has too many rows (at most 200000).")])
        rows.append(record)

    def problem(self, message: str) -> None:
        self.problems.append(message)
        if len(self.problems) >= MAX_PROBLEMS:
            raise ImportRefused(self.problems)


def read_upload(filename: str, data: bytes) -> Bundle:
    """Every record of the uploaded file, or ImportRefused."""
    bundle = Bundle()
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    if data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
        _read_zip(bundle, name, data)
    elif name.lower().endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        _read_json(bundle, name, data)
    else:
        raise ImportRefused(
            [_("Upload a .zip file (an HSDS data package or HSDS JSON files) or a .json file.")]
        )
    if bundle.problems:
        raise ImportRefused(bundle.problems)
    return bundle


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused(
            [
                _("%(file)s line %(line)s: this is not UTF-8 text. Save the file as UTF-8.")
                % {"file": name, "line": line}
            ]
        ) from None


# --- Zip archives --------------------------------------------------------------------------


def _members(name: str, data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [
            info
            for info in archive.infolist()
            # A member named with nothing is no file (and breaks ZipInfo.is_dir()).
            if info.filename
            and not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith(".")
        ]
        if len(infos) > MAX_FILES:
            raise ImportRefused([_("The zip file holds too many files (at most 100).")])
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise ImportRefused([_("The zip file unpacks to more than 50 MB.")])
        found: dict[str, bytes] = {}
        total = 0
        for info in infos:
            base = PurePosixPath(info.filename).name
            if base in found:
                raise ImportRefused(
                    [_("The zip file holds two files named %(file)s.") % {"file": base}]
                )
            if info.flag_bits & 0x1:
                raise ImportRefused(
                    [
                        _("%(file)s is encrypted: export it again without a password.")
                        % {"file": base}
                    ]
                )
            with archive.open(info) as member:
                # The declared size may lie: read no more than what is left of the limit.
                content = member.read(MAX_UNPACKED_BYTES - total + 1)
            total += len(content)
            if total > MAX_UNPACKED_BYTES:
                raise ImportRefused([_("The zip file unpacks to more than 50 MB.")])
            found[base] = content
        return found
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError):
        raise ImportRefused(
            [_("%(file)s is not a zip file that can be opened.") % {"file": name}]
        ) from None
    except (OSError, zlib.error):  # a corrupt member (bad CRC, truncated or bad deflate data)
        raise ImportRefused(
            [_("%(file)s is damaged: a file inside it cannot be read.") % {"file": name}]
        ) from None


def _read_zip(bundle: Bundle, name: str, data: bytes) -> None:
    members = _members(name, data)
    paths = {t.path: t.name for t in tables().values()}
    if any(member in paths for member in members):
        for member, content in sorted(members.items()):
            if member in paths:
                _read_csv(bundle, member, paths[member], content)
            elif member.lower() not in ("datapackage.json", "readme.txt", "readme.md", "license"):
                bundle.notes.append(
                    _("%(file)s is not an HSDS table: left out.") % {"file": member}
                )
        return
    json_files = sorted(m for m in members if m.lower().endswith(".json"))
    if not json_files:
        raise ImportRefused(
            [_("The zip file holds no HSDS files (CSV tables such as organizations.csv, or JSON).")]
        )
    for member in json_files:
        _read_json(bundle, member, members[member])
    for member in sorted(set(members) - set(json_files)):
        if member.lower() not in ("readme.txt", "readme.md", "license"):
            bundle.notes.append(_("%(file)s is not an HSDS file: left out.") % {"file": member})


# --- CSV -----------------------------------------------------------------------------------


def _read_csv(bundle: Bundle, filename: str, table_name: str, data: bytes) -> None:
    table = tables()[table_name]
    text = _text(filename, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return  # an empty file: nothing to import from it
        header = [h.strip() for h in header]
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            bundle.problem(
                _("%(file)s: the column %(column)s appears twice.")
                % {"file": filename, "column": repeated[0]}
            )
            return
        missing = [f.name for f in table.fields if f.required and f.name not in header]
        if missing:
            bundle.problem(
                _("%(file)s: the column %(column)s is missing.")
                % {"file": filename, "column": missing[0]}
            )
            return
        unknown = [h for h in header if h not in table.field_names]
        if unknown:
            bundle.notes.append(
                _("%(file)s: columns HSDS does not define were left out: %(columns)s.")
                % {"file": filename, "columns": ", ".join(unknown[:10])}
            )
        for number, cells in enumerate(reader, start=2):  # the header is row 1
            if not any(c.strip() for c in cells):
                continue
            where = _("%(file)s row %(row)s") % {"file": filename, "row": number}
            if len(cells) > len(header):
                bundle.problem(_("%(where)s: more cells than columns.") % {"where": where})
                continue
            values = {
                column: csv_uncell(cell.strip())
                for column, cell in zip(header, cells, strict=False)
                if column in table.field_names
            }
            bundle.add(Record(table=table_name, where=where, values=values, from_csv=True))
    except csv.Error as error:
        bundle.problem(
            _("%(file)s row %(row)s: not a valid CSV row (%(reason)s).")
            % {"file": filename, "row": reader.line_num, "reason": str(error)}
        )


# --- JSON ----------------------------------------------------------------------------------

# Lists of nested objects: key -> (table, the field of the nested row that
# points back at the object it sits in).
CHILDREN: dict[str, dict[str, tuple[str, str | None]]] = {
    "organization": {
        "services": ("service", "organization_id"),
        "locations": ("location", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "programs": ("program", "organization_id"),
        "funding": ("funding", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
# Single nested objects: key -> (table, the field of this row that holds its id).
PARENTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "organization": ("organization", "organization_id"),
        "program": ("program", "program_id"),
    },
    "service_at_location": {
        "service": ("service", "service_id"),
        "location": ("location", "location_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}


def _reject_constant(value: str) -> float:
    raise ValueError(value)


def _read_json(bundle: Bundle, filename: str, data: bytes) -> None:
    text = _text(filename, data)
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [
                _("%(file)s line %(line)s, column %(column)s: not valid JSON (%(reason)s).")
                % {
                    "file": filename,
                    "line": error.lineno,
                    "column": error.colno,
                    "reason": error.msg,
                }
            ]
        ) from None
    except (ValueError, RecursionError):
        raise ImportRefused(
            [_("%(file)s: not valid JSON, or nested too deeply.") % {"file": filename}]
        ) from None
    hint = filename.lower()
    items: list[tuple[str, Any]]
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items = [
            (_("%(file)s item %(n)s") % {"file": filename, "n": n}, item)
            for n, item in enumerate(document["contents"], start=1)
        ]
    elif isinstance(document, list):
        items = [
            (_("%(file)s item %(n)s") % {"file": filename, "n": n}, item)
            for n, item in enumerate(document, start=1)
        ]
    else:
        items = [(filename, document)]
    for where, item in items:
        if not isinstance(item, dict):
            bundle.problem(_("%(where)s: expected an HSDS object.") % {"where": where})
            continue
        kind = _kind(item, hint)
        if kind is None:
            bundle.notes.append(
                _("%(where)s: holds no directory entries: left out.") % {"where": where}
            )
            continue
        try:
            _walk(bundle, kind, item, where)
        except RecursionError:
            raise ImportRefused([_("%(where)s: nested too deeply.") % {"where": where}]) from None


def _kind(item: dict[str, Any], hint: str) -> str | None:
    keys = set(item)
    if "openapi_url" in keys and "id" not in keys:
        return None  # the root of an HSDS API
    if "taxonomy_term" in hint or "taxonomy_terms" in hint:
        return "taxonomy_term"
    if "taxonom" in hint:
        return "taxonomy"
    if isinstance(item.get("service"), dict) or isinstance(item.get("location"), dict):
        return "service_at_location"
    if "status" in keys or isinstance(item.get("organization"), dict):
        return "service"
    if "location_type" in keys:
        return "location"
    if keys & {"taxonomy_detail", "parent_id", "term_uri", "taxonomy_id", "code"}:
        return "taxonomy_term"
    return "organization"


def _walk(
    bundle: Bundle,
    table_name: str,
    obj: dict[str, Any],
    where: str,
    link: tuple[str, str] | None = None,
    parent: tuple[str, str] | None = None,
) -> str | None:
    """One object and everything nested in it; returns the object's id."""
    table = tables()[table_name]
    values: dict[str, Any] = {}
    nested: list[tuple[str, str, Any]] = []
    for key, value in obj.items():
        if key in CHILDREN.get(table_name, {}) or key in ("attributes", "metadata"):
            nested.append(("many", key, value))
        elif key in PARENTS.get(table_name, {}):
            nested.append(("one", key, value))
        elif key in table.field_names:
            values[key] = value
    own_id = values.get("id") if isinstance(values.get("id"), str) else None
    if link is not None:
        field_name, parent_id = link
        given = values.get(field_name)
        if given in (None, ""):
            values[field_name] = parent_id
        elif isinstance(given, str) and given.lower() != parent_id.lower():
            bundle.problem(
                _("%(where)s, field %(field)s: does not match the object it is nested in.")
                % {"where": where, "field": field_name}
            )
    for how, key, value in nested:
        here = f"{where} > {key}"
        if how == "one":
            child_table, id_field = PARENTS[table_name][key]
            if not isinstance(value, dict):
                bundle.problem(_("%(where)s: expected an object.") % {"where": here})
                continue
            child_id = _walk(bundle, child_table, value, here)
            given = values.get(id_field)
            if child_id and given in (None, ""):
                values[id_field] = child_id
            elif child_id and isinstance(given, str) and given.lower() != child_id.lower():
                bundle.problem(
                    _("%(where)s, field %(field)s: does not match the nested %(key)s.")
                    % {"where": where, "field": id_field, "key": key}
                )
            continue
        if not isinstance(value, list):
            bundle.problem(_("%(where)s: expected a list.") % {"where": here})
            continue
        back: str | None
        if key == "attributes":
            child_table, back = "attribute", "link_id"
        elif key == "metadata":
            child_table, back = "metadata", "resource_id"
        else:
            child_table, back = CHILDREN[table_name][key]
        for n, item in enumerate(value):
            item_where = f"{where} > {key}[{n}]"
            if not isinstance(item, dict):
                bundle.problem(_("%(where)s: expected an object.") % {"where": item_where})
                continue
            child_link = (back, own_id) if back and own_id else None
            child_parent = (table_name, own_id) if key == "attributes" and own_id else None
            _walk(bundle, child_table, item, item_where, child_link, child_parent)
    bundle.add(Record(table=table_name, where=where, values=values, from_csv=False, parent=parent))
    return own_id
