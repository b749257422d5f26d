"""Exports of a case record: the person's own copy always, anyone else's
only through the gate; the bundle verifies with the standalone verifier and
fails it after one changed byte; what is restricted stays out unless asked
for or consented to."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from haven.audit.models import Action, AuditEvent
from haven.consent.gate import DisclosureRefused
from haven.consent.models import Disclosure
from haven.exports import verifier
from haven.exports.models import RecordExport
from haven.exports.services import ExportRequest, export_record
from haven.jobs.models import Job, State
from haven.people.details import PersonDetails
from haven.people.services import person_update
from tests import files
from tests.communications.helpers import log
from tests.factories import give_consent, record_intake
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "haven" / "exports" / "verifier.py"


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, legal_name="Synthetic Export Person")


@pytest.fixture
def logged(advocate, case):
    first = log(
        advocate,
        case,
        summary="Synthetic first meeting",
        files=[files.accepted(files.wav(), "voicemail.wav")],
    )
    from haven.communications.services import addendum_record

    addendum_record(
        actor=advocate,
        case=case,
        entry_id=first.pk,
        reason="Synthetic correction of the time",
        summary="Synthetic correction",
    )
    return case


def own_copy(advocate, case, **options):
    return export_record(
        actor=advocate, case=case, request=ExportRequest(audience="person", **options)
    )


def run_verifier(path: Path) -> subprocess.CompletedProcess:
    # -I: isolated, no site-packages, no project on the path: the standard library only.
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_persons_copy_verifies_with_the_standalone_verifier(tmp_path, advocate, logged):
    exported = own_copy(advocate, logged)
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(exported.zip_bytes)
    result = run_verifier(bundle)
    assert result.returncode == 0, result.stdout
    assert exported.export.root in result.stdout
    record = json.loads(zipfile.ZipFile(bundle).read("record.json"))
    assert [e["summary"] for e in record["communications"]] == [
        "Synthetic first meeting",
        "Synthetic correction",
    ]
    assert record["communications"][1]["addendum_to"] == 1
    cited = record["communications"][0]["files"][0]
    assert zipfile.ZipFile(bundle).read(cited["path"]) == files.wav()
    event = AuditEvent.objects.get(action=Action.RECORD_EXPORTED)
    assert event.detail["root"] == exported.export.root
    assert "Synthetic" not in json.dumps(event.detail)
    call_command("verify_export", str(bundle))


def _rewrite(source: bytes, member: str, change) -> bytes:
    """The same zip with one member's bytes changed by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


def _flip_one_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]


@pytest.mark.parametrize("member", ["record.json", "record.pdf", "manifest.json", "file"])
def test_one_changed_byte_fails_the_verifier(tmp_path, advocate, logged, member):
    exported = own_copy(advocate, logged)
    if member == "file":
        names = zipfile.ZipFile(io.BytesIO(exported.zip_bytes)).namelist()
        member = next(n for n in names if n.startswith("files/"))
    bundle = tmp_path / "changed.zip"
    bundle.write_bytes(_rewrite(exported.zip_bytes, member, _flip_one_byte))
    result = run_verifier(bundle)
    assert result.returncode == 1
    assert result.stdout.startswith("FAILED")
    with pytest.raises(CommandError):
        call_command("verify_export", str(bundle))


def test_a_consistently_forged_bundle_is_caught_by_the_agency_record(tmp_path, advocate, logged):
    """Someone rewrites a summary and recomputes every hash: the standalone
    verifier cannot tell, but Haven has no record of that root."""
    exported = own_copy(advocate, logged)
    with zipfile.ZipFile(io.BytesIO(exported.zip_bytes)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    record = json.loads(members["record.json"])
    record["communications"][0]["summary"] = "Synthetic forged summary"
    previous = verifier.GENESIS
    for entry in record["communications"]:
        entry["chain_hash"] = verifier.link(previous, entry)
        previous = entry["chain_hash"]
    members["record.json"] = json.dumps(record).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["chain_head"] = previous
    for item in manifest["files"]:
        data = members[item["path"]]
        item["size"], item["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    bundle = tmp_path / "forged.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert run_verifier(bundle).returncode == 0
    with pytest.raises(CommandError, match="no record of exporting"):
        call_command("verify_export", str(bundle))


def _record(exported) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(exported.zip_bytes)).read("record.json"))


def test_restricted_fields_and_the_shelter_stay_out_unless_asked_for(advocate, team, case):
    person_update(
        actor=advocate,
        case=case,
        details=PersonDetails(immigration_status="t_visa"),
        covering=["immigration_status"],
    )
    site = site_of(team, "Site A", name="Synthetic Birchwood House", address="1 Synthetic Way")
    stay_at(case, site, actor=advocate, starts_on=date(2026, 3, 1))
    plain = _record(own_copy(advocate, case))
    assert "immigration_status" not in {f["field"] for f in plain["person"]}
    assert plain["shelter"] is None
    asked = _record(own_copy(advocate, case, include_restricted=True, include_shelter=True))
    assert "immigration_status" in {f["field"] for f in asked["person"]}
    assert asked["shelter"] == [
        {"where": "Site A", "location": "", "from": "2026-03-01", "until": None, "outcome": ""}
    ]


