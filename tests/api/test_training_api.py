"""Training over the JSON API: the same rules as the pages.

Administrators record; administrators, supervisors and auditors read the
agency's records and events; everyone reads their own records and refreshers.
Another agency gets 404; a bad body is a located 422 with nothing written.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haven.accounts.api_tokens import api_token_create
from haven.partners.models import Organization
from haven.training.models import Event, Record
from tests.training.conftest import database_state, every, topic, train

pytestmark = pytest.mark.django_db

API = "/api/v1"
TRAININGS = f"{API}/trainings"


class Api:
    def __init__(self, user) -> None:
        self.client = Client(enforce_csrf_checks=True)
        token = api_token_create(user=user, lifetime=timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str, data: Any = None):
        return self.client.get(url, data, **self.headers)

    def post(self, url: str, data: Any):
        return self.client.post(url, data, content_type="application/json", **self.headers)


@pytest.fixture
def partner(agency):
    return Organization.objects.create(agency=agency, name="Synthetic Legal Aid")


def _body(staff, **changes):
    return {
        "staff_id": staff.pk,
        "topic_id": topic("laws").pk,
        "completed_on": "2025-01-02",
        "hours": "1.5",
        **changes,
    }


def test_an_administrator_records_a_training(admin_user, advocate, partner):
    response = Api(admin_user).post(
        TRAININGS, _body(advocate, partner_id=str(partner.pk), provider="  Coalition  ")
    )
    assert response.status_code == 201, response.content
    data = response.json()
    record = Record.objects.get()
    assert data["id"] == str(record.pk)
    assert (data["staff_id"], data["topic"], data["hours"], data["provider"]) == (
        advocate.pk,
        "Trafficking laws",
        "1.50",
        "Coalition",
    )
    assert data["partner_id"] == str(partner.pk)


@pytest.mark.parametrize("who", ["advocate", "supervisor", "auditor"])
def test_only_administrators_record(request, advocate, who):
    api = Api(request.getfixturevalue(who))
    before = database_state()
    assert api.post(TRAININGS, _body(advocate)).status_code == 404
    assert database_state() == before


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"hours": "0"}, ["body", "hours"]),
        ({"hours": 40.5}, ["body", "hours"]),
        ({"hours": "NaN"}, ["body", "hours"]),
        ({"hours": "1.234"}, ["body", "hours"]),
        ({"completed_on": "1989-12-31"}, ["body", "completed_on"]),
        ({"completed_on": "2999-01-01"}, ["body", "completed_on"]),
        ({"completed_on": "2025-02-30"}, ["body", "completed_on"]),
        ({"topic_id": 999999}, ["body", "topic_id"]),
        ({"provider": "x" * 201}, ["body", "provider"]),
        ({"surprise": 1}, ["body", "surprise"]),
    ],
)
def test_a_bad_body_is_located(admin_user, advocate, changes, where):
    api = Api(admin_user)
    before = database_state()
    response = api.post(TRAININGS, _body(advocate, **changes))
    assert response.status_code == 422, response.content
    assert where in [problem["loc"] for problem in response.json()["detail"]]
    assert database_state() == before


def test_another_agencys_staff_is_refused(admin_user, outsider):
    response = Api(admin_user).post(TRAININGS, _body(outsider))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "staff_id"]


def test_who_lists_and_reads_which_records(admin_user, advocate, supervisor, intake, outsider):
    mine = train(admin_user, advocate, "laws", date(2025, 1, 2))
    theirs = train(admin_user, intake, "dynamics", date(2024, 1, 2))
    listed = {
        u.username: {i["id"] for i in Api(u).get(TRAININGS).json()["items"]}
        for u in (advocate, supervisor, outsider)
    }
    assert listed == {
        "t-advocate": {str(mine.pk)},
        "t-supervisor": {str(mine.pk), str(theirs.pk)},
        "t-outsider": set(),
    }
    assert Api(advocate).get(f"{TRAININGS}/{theirs.pk}").status_code == 404
    assert Api(outsider).get(f"{TRAININGS}/{mine.pk}").status_code == 404
    assert Api(supervisor).get(f"{TRAININGS}/{mine.pk}").json()["id"] == str(mine.pk)
    assert Api(supervisor).get(f"{TRAININGS}/not-a-uuid").status_code == 404


def test_records_are_filtered(admin_user, advocate, auditor):
    train(admin_user, advocate, "laws", date(2025, 1, 2))
    kept = train(admin_user, advocate, "laws", date(2025, 3, 2))
    train(admin_user, admin_user, "laws", date(2025, 3, 2))
    response = Api(auditor).get(
        TRAININGS,
        {
            "staff_id": advocate.pk,
            "topic_id": topic("laws").pk,
            "start": "2025-02-01",
            "end": "2025-12-31",
        },
    )
    assert [i["id"] for i in response.json()["items"]] == [str(kept.pk)]


def test_my_refreshers(admin_user, advocate):
    every(admin_user, "laws", 12)
    today = timezone.localdate()
    train(admin_user, advocate, "laws", today - timedelta(days=400))
    assert Api(advocate).get(f"{TRAININGS}/due").json() == [
        {
            "topic_id": topic("laws").pk,
            "topic": "Trafficking laws",
            "months": 12,
            "latest": (today - timedelta(days=400)).isoformat(),
            "due_on": _due(today - timedelta(days=400)),
            "state": "overdue",
        }
    ]


def _due(day: date) -> str:
    from haven.training.selectors import add_months

    return add_months(day, 12).isoformat()


def test_events_over_the_api(admin_user, advocate, supervisor, partner, outsider):
    response = Api(admin_user).post(
        f"{TRAININGS}/events",
        {
            "topic_id": topic("dynamics").pk,
            "title": "In-service",
            "held_on": "2025-03-04",
            "hours": 2,
            "staff_ids": [advocate.pk, supervisor.pk],
            "partner_ids": [str(partner.pk)],
            "outside_professionals": 5,
        },
    )
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert response.json()["staff_ids"] == sorted([advocate.pk, supervisor.pk])
    assert Record.objects.filter(event=event).count() == 2
    assert [e["id"] for e in Api(supervisor).get(f"{TRAININGS}/events").json()["items"]] == [
        str(event.pk)
    ]
    assert Api(advocate).get(f"{TRAININGS}/events").status_code == 404
    assert Api(outsider).get(f"{TRAININGS}/events").json()["items"] == []
    api = Api(admin_user)
    before = database_state()
    response = api.post(
        f"{TRAININGS}/events",
        {
            "topic_id": topic("dynamics").pk,
            "title": "In-service",
            "held_on": "2025-03-04",
            "hours": 2,
            "staff_ids": [advocate.pk, outsider.pk],
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "staff_ids"]
    assert database_state() == before


def test_topics_with_their_intervals(admin_user, advocate, outsider):
    from haven.training import services

    services.topic_add(actor=outsider, name="Elsewhere topic")
    every(admin_user, "laws", 24)
    topics = Api(advocate).get(f"{TRAININGS}/topics").json()
    assert len(topics) == 7
    assert topics[1] == {
        "id": topic("laws").pk,
        "label": "Trafficking laws",
        "shipped": True,
        "refresher_months": 24,
    }
