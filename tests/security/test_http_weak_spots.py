"""HTTP weak spots, closed: every log line of a request carries its id (and
no path text a person may have typed), every answer carries the security
headers (Django's own early errors included) and a Permissions-Policy,
printed documents download like every other file, and a file name with a
control character in it is refused."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from haven.accounts.api_tokens import api_token_create
from haven.attachments.models import Attachment
from haven.audit.models import Action, AuditEvent
from haven.core.pdf import pdf_response
from tests import files
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


# --- Every log line of a request carries its id --------------------------------------


@pytest.fixture
def log_output():
    """What the configured console handler writes (its filters and format), as text."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def signed_in(client_for, advocate):
    client = client_for(advocate)
    client.raise_request_exception = False
    return client


def lines_of(stream: io.StringIO) -> list[str]:
    # A line of a record starts with its time; traceback lines belong to it.
    return [line for line in stream.getvalue().splitlines() if re.match(r"^\d{4}-\d\d-\d\d ", line)]


@pytest.mark.parametrize(
    ("path", "host", "status", "words"),
    [
        ("/no/such/page/", "testserver", 404, "Not Found: /"),
        (f"/api/v1/jobs/{'0' * 8}-0000-0000-0000-{'0' * 12}", "testserver", 404, "Not Found: /"),
        ("/", "evil.example", 400, "Invalid HTTP_HOST header"),
    ],
)
def test_every_log_line_of_a_request_carries_its_id(
    log_output, signed_in, path, host, status, words
):
    response = signed_in.get(path, HTTP_HOST=host)
    assert response.status_code == status
    request_id = response["X-Request-ID"]
    lines = lines_of(log_output)
    assert any(words in line for line in lines), lines
    for line in lines:
        assert f"[{request_id}]" in line, line


@pytest.mark.parametrize(
    "path",
    [
        "/people/Synthetic Person Name/",
        "/people/Synthetic Lucía Person/",
        "/staff/Synthetic-Person-Name/",
        "/api/v1/cases/Synthetic-Person-Name",
        "/api/v1/cases/Synthetic-Person-Name/attachments",
    ],
)
def test_a_logged_path_keeps_only_routes_and_ids_never_what_was_typed(log_output, signed_in, path):
    """A path Haven builds holds ids only, but one typed into the address bar
    (or sent by a client) may hold anything, a person's name included."""
    response = signed_in.get(path)
    assert response.status_code == 404
    logged = log_output.getvalue()
    assert "Not Found: /" in logged
    assert "Synthetic" not in logged
    assert "Person" not in logged


def test_a_logged_path_of_ids_is_kept_whole(log_output, signed_in):
    path = f"/cases/{'1' * 8}-1111-1111-1111-{'1' * 12}/"
    assert signed_in.get(path).status_code == 404
    assert f"Not Found: {path}" in log_output.getvalue()


# --- Every answer carries the security headers --------------------------------------

PERMISSIONS = {
    # Denied: features Haven never uses.
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "serial": "()",
    "hid": "()",
    "display-capture": "()",
    "clipboard-read": "()",
    # Staff enrol and use security keys (WebAuthn) on Haven's own pages.
    "publickey-credentials-create": "(self)",
    "publickey-credentials-get": "(self)",
}


def permissions_of(header: str) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in header.split(","))


def assert_security_headers(response, name: str) -> None:
    assert response["X-Frame-Options"] == "DENY", name
    assert response["X-Content-Type-Options"] == "nosniff", name
    assert response["Referrer-Policy"] == "same-origin", name
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy, name
    assert "default-src 'self'" in policy, name
    granted = permissions_of(response["Permissions-Policy"])
    for feature, allowlist in PERMISSIONS.items():
        assert granted.get(feature) == allowlist, (name, feature, granted.get(feature))
    assert "X-Request-ID" in response, name


def test_django_s_early_errors_carry_every_security_header(db, settings):
    client = Client(raise_request_exception=False)
    responses = {
        "bad host": client.get("/", HTTP_HOST="evil.example"),
        "bad host, api": client.get("/api/v1/me", HTTP_HOST="evil.example"),
        "nul in the query": client.get("/", {"q": "a\x00b"}),
        "body too large": client.post(
            "/accounts/login/",
            "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            content_type="application/x-www-form-urlencoded",
        ),
    }
    assert responses["bad host"].status_code == 400
    assert responses["nul in the query"].status_code == 400
    for name, response in responses.items():
        assert response.status_code == 400, name
        assert_security_headers(response, name)


def test_a_bad_host_refused_by_the_https_redirect_carries_them_too(db, settings):
    """In production the redirect to HTTPS is the first to read the host."""
    settings.SECURE_SSL_REDIRECT = True
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_security_headers(response, "https redirect")


def test_pages_the_api_and_static_files_carry_every_security_header(client_for, advocate):
    anonymous = Client(raise_request_exception=False)
    signed_in = client_for(advocate)
    responses = {
        "sign-in": anonymous.get("/accounts/login/"),
        "404": anonymous.get("/no/such/page/"),
        "dashboard": signed_in.get("/"),
        "api": signed_in.get("/api/v1/me"),
        "api 401": anonymous.get("/api/v1/me"),
        "api 415": signed_in.post("/api/v1/reports/runs", "{}", content_type="text/plain"),
        "health": anonymous.get("/healthz"),
    }
    for name, response in responses.items():
        assert_security_headers(response, name)


