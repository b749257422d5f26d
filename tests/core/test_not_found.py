"""The domain's NotFound answers on the pages exactly as Http404 does."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404, HttpRequest, HttpResponse

from haven.core.errors import NotFound
from haven.core.middleware import NotFoundMiddleware
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def test_a_case_that_does_not_exist_answers_with_the_404_page(client_for, advocate):
    # The case page's selector raises NotFound; the middleware answers it.
    response = client_for(advocate).get(f"/cases/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][:1] == ["404.html"]


def test_another_agencys_case_answers_like_a_missing_one(client_for, outsider, advocate, team):
    case = record_intake(actor=advocate, team=team)
    missing = client_for(outsider).get(f"/cases/{uuid.uuid4()}/")
    foreign = client_for(outsider).get(f"/cases/{case.pk}/")
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)


def test_not_found_is_answered_as_django_answers_http404(rf):
    middleware = NotFoundMiddleware(lambda request: HttpResponse())
    request: HttpRequest = rf.get("/somewhere/")
    ours = middleware.process_exception(request, NotFound())
    assert ours is not None
    assert ours.status_code == 404
    assert middleware.process_exception(request, Http404()) is None
    assert middleware.process_exception(request, ValueError()) is None
