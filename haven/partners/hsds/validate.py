"""Checking an import before anything is written: Haven's own reading of
the HSDS 3.0 table schemas (``spec.py``) plus the directory's rules.

Each value is checked against its field (required, type, format, allowed
values) and Haven's limits (length, hidden characters, text a spreadsheet
would run as a formula, web addresses that are http or https); then the
rows against each other (one row per id; the same object repeated in
nested JSON must agree) and against the agency's directory (what a row
points at exists; an id that another agency's row holds is refused).
Every problem names its file, row and field.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from haven.core import limits
from haven.partners import checks
from haven.partners.hsds.fields import FIELD_TERMS, FIELDS_TAXONOMY
from haven.partners.hsds.reader import MAX_PROBLEMS, Bundle, ImportRefused, Record
from haven.partners.hsds.spec import FieldSpec, tables
from haven.partners.models import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    PhoneType,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

#: The HSDS tables Haven keeps, and the model each goes into.
STORED: dict[str, type[Model]] = {
    "organization": Organization,
    "service": Service,
    "location": Location,
    "address": Location,
    "service_at_location": ServiceAtLocation,
    "contact": Contact,
    "phone": Phone,
    "language": Language,
    "service_area": ServiceArea,
    "schedule": Schedule,
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
}
# References that must resolve; any other that does not is dropped with a note.
REQUIRED_REFERENCES = {
    ("service", "organization_id"),
    ("service_at_location", "service_id"),
    ("service_at_location", "location_id"),
    ("attribute", "taxonomy_term_id"),
}
# What each stored table's rows may point at (field -> table).
REFERENCES: dict[str, dict[str, str]] = {
    "service": {"organization_id": "organization"},
    "location": {"organization_id": "organization"},
    "address": {"location_id": "location"},
    "service_at_location": {"service_id": "service", "location_id": "location"},
    "contact": {
        "organization_id": "organization",
        "service_id": "service",
        "service_at_location_id": "service_at_location",
        "location_id": "location",
    },
    "phone": {
        "organization_id": "organization",
        "service_id": "service",
        "service_at_location_id": "service_at_location",
        "location_id": "location",
        "contact_id": "contact",
    },
    "language": {"service_id": "service", "location_id": "location", "phone_id": "phone"},
    "service_area": {"service_id": "service"},
    "schedule": {
        "service_id": "service",
        "location_id": "location",
        "service_at_location_id": "service_at_location",
    },
    "taxonomy_term": {"parent_id": "taxonomy_term", "taxonomy_id": "taxonomy"},
    "attribute": {"taxonomy_term_id": "taxonomy_term"},
}
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}")
_WHOLE_NUMBERS = {
    ("service", "minimum_age"),
    ("service", "maximum_age"),
    ("phone", "extension"),
    ("schedule", "count"),
    ("schedule", "interval"),
}


@dataclass
class Checked:
    """The rows of an import that passed every check, one per id (ids as
    canonical UUID strings), with what could not be kept and why."""

    rows: dict[str, dict[str, Record]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Ids already in the agency's directory, per table: these rows are updates.
    existing: dict[str, set[str]] = field(default_factory=dict)
    # Ids of Haven's shipped taxonomy rows in the file: kept as shipped.
    shipped: set[str] = field(default_factory=set)


class _Problems:
    def __init__(self, bundle: Bundle):
        self.messages = list(bundle.problems)

    def add(self, where: str, name: str, message: str) -> None:
        self.messages.append(
            _("%(where)s, field %(field)s: %(message)s")
            % {"where": where, "field": name, "message": message}
        )
        if len(self.messages) >= MAX_PROBLEMS:
            raise ImportRefused(self.messages)


def _limit(table: str, name: str) -> int:
    model = STORED.get(table)
    if model is None:
        return limits.DIRECTORY_TEXT
    target = {"address": {"id": "address_id"}}.get(table, {}).get(name, name)
    try:
        limit = model._meta.get_field(target).max_length  # type: ignore[union-attr]
    except FieldDoesNotExist:  # a field Haven does not keep
        return limits.DIRECTORY_TEXT
    return int(limit) if limit else limits.DIRECTORY_TEXT


def _convert(spec: FieldSpec, raw: Any, from_csv: bool) -> tuple[Any, str]:
    """(value, problem): the value in Python's own type, or why it is not one."""
    if spec.type == "number":
        if from_csv:
            try:
                number = float(raw)
            except ValueError:
                return None, _("should be a number")
        elif isinstance(raw, bool) or not isinstance(raw, int | float):
            return None, _("should be a number")
        else:
            number = float(raw)
        if not math.isfinite(number):
            return None, _("should be a number")
        return (int(number) if number.is_integer() else number), ""
    if not isinstance(raw, str):
        return None, _("should be text")
    value = raw.strip()
    if spec.type == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value), ""
        except ValueError:
            return None, _("should be a date as YYYY-MM-DD")
    if spec.type == "datetime":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")), ""
        except ValueError:
            return None, _("should be a date and time (ISO 8601)")
    if spec.type == "time":
        if not _TIME.fullmatch(value):
            return None, _("should be a time as HH:MM:SS")
        return time.fromisoformat(value[:8] if len(value) >= 8 else value[:5]), ""
    if spec.format == "uuid":
        try:
            return str(uuid.UUID(value)), ""
        except ValueError:
            return None, _("should be a UUID")
    return value, ""


