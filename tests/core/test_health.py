"""Health: /healthz says the process answers and touches nothing; /readyz
and ``manage.py check_health`` say "ok" or "fail" for each check (the
database takes writes, the keys read, the migrations are applied, a jobs
worker was seen within a minute, the disk has room), 200 or 503, without a
session and without saying anything more."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from haven.accounts.middleware import SEEN
from haven.audit.models import AuditEvent
from haven.core import health
from haven.core.keys import agency_secrets
from haven.jobs.workers import worker_beat

pytestmark = pytest.mark.django_db

CHECKS = {"database", "keys", "migrations", "ledger", "disk", "worker"}


@pytest.fixture
def worker_seen():
    worker_beat("w-health")


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_readyz_is_200_when_every_check_passes(client, worker_seen):
    before = AuditEvent.objects.count()
    status, body = readyz(client)
    assert (status, body) == (200, dict.fromkeys(CHECKS, "ok"))
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "sessionid" not in response.cookies
    assert AuditEvent.objects.count() == before


def test_no_worker_seen_fails_the_worker_check_only(client):
    status, body = readyz(client)
    assert status == 503
    assert body == {**dict.fromkeys(CHECKS, "ok"), "worker": "fail"}


def test_a_disk_below_the_threshold_fails(client, settings, worker_seen):
    settings.HAVEN_READY_MIN_FREE_MB = 10**12  # an exabyte: more than any disk has
    status, body = readyz(client)
    assert status == 503
    assert body == {**dict.fromkeys(CHECKS, "ok"), "disk": "fail"}
    assert set(body) == CHECKS  # no path, no figure


def test_a_missing_destruction_ledger_fails(client, settings, tmp_path, worker_seen):
    settings.HAVEN_LEDGER_DIR = tmp_path / "nowhere"
    status, body = readyz(client)
    assert status == 503
    assert body == {**dict.fromkeys(CHECKS, "ok"), "ledger": "fail"}


def test_unreadable_keys_fail(client, settings, tmp_path, monkeypatch, worker_seen):
    for name in ("HAVEN_MASTER_KEY", "HAVEN_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    settings.KEY_DIR = tmp_path / "gone"  # the key folder unmounted, say
    status, body = readyz(client)
    assert (status, body["keys"]) == (503, "fail")
    assert str(tmp_path) not in json.dumps(body)


def test_a_master_key_that_opens_no_agency_key_fails(client, settings, agency, worker_seen):
    agency_secrets(agency.pk)  # the agency's first key, wrapped by the master key
    assert readyz(client)[0] == 200
    settings.HAVEN_MASTER_KEY = "a master key that never wrapped anything"
    assert readyz(client) == (503, {**dict.fromkeys(CHECKS, "ok"), "keys": "fail"})


def test_a_migration_not_applied_fails(client, worker_seen):
    applied = MigrationRecorder.Migration.objects.filter(
        app="jobs", name="0002_queue_attempts_and_workers"
    )
    assert applied.exists()
    applied.delete()
    health._migrated[0] = False
    try:
        assert readyz(client) == (503, {**dict.fromkeys(CHECKS, "ok"), "migrations": "fail"})
    finally:
        health._migrated[0] = False


@pytest.mark.django_db(transaction=True)
def test_a_database_that_takes_no_writes_fails(client, worker_seen):
    readonly_on, readonly_off = (
        ("PRAGMA query_only = ON", "PRAGMA query_only = OFF")
        if connection.vendor == "sqlite"
        else ("SET default_transaction_read_only = on", "SET default_transaction_read_only = off")
    )
    with connection.cursor() as cursor:
        cursor.execute(readonly_on)
    try:
        assert health.health()["database"] == health.FAIL
    finally:
        with connection.cursor() as cursor:
            cursor.execute(readonly_off)
    assert health.health()["database"] == health.OK
    assert not MigrationRecorder.Migration.objects.filter(app="haven.health").exists()


def test_a_signed_in_browser_asking_is_not_activity(client_for, advocate, worker_seen):
    client = client_for(advocate)
    session = client.session
    session[SEEN] = 1000.0
    session.save()
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.session[SEEN] == 1000.0


def test_check_health_prints_each_check_and_fails_on_any(capsys, settings, worker_seen):
    call_command("check_health")
    out = capsys.readouterr().out
    assert sorted(out.split("\n")[:-1]) == sorted(f"{name}: ok" for name in CHECKS)
    settings.HAVEN_READY_MIN_FREE_MB = 10**12
    with pytest.raises(CommandError) as failed:
        call_command("check_health")
    assert failed.value.returncode == 1
    assert "disk: fail" in capsys.readouterr().out


def test_the_checks_are_registered_once_each():
    assert health.registered() == ["database", "keys", "migrations", "ledger", "disk", "worker"]
