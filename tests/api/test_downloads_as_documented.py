"""The operations that answer with a file, against their own OpenAPI document:
the real answer for each kind of file (every kind of background job, an
attachment), read with schemathesis's conformance checks, is one the
document lists, with its status, media type, shape and headers, and it is
a download."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis import checks

from haven.accounts.api_tokens import api_token_create
from haven.api.api import api
from haven.attachments.models import Use
from haven.attachments.services import attachment_store, upload_accept
from haven.exports.jobs import export_start
from haven.exports.services import ExportRequest
from haven.jobs.models import State
from haven.jobs.registry import _KINDS, discover
from haven.reports.jobs import report_start
from haven.reports.services import scope_for
from haven.wsgi import application
from tests import files
from tests.factories import record_intake
from tests.reports.conftest import Q1

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CONFORMANCE = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
# Every kind of job Haven runs, and the files each makes.
JOB_FILES = {
    "reports.run": ["report"],
    "exports.record": ["pdf", "bundle"],
}


@pytest.fixture
def wsgi_calls():
    """Calls go straight to the WSGI application, which closes the database
    connection after each request; the test's transaction needs it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fetch(path: str, user, **path_parameters: str):
    token = api_token_create(user=user, lifetime=timedelta(hours=1))
    case = schema[path]["GET"].Case(path_parameters=path_parameters)
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CONFORMANCE)
    return response


def test_every_kind_of_job_is_covered_here():
    discover()
    assert {name for name in _KINDS if not name.startswith("tests.")} == set(JOB_FILES)


@pytest.mark.parametrize("made", [f for found in JOB_FILES.values() for f in found])
def test_a_job_result_answers_as_documented(wsgi_calls, made, supervisor, team):
    if made == "report":
        job = report_start(actor=supervisor, scope=scope_for(supervisor, start=Q1[0], end=Q1[1]))
    else:
        case = record_intake(actor=supervisor, team=team, legal_name="Synthetic Download Person")
        job = export_start(
            actor=supervisor, case=case, request=ExportRequest(audience="person"), output=made
        )
    job.refresh_from_db()
    assert job.state == State.DONE
    response = fetch("/api/v1/jobs/{job_id}/result", supervisor, job_id=str(job.pk))
    assert response.status_code == 200
    assert response.headers["content-type"] == [job.result_type]
    assert response.headers["content-disposition"] == [f'attachment; filename="{job.result_name}"']


def test_an_attachment_answers_as_documented(wsgi_calls, advocate, team):
    case = record_intake(actor=advocate, team=team)
    upload = upload_accept(files.uploaded(files.pdf("Synthetic letter"), "letter.pdf"))
    kept = attachment_store(actor=advocate, case=case, upload=upload, use=Use.DOCUMENT)
    response = fetch("/api/v1/attachments/{attachment_id}", advocate, attachment_id=str(kept.pk))
    assert response.status_code == 200
    assert response.headers["content-type"] == ["application/pdf"]
    [disposition] = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="letter.pdf"')


def test_no_file_is_documented_as_any_type():
    """``*/*`` would let any answer pass for the documented one."""
    document = api.get_openapi_schema()
    for operations in document["paths"].values():
        for operation in operations.values():
            for answer in operation["responses"].values():
                assert "*/*" not in answer.get("content", {}), operation["operationId"]