def test_the_shelter_names_sites_by_alias_and_a_partner_only_as_agreed(advocate, team, case):
    site = site_of(team, "Site A", name="Synthetic Birchwood House", phone="608 555 0190")
    stay_at(
        case,
        site,
        actor=advocate,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 9),
        outcome="partner",
        safety_notes="Synthetic note for staff",
    )
    stay_at(case, None, actor=advocate, starts_on=date(2026, 3, 9), ends_on=date(2026, 4, 1))
    stay_at(case, None, actor=advocate, starts_on=date(2026, 4, 1), location="Synthetic Town")
    exported = own_copy(advocate, case, include_shelter=True)
    assert _record(exported)["shelter"] == [
        {
            "where": "Site A",
            "location": "",
            "from": "2026-03-01",
            "until": "2026-03-09",
            "outcome": "Placed with a partner",
        },
        {
            "where": "At a partner",
            "location": "",
            "from": "2026-03-09",
            "until": "2026-04-01",
            "outcome": "",
        },
        {
            "where": "At a partner",
            "location": "Synthetic Town",
            "from": "2026-04-01",
            "until": None,
            "outcome": "",
        },
    ]
    with zipfile.ZipFile(io.BytesIO(exported.zip_bytes)) as archive:
        contents = b"".join(archive.read(n) for n in archive.namelist())
    assert b"Synthetic Town" in contents  # the search would find plain text
    for secret in ("Birchwood", "555 0190", "Synthetic note"):
        assert secret.encode() not in contents


def test_a_third_party_copy_without_consent_is_refused_and_audited(advocate, logged):
    request = ExportRequest(
        audience="third_party",
        recipient_name="Sample District Attorney (synthetic)",
        recipient_category="local",
        purpose="law_enforcement",
        kinds=["identity", "notes"],
    )
    with pytest.raises(DisclosureRefused):
        export_record(actor=advocate, case=logged, request=request)
    assert not RecordExport.objects.exists()
    assert AuditEvent.objects.filter(action=Action.DISCLOSURE_REFUSED).exists()


def test_a_third_party_copy_under_consent_goes_through_the_gate(advocate, logged):
    give_consent(
        actor=advocate, case=logged, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    request = ExportRequest(
        audience="third_party",
        recipient_name="Sample Legal Aid (synthetic)",
        recipient_category="local",
        purpose="legal",
        kinds=["identity", "notes"],
    )
    exported = export_record(actor=advocate, case=logged, request=request)
    row = Disclosure.objects.get(channel="record_export")
    assert exported.export.disclosure == row
    assert row.record_id == str(exported.export.pk)
    record = json.loads(zipfile.ZipFile(io.BytesIO(exported.zip_bytes)).read("record.json"))
    fields = {f["field"] for f in record["person"]}
    assert "phone" not in fields  # contact details were not consented to
    assert record["documents"] == []


def test_a_third_party_copy_needs_identity_and_notes(advocate, case):
    request = ExportRequest(
        audience="third_party",
        recipient_name="Sample (synthetic)",
        purpose="legal",
        kinds=["identity"],
    )
    with pytest.raises(ValidationError):
        export_record(actor=advocate, case=case, request=request)
    assert not RecordExport.objects.exists()


def test_the_page_runs_the_export_as_a_job_and_its_page_offers_the_bundle(
    client_for, advocate, logged
):
    client = client_for(advocate)
    response = client.post(
        reverse("exports:export", args=[logged.pk]), {"audience": "person", "output": "bundle"}
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == State.DONE
    page = client.get(response["Location"]).content.decode()
    assert "Export of a case record" in page
    assert "Synthetic" not in page
    download = reverse("jobs:download", args=[job.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "Synthetic" not in response["Content-Disposition"]
    export = RecordExport.objects.get()
    assert response["Content-Disposition"] == (
        f'attachment; filename="case-record-{str(export.pk)[:8]}.zip"'
    )
    manifest = zipfile.ZipFile(io.BytesIO(response.content)).read("manifest.json")
    assert verifier.root_of(manifest) == export.root


@pytest.mark.parametrize("persona", ["intake", "shelter", "admin_user", "auditor", "outsider"])
def test_only_those_who_work_cases_export(request, client_for, advocate, case, persona):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("exports:export", args=[case.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"audience": "person", "output": "bundle"}).status_code == 404
    assert not RecordExport.objects.exists()
    assert not Job.objects.exists()


def test_an_export_opens_the_agency_key_once_however_long_the_record(advocate, case):
    """A job runs outside a request: the agency key is opened once for the
    whole bundle, not once per communication."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from haven.core.models import AgencyKey

    def agency_key_reads() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            exported = own_copy(advocate, case)
        reads = [q for q in queries.captured_queries if AgencyKey._meta.db_table in q["sql"]]
        return exported.export.communications, len(reads)

    log(advocate, case, summary="Synthetic first call")
    short = agency_key_reads()
    for n in range(4):
        log(advocate, case, summary=f"Synthetic call {n}")
    long = agency_key_reads()
    assert (short[0], long[0]) == (1, 5)
    assert long[1] == short[1]
