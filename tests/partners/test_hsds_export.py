"""The HSDS export: valid against the official schemas and data package,
safe to open in a spreadsheet, and the same directory after a round trip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from functools import cache
from pathlib import Path

import frictionless
import jsonschema
import pytest

from haven.audit.models import Action, AuditEvent
from haven.partners import services
from haven.partners.exchange import directory_export, directory_import
from haven.partners.hsds.export import Snapshot
from haven.partners.models import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from tests.factories import make_staff
from tests.partners.conftest import LEGAL_AID

pytestmark = pytest.mark.django_db

HSDS = Path("/work/shared/hsds-3.0")


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((HSDS / "schema" / "compiled" / name).read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def unzip(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


def test_json_export_validates_against_the_hsds_schemas(directory, admin_user):
    _name, content = directory_export(actor=admin_user, form="json")
    files = unzip(content)
    assert set(files) == {
        "organizations.json",
        "locations.json",
        "taxonomies.json",
        "taxonomy_terms.json",
        "README.txt",
    }
    organizations = json.loads(files["organizations.json"])
    assert [o["name"] for o in organizations] == [
        "Sample County Sheriff (synthetic)",
        "Sample Legal Aid (synthetic)",
    ]
    for organization in organizations:
        errors = sorted(validator("organization.json").iter_errors(organization), key=str)
        assert errors == [], errors[0].message if errors else ""
    legal = organizations[1]
    service = legal["services"][0]
    assert service["status"] == "active"
    assert {lang["code"] for lang in service["languages"]} == {"eng", "spa"}
    assert {a["name"] for a in service["service_areas"]} == {"Statewide", "Dane County"}
    assert [s["description"] for s in service["schedules"]] == [
        "Mon-Fri 9-5\nEvenings by appointment"
    ]
    values = {(a["taxonomy_term"]["code"], a["value"]) for a in legal["attributes"]}
    assert values == {
        ("haven.partner-kind", "legal"),
        ("haven.government-level", "none"),
        ("haven.agreement-on-file", "2024-03-01"),
    }
    assert "Open Referral" in files["README.txt"].decode()


def test_service_objects_validate_against_the_service_schema(directory, admin_user):
    built = Snapshot(admin_user.agency_id).objects()
    for row in built.tables["service"]:
        obj = built.service(row, with_organization=True)
        errors = list(validator("service.json").iter_errors(obj))
        assert errors == [], errors[0].message if errors else ""


def test_the_data_package_validates_with_frictionless(directory, admin_user, tmp_path):
    _name, content = directory_export(actor=admin_user, form="tabular")
    zipfile.ZipFile(io.BytesIO(content)).extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    problems = [error.message for task in report.tasks for error in task.errors]
    assert report.valid, problems[:5]
    official = json.loads((HSDS / "datapackage.json").read_text())
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == sorted(
        r["path"] for r in official["resources"]
    )
    with (tmp_path / "organizations.csv").open(encoding="utf-8", newline="") as rows:
        names = [row["name"] for row in csv.DictReader(rows)]
    assert names == ["Sample County Sheriff (synthetic)", "Sample Legal Aid (synthetic)"]


def test_export_is_audited_and_only_for_administrators(directory, admin_user, supervisor):
    directory_export(actor=admin_user, form="tabular")
    event = AuditEvent.objects.filter(action=Action.DIRECTORY_EXPORTED).get()
    assert event.detail == {
        "format": "tabular",
        "organizations": 2,
        "services": 1,
        "locations": 1,
        "contacts": 1,
    }
    from haven.core.errors import NotFound

    with pytest.raises(NotFound):
        directory_export(actor=supervisor, form="json")


def test_cells_a_spreadsheet_would_run_are_escaped(supervisor, admin_user):
    # "=" and "@" cannot be typed; "+", "-", a tab or a quote at the start can.
    organization = services.organization_save(
        actor=supervisor,
        values={**LEGAL_AID, "name": "-2+3 Partner (synthetic)", "alternate_name": "+cmd"},
    )
    services.contact_save(
        actor=supervisor,
        organization=organization,
        values={"name": "'quoted", "title": "-lead", "phone": "+1 608 555 0199"},
    )
    Organization.objects.filter(pk=organization.pk).update(description="\tTabbed")
    _name, content = directory_export(actor=admin_user, form="tabular")
    files = unzip(content)
    organizations = list(csv.DictReader(io.StringIO(files["organizations.csv"].decode())))
    assert organizations[0]["name"] == "'-2+3 Partner (synthetic)"
    assert organizations[0]["alternate_name"] == "'+cmd"
    assert organizations[0]["description"] == "'\tTabbed"
    contacts = list(csv.DictReader(io.StringIO(files["contacts.csv"].decode())))
    assert (contacts[0]["name"], contacts[0]["title"]) == ("''quoted", "'-lead")
    phones = list(csv.DictReader(io.StringIO(files["phones.csv"].decode())))
    assert {p["number"] for p in phones} == {"'+1 608 555 0100", "'+1 608 555 0199"}
    # Every text cell of every file: none starts with a formula character.
    for name, data in files.items():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(data.decode())):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
                    assert not cell.startswith("-") or _is_number(cell), (name, cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def directory_of(agency_id: int) -> dict[str, object]:
    """Everything a directory holds, by id, for comparing two of them."""

    def rows(model, *exclude: str) -> dict[str, dict[str, object]]:
        skip = {"agency", "created_at", "updated_at", *exclude}
        out = {}
        for obj in model.objects.filter(agency_id=agency_id):
            out[str(obj.pk)] = {
                f.attname: getattr(obj, f.attname)
                for f in model._meta.concrete_fields
                if f.name not in skip
            }
        return out

    services_ = Service.objects.filter(agency_id=agency_id)
    return {
        "organizations": rows(Organization, "haven_agency"),
        "services": rows(Service),
        "locations": rows(Location),
        "at_locations": rows(ServiceAtLocation),
        "contacts": rows(Contact),
        "phones": rows(Phone),
        "languages": rows(Language),
        "areas": rows(ServiceArea),
        "schedules": rows(Schedule),
        "needs": {str(s.pk): sorted(c.code for c in s.need_categories.all()) for s in services_},
        "terms": {str(s.pk): sorted(str(t.pk) for t in s.taxonomy_terms.all()) for s in services_},
    }


@pytest.mark.parametrize("form", ["json", "tabular"])
def test_export_then_import_into_a_fresh_agency_gives_the_same_directory(
    directory, admin_user, agency, form
):
    # A structured schedule too, so both kinds of hours travel.
    Schedule.objects.create(
        agency=agency, service=directory["service"], freq="WEEKLY", byday="MO,WE", interval=1
    )
    name, content = directory_export(actor=admin_user, form=form)
    before = directory_of(agency.pk)
    # Ids are global: the fresh agency gets the first one's rows only after they go.
    for model in (Organization, Location):
        model.objects.filter(agency=agency).delete()
    from tests.factories import AgencyFactory

    fresh = AgencyFactory(name="Fresh Agency")
    fresh_admin = make_staff(agency=fresh, role="admin", username="t-fresh-admin")
    summary = directory_import(actor=fresh_admin, filename=name, data=content)
    assert summary.added["organizations"] == 2
    assert directory_of(fresh.pk) == before


def test_a_second_import_of_the_same_export_changes_nothing(directory, admin_user, agency):
    name, content = directory_export(actor=admin_user, form="tabular")
    before = directory_of(agency.pk)
    summary = directory_import(actor=admin_user, filename=name, data=content)
    assert summary.added == {}
    assert summary.updated["organizations"] == 2
    assert directory_of(agency.pk) == before
