"""The directory's API operations against their own OpenAPI document:
schemathesis generates requests (valid and not) and checks every answer
(no server error; status, content type and body as documented)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from haven.accounts.api_tokens import api_token_create
from haven.wsgi import application
from tests.api_fuzzing import wrong_tokens_allowed
from tests.factories import AgencyFactory, make_staff
from tests.partners.conftest import build_directory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(partners|hsds)"
)


@pytest.fixture
def keep_connection():
    """Calls go straight to the WSGI application, which closes the database
    connection after each request; the test's transaction needs it open (as
    Django's own test client arranges)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with wrong_tokens_allowed():
        yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, keep_connection):
    agency = AgencyFactory(name="Fuzz Agency")
    supervisor = make_staff(agency=agency, role="supervisor", username="t-fuzz")
    build_directory(supervisor)
    return api_token_create(user=supervisor, lifetime=timedelta(hours=1))


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_directory_api_answers_as_documented(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # The directory's rules (no control characters, a description, an
        # agreement date only with the agreement) refuse some values the
        # schema allows, with a 422 that is itself documented.
        excluded_checks=[checks.positive_data_acceptance],
    )
