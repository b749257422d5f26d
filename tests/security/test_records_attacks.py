"""Attacks on the records features: attachments, the communications log and
the interpreter roster, record exports and their standalone verifier, court
orders and the language card, over the pages and the JSON API.

Each test asserts the safe behaviour. The ones about hostile zip files,
MP3 look-alikes, follow-up dates, empty roster posts and the verifier's
handling of corrupt or unsafe bundles were found failing and then fixed.

Personas: another agency's staff member (``outsider``, also its admin and
auditor), intake and shelter workers who must not see documents, the
auditor, a departed employee (deactivated), an attacker who uploads hostile
files, and someone who tampers with an exported bundle.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import resource
import struct
import subprocess
import sys
import uuid
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import spare_code
from haven.accounts.api_tokens import api_token_create
from haven.accounts.models import Membership, Role
from haven.attachments import filetypes
from haven.attachments.models import Attachment, AttachmentContent, Use
from haven.attachments.services import attachment_store, upload_accept
from haven.audit.models import Action, AuditEvent
from haven.communications.integrity import verify_communication_chains
from haven.communications.models import Communication, Interpreter
from haven.communications.services import (
    InterpreterValues,
    addendum_record,
    interpreter_save,
)
from haven.consent.court_orders import CourtOrderAnswer, court_order_answer
from haven.consent.models import Consent, CourtOrderResponse, Disclosure
from haven.consent.services import consent_revoke
from haven.core import limits
from haven.exports.models import RecordExport
from haven.exports.services import ExportRequest, export_record
from haven.partners.models import Organization
from haven.people.details import PersonDetails
from haven.people.models import Person
from haven.people.services import person_update
from tests import files
from tests.communications.helpers import log
from tests.factories import TeamFactory, give_consent, make_staff, record_intake
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "haven" / "exports" / "verifier.py"
API = "/api/v1"

PERSON = "Synthetic Quillfeather Person"
MARK = "Zqxjv"  # in every free text of the audit test: must never reach a log or event
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW_XSS = ("<script>alert(", "<img src=x onerror")
SHELTER_NAME = "Quietharbor House (synthetic)"
COURT = "Sample County Circuit Court (synthetic)"


# --- Fixtures and helpers --------------------------------------------------------------


@pytest.fixture
def case(intake, team, shelter):
    """A case the first agency's advocate, supervisor, intake and shelter
    staff may all open: recorded by intake, on the team, assigned to its
    shelter staff."""
    case = record_intake(actor=intake, team=team, legal_name=PERSON)
    case.assigned.add(shelter)
    return case


@pytest.fixture
def other_case(intake, team):
    return record_intake(actor=intake, team=team, legal_name="Synthetic Other Person")


@pytest.fixture
def web(client):
    """The test client, answering 500 instead of raising, so a crash is a
    status code the test can name."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def as_user(web, settings):
    def sign_in(user):
        web.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        return web

    return sign_in


@pytest.fixture
def foreign(outsider, other_agency):
    """Another agency's case and everything in it."""
    team = Membership.objects.get(user=outsider, role=Role.ADVOCATE).team
    case = record_intake(actor=outsider, team=team, legal_name="Synthetic Elsewhere Person")
    document = attachment_store(actor=outsider, case=case, upload=files.accepted())
    agreement = attachment_store(
        actor=outsider, case=None, upload=files.accepted(), use=Use.AGREEMENT
    )
    interpreter = Interpreter.objects.create(
        agency=other_agency,
        name="Elsewhere Interpreter (synthetic)",
        kind="contractor",
        languages=["spa"],
        agreement=agreement,
        agreement_expires_on=timezone.localdate() + timedelta(days=100),
    )
    entry = log(outsider, case, files=[files.accepted(files.wav(), "elsewhere.wav")])
    organization = Organization.objects.create(
        agency=other_agency, name="Elsewhere Legal Aid (synthetic)"
    )
    return {
        "case": case,
        "document": document,
        "agreement": agreement,
        "interpreter": interpreter,
        "entry": entry,
        "file": Attachment.objects.get(pk=entry.attachment_ids[0]),
        "organization": organization,
    }


def _interpreter(agency, keeper, **values):
    agreement = attachment_store(
        actor=keeper, case=None, upload=files.accepted(), use=Use.AGREEMENT
    )
    return Interpreter.objects.create(
        agency=agency,
        name=values.pop("name", "Roster Interpreter (synthetic)"),
        kind="contractor",
        languages=["spa"],
        agreement=agreement,
        agreement_expires_on=timezone.localdate() + timedelta(days=200),
        **values,
    )


@pytest.fixture
def interpreter(agency, supervisor):
    return _interpreter(agency, supervisor)


def order(**changes):
    values = {
        "reference": "Sample County Circuit Court, case 26-XX-0009 (synthetic)",
        "copy": files.accepted(files.pdf("Order (synthetic)"), "order.pdf"),
        "signed_by_judge": True,
        "purpose": "court",
        "kinds": ["identity"],
        "given": "Name, by letter to the clerk (synthetic)",
        "person_told": "Told by phone the same day (synthetic)",
        "recipient_name": COURT,
        "recipient_category": "state",
    }
    values.update(changes)
    return CourtOrderAnswer(**values)


def counts():
    """Every row an attack on these features could leave behind."""
    return {
        "attachments": Attachment.objects.count(),
        "contents": AttachmentContent.objects.count(),
        "communications": Communication.objects.count(),
        "interpreters": Interpreter.objects.count(),
        "exports": RecordExport.objects.count(),
        "disclosures": Disclosure.objects.count(),
        "court_orders": CourtOrderResponse.objects.count(),
        "consents": Consent.objects.count(),
    }


def page(name, *args):
    return reverse(name, args=[str(a) for a in args])


def download(attachment_id):
    return reverse("attachments:download", args=[attachment_id])


def api_download(attachment_id):
    return f"{API}/attachments/{attachment_id}"


def post_json(client, url, data, method="post", **extra):
    payload = data if isinstance(data, str | bytes) else json.dumps(data)
    return getattr(client, method)(url, payload, content_type="application/json", **extra)


BOUNDARY = "HavenAttackBoundary7a1c"


