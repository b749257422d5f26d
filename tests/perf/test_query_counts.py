"""Every route the page bench times makes no more queries than its budget.

The routes and their budgets are bench/routes.py's: a change that adds a
query to a page fails here, before anyone runs the bench. Each route is
requested once to warm what is cached (the agency's settings, a compiled
template, an opened key), then its queries are counted on the next request,
on a small world made through the real services (tests/perf/world.py). A
write counts the savepoints a test's transaction adds; the bench, outside a
test, prints its own counts.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.routes import BUDGETS, ROUTES, Route, WrongAnswer, check, excluded, send, stale, unlisted
from bench.targets import prepare
from tests.perf.world import small_world
from tests.shared import fresh, shared_data

pytestmark = pytest.mark.django_db


def make() -> object:
    return prepare(small_world(people=12, communications=30))


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    yield from shared_data(django_db_blocker, make)


@pytest.fixture
def targets(shared):
    return fresh(shared)


def signed_in(targets, role: str) -> Client:
    client = Client()
    client.force_login(targets.user(role))
    return client


@pytest.mark.parametrize("route", ROUTES, ids=[route.title for route in ROUTES])
def test_the_route_answers_within_its_query_budget(targets, route: Route):
    client = signed_in(targets, route.role)
    check(route, targets, send(client, route, targets))
    with CaptureQueriesContext(connection) as captured:
        response = send(client, route, targets)
    check(route, targets, response)
    budgets = BUDGETS.get(route.title)
    assert budgets is not None, f"no budget for {route.title}: today it makes {len(captured)}"
    budget = budgets[connection.vendor == "postgresql"]
    assert len(captured) <= budget, (
        f"{route.title} made {len(captured)} queries; its budget is {budget}:\n"
        + "\n".join(query["sql"][:160] for query in captured.captured_queries)
    )


def test_every_route_is_timed_or_excluded_with_a_reason():
    assert unlisted() == [], "add these routes to bench/routes.py, timed or excluded"
    assert stale() == [], "bench/routes.py names routes that are gone"
    assert all(reason for reason in excluded().values())


def test_each_route_is_named_once_and_has_a_budget():
    titles = [route.title for route in ROUTES]
    assert len(titles) == len(set(titles))
    assert set(BUDGETS) == set(titles)


def test_a_page_that_answers_a_404_or_an_empty_list_fails_the_check(targets):
    client = signed_in(targets, "advocate")
    route = next(r for r in ROUTES if r.key == "GET /api/v1/threats")
    assert route.marker(targets)
    # A 200 that does not hold the threat (as an empty list would not).
    with pytest.raises(WrongAnswer):
        check(route, targets, client.get("/api/v1/referrals/inbox"))
    page = next(r for r in ROUTES if r.title == "case page")
    with pytest.raises(WrongAnswer):
        check(page, targets, client.get("/cases/00000000-0000-0000-0000-000000000000/"))
