"""A full disk: Haven answers 503, writes nothing, says nothing of what it
was doing, and works again as soon as there is space, without a restart.

The database is a file here (the suite's own is in memory): a copy of the
migrated test database, swapped in under Django's connection for the test.
SQLite's ``max_page_count`` stops it growing exactly as a full disk would
("database or disk is full"), on the same connection the test client's
requests use.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg.errors
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import Role
from haven.audit.integrity import verify_audit_chains
from haven.audit.models import AuditEvent
from haven.communications.models import Communication
from haven.core.storage import storage_is_full
from haven.core.views import server_error
from haven.people.models import Case, Person, SearchEntry
from haven.protocol.models import CaseStep
from tests.factories import AgencyFactory, TeamFactory, make_staff, record_intake

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="max_page_count is SQLite's; PostgreSQL's is SQLSTATE 53100",
)

PERSON = "Synthetic Storage Person"
SECRET_NAME = "Synthetic Quillon Vantablack"


@pytest.fixture
def on_file(transactional_db, tmp_path: Path) -> Iterator[Path]:
    """The test database copied to a file, and Django's connection on it."""
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "haven.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    # Small pages, so that a new row rarely fits beside the rows a page
    # already holds: a write needs a new page, as on a disk that is full.
    copy.execute("PRAGMA page_size = 512")
    copy.execute("VACUUM")
    copy.close()
    params = connection.get_connection_params()
    params["database"] = str(path)
    connection.connection = connection.get_new_connection(params)
    connection.connection.isolation_level = None  # autocommit, as Django keeps it
    try:
        yield path
    finally:
        connection.connection.close()
        connection.connection = memory


def pragma(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def disk_full() -> None:
    """No page more than the database has now, and none of them free."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
    pragma(f"PRAGMA max_page_count = {pragma('PRAGMA page_count')}")


def space_again() -> None:
    pragma("PRAGMA max_page_count = 1073741823")


def everything() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Case.objects.count(),
        SearchEntry.objects.count(),
        CaseStep.objects.count(),
        Communication.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def setting(on_file):
    agency = AgencyFactory(name="Storage Agency")
    team = TeamFactory(agency=agency, name="North")
    intake = make_staff(agency=agency, role=Role.INTAKE, username="t-storage-intake")
    advocate = make_staff(agency=agency, role=Role.ADVOCATE, team=team, username="t-storage-adv")
    case = record_intake(actor=advocate, team=team, legal_name=PERSON)
    return team, intake, advocate, case


def intake_body(team) -> str:
    return json.dumps(
        {"team_id": team.pk, "danger": "no", "legal_name": SECRET_NAME, "phone": "608-555-0142"}
    )


def communication_form() -> dict[str, str]:
    return {
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "with_person": "on",
        "summary": "Synthetic call about housing",
        "details": f"Synthetic details: {SECRET_NAME} asked about housing.",
        "interpretation": "none",
    }


@on_sqlite
def test_a_full_disk_answers_503_writes_nothing_and_recovers(client, setting, caplog):
    team, intake, advocate, case = setting
    intake_client = client
    intake_client.force_login(intake)
    page_client = Client()
    page_client.force_login(advocate)
    entry_new = reverse("communications:entry_new", args=[case.pk])
    assert page_client.get(entry_new).status_code == 200

    disk_full()
    before = everything()
    with caplog.at_level(logging.INFO):
        api = intake_client.post(
            "/api/v1/people", intake_body(team), content_type="application/json"
        )
        page = page_client.post(entry_new, communication_form())

    assert api.status_code == 503
    assert api["Content-Type"] == "application/json"
    assert set(api.json()) == {"detail"}
    assert "storage is full" in api.json()["detail"]
    assert page.status_code == 503
    assert page["Retry-After"]
    shown = page.content.decode()
    assert "storage is full" in shown
    assert everything() == before, "a write on a full disk left something behind"
    # Nothing of the request, the SQL or the server's folders in the answers or the log.
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for text in (api.content.decode(), shown, logged):
        for leak in (
            SECRET_NAME,
            "Quillon",
            "555-0142",
            "INSERT",
            "sqlite3",
            str(connection.settings_dict["NAME"]),
        ):
            assert leak not in text
    assert "Storage full" in caplog.text

    space_again()
    api = intake_client.post("/api/v1/people", intake_body(team), content_type="application/json")
    page = page_client.post(entry_new, communication_form())
    assert api.status_code == 201, api.content
    assert page.status_code == 303
    created = Case.objects.get(pk=api.json()["case_id"])
    assert CaseStep.objects.filter(case=created).exists()
    assert Communication.objects.filter(case=case).count() == 1
    checked, breaks = verify_audit_chains()
    assert breaks == []
    assert checked > 0


@on_sqlite
def test_the_full_page_is_translated(client, setting):
    _team, _intake, advocate, case = setting
    advocate.language = "es"
    advocate.save(update_fields=["language"])
    client.force_login(advocate)
    entry_new = reverse("communications:entry_new", args=[case.pk])
    disk_full()
    page = client.post(entry_new, communication_form(), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 503
    assert "almacenamiento" in page.content.decode()
    space_again()


def caused(cause: BaseException) -> Exception:
    """``cause`` wrapped as Django wraps a driver's error."""
    try:
        try:
            raise cause
        except BaseException as error:
            raise OperationalError(str(error)) from error
    except OperationalError as wrapped:
        return wrapped


def test_what_counts_as_a_full_disk():
    assert storage_is_full(caused(sqlite3.OperationalError("database or disk is full")))
    assert storage_is_full(caused(psycopg.errors.DiskFull()))
    assert storage_is_full(OSError(errno.ENOSPC, "No space left on device"))
    assert not storage_is_full(caused(psycopg.errors.TooManyConnections()))
    assert not storage_is_full(caused(psycopg.errors.OutOfMemory()))
    assert not storage_is_full(caused(sqlite3.OperationalError("database is locked")))
    assert not storage_is_full(ValueError("database or disk is full"))


def test_a_full_disk_outside_a_view_answers_503_too(rf):
    """Saving the session, say: Django hands the failure to the 500 handler."""
    for path, kind in (("/cases/", "text/html"), ("/api/v1/cases", "application/json")):
        try:
            raise caused(psycopg.errors.DiskFull())
        except OperationalError:
            response = server_error(rf.post(path))
        assert response.status_code == 503
        assert response["Content-Type"].startswith(kind)
    try:
        raise caused(sqlite3.OperationalError("no such table: x"))
    except OperationalError:
        assert server_error(rf.get("/cases/")).status_code == 500
