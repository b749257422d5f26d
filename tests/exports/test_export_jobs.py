"""The export page starts a background job: what can be refused is refused
on the page, before any job; the job reports its steps, records the export
with its root hash (through the gate for anyone else), and seals its file
under the person's key, so destroying the person shreds it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from haven.audit.models import Action, AuditEvent
from haven.consent.models import Consent, Disclosure
from haven.consent.services import consent_revoke
from haven.exports.models import RecordExport
from haven.exports.services import ExportRequest, export_record
from haven.jobs.models import Failure, Job, JobResult, State
from haven.jobs.services import job_run_waiting, jobs_expire
from haven.people.services import person_destroy
from tests.communications.helpers import log
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.django_db

THIRD_PARTY = {
    "audience": "third_party",
    "output": "bundle",
    "recipient_name": "Sample Legal Aid (synthetic)",
    "recipient_category": "local",
    "purpose": "legal",
    "kinds": ["identity", "notes"],
}


@pytest.fixture
def case(advocate, team):
    found = record_intake(actor=advocate, team=team, legal_name="Synthetic Job Person")
    for n in range(1, 4):
        log(advocate, found, summary=f"Synthetic call {n}")
    return found


def url(case):
    return reverse("exports:export", args=[case.pk])


def test_the_export_reports_its_steps_in_order(advocate, case):
    seen = []
    exported = export_record(
        actor=advocate,
        case=case,
        request=ExportRequest(audience="person"),
        progress=lambda done, total, label="": seen.append((done, total, label)),
    )
    labels = [label for _d, _t, label in seen]
    assert labels[:4] == ["collecting"] * 4  # the start, then each of the 3 communications
    assert labels[-2:] == ["packing", "recording"]
    assert "rendering" in labels
    assert [d for d, _t, _l in seen] == sorted(d for d, _t, _l in seen)
    assert all(d <= t for d, t, _l in seen)
    done, total, _label = seen[-1]
    assert done == total - 1  # the job's finish takes the last step
    assert exported.export.communications == 3


def test_the_pdf_comes_from_the_job_too(client_for, advocate, case):
    client = client_for(advocate)
    client.post(url(case), {"audience": "person", "output": "pdf"})
    job = Job.objects.get()
    assert (job.state, job.result_type) == (State.DONE, "application/pdf")
    assert job.result_name.endswith(".pdf")
    assert "Synthetic" not in job.result_name
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.content.startswith(b"%PDF")


def test_the_result_is_sealed_to_the_person_and_its_download_audited(client_for, advocate, case):
    client = client_for(advocate)
    client.post(url(case), {"audience": "person", "output": "bundle"})
    job = Job.objects.get()
    assert job.data_key_id == case.person.data_key_id
    assert not job.own_key
    assert job.params["case"] == str(case.pk)
    assert "Synthetic" not in json.dumps(job.params)
    started = AuditEvent.objects.get(action=Action.JOB_STARTED)
    assert (started.object_type, started.object_id) == ("case", str(case.pk))
    exported = AuditEvent.objects.get(action=Action.RECORD_EXPORTED)
    assert exported.detail["root"] == RecordExport.objects.get().root
    client.get(reverse("jobs:download", args=[job.pk]))
    downloaded = AuditEvent.objects.get(action=Action.JOB_RESULT_DOWNLOADED)
    assert (downloaded.object_type, downloaded.object_id) == ("case", str(case.pk))
    assert downloaded.detail["job"] == str(job.pk)
    assert "Synthetic" not in json.dumps(downloaded.detail)


def test_destroying_the_person_shreds_the_result(client_for, advocate, supervisor, case):
    client = client_for(advocate)
    client.post(url(case), {"audience": "person", "output": "bundle"})
    job = Job.objects.get()
    person_destroy(actor=supervisor, person=case.person, basis="request")
    job.refresh_from_db()
    assert job.data_key_id is None
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert jobs_expire() == 1
    assert not JobResult.objects.exists()


def test_a_third_party_copy_from_the_page_goes_through_the_gate(stepped_up, advocate, case):
    give_consent(
        actor=advocate, case=case, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    client = stepped_up(advocate)
    response = client.post(url(case), THIRD_PARTY)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == State.DONE
    # The typed name is sealed while the job waits, and gone once it ran.
    assert "Sample Legal Aid" not in json.dumps(job.params)
    assert job.secret is None
    row = Disclosure.objects.get(channel="record_export")
    assert row.record_id == str(RecordExport.objects.get().pk)
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("jobs:download", args=[job.pk])).content)
    )
    assert json.loads(archive.read("record.json"))["recipient"] == "Sample Legal Aid (synthetic)"


def test_a_refusal_is_shown_on_the_page_and_starts_no_job(stepped_up, advocate, case):
    response = stepped_up(advocate).post(url(case), THIRD_PARTY)
    assert response.status_code == 400
    assert not Job.objects.exists()
    assert not RecordExport.objects.exists()
    assert AuditEvent.objects.filter(action=Action.DISCLOSURE_REFUSED).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"audience": "person", "output": "exe"},
        {"audience": "nobody", "output": "bundle"},
        {**THIRD_PARTY, "kinds": ["identity"]},
        {**THIRD_PARTY, "recipient_name": "bad\x07name"},
        {**THIRD_PARTY, "recipient_name": "x" * 400},
        {**THIRD_PARTY, "purpose": ""},
    ],
)
def test_bad_input_starts_no_job(client_for, advocate, case, data):
    response = client_for(advocate).post(url(case), data)
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_a_consent_withdrawn_before_the_job_runs_stops_the_export(
    stepped_up, advocate, case, settings
):
    settings.HAVEN_JOBS_INLINE = False  # the job waits (no commit in this test): run it by hand
    give_consent(
        actor=advocate, case=case, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    stepped_up(advocate).post(url(case), THIRD_PARTY)
    job = Job.objects.get()
    assert job.state == State.QUEUED
    assert job.secret == json.dumps({"recipient_name": "Sample Legal Aid (synthetic)"})
    consent_revoke(actor=advocate, consent=Consent.objects.get())
    assert job_run_waiting() == 1
    job.refresh_from_db()
    assert (job.state, job.error) == (State.FAILED, Failure.REFUSED)
    assert job.secret is None
    assert not RecordExport.objects.exists()
    assert not Disclosure.objects.filter(channel="record_export").exists()
    assert AuditEvent.objects.filter(action=Action.DISCLOSURE_REFUSED).exists()


def test_access_lost_before_the_job_runs_stops_the_export(client_for, advocate, case, settings):
    settings.HAVEN_JOBS_INLINE = False
    client_for(advocate).post(url(case), {"audience": "person", "output": "bundle"})
    advocate.is_active = False
    advocate.save(update_fields=["is_active"])
    job_run_waiting()
    job = Job.objects.get()
    assert (job.state, job.error) == (State.FAILED, Failure.REFUSED)
    assert not RecordExport.objects.exists()
