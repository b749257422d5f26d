"""HTTP weak spots, closed: every log line of a request carries its id (and
no path text a person may have typed), every answer carries the security
headers (Django's own early errors included) and a Permissions-Policy,
printed documents download like every other file, and a file name with a
control character in it is refused."""

from __future__ import annotations

import io
import logging
import re

import pytest

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