def test_no_powerful_feature_is_left_to_the_browser_s_default():
    """Each feature of the policy is denied, or allowed to Haven's own pages
    only; none is given to another origin."""
    response = Client().get("/accounts/login/")
    for feature, allowlist in permissions_of(response["Permissions-Policy"]).items():
        assert allowlist in {"()", "(self)"}, feature


# --- Printed documents download like every other file ---------------------------------


def test_the_safety_plan_pdf_is_a_download_named_without_the_person(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team, preferred_name="Synthetic Plan Person")
    client = client_for(advocate)
    plan = {
        f"plan-{field}": f"Synthetic {field}"
        for field in (
            "safe_contacts",
            "safe_places",
            "code_word",
            "emergency_bag",
            "transport",
            "technology",
            "backup_plan",
        )
    }
    saved = client.post(reverse("protocol:safety_plan", args=[case.pk]), plan)
    assert saved.status_code == 303
    response = client.get(reverse("protocol:safety_plan_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="safety-plan-v1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_language_card_pdf_is_a_download(client_for, auditor):
    response = client_for(auditor).get(reverse("interpretation:point_pdf"))
    assert response["Content-Disposition"] == 'attachment; filename="languages.pdf"'


@pytest.mark.parametrize(
    "filename",
    ["", "plan.pdf\r\nSet-Cookie: a=b", 'a".pdf', "Lucía.pdf", "../plan.pdf", "plan", "a b.pdf"],
)
def test_a_printed_document_s_name_is_plain_ascii_or_refused(filename):
    with pytest.raises(ValueError, match="plain ASCII"):
        pdf_response(b"%PDF-", filename=filename)


# --- A control character in a file's name is refused, never dropped ------------------

CONTROL_NAMES = [
    pytest.param("lease\x00.pdf", id="nul"),
    pytest.param("lea\x00se.pdf", id="nul inside"),
    pytest.param("lease\x1b[31m.pdf", id="escape"),
    pytest.param("lease\x7f.pdf", id="delete"),
    pytest.param("lease\x85.pdf", id="c1 next line"),
    pytest.param("lease\t.pdf", id="tab"),
    pytest.param("lease\u202efdp.exe", id="right-to-left override"),
    pytest.param("lease\u200b.pdf", id="zero-width space"),
]
NAME_MESSAGE = (
    "The file's name holds a control or invisible character. Rename the file and choose it again."
)


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body as a browser or a script sends it, the file's name as given."""
    boundary = "SyntheticBoundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team)


@pytest.mark.parametrize("name", CONTROL_NAMES)
def test_a_page_refuses_a_file_named_with_a_control_character(client_for, advocate, case, name):
    client = client_for(advocate)
    url = reverse("attachments:documents", args=[case.pk])
    client.get(url)
    body, content_type = multipart(
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}, name, files.pdf()
    )
    before = AuditEvent.objects.count()
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 400
    assert NAME_MESSAGE.replace("'", "&#x27;") in response.content.decode()
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.count() == before + 1  # the page's view of the case, no more


@pytest.mark.parametrize("name", CONTROL_NAMES)
def test_the_api_refuses_a_file_named_with_a_control_character(advocate, case, name):
    token = api_token_create(user=advocate, lifetime=timedelta(hours=1))
    body, content_type = multipart({"description": "Synthetic"}, name, files.pdf())
    response = Client().generic(
        "POST",
        f"/api/v1/cases/{case.pk}/attachments",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "refused", "loc": ["file", "file"], "msg": NAME_MESSAGE}]
    }
    assert not Attachment.objects.exists()


def test_a_plain_name_in_any_script_is_kept(client_for, advocate, case):
    client = client_for(advocate)
    url = reverse("attachments:documents", args=[case.pk])
    client.get(url)
    name = "Contrat de bail, Łódź 北京.pdf"
    body, content_type = multipart(
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}, name, files.pdf()
    )
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 303
    assert Attachment.objects.get().name == name


def test_a_name_encoded_with_a_control_character_is_refused_too(client_for, advocate, case):
    """RFC 2231 lets a client send the name percent-encoded (filename*=)."""
    client = client_for(advocate)
    url = reverse("attachments:documents", args=[case.pk])
    client.get(url)
    body, content_type = multipart(
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}, "lease.pdf", files.pdf()
    )
    body = body.replace(b'filename="lease.pdf"', b"filename*=UTF-8''lea%00se.pdf")
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_the_directory_import_refuses_a_file_named_with_a_control_character(client_for, admin_user):
    upload = SimpleUploadedFile("direc\x00tory.json", b'{"id": "x"}')
    response = client_for(admin_user).post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 400
    assert NAME_MESSAGE.replace("'", "&#x27;") in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.DIRECTORY_IMPORTED).exists()
