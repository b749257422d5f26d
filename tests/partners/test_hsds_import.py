"""The HSDS import: the official examples go in; every bad file is refused
with a message that names the file, row and field, and imports nothing."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest

from haven.audit.models import Action, AuditEvent
from haven.core.errors import NotFound
from haven.partners.exchange import directory_export, directory_import
from haven.partners.hsds.reader import ImportRefused
from haven.partners.models import Organization, Phone, Service, ServiceArea, TaxonomyTerm
from tests.partners.conftest import build_directory, directory_counts

pytestmark = pytest.mark.django_db

EXAMPLES = Path("/work/shared/hsds-3.0/examples")
ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"
# The API root says nothing about a directory; the tabular example is the
# same data as examples/csv, read below as a package.
JSON_EXAMPLES = sorted(
    p.name for p in EXAMPLES.glob("*.json") if p.name not in ("base.json", "tabular.json")
)


def zipped(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def example_tables() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (EXAMPLES / "csv").glob("*.csv")}


def table(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def organizations_csv(*rows: dict[str, str]) -> str:
    return table(
        [{"id": r.get("id", str(uuid.uuid4())), "name": "x", "description": "d", **r} for r in rows]
    )


def refused(admin_user, filename: str, data: bytes) -> list[str]:
    before = directory_counts()
    events = AuditEvent.objects.count()
    with pytest.raises(ImportRefused) as error:
        directory_import(actor=admin_user, filename=filename, data=data)
    assert directory_counts() == before
    assert AuditEvent.objects.count() == events
    return error.value.problems


# --- The official examples ---------------------------------------------------------------


@pytest.mark.parametrize("name", JSON_EXAMPLES)
def test_the_official_json_examples_import(admin_user, name):
    summary = directory_import(actor=admin_user, filename=name, data=(EXAMPLES / name).read_bytes())
    assert summary.added
    assert summary.updated == {}


def test_the_official_tabular_example_imports(admin_user):
    summary = directory_import(actor=admin_user, filename="x.zip", data=zipped(example_tables()))
    assert summary.added == {
        "taxonomies": 1,
        "taxonomy terms": 1,
        "organizations": 1,
        "locations": 1,
        "services": 1,
        "service at locations": 1,
        "contacts": 1,
        "phones": 1,
        "languages": 1,
        "service areas": 1,
        "schedules": 1,
    }
    service = Service.objects.get(pk=SERVICE)
    assert service.organization_id == uuid.UUID(ORG)
    assert service.minimum_age == 12
    assert Phone.objects.get().number == '"+44 1234 234567"'
    # The example's dangling links are left out, each said.
    assert any("locations.csv row 2, field organization_id" in n for n in summary.notes)
    event = AuditEvent.objects.filter(action=Action.DIRECTORY_IMPORTED).get()
    assert event.detail["added"]["services"] == 1


def test_full_organization_json_keeps_the_nested_links(admin_user):
    directory_import(
        actor=admin_user,
        filename="organization_full.json",
        data=(EXAMPLES / "organization_full.json").read_bytes(),
    )
    organization = Organization.objects.get(pk=ORG)
    service = organization.services.get()
    assert service.at_locations.get().location.name == "MyCity Civic Center"
    assert service.languages.get().code == "ur"
    assert ServiceArea.objects.get(service=service).kind == "other"
    assert service.taxonomy_terms.get().name == "name"
    assert service.schedules.get().freq == "WEEKLY"


def test_an_import_updates_by_id_and_adds_the_rest(directory, admin_user, agency):
    legal = directory["legal"]
    new_id = str(uuid.uuid4())
    data = zipped(
        {
            "organizations.csv": organizations_csv(
                {"id": str(legal.pk), "name": "Renamed Legal Aid (synthetic)"},
                {"id": new_id, "name": "New Clinic (synthetic)"},
            )
        }
    )
    summary = directory_import(actor=admin_user, filename="d.zip", data=data)
    assert summary.added == {"organizations": 1}
    assert summary.updated == {"organizations": 1}
    legal.refresh_from_db()
    assert legal.name == "Renamed Legal Aid (synthetic)"
    # Haven's own fields stay when the file does not carry them; nothing is removed.
    assert legal.kind == "legal"
    assert legal.agreement_on_file is True
    assert legal.services.count() == 1
    assert Organization.objects.filter(agency=agency).count() == 3


def test_only_administrators_import(directory, supervisor):
    with pytest.raises(NotFound):
        directory_import(actor=supervisor, filename="x.zip", data=zipped(example_tables()))


# --- Bad files ---------------------------------------------------------------------------


def test_a_missing_required_field_is_named(admin_user):
    rows = example_tables()
    rows["services.csv"] = rows["services.csv"].replace(",Community Counselling,", ",,")
    problems = refused(admin_user, "x.zip", zipped(rows))
    assert problems == ["services.csv row 2, field name: this field is required"]


def test_a_wrong_type_is_named(admin_user):
    rows = example_tables()
    rows["services.csv"] = rows["services.csv"].replace(",12,100,", ",twelve,100,")
    problems = refused(admin_user, "x.zip", zipped(rows))
    assert problems == ["services.csv row 2, field minimum_age: should be a number"]


def test_a_wrong_value_in_json_is_named(admin_user):
    data = json.loads((EXAMPLES / "service_full.json").read_text())
    data["status"] = "open"
    data["service_areas"][0]["id"] = "not-a-uuid"
    problems = refused(admin_user, "service.json", json.dumps(data).encode())
    assert problems == [
        "service.json > service_areas[0], field id: should be a UUID",
        "service.json, field status: should be one of: active, inactive, defunct, "
        "temporarily closed",
    ]


def test_an_unknown_reference_is_named(admin_user):
    orphan = str(uuid.uuid4())
    rows = example_tables()
    services = rows["services.csv"].splitlines()
    services.append(services[1].replace(SERVICE, str(uuid.uuid4())).replace(ORG, orphan))
    rows["services.csv"] = "\n".join(services) + "\n"
    problems = refused(admin_user, "x.zip", zipped(rows))
    assert problems == [
        "services.csv row 3, field organization_id: no organization with this id in the file "
        "or your directory"
    ]


def test_duplicate_ids_are_named(admin_user):
    same = str(uuid.uuid4())
    data = zipped({"organizations.csv": organizations_csv({"id": same}, {"id": same})})
    problems = refused(admin_user, "x.zip", data)
    assert problems == [
        f"organizations.csv row 3, field id: the id {same} is used again "
        "(first at organizations.csv row 2)"
    ]


def test_json_objects_repeated_with_different_values_are_refused(admin_user):
    data = json.loads((EXAMPLES / "service_at_location_full.json").read_text())
    data["contacts"][0]["phones"][0]["number"] = "+1 608 555 0000"
    problems = refused(admin_user, "sal.json", json.dumps(data).encode())
    assert problems[0].startswith("sal.json > phones[0], field number: the object ")


def test_another_agencys_ids_cannot_be_overwritten(directory, outsider, admin_user):
    """A forged file naming the first agency's ids, imported by another agency."""
    legal = directory["legal"]
    data = zipped({"organizations.csv": organizations_csv({"id": str(legal.pk), "name": "Mine"})})
    problems = refused(outsider, "forged.zip", data)
    assert problems == [
        "organizations.csv row 2, field id: this id is already in use by an entry you cannot "
        "change; give the row a new id"
    ]
    legal.refresh_from_db()
    assert legal.name == "Sample Legal Aid (synthetic)"
    assert legal.agency_id == admin_user.agency_id