def multipart(parts):
    """(field, file name or None, bytes) parts, encoded by hand so that
    names reach the server exactly as an attacker writes them (the test
    client would tidy them)."""
    out = []
    for field, filename, data in parts:
        disposition = f'form-data; name="{field}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        if filename is not None:
            head += "Content-Type: application/octet-stream\r\n"
        out.append(head.encode() + b"\r\n" + data + b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


def post_multipart(client, url, parts, **extra):
    return client.post(
        url,
        multipart(parts),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **extra,
    )


DISPOSITION = re.compile(
    r"^attachment; filename=\"([^\"\\\x00-\x1f\x7f]*)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]*)$"
)


def assert_safe_download(response, content_type):
    """Always a download, never a page: whatever the file holds."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].split(";")[0].strip() == content_type
    assert "html" not in response["Content-Type"]
    assert "xml" not in response["Content-Type"]
    disposition = response["Content-Disposition"]
    assert DISPOSITION.match(disposition), disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp.split(";")[0]
    assert "default-src 'none'" in csp
    assert "no-store" in response["Cache-Control"]


def assert_escaped(html: str) -> None:
    for raw in RAW_XSS:
        assert raw not in html, raw


# --- IDOR: another agency's ids in every route -----------------------------------------


@pytest.mark.parametrize("persona", ["advocate", "supervisor", "admin_user", "auditor"])
@pytest.mark.parametrize("item", ["document", "agreement", "file"])
def test_another_agencys_attachment_is_404_on_the_page_and_the_api(
    request, as_user, foreign, persona, item
):
    client = as_user(request.getfixturevalue(persona))
    before = AuditEvent.objects.count()
    target = foreign[item].pk
    assert client.get(download(target)).status_code == 404
    assert client.get(api_download(target)).status_code == 404
    assert AuditEvent.objects.count() == before  # no read recorded, nothing opened


@pytest.mark.parametrize(
    "route",
    [
        "attachments:documents",
        "communications:log",
        "communications:entry_new",
        "exports:export",
        "consent:court_order",
        "consent:disclosures",
        "interpretation:point_for_case",
    ],
)
def test_another_agencys_case_is_404_on_every_page(as_user, advocate, supervisor, foreign, route):
    for user in (advocate, supervisor):
        client = as_user(user)
        url = page(route, foreign["case"].pk)
        assert client.get(url).status_code == 404
        before = counts()
        # 405 for a page that takes no POST: answered before any lookup, so no oracle.
        response = client.post(url, {"audience": "person", "language": "spa"})
        assert response.status_code in (404, 405)
        assert counts() == before


def test_another_agencys_entry_is_404_under_its_own_and_under_our_case(
    as_user, advocate, case, foreign
):
    client = as_user(advocate)
    entry = foreign["entry"]
    for case_id in (foreign["case"].pk, case.pk):
        assert client.get(page("communications:entry", case_id, entry.pk)).status_code == 404
        assert client.get(f"{API}/cases/{case_id}/communications/{entry.pk}").status_code == 404
    before = counts()
    response = client.post(
        page("communications:addendum", case.pk, entry.pk),
        {"addendum_reason": "Synthetic", "summary": "Synthetic"},
    )
    assert response.status_code == 404
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/communications/{entry.pk}/addenda",
        {"reason": "Synthetic", "summary": "Synthetic"},
    )
    assert response.status_code in (404, 422)
    assert counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/{case}/attachments",
        "/api/v1/cases/{case}/communications",
        "/api/v1/cases/{case}/exports",
    ],
)
def test_another_agencys_case_is_404_on_the_api(as_user, advocate, supervisor, foreign, url):
    target = url.format(case=foreign["case"].pk)
    for user in (advocate, supervisor):
        client = as_user(user)
        before = counts()
        assert client.get(target).status_code == 404
        if target.endswith("attachments"):
            response = client.post(target, {"file": files.uploaded(files.pdf())})
        elif target.endswith("exports"):
            response = post_json(client, target, {"audience": "person"})
        else:
            response = post_json(
                client,
                target,
                {
                    "occurred_at": "2025-01-01T10:00:00+00:00",
                    "channel": "phone",
                    "summary": "Synthetic",
                },
            )
        assert response.status_code == 404
        assert counts() == before


def test_another_agencys_interpreter_is_404_and_cannot_be_chosen(
    as_user, supervisor, admin_user, case, foreign
):
    target = foreign["interpreter"]
    for user in (supervisor, admin_user):
        client = as_user(user)
        edit = page("communications:interpreter", target.pk)
        assert client.get(edit).status_code == 404
        assert client.post(edit, {"name": "Taken over (synthetic)"}).status_code == 404
        assert client.get(f"{API}/interpreters/{target.pk}").status_code == 404
        response = post_json(
            client,
            f"{API}/interpreters/{target.pk}",
            {"name": "Taken over (synthetic)", "kind": "staff", "languages": ["spa"]},
            method="put",
        )
        assert response.status_code == 404
        assert (
            "Elsewhere Interpreter"
            not in client.get(reverse("communications:roster")).content.decode()
        )
    target.refresh_from_db()
    assert target.name == "Elsewhere Interpreter (synthetic)"
    # Nor can an entry of this agency name it.
    client = as_user(supervisor)
    before = counts()
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        page("communications:entry_new", case.pk),
        {
            "occurred_at": when,
            "channel": "phone",
            "summary": "Synthetic",
            "interpretation": "phone",
            "language": "spa",
            "interpreter": str(target.pk),
            "agreement_acknowledged": "on",
        },
    )
    assert response.status_code == 400
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/communications",
        {
            "occurred_at": "2025-01-01T10:00:00+00:00",
            "channel": "phone",
            "summary": "Synthetic",
            "interpretation": "phone",
            "language": "spa",
            "interpreter_id": str(target.pk),
            "agreement_acknowledged": True,
        },
    )
    assert response.status_code == 422
    assert counts() == before


def test_another_agencys_staff_cannot_be_named_in_an_entry(as_user, advocate, outsider, case):
    client = as_user(advocate)
    before = counts()
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        page("communications:entry_new", case.pk),
        {
            "occurred_at": when,
            "channel": "phone",
            "summary": "Synthetic",
            "interpretation": "none",
            "staff_ids": [str(outsider.pk)],
        },
    )
    assert response.status_code == 400
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/communications",
        {
            "occurred_at": "2025-01-01T10:00:00+00:00",
            "channel": "phone",
            "summary": "Synthetic",
            "staff_ids": [outsider.pk],
        },
    )
    assert response.status_code == 422
    assert counts() == before


def test_another_agencys_organization_cannot_receive_an_export(as_user, advocate, case, foreign):
    give_consent(
        actor=advocate, case=case, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    client = as_user(advocate)
    before = counts()
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/exports",
        {
            "audience": "third_party",
            "recipient_org_id": str(foreign["organization"].pk),
            "purpose": "legal",
            "kinds": ["identity", "notes"],
        },
    )
    assert response.status_code == 422
    response = client.post(
        page("exports:export", case.pk),
        {
            "audience": "third_party",
            "output": "bundle",
            "recipient": str(foreign["organization"].pk),
            "purpose": "legal",
            "kinds": ["identity", "notes"],
        },
    )
    assert response.status_code == 400
    assert counts() == before


# --- IDOR inside the agency: another case's entry, roles that must not see files -----


def test_an_entry_of_case_b_under_case_as_url_is_404(as_user, advocate, case, other_case):
    entry_b = log(advocate, other_case, summary="Synthetic entry of B")
    client = as_user(advocate)
    assert client.get(page("communications:entry", case.pk, entry_b.pk)).status_code == 404
    assert client.get(f"{API}/cases/{case.pk}/communications/{entry_b.pk}").status_code == 404
    before = counts()
    response = client.post(
        page("communications:addendum", case.pk, entry_b.pk),
        {"addendum_reason": "Crossing cases (synthetic)", "summary": "Synthetic"},
    )
    assert response.status_code == 404
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/communications/{entry_b.pk}/addenda",
        {"reason": "Crossing cases (synthetic)", "summary": "Synthetic"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "entry_id"]
    with pytest.raises(ValidationError):
        addendum_record(
            actor=advocate,
            case=case,
            entry_id=entry_b.pk,
            reason="Crossing cases (synthetic)",
            summary="Synthetic",
        )
    assert counts() == before
    assert not Communication.objects.filter(case=case).exists()


@pytest.fixture
def files_of_every_use(advocate, supervisor, case):
    """A file of the case for each use: a document, a consent scan, a court
    order's copy and a communication's file."""
    document = attachment_store(actor=advocate, case=case, upload=files.accepted())
    consent = give_consent(
        actor=advocate,
        case=case,
        purpose="legal",
        kinds=["identity"],
        category="local",
        form="paper",
        scan=files.accepted(files.png(), "signed.png"),
    )
    disclosure = court_order_answer(actor=supervisor, case=case, answer=order())
    entry = log(advocate, case, files=[files.accepted(files.wav(), "voicemail.wav")])
    return {
        "document": document,
        "consent": consent.scan,
        "court_order": disclosure.court_order_copy,
        "communication": Attachment.objects.get(pk=entry.attachment_ids[0]),
    }


@pytest.mark.parametrize(
    "persona", ["intake", "shelter", "auditor", "admin_user", "advocate_elsewhere", "outsider"]
)
def test_those_who_must_not_see_a_persons_files_get_404_for_every_use(
    request, as_user, agency, other_team, files_of_every_use, persona
):
    if persona == "advocate_elsewhere":  # an advocate of the agency's other team
        user = make_staff(agency=agency, role=Role.ADVOCATE, team=other_team, username="t-south")
    else:
        user = request.getfixturevalue(persona)
    client = as_user(user)
    before = AuditEvent.objects.count()
    for use, attachment in files_of_every_use.items():
        assert client.get(download(attachment.pk)).status_code == 404, use
        assert client.get(api_download(attachment.pk)).status_code == 404, use
    case_id = files_of_every_use["document"].case_id
    assert client.get(page("attachments:documents", case_id)).status_code == 404
    assert client.get(f"{API}/cases/{case_id}/attachments").status_code == 404
    assert AuditEvent.objects.count() == before


def test_those_who_handle_a_persons_files_open_every_use(
    as_user, advocate, supervisor, files_of_every_use
):
    for user in (advocate, supervisor):
        client = as_user(user)
        for attachment in files_of_every_use.values():
            assert client.get(download(attachment.pk)).status_code == 200


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter", "auditor"])
def test_only_supervisors_of_the_team_answer_court_orders(request, as_user, case, persona):
    client = as_user(request.getfixturevalue(persona))
    url = page("consent:court_order", case.pk)
    assert client.get(url).status_code == 404
    before = counts()
    response = client.post(
        url,
        {
            "reference": "Synthetic",
            "signed_by_judge": "on",
            "copy": files.uploaded(files.pdf(), "order.pdf"),
            "recipient_name": COURT,
            "purpose": "court",
            "kinds": ["identity"],
            "given": "Synthetic",
            "person_told": "Synthetic",
        },
    )
    assert response.status_code == 404
    assert counts() == before


def test_a_supervisor_of_another_team_cannot_answer_a_court_order(
    as_user, agency, other_team, case
):
    elsewhere = make_staff(agency=agency, role=Role.SUPERVISOR, team=other_team, username="t-sup-s")
    client = as_user(elsewhere)
    assert client.get(page("consent:court_order", case.pk)).status_code == 404
    before = counts()
    response = client.post(
        f"{API}/cases/{case.pk}/court-orders",
        {
            "reference": "Synthetic",
            "signed_by_judge": "true",
            "copy": files.uploaded(files.pdf(), "order.pdf"),
            "recipient_name": COURT,
            "purpose": "court",
            "kinds": ["identity"],
            "given": "Synthetic",
            "person_told": "Synthetic",
        },
    )
    assert response.status_code == 404
    assert counts() == before


@pytest.mark.parametrize("persona", ["intake", "shelter", "auditor", "admin_user"])
def test_the_language_card_of_a_case_is_only_for_those_who_change_the_record(
    request, as_user, case, persona
):
    client = as_user(request.getfixturevalue(persona))
    url = page("interpretation:point_for_case", case.pk)
    language = Person.objects.get(pk=case.person_id).language
    assert client.get(url).status_code == 404
    assert client.post(url, {"language": "spa"}).status_code == 404
    assert Person.objects.get(pk=case.person_id).language == language


@pytest.mark.parametrize("persona", ["intake", "shelter", "auditor"])
def test_the_roster_is_404_over_the_api_for_those_who_neither_keep_nor_use_it(
    request, as_user, interpreter, persona
):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(f"{API}/interpreters").status_code == 404
    assert client.get(f"{API}/interpreters/{interpreter.pk}").status_code == 404
    before = counts()
    body = {"name": "Synthetic", "kind": "staff", "languages": ["spa"]}
    assert post_json(client, f"{API}/interpreters", body).status_code == 404
    assert (
        post_json(client, f"{API}/interpreters/{interpreter.pk}", body, method="put").status_code
        == 404
    )
    assert counts() == before
    assert client.get(download(interpreter.agreement_id)).status_code == 404


# --- The departed employee ---------------------------------------------------------------


def test_a_deactivated_user_with_a_live_session_opens_nothing(as_user, advocate, case):
    attachment = attachment_store(actor=advocate, case=case, upload=files.accepted())
    entry = log(advocate, case)
    client = as_user(advocate)
    assert client.get(download(attachment.pk)).status_code == 200
    advocate.is_active = False
    advocate.save(update_fields=["is_active"])
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    for url in (
        download(attachment.pk),
        page("attachments:documents", case.pk),
        page("communications:entry", case.pk, entry.pk),
        page("exports:export", case.pk),
        reverse("communications:roster"),
    ):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert b"Synthetic" not in response.content
    assert client.get(api_download(attachment.pk)).status_code == 401
    assert client.get(f"{API}/cases/{case.pk}/communications").status_code == 401
    response = post_json(client, f"{API}/cases/{case.pk}/exports", {"audience": "person"})
    assert response.status_code in (401, 403)
    assert not RecordExport.objects.exists()
    reads = (Action.ATTACHMENT_READ, Action.CASE_OPENED, Action.PEOPLE_VIEWED)
    assert not AuditEvent.objects.filter(pk__gt=last, action__in=reads).exists()


def test_a_deactivated_users_token_is_refused(web, advocate, case):
    attachment = attachment_store(actor=advocate, case=case, upload=files.accepted())
    token = api_token_create(user=advocate, lifetime=timedelta(days=1))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert web.get(api_download(attachment.pk), **auth).status_code == 200
    advocate.is_active = False
    advocate.save(update_fields=["is_active"])
    assert web.get(api_download(attachment.pk), **auth).status_code == 401
    assert web.get(f"{API}/cases/{case.pk}/communications", **auth).status_code == 401


def test_an_advocate_taken_off_the_team_loses_the_files(as_user, advocate, case):
    attachment = attachment_store(actor=advocate, case=case, upload=files.accepted())
    client = as_user(advocate)
    assert client.get(download(attachment.pk)).status_code == 200
    Membership.objects.filter(user=advocate).delete()
    assert client.get(download(attachment.pk)).status_code == 404
    assert client.get(api_download(attachment.pk)).status_code == 404


# --- Hostile uploads -----------------------------------------------------------------------

POLYGLOTS = [
    pytest.param(
        files.pdf() + b"\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n",
        "application/pdf",
        id="pdf then html",
    ),
    pytest.param(
        b"\xff\xd8\xff\xfe\x00\x22<script>alert(document.cookie)</script>\xff\xd9",
        "image/jpeg",
        id="jpeg with a script",
    ),
    pytest.param(
        b"GIF89a/*\x01\x00\x01\x00*/=1;<html><script>alert(1)</script></html>",
        "image/gif",
        id="gif with html",
    ),
    pytest.param(
        b"From: a@example.org\r\nTo: b@example.org\r\nContent-Type: text/html\r\n\r\n"
        b"<html><script>alert(1)</script></html>\r\n",
        "message/rfc822",
        id="mail with html",
    ),
    pytest.param(
        b"RIFF\x10\x00\x00\x00WEBP<svg onload=alert(1)>", "image/webp", id="webp with svg"
    ),
]


@pytest.mark.parametrize(("data", "content_type"), POLYGLOTS)
def test_a_polyglot_is_only_ever_a_sandboxed_download(as_user, advocate, case, data, content_type):
    client = as_user(advocate)
    response = client.post(
        page("attachments:documents", case.pk),
        {"file": files.uploaded(data, "page.html"), "description": ""},
    )
    assert response.status_code == 303
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == content_type
    assert not attachment.name.endswith(".html")
    for url in (download(attachment.pk), api_download(attachment.pk)):
        response = client.get(url)
        assert_safe_download(response, content_type)
        assert response.content == data


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(files.html_named_pdf(), id="html"),
        pytest.param(files.svg_with_script(), id="svg"),
        pytest.param(b"\xef\xbb\xbf  <!doctype html><script>alert(1)</script>", id="html with bom"),
        pytest.param(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', id="xml"),
        pytest.param(b"MZ\x90\x00" + b"\x00" * 60, id="windows program"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="script"),
        pytest.param(b"", id="empty"),
    ],
)
def test_markup_programs_and_empty_files_are_refused_with_nothing_kept(
    as_user, advocate, case, data
):
    client = as_user(advocate)
    before = counts()
    response = client.post(
        page("attachments:documents", case.pk), {"file": files.uploaded(data, "scan.pdf")}
    )
    assert response.status_code == 400
    response = client.post(
        f"{API}/cases/{case.pk}/attachments", {"file": files.uploaded(data, "scan.pdf")}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["file", "file"]
    assert counts() == before


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("<html><script>alert(1)</script>".encode("utf-16"), id="utf-16 html"),
        pytest.param(b"\xff\xff" + b"<svg onload=alert(1)>" * 10, id="ffff then svg"),
    ],
)
def test_markup_behind_a_fake_mp3_frame_sync_is_refused(as_user, advocate, case, data):
    with pytest.raises(ValidationError):
        upload_accept(files.uploaded(data, "voice.mp3"))
    client = as_user(advocate)
    before = counts()
    response = client.post(
        page("attachments:documents", case.pk), {"file": files.uploaded(data, "voice.mp3")}
    )
    assert response.status_code == 400
    assert counts() == before


HOSTILE_NAMES = [
    pytest.param("../../etc/passwd", id="traversal"),
    pytest.param("..\\..\\windows\\win.ini", id="windows traversal"),
    pytest.param("/etc/shadow", id="absolute"),
    pytest.param('quote"; filename="evil.html', id="quotes"),
    pytest.param("back\\slash\\.pdf", id="backslashes"),
    pytest.param("x" * 5000 + ".pdf", id="very long"),
    pytest.param("名前 ملف.pdf", id="non ascii"),
    pytest.param("..", id="dots"),
    pytest.param("", id="no name"),
    pytest.param("%0d%0aX-Injected: 1.pdf", id="encoded crlf"),
    pytest.param("<img src=x onerror=alert(1)>.pdf", id="markup"),
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_file_name_is_tidied_and_cannot_split_the_download_header(
    as_user, advocate, case, name
):
    upload = upload_accept(_named(files.pdf(), name))
    attachment = attachment_store(actor=advocate, case=case, upload=upload)
    stored = attachment.name
    assert stored.endswith(".pdf")
    assert "/" not in stored
    assert "\\" not in stored
    assert stored.isprintable()
    assert "\u202e" not in stored
    assert "\u200b" not in stored
    assert len(stored) <= limits.LINE + len(".pdf")
    assert stored not in ("", ".pdf")
    client = as_user(advocate)
    for url in (download(attachment.pk), api_download(attachment.pk)):
        assert_safe_download(client.get(url), "application/pdf")
    listing = client.get(page("attachments:documents", case.pk)).content.decode()
    assert_escaped(listing)


# Names with a control or invisible character are refused outright, since
# issue 21 (the renamed file is chosen again), never tidied and kept.
REFUSED_NAMES = [
    pytest.param("evil\r\nSet-Cookie: session=stolen\r\n.pdf", id="header injection"),
    pytest.param("invoice\u202efdp.exe", id="rtl override"),
    pytest.param("zero\u200bwidth\ufeff.pdf", id="invisible"),
    pytest.param("\x00\x01\x1b[31mred.pdf", id="control characters"),
]


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_a_file_name_with_a_control_or_invisible_character_is_refused(advocate, case, name):
    before = Attachment.objects.count()
    with pytest.raises(ValidationError, match="control or invisible character"):
        upload_accept(_named(files.pdf(), name))
    assert Attachment.objects.count() == before


def _named(data, name):
    uploaded = files.uploaded(data, "placeholder.pdf")
    # Past the class's own tidying: the name exactly as a client could send it.
    uploaded._name = name
    return uploaded


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..%2F..%2Fetc%2Fpasswd", None),
        ("C:\\Windows\\system.ini", "system.pdf"),
        ("report.pdf.html", "report.pdf.pdf"),
    ],
)
def test_a_traversal_name_sent_raw_over_multipart_keeps_no_folder(
    as_user, advocate, case, name, stored
):
    client = as_user(advocate)
    response = post_multipart(
        client, page("attachments:documents", case.pk), [("file", name, files.pdf())]
    )
    assert response.status_code == 303
    response = post_multipart(
        client, f"{API}/cases/{case.pk}/attachments", [("file", name, files.pdf())]
    )
    assert response.status_code == 201
    for attachment in Attachment.objects.filter(case=case):
        assert "/" not in attachment.name
        assert "\\" not in attachment.name
        assert attachment.name.endswith(".pdf")
        if stored:
            assert attachment.name == stored


def _docx_with(extra_entries: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(extra_entries):
            archive.writestr(f"word/media/{i}.bin", b"")
    return buffer.getvalue()


def _nested_zip() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("secret.txt", "synthetic")
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("inner.zip", inner.getvalue())
    return outer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_docx_with(filetypes.ZIP_MAX_ENTRIES + 1), id="docx of many files"),
        pytest.param(files.zip_bomb(as_docx=True), id="docx bomb"),
        pytest.param(files.zip_bomb(), id="zip bomb"),
        pytest.param(_nested_zip(), id="nested zip"),
        pytest.param(files.docx()[:-10], id="cut docx"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 100, id="zip header only"),
    ],
)
def test_archives_and_disguised_archives_are_refused_with_nothing_kept(
    as_user, advocate, case, data
):
    with pytest.raises(ValidationError):
        upload_accept(files.uploaded(data, "letter.docx"))
    client = as_user(advocate)
    before = counts()
    response = client.post(
        page("attachments:documents", case.pk), {"file": files.uploaded(data, "letter.docx")}
    )
    assert response.status_code == 400
    assert counts() == before


def _docx_needing_a_future_zip_version() -> bytes:
    """A valid Word document whose central directory says it needs zip
    version 25.5 to extract: Python's zipfile raises NotImplementedError."""
    data = bytearray(files.docx())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        data[at + 6 : at + 8] = struct.pack("<H", 255)
        at += 4
    return bytes(data)


def test_a_docx_claiming_a_future_zip_version_is_a_400_not_a_500(as_user, advocate, case):
    data = _docx_needing_a_future_zip_version()
    client = as_user(advocate)
    before = counts()
    response = client.post(
        page("attachments:documents", case.pk), {"file": files.uploaded(data, "letter.docx")}
    )
    api = client.post(
        f"{API}/cases/{case.pk}/attachments", {"file": files.uploaded(data, "letter.docx")}
    )
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    entry = client.post(
        page("communications:entry_new", case.pk),
        {
            "occurred_at": when,
            "channel": "phone",
            "summary": "Synthetic",
            "interpretation": "none",
            "attachments": [files.uploaded(data, "letter.docx")],
        },
    )
    assert (response.status_code, api.status_code, entry.status_code) == (400, 422, 400)
    assert counts() == before


def _central_directory_flood(entries: int) -> bytes:
    """A "Word document" of a few megabytes whose central directory lists
    tens of thousands of entries (all pointing at one local header)."""
    names = [b"[Content_Types].xml", b"word/document.xml"] + [b"%x" % i for i in range(entries - 2)]
    directory = b"".join(
        struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(n), 0, 0, 0, 0, 0, 0
        )
        + n
        for n in names
    )
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(directory), 30, 0)
    return b"PK\x03\x04" + b"\x00" * 26 + directory + end


