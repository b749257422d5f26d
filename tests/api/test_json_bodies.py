"""An operation that takes a JSON body takes it only as application/json:
any other type is refused with 415 and a message, and nothing changes;
the operations that take a multipart form still take one."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from conftest import spare_code
from haven.accounts.api_tokens import api_token_create
from haven.attachments.models import Attachment
from haven.audit.models import AuditEvent
from haven.reports.models import ReportSettings
from tests import files
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/reports/settings"
BODY = json.dumps({"threshold": 11, "version": 1})
MESSAGE = {"detail": "Send the body as JSON, with the header Content-Type: application/json."}


def bearer(user) -> dict[str, str]:
    token = api_token_create(user=user, lifetime=timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/json-patch+json",
        "",
    ],
)
def test_a_json_body_sent_as_another_type_is_refused_with_415(admin_user, content_type):
    client = Client()
    before = AuditEvent.objects.count()
    response = client.put(SETTINGS, BODY, content_type=content_type, **bearer(admin_user))
    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == MESSAGE
    assert not ReportSettings.objects.exists()
    # Issuing the token is the only event.
    assert AuditEvent.objects.count() == before + 1


def test_a_session_is_refused_alike(client_for, admin_user):
    response = client_for(admin_user).put(SETTINGS, BODY, content_type="text/plain")
    assert response.status_code == 415
    assert not ReportSettings.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"]
)
def test_the_same_body_as_json_is_taken(admin_user, content_type):
    # Raising the threshold asks for a fresh code (haven.accounts.stepup).
    body = json.dumps({"threshold": 11, "version": 1, "second_factor": spare_code(admin_user)})
    response = Client().put(SETTINGS, body, content_type=content_type, **bearer(admin_user))
    assert response.status_code == 200
    assert ReportSettings.objects.get().threshold == 11


def test_a_request_without_a_body_is_not_a_415(admin_user):
    """Nothing to read, whatever its type says: the missing body is the problem (422)."""
    response = Client().put(SETTINGS, b"", content_type="text/plain", **bearer(admin_user))
    assert response.status_code == 422


def test_a_multipart_upload_still_works(advocate, team):
    case = record_intake(actor=advocate, team=team)
    response = Client().post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"file": files.uploaded(files.pdf("Synthetic lease"), "lease.pdf")},
        **bearer(advocate),
    )
    assert response.status_code == 201, response.content
    assert Attachment.objects.count() == 1


def test_an_anonymous_caller_is_answered_401_before_the_body_is_judged(db):
    response = Client().put(SETTINGS, BODY, content_type="text/plain")
    assert response.status_code == 401