def test_another_agencys_export_cannot_be_imported_over_it(directory, admin_user, outsider):
    name, content = directory_export(actor=admin_user, form="json")
    problems = refused(outsider, name, content)
    assert len(problems) >= 2
    assert all("already in use by an entry you cannot change" in p for p in problems)


def test_a_file_over_the_limit_is_refused_before_it_is_read(admin_user):
    problems = refused(admin_user, "big.zip", b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024))
    assert problems == ["The file is larger than 10 MB. Split the directory into smaller files."]


def test_text_that_is_not_utf8_is_refused(admin_user):
    data = zipped({"organizations.csv": b"id,name,description\n" + b"x,\xe9t\xe9,d\n"})
    assert refused(admin_user, "x.zip", data) == [
        "organizations.csv line 2: this is not UTF-8 text. Save the file as UTF-8."
    ]


def corrupt_deflate() -> bytes:
    """Found by fuzzing (fuzz/hsds_import.py): a member whose compressed
    data is not a deflate stream makes zlib raise its own error, which is
    no OSError."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("organizations.csv", organizations_csv({}) * 20)
    data = bytearray(buffer.getvalue())
    start = 30 + len("organizations.csv")  # the data after the only local header
    data[start] = 0x07  # the last block, of the reserved type 3
    return bytes(data)


def nameless_member() -> bytes:
    """Found by fuzzing: a member the zip's directory names with nothing,
    beside a table; Python's ZipInfo.is_dir() fails on it (IndexError)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("organizations.csv", organizations_csv({}))
        archive.writestr("x", b"nameless")
        archive.filelist[-1].filename = ""  # the directory is written on closing
    return buffer.getvalue()