def test_a_docx_listing_a_flood_of_entries_is_refused_before_they_are_all_parsed(monkeypatch):
    made = 0
    original = zipfile.ZipInfo.__init__

    def counting(self, *args, **kwargs):
        nonlocal made
        made += 1
        original(self, *args, **kwargs)

    data = _central_directory_flood(50_000)
    monkeypatch.setattr(zipfile.ZipInfo, "__init__", counting)
    with pytest.raises(ValidationError):
        filetypes.identify(data)
    assert made <= filetypes.ZIP_MAX_ENTRIES + 1


def test_more_files_than_allowed_in_one_request_is_a_400_with_nothing_kept(as_user, advocate, case):
    client = as_user(advocate)
    before = counts()
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    many = [files.uploaded(files.pdf(), f"f{i}.pdf") for i in range(7)]
    response = client.post(
        page("communications:entry_new", case.pk),
        {
            "occurred_at": when,
            "channel": "phone",
            "summary": "Synthetic",
            "interpretation": "none",
            "attachments": many,
        },
    )
    assert response.status_code == 400
    response = post_multipart(
        client,
        f"{API}/cases/{case.pk}/attachments",
        [("file", f"f{i}.pdf", files.pdf()) for i in range(7)],
    )
    assert response.status_code in (400, 422)
    assert counts() == before


