"""Preparedness over the JSON API: the same rules as the pages.

Every staff member reads and acknowledges the policies; administrators add
them and record reviews; administrators and supervisors record partner
meetings, which advocates and auditors also read; agreements are read by
administrators, supervisors and auditors. Anything else, and every other
agency, is a 404 with nothing written; a bad body is a located 422.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

import pytest
from django.test import Client

from haven.accounts.api_tokens import api_token_create
from haven.api import preparedness as preparedness_api
from haven.preparedness import services
from haven.preparedness.models import MeetingKind, PartnerMeeting, PolicyDocument, PolicyKind
from tests.preparedness.conftest import (
    agreement_values,
    database_state,
    days_ago,
    make_org,
    make_policy,
    meeting_values,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOT_FOUND = {"detail": "Not Found"}


class Api:
    def __init__(self, user) -> None:
        self.client = Client(enforce_csrf_checks=True)
        token = api_token_create(user=user, lifetime=timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str, data: Any = None):
        return self.client.get(url, data, **self.headers)

    def post(self, url: str, data: Any = None):
        body = {} if data is None else data
        return self.client.post(url, body, content_type="application/json", **self.headers)


def test_the_codes_listed_in_the_schema_are_the_models_codes():
    assert set(get_args(preparedness_api.PolicyKindCode)) == set(PolicyKind.values)
    assert set(get_args(preparedness_api.MeetingKindCode)) == set(MeetingKind.values)


def test_an_administrator_adds_a_policy_and_staff_acknowledge_it(admin_user, advocate, outsider):
    created = Api(admin_user).post(
        f"{API}/policies",
        {"kind": "identification", "title": "Spotting  the signs", "owner_id": advocate.pk},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["title"], body["version"], body["state"], body["versions"]) == (
        "Spotting the signs",
        None,
        "no_version",
        [],
    )
    document = make_policy(admin_user, kind="encounter", title="Encounter")
    staff = Api(advocate)
    listing = staff.get(f"{API}/policies").json()
    assert [(p["title"], p["version"], p["acknowledged_by_me"]) for p in listing] == [
        ("Encounter", 1, False),
        ("Spotting the signs", None, False),
    ]
    detail = staff.get(f"{API}/policies/{document.pk}").json()
    assert [v["number"] for v in detail["versions"]] == [1]
    assert detail["versions"][0]["file"]["content_type"] == "application/pdf"
    done = staff.post(f"{API}/policies/{document.pk}/acknowledge", {"version": 1})
    assert done.status_code == 201
    assert done.json()["version"] == 1
    again = staff.post(f"{API}/policies/{document.pk}/acknowledge", {"version": 1})
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body"]
    assert Api(outsider).get(f"{API}/policies/{document.pk}").json() == NOT_FOUND
    assert (
        Api(outsider).post(f"{API}/policies/{document.pk}/acknowledge", {"version": 1}).status_code
        == 404
    )


def test_only_administrators_add_policies_and_record_reviews(all_personas, outsider):
    admin = all_personas["admin"]
    document = make_policy(admin)
    review = {
        "version": 1,
        "reviewed_on": days_ago(0).isoformat(),
        "next_review_on": days_ago(-400).isoformat(),
    }
    body = {"kind": "other", "title": "Another", "owner_id": admin.pk}
    for role, user in {**all_personas, "outsider": outsider}.items():
        if role == "admin":
            continue
        api = Api(user)
        before = database_state()
        assert api.post(f"{API}/policies/{document.pk}/reviews", review).status_code == 404
        if role != "outsider":
            assert api.post(f"{API}/policies", body).status_code == 404, role
        assert database_state() == before
    done = Api(admin).post(f"{API}/policies/{document.pk}/reviews", review)
    assert done.status_code == 201, done.content
    assert done.json()["next_review_on"] == days_ago(-400).isoformat()
    assert done.json()["reviews"][0]["outcome"] == "no_changes"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "other", "title": "", "owner_id": None}, ["body", "owner_id"]),
        ({"kind": "nope", "title": "T", "owner_id": 1}, ["body", "kind"]),
        ({"kind": "other", "title": "A\u202eB", "owner_id": 1}, ["body", "title"]),
        ({"kind": "other", "title": "x" * 201, "owner_id": 1}, ["body", "title"]),
    ],
)
def test_bad_policy_bodies_are_located_422s(admin_user, body, loc):
    api = Api(admin_user)
    before = database_state()
    response = api.post(f"{API}/policies", body)
    assert response.status_code == 422
    assert loc in [p["loc"] for p in response.json()["detail"]]
    assert database_state() == before


def test_refusals_of_the_service_are_located(admin_user, outsider):
    api = Api(admin_user)
    before = database_state()
    empty = api.post(f"{API}/policies", {"kind": "other", "title": "  ", "owner_id": outsider.pk})
    assert empty.status_code == 422
    locs = [p["loc"] for p in empty.json()["detail"]]
    assert ["body", "title"] in locs
    assert ["body", "owner_id"] in locs
    document = make_policy(admin_user)
    before = database_state()
    late = api.post(
        f"{API}/policies/{document.pk}/reviews",
        {
            "version": 1,
            "reviewed_on": days_ago(0).isoformat(),
            "next_review_on": days_ago(1).isoformat(),
        },
    )
    assert late.status_code == 422
    assert late.json()["detail"][0]["loc"] == ["body", "next_review_on"]
    assert database_state() == before


def test_partner_meetings_over_the_api(all_personas, agency, outsider):
    org = make_org(agency)
    supervisor = all_personas["supervisor"]
    created = Api(supervisor).post(
        f"{API}/partner-meetings",
        {
            "kind": "law_enforcement",
            "held_on": days_ago(2).isoformat(),
            "organization_id": str(org.pk),
            "staff_ids": [supervisor.pk],
            "agreements": "A shared protocol.",
            "follow_ups": "Send the draft.",
            "follow_up_due": days_ago(-5).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["partner_name"] == org.name
    for role, user in {**all_personas, "outsider": outsider}.items():
        listing = Api(user).get(f"{API}/partner-meetings")
        if role in {"advocate", "supervisor", "admin", "auditor"}:
            assert listing.json()["total"] == 1, role
            assert listing.json()["items"][0]["agreements"] == "A shared protocol."
        elif role == "outsider":
            assert listing.json()["total"] == 0
        else:
            assert listing.status_code == 404, role
    apis = {role: Api(all_personas[role]) for role in ("advocate", "auditor", "intake")}
    writer = Api(supervisor)
    before = database_state()
    for role in ("advocate", "auditor", "intake"):
        response = apis[role].post(
            f"{API}/partner-meetings",
            {"kind": "other", "held_on": days_ago(1).isoformat(), "partner_name": "X"},
        )
        assert response.status_code == 404
    future = writer.post(
        f"{API}/partner-meetings",
        {"kind": "other", "held_on": days_ago(-1).isoformat(), "partner_name": "X"},
    )
    assert future.status_code == 422
    assert future.json()["detail"][0]["loc"] == ["body", "held_on"]
    foreign = writer.post(
        f"{API}/partner-meetings",
        {
            "kind": "other",
            "held_on": days_ago(1).isoformat(),
            "staff_ids": [outsider.pk],
            "partner_name": "X",
        },
    )
    assert foreign.json()["detail"][0]["loc"] == ["body", "staff_ids"]
    assert database_state() == before
    assert PartnerMeeting.objects.count() == 1


def test_partner_agreements_over_the_api(all_personas, agency, outsider):
    admin = all_personas["admin"]
    org = make_org(agency)
    services.agreement_record(actor=admin, values=agreement_values(org, expires_on=days_ago(-10)))
    for role, user in {**all_personas, "outsider": outsider}.items():
        response = Api(user).get(f"{API}/partner-agreements")
        if role in {"supervisor", "admin", "auditor"}:
            [row] = response.json()
            assert (row["organization_name"], row["state"], row["superseded"]) == (
                org.name,
                "expiring",
                False,
            )
        elif role == "outsider":
            assert response.json() == []
        else:
            assert response.status_code == 404, role


def test_a_meeting_recorded_by_the_api_is_not_on_a_foreign_agencys_page(supervisor, outsider):
    services.meeting_save(actor=supervisor, values=meeting_values())
    assert Api(outsider).get(f"{API}/partner-meetings").json()["items"] == []
    assert PolicyDocument.objects.count() == 0