def test_a_member_without_a_name_is_left_out(admin_user):
    summary = directory_import(actor=admin_user, filename="x.zip", data=nameless_member())
    assert summary.added == {"organizations": 1}
    assert Organization.objects.count() == 1


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("x.zip", b"PK\x03\x04 this is not really a zip", "x.zip is not a zip file"),
        ("x.zip", b"not a zip at all", "x.zip is not a zip file"),
        ("x.zip", corrupt_deflate(), "x.zip is damaged: a file inside it cannot be read."),
        ("x.json", b'{"id": ', "x.json line 1, column 8: not valid JSON"),
        ("x.json", b'{"id": NaN}', "x.json: not valid JSON"),
        ("x.txt", b"hello", "Upload a .zip file"),
        ("x.zip", zipped({"notes.txt": "hello"}), "The zip file holds no HSDS files"),
        ("x.json", b"[1, 2]", "x.json item 1: expected an HSDS object."),
    ],
)
def test_broken_files_are_refused_with_a_message(admin_user, filename, data, message):
    problems = refused(admin_user, filename, data)
    assert problems[0].startswith(message), problems


def test_a_zip_bomb_is_refused(admin_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("organizations.csv", b"id,name,description\n" + b" " * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    assert refused(admin_user, "bomb.zip", buffer.getvalue()) == [
        "The zip file unpacks to more than 50 MB."
    ]


def test_a_missing_column_and_extra_cells_are_named(admin_user):
    data = zipped({"services.csv": "id,name\n" + str(uuid.uuid4()) + ",x\n"})
    assert refused(admin_user, "x.zip", data) == [
        "services.csv: the column organization_id is missing."
    ]
    data = zipped({"organizations.csv": "id,name,description\na,b,c,d\n"})
    assert refused(admin_user, "x.zip", data) == [
        "organizations.csv row 2: more cells than columns."
    ]


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "@SUM(1)", "'=1+1"])
def test_formula_cells_are_not_trusted(admin_user, cell):
    data = zipped({"organizations.csv": organizations_csv({"name": cell})})
    problems = refused(admin_user, "x.zip", data)
    assert problems[0].startswith("organizations.csv row 2, field name: start this text with")


def test_escaped_cells_come_back_as_they_were(admin_user):
    data = zipped(
        {
            "organizations.csv": organizations_csv(
                {"name": "'-Dash (synthetic)", "alternate_name": "''q"}
            )
        }
    )
    directory_import(actor=admin_user, filename="x.zip", data=data)
    organization = Organization.objects.get()
    assert (organization.name, organization.alternate_name) == ("-Dash (synthetic)", "'q")


def test_web_addresses_must_be_http(admin_user):
    data = zipped({"organizations.csv": organizations_csv({"website": "javascript:alert(1)"})})
    assert refused(admin_user, "x.zip", data) == [
        "organizations.csv row 2, field website: enter a web address starting with http:// or "
        "https://"
    ]


def test_a_bad_haven_field_value_is_refused(directory, admin_user, agency):
    name, content = directory_export(actor=admin_user, form="tabular")
    files = {
        n: zipfile.ZipFile(io.BytesIO(content)).read(n)
        for n in zipfile.ZipFile(io.BytesIO(content)).namelist()
    }
    files["attributes.csv"] = files["attributes.csv"].replace(b",legal", b",spy")
    problems = refused(admin_user, name, zipped(files))
    assert len(problems) == 1
    assert problems[0].startswith("attributes.csv row ")
    assert problems[0].endswith(
        "field value: should be one of: shelter, legal, medical, "
        "mental_health, immigration, employment, law_enforcement, "
        "da_victim_witness, prosecutor, child_protection, federal, other"
    )


def test_shipped_taxonomy_terms_are_never_changed_by_an_import(directory, admin_user):
    term = TaxonomyTerm.objects.get(code="legal.immigration")
    row = {"id": str(term.pk), "name": "Hijacked", "description": "x", "code": term.code}
    summary = directory_import(
        actor=admin_user, filename="x.zip", data=zipped({"taxonomy_terms.csv": table([row])})
    )
    term.refresh_from_db()
    assert term.name == "Immigration legal help"
    assert term.agency_id is None
    assert "taxonomy terms" not in summary.added


def test_the_same_directory_imports_into_two_agencies_only_with_new_ids(admin_user, outsider):
    build_directory(admin_user)
    name, content = directory_export(actor=admin_user, form="tabular")
    before = directory_counts()
    with pytest.raises(ImportRefused):
        directory_import(actor=outsider, filename=name, data=content)
    assert directory_counts() == before