@pytest.mark.parametrize(
    ("parts", "content_type"),
    [
        pytest.param([], None, id="no parts at all"),
        pytest.param([("file", "empty.pdf", b"")], None, id="a 0-byte file part"),
        pytest.param([("description", None, b"Synthetic")], None, id="no file"),
        pytest.param([("file", "a.pdf", files.pdf())], "multipart/form-data", id="no boundary"),
        pytest.param(
            [("file", "a.pdf", files.pdf())],
            "multipart/form-data; boundary=WrongBoundary",
            id="wrong boundary",
        ),
    ],
)
def test_a_broken_multipart_body_is_a_4xx_with_nothing_kept(
    as_user, advocate, case, parts, content_type
):
    client = as_user(advocate)
    before = counts()
    body = multipart(parts) if parts else b""
    kind = content_type or f"multipart/form-data; boundary={BOUNDARY}"
    page_response = client.post(page("attachments:documents", case.pk), body, content_type=kind)
    api_response = client.post(f"{API}/cases/{case.pk}/attachments", body, content_type=kind)
    assert 400 <= page_response.status_code < 500, page_response.status_code
    assert 400 <= api_response.status_code < 500, api_response.status_code
    assert counts() == before


def test_a_field_sent_twice_is_refused_by_the_api_and_never_crashes_the_page(
    as_user, advocate, case
):
    client = as_user(advocate)
    before = counts()
    twice = [
        ("file", "a.pdf", files.pdf()),
        ("file", "b.pdf", files.pdf("Second (synthetic)")),
        ("description", None, b"first"),
        ("description", None, b"second"),
    ]
    response = post_multipart(client, f"{API}/cases/{case.pk}/attachments", twice)
    assert response.status_code == 422
    assert {tuple(p["loc"]) for p in response.json()["detail"]} == {
        ("file", "file"),
        ("form", "description"),
    }
    assert counts() == before
    response = post_multipart(client, page("attachments:documents", case.pk), twice)
    assert response.status_code in (303, 400)
    assert Attachment.objects.count() <= before["attachments"] + 1


def test_an_oversized_declared_body_is_refused_before_it_is_read(as_user, advocate, case):
    client = as_user(advocate)
    before = counts()
    response = client.post(
        page("attachments:documents", case.pk),
        {"file": files.uploaded(files.pdf())},
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert counts() == before


def test_the_documents_page_and_the_api_need_the_csrf_token_with_a_session(
    advocate, case, settings
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate, backend=settings.AUTHENTICATION_BACKENDS[-1])
    before = counts()
    data = {"file": files.uploaded(files.pdf())}
    assert client.post(page("attachments:documents", case.pk), data).status_code == 403
    data = {"file": files.uploaded(files.pdf())}
    assert client.post(f"{API}/cases/{case.pk}/attachments", data).status_code == 403
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        page("communications:entry_new", case.pk),
        {"occurred_at": when, "channel": "phone", "summary": "Forged", "interpretation": "none"},
    )
    assert response.status_code == 403
    assert counts() == before


# --- XSS: everything typed or uploaded is escaped wherever it is shown -------------------


@pytest.fixture
def hostile_records(advocate, supervisor, agency, case):
    """Every free text of these features holding markup."""
    interpreter = interpreter_save(
        actor=supervisor,
        values=InterpreterValues(
            name=f"Interp {XSS}",
            kind="contractor",
            languages=["spa"],
            dialects=f"Dialect {XSS}",
            contact=f"Contact {XSS}",
            notes=f"Notes {XSS}",
            agreement=files.accepted(),
        ),
    )
    document = attachment_store(
        actor=advocate,
        case=case,
        upload=upload_accept(files.uploaded(files.pdf(), "<img src=x onerror=alert(1)>.pdf")),
        description=f"Desc {XSS}",
    )
    entry = log(
        advocate,
        case,
        summary=f"Summary {XSS}",
        details=f"Details {XSS}\nline two",
        partners=f"Partners {XSS}",
        others=f"Others {XSS}",
        place=f"Place {XSS}",
        follow_up=f"Follow {XSS}",
        language="spa",
        interpretation="phone",
        interpreter_id=interpreter.pk,
        files=[upload_accept(files.uploaded(files.wav(), "<script>alert(1)</script>.wav"))],
    )
    ad_hoc = log(
        advocate,
        case,
        summary=f"Adhoc {XSS}",
        language="spa",
        interpretation="in_person",
        ad_hoc="friend",
        ad_hoc_name=f"Friend {XSS}",
        ad_hoc_reason=f"Reason {XSS}",
    )
    addendum = addendum_record(
        actor=advocate,
        case=case,
        entry_id=entry.pk,
        reason=f"Because {XSS}",
        summary=f"Addendum {XSS}",
    )
    court_order_answer(
        actor=supervisor,
        case=case,
        answer=order(reference=f"Ref {XSS}", recipient_name=f"Court {XSS}", given=f"Given {XSS}"),
    )
    return {
        "interpreter": interpreter,
        "document": document,
        "entry": entry,
        "ad_hoc": ad_hoc,
        "addendum": addendum,
    }


