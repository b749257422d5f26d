"""Reports over the API: the published figures only, the same rule and the
same refusals as the pages."""

from __future__ import annotations

import json

import pytest

from conftest import spare_code
from haven.jobs.models import Job
from haven.reports.jobs import STEPS
from haven.reports.models import ReportSettings
from tests.reports.conftest import Q1, Population, seed_population

pytestmark = pytest.mark.django_db

Q1_QUERY = {"start": Q1[0].isoformat(), "end": Q1[1].isoformat()}


@pytest.fixture
def population(agency, team, other_team) -> Population:
    return seed_population(agency, team, other_team)


def _table(body: dict, key: str) -> dict:
    return next(t for t in body["tables"] if t["key"] == key)


def _start(client, body: dict):
    return client.post("/api/v1/reports/runs", json.dumps(body), content_type="application/json")


def _run(client, body: dict = Q1_QUERY, layout: str = "summary") -> dict:
    started = _start(client, body)
    assert started.status_code == 202
    run_id = started.json()["id"]
    response = client.get(f"/api/v1/reports/runs/{run_id}", {"layout": layout})
    assert response.status_code == 200
    assert response.json()["state"] == "done"
    return response.json()


def test_the_auditor_reads_the_published_figures(client_for, auditor, population):
    run = _run(client_for(auditor))
    # One progress step per section of the report.
    assert (run["done"], run["total"]) == (len(STEPS), len(STEPS))
    body = run["report"]
    assert body["threshold"] == 5
    served = _table(body, "served")
    assert [r["figures"][0] for r in served["rows"]] == [
        {"value": 15, "shown": "15"},
        {"value": None, "shown": "<5"},
    ]
    assert served["totals"] == [{"value": 20, "shown": "20"}]
    assert "Synthetic Report Person" not in json.dumps(run)


def test_the_funder_layout_over_the_api(client_for, supervisor, population):
    body = _run(client_for(supervisor), layout="funder")["report"]
    assert [t["key"] for t in body["tables"]] == [
        "served",
        "age",
        "trafficking",
        "gender",
        "services",
        "referred",
        "professionals",
    ]


def test_a_run_is_its_creators_alone(client_for, auditor, admin_user, outsider):
    run_id = _start(client_for(auditor), Q1_QUERY).json()["id"]
    for other in (admin_user, outsider):
        response = client_for(other).get(f"/api/v1/reports/runs/{run_id}")
        assert response.status_code == 404
    assert client_for(auditor).get("/api/v1/reports/runs/not-a-uuid").status_code == 404


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter"])
def test_others_get_a_404(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert _start(client, Q1_QUERY).status_code == 404
    assert client.get("/api/v1/reports/settings").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-03-31", "end": "2026-01-01"},
        {"start": "2026-01-01", "end": "31/03/2026"},
        {"start": "2026-01-01"},
        {**Q1_QUERY, "team": 999999},
        {**Q1_QUERY, "team": 0},
        {**Q1_QUERY, "team": "x"},
        {**Q1_QUERY, "team": "1"},
        {**Q1_QUERY, "extra": "field"},
    ],
)
def test_bad_periods_and_teams_answer_422(client_for, auditor, body):
    response = _start(client_for(auditor), body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not Job.objects.exists()


def test_the_threshold_over_the_api(client_for, admin_user, auditor):
    client = client_for(admin_user)
    assert client.get("/api/v1/reports/settings").json() == {"threshold": 5, "version": 1}
    changed = client.put(
        "/api/v1/reports/settings",
        json.dumps({"threshold": 11, "version": 1, "second_factor": spare_code(admin_user)}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json() == {"threshold": 11, "version": 2}
    stale = client.put(
        "/api/v1/reports/settings",
        json.dumps({"threshold": 3, "version": 1, "second_factor": spare_code(admin_user)}),
        content_type="application/json",
    )
    assert stale.status_code == 422
    assert ReportSettings.objects.get(agency=admin_user.agency).threshold == 11


@pytest.mark.parametrize("threshold", [0, -1, 51, "5", 2.5, None])
def test_a_bad_threshold_over_the_api_changes_nothing(client_for, admin_user, threshold):
    response = client_for(admin_user).put(
        "/api/v1/reports/settings",
        json.dumps({"threshold": threshold, "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not ReportSettings.objects.exists()


def test_the_auditor_may_not_change_the_threshold(client_for, auditor):
    response = client_for(auditor).put(
        "/api/v1/reports/settings",
        json.dumps({"threshold": 2, "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 404