def _check_field(
    problems: _Problems, record: Record, spec: FieldSpec, values: dict[str, Any]
) -> None:
    raw = record.values.get(spec.name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        # Nested JSON implies the links the tables spell out (a program inside
        # an organization needs no organization_id), so the JSON schemas do
        # not require them; the references Haven needs are required anyway.
        implied = not record.from_csv and spec.name.endswith("_id")
        if spec.required and (not implied or (record.table, spec.name) in REQUIRED_REFERENCES):
            problems.add(record.where, spec.name, _("this field is required"))
        values[spec.name] = None
        return
    value, problem = _convert(spec, raw, record.from_csv)
    if problem:
        problems.add(record.where, spec.name, problem)
        return
    if spec.enum and value not in spec.enum:
        problems.add(
            record.where,
            spec.name,
            _("should be one of: %(values)s") % {"values": ", ".join(spec.enum)},
        )
        return
    if (record.table, spec.name) in _WHOLE_NUMBERS and (
        not isinstance(value, int) or value < 0 or value > 2**31 - 1
    ):
        problems.add(record.where, spec.name, _("should be a whole number, 0 or more"))
        return
    if isinstance(value, str) and spec.format != "uuid":
        limit = _limit(record.table, spec.name)
        if spec.format == "email":
            problem = checks.email_problem(value, limit)
        elif spec.format == "uri":
            problem = checks.web_problem(value, limit)
        else:
            problem = checks.text_problem(value, limit)
        if problem:
            problems.add(record.where, spec.name, _fragment(problem))
            return
    values[spec.name] = value


def _fragment(sentence: str) -> str:
    """A message written as a sentence, to follow "field name:"."""
    text = sentence.rstrip(".")
    return text[:1].lower() + text[1:]


def _check_extra(problems: _Problems, record: Record, values: dict[str, Any]) -> None:
    """Haven's rules beyond the schema, for the tables it keeps."""
    table = record.table
    if table == "phone" and values.get("type") and values["type"] not in PhoneType.values:
        problems.add(
            record.where,
            "type",
            _("should be one of: %(values)s") % {"values": ", ".join(PhoneType.values)},
        )
    if table == "language" and values.get("code") and not _LANGUAGE.fullmatch(values["code"]):
        problems.add(record.where, "code", _("should be an ISO 639 code of two or three letters"))
    if table == "language" and values.get("code"):
        values["code"] = values["code"].lower()
    if table == "address" and values.get("country"):
        values["country"] = values["country"].upper()


def check(bundle: Bundle, agency_id: int) -> Checked:
    """Every check, or ImportRefused with every problem found (up to 50)."""
    problems = _Problems(bundle)
    result = Checked(notes=list(bundle.notes))
    every = tables()
    ignored: dict[str, int] = {}
    for table_name, records in bundle.records.items():
        spec = every[table_name]
        merged: dict[str, Record] = {}
        for record in records:
            values: dict[str, Any] = {}
            for field_spec in spec.fields:
                _check_field(problems, record, field_spec, values)
            _check_extra(problems, record, values)
            if table_name not in STORED and table_name != "attribute":
                label = spec.path if record.from_csv else table_name
                ignored[label] = ignored.get(label, 0) + 1
                continue
            row_id = values.get("id")
            if row_id is None:
                continue  # already a problem: id is required everywhere
            clean = Record(table_name, record.where, values, record.from_csv, record.parent)
            _merge(problems, merged, row_id, clean)
        if merged:
            result.rows[table_name] = merged
    for path, count in sorted(ignored.items()):
        result.notes.append(
            _("%(file)s: %(count)s rows of a kind Haven does not keep (left out).")
            % {"file": path, "count": count}
        )
    if problems.messages:
        raise ImportRefused(problems.messages)
    _check_owners(problems, result, agency_id)
    _check_references(problems, result, agency_id)
    _check_term_codes(problems, result, agency_id)
    if problems.messages:
        raise ImportRefused(problems.messages)
    return result


def _merge(problems: _Problems, merged: dict[str, Record], row_id: str, record: Record) -> None:
    first = merged.get(row_id)
    if first is None:
        merged[row_id] = record
        return
    if record.from_csv:
        problems.add(
            record.where,
            "id",
            _("the id %(id)s is used again (first at %(first)s)")
            % {"id": row_id, "first": first.where},
        )
        return
    # Nested JSON repeats the same object where it is linked: it must agree.
    for name, value in record.values.items():
        if value is None:
            continue
        before = first.values.get(name)
        if before is None:
            first.values[name] = value
        elif before != value:
            problems.add(
                record.where,
                name,
                _("the object %(id)s appears again with a different value (first at %(first)s)")
                % {"id": row_id, "first": first.where},
            )
            return
    if first.parent is None:
        first.parent = record.parent


def _check_owners(problems: _Problems, result: Checked, agency_id: int) -> None:
    """Ids held by another agency's rows are refused; ours are updates;
    Haven's shipped taxonomy rows are left as shipped."""
    for table_name, rows in result.rows.items():
        model = STORED.get(table_name)
        if model is None or table_name == "address":
            continue
        ids = list(rows)
        taken = model._default_manager.filter(pk__in=ids)
        if table_name in ("taxonomy", "taxonomy_term"):
            shipped = set(map(str, taken.filter(agency=None).values_list("pk", flat=True)))
            shipped |= {i for i in ids if i in _fixed_ids()}
            result.shipped |= shipped
            taken = taken.exclude(agency=None)
        mine = set(map(str, taken.filter(agency_id=agency_id).values_list("pk", flat=True)))
        result.existing[table_name] = mine
        others = taken.exclude(agency_id=agency_id).values_list("pk", flat=True)
        for other in sorted(map(str, others)):
            problems.add(
                rows[other].where,
                "id",
                _("this id is already in use by an entry you cannot change; give the row a new id"),
            )


def _fixed_ids() -> set[str]:
    return {str(i) for i in FIELD_TERMS} | {str(FIELDS_TAXONOMY["id"])}


def _known_ids(result: Checked, table: str, wanted: set[str], agency_id: int) -> set[str]:
    """Of ``wanted``, the ids the import can point at: rows of the file, the
    agency's own, and for the taxonomy Haven's shipped and fixed ones."""
    found = set(result.rows.get(table, {})) & wanted
    rest = wanted - found
    if not rest:
        return found
    model = STORED[table]
    scope = Q(agency_id=agency_id)
    if table in ("taxonomy", "taxonomy_term"):
        scope |= Q(agency=None)
        found |= rest & _fixed_ids()
    found |= set(
        map(
            str,
            model._default_manager.filter(scope, pk__in=list(rest)).values_list("pk", flat=True),
        )
    )
    return found


def _check_references(problems: _Problems, result: Checked, agency_id: int) -> None:
    names = {
        "organization": _("organization"),
        "service": _("service"),
        "location": _("location"),
        "service_at_location": _("service at location"),
        "contact": _("contact"),
        "phone": _("phone"),
        "taxonomy_term": _("taxonomy term"),
        "taxonomy": _("taxonomy"),
    }
    for table_name, rows in result.rows.items():
        for field_name, target in REFERENCES.get(table_name, {}).items():
            wanted = {r.values[field_name] for r in rows.values() if r.values.get(field_name)}
            if not wanted:
                continue
            known = _known_ids(result, target, wanted, agency_id)
            for record in rows.values():
                value = record.values.get(field_name)
                if not value or value in known:
                    continue
                if (table_name, field_name) in REQUIRED_REFERENCES:
                    problems.add(
                        record.where,
                        field_name,
                        _("no %(thing)s with this id in the file or your directory")
                        % {"thing": names[target]},
                    )
                else:
                    record.values[field_name] = None
                    result.notes.append(
                        _(
                            "%(where)s, field %(field)s: no %(thing)s with this id; "
                            "the link was left out."
                        )
                        % {"where": record.where, "field": field_name, "thing": names[target]}
                    )


def _check_term_codes(problems: _Problems, result: Checked, agency_id: int) -> None:
    """A taxonomy term's code names it alone (the data package says codes
    are unique)."""
    terms = result.rows.get("taxonomy_term", {})
    seen: dict[str, str] = {}
    for term_id, record in terms.items():
        code = record.values.get("code")
        if not code or term_id in result.shipped:
            continue
        if code in seen:
            problems.add(
                record.where,
                "code",
                _("another term in the file has this code (%(where)s)") % {"where": seen[code]},
            )
        seen[code] = record.where
    if not seen:
        return
    clash = (
        TaxonomyTerm.objects.filter(Q(agency=None) | Q(agency_id=agency_id), code__in=list(seen))
        .exclude(pk__in=list(terms))
        .values_list("code", flat=True)
    )
    for code in sorted(set(clash)):
        problems.add(seen[code], "code", _("a term of your directory already has this code"))