def test_markup_in_every_text_is_escaped_on_every_page(
    as_user, advocate, supervisor, case, hostile_records
):
    records = hostile_records
    urls = [
        page("attachments:documents", case.pk),
        page("communications:log", case.pk),
        page("communications:entry", case.pk, records["entry"].pk),
        page("communications:entry", case.pk, records["ad_hoc"].pk),
        page("communications:entry", case.pk, records["addendum"].pk),
        page("communications:entry_new", case.pk),
        page("consent:disclosures", case.pk),
        page("exports:export", case.pk),
        reverse("communications:roster"),
    ]
    for user in (advocate, supervisor):
        client = as_user(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_escaped(response.content.decode())
    client = as_user(supervisor)
    edit = client.get(page("communications:interpreter", records["interpreter"].pk))
    assert edit.status_code == 200
    assert_escaped(edit.content.decode())
    # Shown, escaped, not dropped.
    log_page = as_user(advocate).get(page("communications:log", case.pk)).content.decode()
    assert "&lt;script&gt;alert(" in log_page


def test_markup_in_the_api_answers_is_plain_json(as_user, advocate, case, hostile_records):
    client = as_user(advocate)
    for url in (
        f"{API}/cases/{case.pk}/communications",
        f"{API}/cases/{case.pk}/attachments",
        f"{API}/interpreters",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def test_markup_in_the_exported_record_is_text_in_its_pdf(advocate, case, hostile_records):
    exported = export_record(actor=advocate, case=case, request=ExportRequest(audience="person"))
    text = _pdf_text(exported.pdf_bytes)
    # Escaped markup prints as text; markup left raw would vanish into the layout.
    assert "Summary <script>alert" in text.replace("\n", " ")
    assert "onerror=alert(1)>" in text.replace("\n", " ")
    with zipfile.ZipFile(io.BytesIO(exported.zip_bytes)) as archive:
        for name in archive.namelist():
            assert not name.startswith(("/", ".."))
            assert "/../" not in name
            assert "\\" not in name


# --- Bad input on every form: 400/422, never 500, nothing written -------------------------


def _when(delta=timedelta(hours=-1)):
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


ENTRY_PAGE_BAD = [
    pytest.param({"occurred_at": "0000-01-01T10:00"}, id="year 0"),
    pytest.param({"occurred_at": "9999-12-31T23:59"}, id="year 9999"),
    pytest.param({"occurred_at": "1999-12-31T10:00"}, id="before 2000"),
    pytest.param({"occurred_at": "0001-01-01T00:00"}, id="year 1"),
    pytest.param({"occurred_at": _when(timedelta(days=2))}, id="future"),
    pytest.param({"occurred_at": "2025-02-30T10:00"}, id="no such day"),
    pytest.param({"occurred_at": "yesterday"}, id="words"),
    pytest.param({"summary": "Null \x00 byte"}, id="nul in summary"),
    pytest.param({"details": "Null \x00 byte"}, id="nul in details"),
    pytest.param({"summary": "Over \u202e ride"}, id="rtl override"),
    pytest.param({"summary": "x" * 501}, id="summary too long"),
    pytest.param({"details": "x" * 20_001}, id="details too long"),
    pytest.param({"details": "x" * (2 * 1024 * 1024)}, id="2 MB of details"),
    pytest.param({"summary": ""}, id="no summary"),
    pytest.param({"channel": "carrier_pigeon"}, id="unknown channel"),
    pytest.param({"interpretation": "telepathy"}, id="unknown interpretation"),
    pytest.param({"staff_ids": ["abc"]}, id="staff id not a number"),
    pytest.param({"staff_ids": ["99999999"]}, id="no such staff"),
    pytest.param({"language": "xxx"}, id="unknown language"),
    pytest.param({"language": "und"}, id="undetermined language"),
    pytest.param(
        {"interpretation": "phone", "language": "spa", "interpreter": "not-a-uuid"},
        id="interpreter not a uuid",
    ),
    pytest.param(
        {"interpretation": "phone", "language": "spa", "interpreter": str(uuid.uuid4())},
        id="no such interpreter",
    ),
    pytest.param(
        {"interpretation": "phone", "language": "spa", "ad_hoc": "stranger"},
        id="unknown ad hoc",
    ),
    pytest.param(
        {"interpretation": "phone", "language": "spa", "ad_hoc": "child", "ad_hoc_name": "X"},
        id="ad hoc without a reason",
    ),
    pytest.param({"follow_up_on": "0000-01-01"}, id="follow-up year 0"),
    pytest.param({"follow_up_on": "10000-01-01"}, id="follow-up year 10000"),
    pytest.param({"follow_up_on": "2025-13-01"}, id="follow-up month 13"),
]


@pytest.mark.parametrize("changes", ENTRY_PAGE_BAD)
def test_a_bad_entry_on_the_page_is_a_400_with_nothing_written(as_user, advocate, case, changes):
    data = {
        "occurred_at": _when(),
        "channel": "phone",
        "summary": "Synthetic",
        "interpretation": "none",
        "attachments": [files.uploaded(files.pdf())],
    }
    data.update(changes)
    before = counts()
    response = as_user(advocate).post(page("communications:entry_new", case.pk), data)
    assert response.status_code == 400
    assert counts() == before


ENTRY_API_BAD = [
    pytest.param({"occurred_at": "0000-01-01T10:00:00+00:00"}, id="year 0"),
    pytest.param({"occurred_at": "0001-01-01T00:00:00+14:00"}, id="year 1 east of utc"),
    pytest.param({"occurred_at": "9999-12-31T23:59:59-14:00"}, id="year 9999 west of utc"),
    pytest.param({"occurred_at": "2025-01-01T10:00:00"}, id="no offset"),
    pytest.param({"occurred_at": "1999-12-31T10:00:00+00:00"}, id="before 2000"),
    pytest.param({"occurred_at": 1735725600}, id="a number"),
    pytest.param({"summary": "Null \x00 byte"}, id="nul in summary"),
    pytest.param({"details": "Null \x00 byte"}, id="nul in details"),
    pytest.param({"summary": "x" * 501}, id="summary too long"),
    pytest.param({"details": "x" * 20_001}, id="details too long"),
    pytest.param({"summary": ["a list"]}, id="summary a list"),
    pytest.param({"channel": "carrier_pigeon"}, id="unknown channel"),
    pytest.param({"staff_ids": [-1]}, id="negative staff id"),
    pytest.param({"staff_ids": [2**64]}, id="huge staff id"),
    pytest.param({"staff_ids": ["1"]}, id="staff id a string"),
    pytest.param({"staff_ids": [99_999_999]}, id="no such staff"),
    pytest.param({"with_person": "yes"}, id="bool a string"),
    pytest.param({"language": "toolong"}, id="language too long"),
    pytest.param({"interpreter_id": "not-a-uuid"}, id="interpreter not a uuid"),
    pytest.param({"follow_up_on": "0000-01-01"}, id="follow-up year 0"),
    pytest.param({"follow_up_on": "+10000-01-01"}, id="follow-up year 10000"),
    pytest.param({"interpretation": "phone", "language": "spa"}, id="interpreter missing"),
]


@pytest.mark.parametrize("changes", ENTRY_API_BAD)
def test_a_bad_entry_over_the_api_is_a_422_with_nothing_written(as_user, advocate, case, changes):
    body = {
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "channel": "phone",
        "summary": "Synthetic",
    }
    body.update(changes)
    before = counts()
    response = post_json(as_user(advocate), f"{API}/cases/{case.pk}/communications", body)
    assert response.status_code == 422, response.content[:300]
    assert counts() == before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{not json", id="not json"),
        pytest.param("[]", id="a list"),
        pytest.param('"text"', id="a string"),
        pytest.param(b"\xff\xfe\x00", id="not utf-8"),
        pytest.param("{" * 10_000 + "}" * 10_000, id="deeply nested"),
        pytest.param(json.dumps({"summary": "x" * (2 * 1024 * 1024)}), id="2 MB body"),
    ],
)
def test_a_malformed_body_over_the_api_is_a_4xx_with_nothing_written(as_user, advocate, case, body):
    client = as_user(advocate)
    before = counts()
    for url in (
        f"{API}/cases/{case.pk}/communications",
        f"{API}/cases/{case.pk}/exports",
        f"{API}/interpreters",
    ):
        response = post_json(client, url, body)
        assert 400 <= response.status_code < 500, (url, response.status_code)
    assert counts() == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_follow_up_date_far_outside_any_plan_is_refused(as_user, advocate, case, day):
    client = as_user(advocate)
    before = counts()
    page_response = client.post(
        page("communications:entry_new", case.pk),
        {
            "occurred_at": _when(),
            "channel": "phone",
            "summary": "Synthetic",
            "interpretation": "none",
            "follow_up": "Synthetic",
            "follow_up_on": day,
        },
    )
    api_response = post_json(
        client,
        f"{API}/cases/{case.pk}/communications",
        {
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "channel": "phone",
            "summary": "Synthetic",
            "follow_up_on": day,
        },
    )
    assert (page_response.status_code, api_response.status_code) == (400, 422)
    assert counts() == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"addendum_reason": ""}, id="no reason"),
        pytest.param({"addendum_reason": "Null \x00"}, id="nul in reason"),
        pytest.param({"addendum_reason": "x" * 1001}, id="reason too long"),
        pytest.param({"summary": "x" * 501}, id="summary too long"),
        pytest.param({"summary": "Over \u202e ride"}, id="rtl override"),
        pytest.param({"attachments": [files.uploaded(files.svg_with_script(), "a.pdf")]}, id="svg"),
    ],
)
def test_a_bad_addendum_is_refused_with_nothing_written(as_user, advocate, case, changes):
    entry = log(advocate, case)
    data = {"addendum_reason": "Synthetic correction", "summary": "Synthetic"}
    data.update(changes)
    client = as_user(advocate)
    before = counts()
    response = client.post(page("communications:addendum", case.pk, entry.pk), data)
    assert response.status_code == 400
    body = {"reason": data["addendum_reason"], "summary": data["summary"]}
    if "attachments" not in changes:
        response = post_json(
            client, f"{API}/cases/{case.pk}/communications/{entry.pk}/addenda", body
        )
        assert response.status_code == 422
    assert counts() == before


ROSTER_BAD = [
    pytest.param({"name": ""}, id="no name"),
    pytest.param({"name": "Null \x00"}, id="nul in name"),
    pytest.param({"name": "Over \u202e ride"}, id="rtl override"),
    pytest.param({"name": "x" * 201}, id="name too long"),
    pytest.param({"kind": "spy"}, id="unknown kind"),
    pytest.param({"gender": "x"}, id="unknown gender"),
    pytest.param({"languages": ["xxx"]}, id="unknown language"),
    pytest.param({"languages": []}, id="no language"),
    pytest.param({"agreement_expires_on": "0000-01-01"}, id="year 0"),
    pytest.param({"agreement_expires_on": "10000-01-01"}, id="year 10000"),
    pytest.param({"agreement": files.uploaded(files.html_named_pdf(), "a.pdf")}, id="html"),
    pytest.param({"agreement": files.uploaded(files.wav(), "a.wav")}, id="not a scan"),
    pytest.param({"notes": "x" * 2001}, id="notes too long"),
]


@pytest.mark.parametrize("changes", ROSTER_BAD)
def test_a_bad_roster_entry_is_refused_with_nothing_written(as_user, supervisor, changes):
    data = {
        "name": "Roster Interpreter (synthetic)",
        "kind": "contractor",
        "languages": ["spa"],
        "gender": "not_said",
        "agreement": files.uploaded(files.pdf(), "agreement.pdf"),
        "active": "on",
    }
    data.update(changes)
    before = counts()
    response = as_user(supervisor).post(reverse("communications:roster"), data)
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"name": "Null \x00"}, id="nul in name"),
        pytest.param({"name": "x" * 201}, id="name too long"),
        pytest.param({"languages": ["und"]}, id="undetermined language"),
        pytest.param({"languages": ["spa"] * 41}, id="too many languages"),
        pytest.param({"kind": "spy"}, id="unknown kind"),
        pytest.param({"agreement_expires_on": "2030-01-01"}, id="date without agreement"),
        pytest.param({"active": "yes"}, id="bool a string"),
    ],
)
def test_a_bad_roster_entry_over_the_api_is_a_422(as_user, supervisor, changes):
    body = {"name": "Roster Interpreter (synthetic)", "kind": "contractor", "languages": ["spa"]}
    body.update(changes)
    before = counts()
    response = post_json(as_user(supervisor), f"{API}/interpreters", body)
    assert response.status_code == 422
    assert counts() == before


def test_an_empty_post_to_the_roster_forms_is_a_400(as_user, supervisor, interpreter):
    client = as_user(supervisor)
    before = counts()
    add = client.post(reverse("communications:roster"), {})
    edit = client.post(page("communications:interpreter", interpreter.pk), {})
    assert (add.status_code, edit.status_code) == (400, 400)
    assert counts() == before


EXPORT_PAGE_BAD = [
    pytest.param({"audience": "everyone"}, id="unknown audience"),
    pytest.param({"audience": ""}, id="no audience"),
    pytest.param({"output": "exe"}, id="unknown output"),
    pytest.param({"audience": "third_party", "kinds": ["everything"]}, id="unknown kind"),
    pytest.param({"audience": "third_party", "purpose": "fun"}, id="unknown purpose"),
    pytest.param({"audience": "third_party", "recipient": "not-a-uuid"}, id="bad recipient"),
    pytest.param(
        {"audience": "third_party", "recipient": str(uuid.uuid4())}, id="no such recipient"
    ),
    pytest.param({"audience": "third_party", "recipient_name": "Null \x00"}, id="nul in name"),
    pytest.param({"audience": "third_party", "recipient_name": "x" * 301}, id="name too long"),
    pytest.param({"audience": "third_party", "recipient_category": "cartel"}, id="category"),
    pytest.param({"audience": "third_party", "purpose": ""}, id="no purpose"),
    pytest.param({"audience": "third_party", "kinds": ["identity"]}, id="notes missing"),
]


