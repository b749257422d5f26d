"""Bad input gets a clear 4xx answer and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from haven.accounts import services
from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.core.models import Team

pytestmark = pytest.mark.django_db


def test_missing_csrf_token_is_refused_with_an_explanation(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = AuditEvent.objects.count()
    response = client.post(reverse("accounts:team_create"), {"name": "No Token"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert not Team.objects.filter(name="No Token").exists()
    assert AuditEvent.objects.count() == before


def test_oversized_post_is_a_400_not_a_500(client_for, admin_user, settings):
    client = client_for(admin_user)
    response = client.post(reverse("accounts:team_create"), {"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 400
    assert b"could not be understood" in response.content
    assert not Team.objects.filter(agency=admin_user.agency).exists()


def test_too_many_fields_is_a_400(client_for, admin_user):
    data = {f"f{n}": "1" for n in range(1000)}
    response = client_for(admin_user).post(reverse("accounts:team_create"), data)
    assert response.status_code == 400


def test_malformed_setup_post_changes_nothing(client):
    token = services.setup_link_issue()
    client.get(reverse("accounts:setup", args=[token]))
    response = client.post(
        reverse("accounts:setup_form"),
        "\x00\xff garbage",
        content_type="application/octet-stream",
    )
    assert response.status_code == 400
    assert User.objects.count() == 0


def test_get_on_a_post_only_url_is_405(client_for, admin_user, advocate):
    response = client_for(admin_user).get(reverse("accounts:staff_deactivate", args=[advocate.pk]))
    assert response.status_code == 405
    advocate.refresh_from_db()
    assert advocate.is_active


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999"])
def test_malformed_filters_on_the_audit_page(client_for, auditor, value):
    response = client_for(auditor).get(reverse("audit:event_list"), {"before": value})
    assert response.status_code == 400


def test_reversed_date_range_on_the_audit_page(client_for, auditor):
    response = client_for(auditor).get(
        reverse("audit:event_list"), {"since": "2026-05-01", "until": "2026-04-01"}
    )
    assert response.status_code == 400
    assert b"The end date is before the start date." in response.content


def test_unknown_path_is_a_plain_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code in {302, 404}


def test_error_pages_leak_nothing(client_for, advocate):
    response = client_for(advocate).get("/staff/999999/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content
    assert b"settings" not in response.content.lower()


def test_link_secrets_never_reach_the_log(client, caplog):
    token = services.setup_link_issue()
    with caplog.at_level("INFO"):
        client.get(reverse("accounts:setup", args=[token]))
        response = client.post(reverse("accounts:setup_form"), {"agency_name": ""})
        client.get(reverse("accounts:invitation_accept", args=["expired-or-unknown-secret"]))
    assert response.status_code == 400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert "expired-or-unknown-secret" not in logged
    assert "/invitation/[redacted]/" in logged
