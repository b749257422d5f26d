"""The API's changes that ask for a fresh second factor: a code in the body,
used once. Without one, a wrong one or a spent one, 422 at second_factor and
nothing changes; a person's own copy asks for none."""

from __future__ import annotations

import json

import pytest

from conftest import spare_code, totp_now
from haven.consent.models import Disclosure
from haven.exports.models import RecordExport
from haven.reports.models import ReportSettings
from tests.factories import give_consent, record_intake

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/reports/settings"


def put(client, body):
    return client.put(SETTINGS, json.dumps(body), content_type="application/json")


def loc(response) -> list[list[str]]:
    assert response.status_code == 422, response.content
    return [e["loc"] for e in response.json()["detail"]]


@pytest.mark.parametrize("code", [None, "", "000000", "not a code"])
def test_the_threshold_needs_a_right_code(client_for, admin_user, code):
    body = {"threshold": 11, "version": 1}
    if code is not None:
        body["second_factor"] = code
    assert loc(put(client_for(admin_user), body)) == [["body", "second_factor"]]
    assert not ReportSettings.objects.exists()


def test_a_code_works_once(client_for, admin_user):
    client = client_for(admin_user)
    code = totp_now(admin_user.totp_secret)
    assert put(client, {"threshold": 11, "version": 1, "second_factor": code}).status_code == 200
    again = put(client, {"threshold": 12, "version": 2, "second_factor": code})
    assert loc(again) == [["body", "second_factor"]]
    assert "already used" in again.content.decode()
    assert ReportSettings.objects.get().threshold == 11


@pytest.fixture
def case(advocate, team):
    case = record_intake(actor=advocate, team=team)
    give_consent(
        actor=advocate, case=case, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    return case


def export(client, case, **body):
    return client.post(
        f"/api/v1/cases/{case.pk}/exports", json.dumps(body), content_type="application/json"
    )


THIRD_PARTY = {
    "audience": "third_party",
    "recipient_name": "Sample Legal Aid (synthetic)",
    "recipient_category": "local",
    "purpose": "legal",
    "kinds": ["identity", "notes"],
}


def test_an_export_to_a_third_party_needs_a_code(client_for, advocate, case):
    client = client_for(advocate)
    assert loc(export(client, case, **THIRD_PARTY)) == [["body", "second_factor"]]
    assert not RecordExport.objects.exists()
    assert not Disclosure.objects.exists()
    done = export(client, case, **THIRD_PARTY, second_factor=spare_code(advocate))
    assert done.status_code == 200
    assert RecordExport.objects.count() == 1


def test_the_persons_own_copy_asks_for_no_code(client_for, advocate, case):
    assert export(client_for(advocate), case, audience="person").status_code == 200