@pytest.mark.parametrize("changes", EXPORT_PAGE_BAD)
def test_a_bad_export_request_on_the_page_is_a_400_with_nothing_written(
    as_user, advocate, case, changes
):
    data = {
        "audience": "person",
        "output": "bundle",
        "recipient_name": "Sample Legal Aid (synthetic)",
        "recipient_category": "local",
        "purpose": "legal",
        "kinds": ["identity", "notes"],
    }
    data.update(changes)
    before = counts()
    response = as_user(advocate).post(page("exports:export", case.pk), data)
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"audience": "everyone"}, id="unknown audience"),
        pytest.param({"output": "exe"}, id="unknown output"),
        pytest.param({"include_restricted": "yes"}, id="bool a string"),
        pytest.param({"kinds": ["everything"]}, id="unknown kind"),
        pytest.param({"kinds": "identity,notes"}, id="kinds a string"),
        pytest.param({"recipient_org_id": "not-a-uuid"}, id="bad recipient"),
        pytest.param({"recipient_org_id": str(uuid.uuid4())}, id="no such recipient"),
        pytest.param({"recipient_name": "Null \x00"}, id="nul in name"),
        pytest.param({"purpose": "fun"}, id="unknown purpose"),
        pytest.param({"purpose": ""}, id="no purpose"),
        pytest.param({"kinds": ["identity"]}, id="notes missing"),
    ],
)
def test_a_bad_export_request_over_the_api_is_a_422_with_nothing_written(
    as_user, advocate, case, changes
):
    body = {
        "audience": "third_party",
        "recipient_name": "Sample Legal Aid (synthetic)",
        "recipient_category": "local",
        "purpose": "legal",
        "kinds": ["identity", "notes"],
    }
    body.update(changes)
    before = counts()
    response = post_json(as_user(advocate), f"{API}/cases/{case.pk}/exports", body)
    assert response.status_code == 422, response.content[:300]
    assert counts() == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"reference": "Null \x00"}, id="nul in reference"),
        pytest.param({"reference": "x" * 301}, id="reference too long"),
        pytest.param({"kinds": ["everything"]}, id="unknown kind"),
        pytest.param({"purpose": "revenge"}, id="unknown purpose"),
        pytest.param({"given": "Over \u202e ride"}, id="rtl override"),
        pytest.param({"copy": files.uploaded(files.wav(), "order.wav")}, id="copy not a scan"),
        pytest.param({"copy": files.uploaded(b"", "order.pdf")}, id="empty copy"),
        pytest.param({"recipient": "not-a-uuid"}, id="bad recipient"),
    ],
)
def test_a_bad_court_order_is_a_400_with_nothing_written(as_user, supervisor, case, changes):
    data = {
        "reference": "Synthetic reference",
        "signed_by_judge": "on",
        "copy": files.uploaded(files.pdf(), "order.pdf"),
        "recipient": "",
        "recipient_name": COURT,
        "recipient_category": "state",
        "purpose": "court",
        "kinds": ["identity"],
        "given": "Synthetic",
        "person_told": "Synthetic",
    }
    data.update(changes)
    before = counts()
    response = as_user(supervisor).post(page("consent:court_order", case.pk), data)
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"signed_by_judge": "perhaps"}, id="bool not a bool"),
        pytest.param({"kinds": "identity,contact"}, id="kinds comma separated"),
        pytest.param({"reference": "Null \x00"}, id="nul in reference"),
        pytest.param({"recipient_org_id": "not-a-uuid"}, id="bad recipient"),
        pytest.param({"copy": files.uploaded(files.svg_with_script(), "o.pdf")}, id="svg copy"),
    ],
)
def test_a_bad_court_order_over_the_api_is_a_422_with_nothing_written(
    as_user, supervisor, case, changes
):
    data = {
        "reference": "Synthetic reference",
        "signed_by_judge": "true",
        "copy": files.uploaded(files.pdf(), "order.pdf"),
        "recipient_name": COURT,
        "recipient_category": "state",
        "purpose": "court",
        "kinds": ["identity"],
        "given": "Synthetic",
        "person_told": "Synthetic",
    }
    data.update(changes)
    before = counts()
    response = as_user(supervisor).post(f"{API}/cases/{case.pk}/court-orders", data)
    assert response.status_code == 422, response.content[:300]
    assert counts() == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"description": "x" * 501}, id="description too long"),
        pytest.param({"description": "Null \x00"}, id="nul in description"),
        pytest.param({"description": "Over \u202e ride"}, id="rtl override"),
        pytest.param({"file": None}, id="no file"),
    ],
)
def test_a_bad_document_is_refused_with_nothing_kept(as_user, advocate, case, changes):
    data = {"file": files.uploaded(files.pdf()), "description": "Synthetic"}
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    client = as_user(advocate)
    before = counts()
    assert client.post(page("attachments:documents", case.pk), data).status_code == 400
    data["file"] = files.uploaded(files.pdf()) if "file" in data else None
    data = {k: v for k, v in data.items() if v is not None}
    assert client.post(f"{API}/cases/{case.pk}/attachments", data).status_code == 422
    assert counts() == before


@pytest.mark.parametrize("code", ["xxx", "und", "", "spa\x00", "e" * 500])
def test_a_bad_language_on_the_card_changes_nothing(as_user, advocate, case, code):
    person = Person.objects.get(pk=case.person_id)
    before = (person.language, AuditEvent.objects.count())
    response = as_user(advocate).post(
        page("interpretation:point_for_case", case.pk), {"language": code}
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.language == before[0]


@pytest.mark.parametrize(
    "url",
    [
        "/attachments/not-a-uuid/",
        "/attachments/00000000-0000-0000-0000-000000000000/",
        "/cases/not-a-uuid/communications/",
        "/interpreters/not-a-uuid/",
        "/api/v1/attachments/not-a-uuid",
        "/api/v1/attachments/00000000-0000-0000-0000-000000000000",
        "/api/v1/cases/not-a-uuid/communications",
        "/api/v1/cases/{case}/communications/not-a-uuid",
        "/api/v1/interpreters/not-a-uuid",
        "/api/v1/interpreters/%00",
        "/api/v1/cases/{case}/attachments?use=%00",
        "/cases/{case}/communications/?page=%00",
        "/api/v1/cases/{case}/attachments?use=agreement",
    ],
)
def test_a_malformed_or_unknown_id_is_a_4xx_never_a_500(as_user, advocate, case, url):
    response = as_user(advocate).get(url.format(case=case.pk))
    assert response.status_code in (400, 404, 422), response.status_code


def test_the_log_survives_any_page_number(as_user, advocate, case):
    log(advocate, case)
    client = as_user(advocate)
    for number in ("0", "-1", "99999999999999999999", "abc", "1e9", "last"):
        assert client.get(page("communications:log", case.pk), {"page": number}).status_code == 200
        response = client.get(f"{API}/cases/{case.pk}/communications", {"page": number})
        assert response.status_code in (200, 422)


# --- Append-only: no way to change or delete a communication -----------------------------


def test_no_route_changes_or_deletes_an_entry(as_user, advocate, case):
    entry = log(advocate, case, summary="Synthetic original")
    client = as_user(advocate)
    ui = page("communications:entry", case.pk, entry.pk)
    api = f"{API}/cases/{case.pk}/communications/{entry.pk}"
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(ui, {"summary": "Changed"}).status_code in (404, 405)
        response = getattr(client, method)(
            api, json.dumps({"summary": "Changed"}), content_type="application/json"
        )
        assert response.status_code in (404, 405), method
    for suffix in ("edit/", "delete/", "update/"):
        assert client.post(ui + suffix, {"summary": "Changed"}).status_code in (404, 405)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/cases/{case.pk}/communications")
        assert response.status_code in (404, 405)
    entry.refresh_from_db()
    assert entry.summary == "Synthetic original"
    assert Communication.objects.count() == 1
    assert verify_communication_chains()[1] == []


def test_no_route_changes_or_deletes_an_attachment(as_user, advocate, case):
    attachment = attachment_store(actor=advocate, case=case, upload=files.accepted())
    client = as_user(advocate)
    for url in (download(attachment.pk), api_download(attachment.pk)):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, {"file": files.uploaded(files.png())})
            assert response.status_code in (404, 405), (url, method)
    assert Attachment.objects.get().content_type == "application/pdf"


def test_forged_fields_in_a_post_are_ignored(as_user, advocate, supervisor, case, other_case):
    first = log(advocate, other_case)
    client = as_user(advocate)
    response = client.post(
        page("communications:entry_new", case.pk),
        {
            "occurred_at": _when(),
            "channel": "phone",
            "summary": "Synthetic",
            "interpretation": "none",
            "seq": "99",
            "hash": "0" * 64,
            "prev_hash": "f" * 64,
            "recorded_by": str(supervisor.pk),
            "recorded_by_id": str(supervisor.pk),
            "case": str(other_case.pk),
            "case_id": str(other_case.pk),
            "addendum_to": str(first.pk),
            "addendum_to_id": str(first.pk),
            "attachment_ids": [str(uuid.uuid4())],
            "id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 303
    entry = Communication.objects.get(case=case)
    assert (entry.seq, entry.recorded_by_id, entry.addendum_to_id) == (1, advocate.pk, None)
    assert entry.attachment_ids == []
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/communications",
        {
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "channel": "phone",
            "summary": "Synthetic",
            "seq": 99,
            "recorded_by_id": supervisor.pk,
            "addendum_to_id": str(first.pk),
            "attachment_ids": [str(first.pk)],
        },
    )
    # The API's inputs forbid fields they do not name.
    assert response.status_code == 422
    assert Communication.objects.filter(case=case).count() == 1
    assert verify_communication_chains()[1] == []


def test_the_database_refuses_every_update_of_an_entry(advocate, case):
    entry = log(advocate, case, summary="Synthetic original")
    stored = Communication.objects.filter(pk=entry.pk).values("hash", "seq").get()
    attempts = [
        lambda: Communication.objects.filter(pk=entry.pk).update(seq=7),
        lambda: Communication.objects.filter(pk=entry.pk).update(hash="0" * 64),
        lambda: Communication.objects.filter(case=case).update(with_person=False),
        lambda: Communication.objects.bulk_update([entry], ["channel"]),
    ]

    def save_changed():
        loaded = Communication.objects.get(pk=entry.pk)
        loaded.summary = "Synthetic forged"
        loaded.save()

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE communications_communication SET channel = 'letter' WHERE id = %s",
                [entry.pk.hex if connection.vendor == "sqlite" else str(entry.pk)],
            )

    for attempt in [*attempts, save_changed, raw_sql]:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert Communication.objects.filter(pk=entry.pk).values("hash", "seq").get() == stored
    assert Communication.objects.get(pk=entry.pk).summary == "Synthetic original"
    assert verify_communication_chains()[1] == []


def test_an_entry_deleted_or_slipped_in_through_the_orm_is_found(advocate, case):
    first = log(advocate, case, summary="Synthetic one")
    log(advocate, case, summary="Synthetic two")
    forged = Communication.objects.get(pk=first.pk)
    forged.pk = uuid.uuid4()
    forged.seq = 3
    forged._state.adding = True
    forged.save(force_insert=True)
    breaks = verify_communication_chains()[1]
    assert [b.entry_id for b in breaks] == [str(forged.pk)]
    Communication.objects.filter(pk=forged.pk).delete()
    Communication.objects.filter(pk=first.pk).delete()
    breaks = verify_communication_chains()[1]
    assert len(breaks) == 1
    assert "removed" in breaks[0].reason


# --- Exports ----------------------------------------------------------------------------------


@pytest.fixture
def sensitive_case(advocate, agency, case):
    """The case with an immigration status and a stay at a site whose alias,
    and sealed name, are telling."""
    person_update(
        actor=advocate,
        case=case,
        details=PersonDetails(immigration_status="t_visa"),
        covering=["immigration_status"],
    )
    site = site_of(TeamFactory(agency=agency), alias=SHELTER_NAME, name=SHELTER_NAME)
    stay_at(case, site, actor=advocate)
    log(advocate, case, summary="Synthetic meeting")
    return case


def _members(zip_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _third_party(**changes):
    body = {
        "audience": "third_party",
        "output": "bundle",
        "recipient_name": "Sample Legal Aid (synthetic)",
        "recipient_category": "local",
        "purpose": "legal",
        "kinds": ["identity", "notes"],
    }
    body.update(changes)
    return body


def _exported(client, started):
    """The export runs as a background job: the page goes to the job, whose
    download is the file."""
    assert started.status_code in {302, 303}, started.status_code
    job_page = started["Location"]
    assert job_page.startswith("/jobs/")
    return client.get(f"{job_page.rstrip('/')}/download/")


def test_a_third_party_export_holds_no_immigration_status_or_shelter_and_no_name_in_its_file_name(
    as_user, advocate, sensitive_case
):
    case = sensitive_case
    give_consent(
        actor=advocate, case=case, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    client = as_user(advocate)
    response = _exported(
        client,
        client.post(
            page("exports:export", case.pk), _third_party(second_factor=spare_code(advocate))
        ),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    for word in PERSON.split():
        assert word not in disposition
    members = _members(response.content)
    record = json.loads(members["record.json"])
    assert "immigration_status" not in {f["field"] for f in record["person"]}
    assert record["shelter"] is None
    everything = b"".join(d for n, d in members.items() if n != "record.pdf").decode(
        "utf-8", "replace"
    )
    everything += _pdf_text(members["record.pdf"])
    assert "T visa" not in everything
    assert "t_visa" not in everything
    assert "Quietharbor" not in everything
    assert all("Quillfeather" not in name for name in members)


def test_the_persons_own_copy_leaves_out_what_they_did_not_ask_for(
    as_user, advocate, sensitive_case
):
    case = sensitive_case
    response = post_json(
        as_user(advocate), f"{API}/cases/{case.pk}/exports", {"audience": "person", "output": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Quillfeather" not in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "Quietharbor" not in text
    assert "T visa" not in text


def _expired(consent):
    today = timezone.localdate()
    Consent.objects.filter(pk=consent.pk).update(
        starts_on=today - timedelta(days=60), expires_on=today - timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("consented", "spoil", "wanted"),
    [
        pytest.param(None, None, {}, id="no consent"),
        pytest.param(["identity", "notes"], _expired, {}, id="expired consent"),
        pytest.param(
            ["identity", "notes"],
            lambda c: consent_revoke(actor=c.recorded_by, consent=c),
            {},
            id="withdrawn consent",
        ),
        pytest.param(
            ["identity", "notes"],
            None,
            {"kinds": ["identity", "notes", "immigration"]},
            id="kinds beyond consent",
        ),
        pytest.param(
            ["identity", "notes"], None, {"kinds": ["identity", "notes", "shelter"]}, id="shelter"
        ),
        pytest.param(["identity", "notes"], None, {"purpose": "immigration"}, id="other purpose"),
        pytest.param(
            ["identity", "notes"], None, {"recipient_category": "law_enforcement"}, id="other kind"
        ),
    ],
)
def test_a_third_party_export_beyond_consent_is_refused_over_the_api(
    as_user, advocate, case, consented, spoil, wanted
):
    if consented:
        consent = give_consent(
            actor=advocate, case=case, purpose="legal", kinds=consented, category="local"
        )
        if spoil:
            spoil(consent)
    before = counts()
    response = post_json(
        as_user(advocate),
        f"{API}/cases/{case.pk}/exports",
        _third_party(**wanted, second_factor=spare_code(advocate)),
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert counts() == before


@pytest.mark.parametrize("persona", ["intake", "shelter", "admin_user", "auditor", "outsider"])
def test_only_those_who_work_cases_export_over_the_api(request, as_user, advocate, case, persona):
    give_consent(
        actor=advocate, case=case, purpose="legal", kinds=["identity", "notes"], category="local"
    )
    client = as_user(request.getfixturevalue(persona))
    before = counts()
    assert client.get(f"{API}/cases/{case.pk}/exports").status_code == 404
    for body in ({"audience": "person"}, _third_party()):
        assert post_json(client, f"{API}/cases/{case.pk}/exports", body).status_code == 404
    assert client.get(page("exports:export", case.pk)).status_code == 404
    assert counts() == before


# --- The standalone verifier against crafted bundles ---------------------------------------


def _zip(members: list[tuple[str, bytes]], method=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _manifest_for(members: dict[str, bytes], **changes) -> bytes:
    manifest = {
        "format": "haven-export/1",
        "case": str(uuid.uuid4()),
        "exported_at": "2026-01-01T00:00:00Z",
        "chain_head": "0" * 64,
        "files": [
            {"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in sorted(members.items())
        ],
    }
    manifest.update(changes)
    return json.dumps(manifest).encode()


RECORD = json.dumps({"communications": []}).encode()


def _consistent(extra: dict[str, bytes] | None = None) -> bytes:
    """A bundle every hash of which is right: it holds ``extra`` too."""
    members = {"record.json": RECORD, **(extra or {})}
    return _zip([("manifest.json", _manifest_for(members)), *members.items()])


def _flag_members(data: bytes, *, local_offset: int, central_offset: int, value: bytes) -> bytes:
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        at = 0
        while (at := out.find(signature, at)) >= 0:
            out[at + offset : at + offset + len(value)] = value
            at += 4
    return bytes(out)


def _crc_broken() -> bytes:
    data = bytearray(_consistent())
    at = data.find(b'{"communications"')
    data[at + 2] ^= 1
    return bytes(data)


def _encrypted() -> bytes:
    data = bytearray(_consistent())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            data[at + offset] |= 1
            at += 4
    return bytes(data)


def _unsupported_method() -> bytes:
    return _flag_members(_consistent(), local_offset=8, central_offset=10, value=b"\x06\x00")


def _corrupt_deflate() -> bytes:
    members = {"record.json": RECORD * 40}
    data = bytearray(
        _zip([("manifest.json", _manifest_for(members)), *members.items()], zipfile.ZIP_DEFLATED)
    )
    at = data.find(b"PK\x03\x04", 4)  # the second member's local header
    name, extra = struct.unpack("<HH", data[at + 26 : at + 30])
    start = at + 30 + name + extra
    data[start : start + 8] = b"\xff" * 8
    return bytes(data)


def _newer_zip_version() -> bytes:
    """Found by fuzzing (fuzz/export_verifier.py): a central directory that
    says its members need a later version of the zip format than Python
    reads makes ZipFile() itself raise NotImplementedError."""
    return _flag_members(_consistent(), local_offset=4, central_offset=6, value=b"\x50\x00")


def _truncated_member() -> bytes:
    members = {"record.json": RECORD * 200}
    data = _zip([("manifest.json", _manifest_for(members)), *members.items()], zipfile.ZIP_DEFLATED)
    # Shrink the record's compressed size in both headers: its stream ends early.
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        at = out.find(signature, 4 if signature == b"PK\x03\x04" else 0)
        while at >= 0:
            size = struct.unpack("<L", out[at + offset : at + offset + 4])[0]
            name_len = struct.unpack("<H", out[at + offset + 8 : at + offset + 10])[0]
            header = 30 if signature == b"PK\x03\x04" else 46
            if out[at + header : at + header + name_len] == b"record.json":
                out[at + offset : at + offset + 4] = struct.pack("<L", max(1, size // 2))
            at = out.find(signature, at + 4)
    return bytes(out)


def _duplicate_record() -> bytes:
    forged = json.dumps({"communications": [], "forged": True}).encode()
    members = {"record.json": RECORD}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)
        return _zip(
            [
                ("record.json", forged),
                ("manifest.json", _manifest_for(members)),
                ("record.json", RECORD),
            ]
        )


def _deep_json() -> bytes:
    return _zip([("manifest.json", b"[" * 200_000 + b"]" * 200_000)])


def _deep_record() -> bytes:
    members = {"record.json": b'{"communications": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"}
    return _zip([("manifest.json", _manifest_for(members)), *members.items()])


def _chain(entries):
    previous = "0" * 64
    for entry in entries:
        body = {k: v for k, v in entry.items() if k != "chain_hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        entry["chain_hash"] = hashlib.sha256(previous.encode() + canonical.encode()).hexdigest()
        previous = entry["chain_hash"]
    return previous


MALFORMED_BUNDLES = {
    "not a zip": lambda: b"this is not a zip file",
    "empty file": lambda: b"",
    "manifest missing": lambda: _zip([("record.json", RECORD)]),
    "manifest not json": lambda: _zip([("manifest.json", b"{not json")]),
    "manifest not utf-8": lambda: _zip([("manifest.json", b"\xff\xfe\xfa")]),
    "manifest a list": lambda: _zip([("manifest.json", b"[]")]),
    "manifest a number": lambda: _zip([("manifest.json", b"42")]),
    "manifest huge number": lambda: _zip([("manifest.json", b"9" * 10_000)]),
    "files a dict": lambda: _zip(
        [("manifest.json", json.dumps({"format": "haven-export/1", "files": {"a": 1}}).encode())]
    ),
    "files of strings": lambda: _zip(
        [("manifest.json", json.dumps({"format": "haven-export/1", "files": ["a"]}).encode())]
    ),
    "path a list": lambda: _zip(
        [
            (
                "manifest.json",
                json.dumps(
                    {"format": "haven-export/1", "files": [{"path": ["x"], "size": 1}]}
                ).encode(),
            )
        ]
    ),
    "size a string": lambda: _zip(
        [
            (
                "manifest.json",
                _manifest_for({"record.json": RECORD}).replace(
                    f'"size": {len(RECORD)}'.encode(), f'"size": "{len(RECORD)}"'.encode()
                ),
            ),
            ("record.json", RECORD),
        ]
    ),
    "missing keys": lambda: _zip(
        [("manifest.json", json.dumps({"format": "haven-export/1", "files": [{}]}).encode())]
    ),
    "record not json": lambda: _zip(
        [("manifest.json", _manifest_for({"record.json": b"{no"})), ("record.json", b"{no")]
    ),
    "record a list": lambda: _zip(
        [("manifest.json", _manifest_for({"record.json": b"[1]"})), ("record.json", b"[1]")]
    ),
    "communications a dict": lambda: _zip(
        [
            ("manifest.json", _manifest_for({"record.json": b'{"communications": {"a": 1}}'})),
            ("record.json", b'{"communications": {"a": 1}}'),
        ]
    ),
    "entry a list": lambda: _zip(
        [
            ("manifest.json", _manifest_for({"record.json": b'{"communications": [[1]]}'})),
            ("record.json", b'{"communications": [[1]]}'),
        ]
    ),
    "cited files a string": lambda: _cited_files_string(),
    "member not listed": lambda: _zip(
        [
            ("manifest.json", _manifest_for({"record.json": RECORD})),
            ("record.json", RECORD),
            ("x", b"x"),
        ]
    ),
    "member changed": lambda: _zip(
        [("manifest.json", _manifest_for({"record.json": RECORD})), ("record.json", RECORD + b" ")]
    ),
}


def _cited_files_string() -> bytes:
    entries = [{"seq": 1, "files": "files/x"}]
    head = _chain(entries)
    record = json.dumps({"communications": entries}).encode()
    members = {"record.json": record}
    return _zip([("manifest.json", _manifest_for(members, chain_head=head)), *members.items()])


CRASHING_BUNDLES = {
    "a member whose CRC does not match": (
        _crc_broken,
        "zipfile raises BadZipFile from archive.read(); verify() catches it only around "
        "ZipFile(): traceback, not FAILED",
    ),
    "an encrypted member": (
        _encrypted,
        "archive.read() of a member flagged encrypted raises RuntimeError: traceback",
    ),
    "an unsupported compression method": (
        _unsupported_method,
        "archive.read() raises NotImplementedError: traceback",
    ),
    "corrupt deflate data": (
        _corrupt_deflate,
        "archive.read() raises zlib.error: traceback",
    ),
    "a zip of a newer format version": (
        _newer_zip_version,
        "ZipFile() raises NotImplementedError, which verify() caught only when reading a "
        "member: traceback",
    ),
    "a member cut short": (
        _truncated_member,
        "a member whose headers claim half its compressed size: archive.read() raises "
        "BadZipFile (Bad CRC-32): traceback",
    ),
    "a deeply nested manifest": (
        _deep_json,
        "json.loads raises RecursionError, which verify() does not catch: traceback",
    ),
    "a deeply nested record": (
        _deep_record,
        "json.loads raises RecursionError, which verify() does not catch: traceback",
    ),
}

UNSAFE_BUNDLES = {
    "a ../ member": (
        lambda: _consistent({"../../evil.sh": b"#!/bin/sh\n"}),
        "a listed member named ../../evil.sh verifies OK: extracting the bundle can write "
        "outside the folder",
    ),
    "an absolute member": (
        lambda: _consistent({"/etc/cron.d/evil": b"* * * * * root true\n"}),
        "a listed member with an absolute path verifies OK",
    ),
    "a backslash traversal member": (
        lambda: _consistent({"..\\..\\evil.bat": b"echo\r\n"}),
        "a listed member named ..\\..\\evil.bat verifies OK (a traversal on Windows)",
    ),
    "two members of one name": (
        _duplicate_record,
        "a second record.json (forged) ahead of the real one verifies OK: the verifier reads "
        "the last, an unzip tool may show the first",
    ),
}


def run_verifier(path: Path, *, memory: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:  # pragma: no cover - runs in the child
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limit,
    )


def assert_failed_cleanly(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr[-300:])
    assert result.stdout.startswith("FAILED"), result.stdout


@pytest.mark.parametrize("kind", sorted(MALFORMED_BUNDLES))
def test_the_verifier_fails_a_malformed_bundle_cleanly(tmp_path, kind):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(MALFORMED_BUNDLES[kind]())
    assert_failed_cleanly(run_verifier(bundle))


def test_the_verifier_fails_a_missing_or_unreadable_path_cleanly(tmp_path):
    assert_failed_cleanly(run_verifier(tmp_path / "nowhere.zip"))
    assert_failed_cleanly(run_verifier(tmp_path))  # a folder


def test_the_verifier_accepts_the_consistent_control_bundle(tmp_path):
    """The crafted bundles below differ from this one only by their attack."""
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(_consistent())
    result = run_verifier(bundle)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "kind",
    sorted(CRASHING_BUNDLES),
)
def test_the_verifier_never_crashes_on_a_corrupt_bundle(tmp_path, kind):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(CRASHING_BUNDLES[kind][0]())
    assert_failed_cleanly(run_verifier(bundle))


@pytest.mark.parametrize(
    "kind",
    sorted(UNSAFE_BUNDLES),
)
def test_the_verifier_fails_a_bundle_with_unsafe_member_names(tmp_path, kind):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(UNSAFE_BUNDLES[kind][0]())
    assert_failed_cleanly(run_verifier(bundle))


def _manifest_bomb(path: Path, unpacked: int) -> None:
    """A manifest.json of ``unpacked`` bytes of spaces, compressed to a
    few hundred kilobytes."""
    chunk = b" " * (1 << 20)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("manifest.json", "w", force_zip64=True) as member,
    ):
        for _ in range(unpacked // len(chunk)):
            member.write(chunk)
        member.write(b"{}")


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limit")
def test_the_verifier_refuses_a_manifest_bomb_cleanly(tmp_path):
    bundle = tmp_path / "bomb.zip"
    _manifest_bomb(bundle, 400 * 1024 * 1024)
    assert bundle.stat().st_size < 2 * 1024 * 1024
    assert_failed_cleanly(run_verifier(bundle, memory=256 * 1024 * 1024))


def test_the_verify_export_command_fails_a_corrupt_bundle_with_a_command_error(tmp_path):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(_crc_broken())
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_export", str(bundle))


def test_the_verify_export_command_fails_a_malformed_bundle_with_a_command_error(tmp_path):
    for make in (MALFORMED_BUNDLES["manifest a list"], MALFORMED_BUNDLES["not a zip"]):
        bundle = tmp_path / "bundle.zip"
        bundle.write_bytes(make())
        with pytest.raises(CommandError, match="FAILED"):
            call_command("verify_export", str(bundle))


# --- No person data in the audit trail or the logs --------------------------------------------


def test_no_person_data_reaches_audit_events_or_logs(
    as_user, advocate, supervisor, intake, team, caplog
):
    caplog.set_level(logging.DEBUG)
    case = record_intake(actor=intake, team=team, legal_name=f"{MARK} Quillfeather")
    client = as_user(advocate)
    # Upload (page and API), including a refused one with a telling name.
    response = client.post(
        page("attachments:documents", case.pk),
        {
            "file": files.uploaded(files.pdf(), f"{MARK}-passport.pdf"),
            "description": f"{MARK} passport copy",
        },
    )
    assert response.status_code == 303
    response = client.post(
        f"{API}/cases/{case.pk}/attachments",
        {"file": files.uploaded(files.png(), f"{MARK}-photo.png"), "description": f"{MARK} photo"},
    )
    assert response.status_code == 201
    refused = client.post(
        page("attachments:documents", case.pk),
        {"file": files.uploaded(files.html_named_pdf(), f"{MARK}-refused.pdf")},
    )
    assert refused.status_code == 400
    for attachment in Attachment.objects.filter(case=case):
        assert client.get(download(attachment.pk)).status_code == 200
        assert client.get(api_download(attachment.pk)).status_code == 200
    # Communications and an addendum, on the page and over the API.
    response = client.post(
        page("communications:entry_new", case.pk),
        {
            "occurred_at": _when(),
            "channel": "phone",
            "summary": f"{MARK} summary",
            "details": f"{MARK} details",
            "place": f"{MARK} place",
            "interpretation": "none",
            "attachments": [files.uploaded(files.wav(), f"{MARK}-voicemail.wav")],
        },
    )
    assert response.status_code == 303
    entry = Communication.objects.filter(case=case).get()
    response = client.post(
        page("communications:addendum", case.pk, entry.pk),
        {"addendum_reason": f"{MARK} reason", "summary": f"{MARK} addendum"},
    )
    assert response.status_code == 303
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/communications",
        {
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "channel": "phone",
            "summary": f"{MARK} api summary",
            "details": f"{MARK} api details",
        },
    )
    assert response.status_code == 201
    # A bad entry: 400 with the text echoed in the form only.
    assert (
        client.post(
            page("communications:entry_new", case.pk),
            {"occurred_at": "9999-01-01T00:00", "channel": "phone", "summary": f"{MARK} bad"},
        ).status_code
        == 400
    )
    # The roster.
    response = as_user(supervisor).post(
        reverse("communications:roster"),
        {
            "name": f"{MARK} Interpreter",
            "kind": "contractor",
            "languages": ["spa"],
            "gender": "not_said",
            "contact": f"{MARK} contact",
            "notes": f"{MARK} notes",
            "agreement": files.uploaded(files.pdf(), f"{MARK}-agreement.pdf"),
            "active": "on",
        },
    )
    assert response.status_code == 303
    # A court order and a consent with a scan.
    response = as_user(supervisor).post(
        page("consent:court_order", case.pk),
        {
            "reference": f"{MARK} court order",
            "signed_by_judge": "on",
            "copy": files.uploaded(files.pdf(), f"{MARK}-order.pdf"),
            "recipient_name": f"{MARK} Court",
            "recipient_category": "state",
            "purpose": "court",
            "kinds": ["identity"],
            "given": f"{MARK} given",
            "person_told": f"{MARK} told",
        },
    )
    assert response.status_code == 303
    give_consent(
        actor=advocate,
        case=case,
        purpose="legal",
        kinds=["identity", "notes"],
        category="local",
        witness=f"{MARK} witness",
    )
    # Exports: the person's own, a third party's, and a refused one.
    client = as_user(advocate)
    response = client.post(
        page("exports:export", case.pk), {"audience": "person", "output": "bundle"}
    )
    assert _exported(client, response).status_code == 200
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/exports",
        _third_party(
            recipient_name=f"{MARK} Legal Aid", output="pdf", second_factor=spare_code(advocate)
        ),
    )
    assert response.status_code == 200
    response = post_json(
        client,
        f"{API}/cases/{case.pk}/exports",
        _third_party(
            recipient_name=f"{MARK} Police",
            recipient_category="law_enforcement",
            second_factor=spare_code(advocate),
        ),
    )
    assert response.status_code == 422

    events = list(AuditEvent.objects.values_list("action", "detail"))
    assert len(events) > 10
    for action, detail in events:
        text = json.dumps(detail, ensure_ascii=False)
        assert MARK not in text, (action, text)
        assert "Quillfeather" not in text, (action, text)
    assert caplog.records  # the 400s above were logged: the check below is not empty
    for record in caplog.records:
        message = record.getMessage()
        assert MARK not in message, message
        assert "Quillfeather" not in message, message
