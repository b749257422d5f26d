"""Stays over the JSON API: the same rules as the pages. Admitting,
moving, ending and check-ins by who may; occupancy on a past night after a
move; residents only for the site's own staff; 404 and nothing written for
everyone else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haven.accounts.api_tokens import api_token_create
from haven.shelter.models import CheckIn, Stay
from tests.shelter.stays_world import bed_of, days_ago

pytestmark = pytest.mark.django_db
# The shelter tests' sites, beds and cases.

API = "/api/v1"


class Api:
    def __init__(self, user) -> None:
        self.client = Client(enforce_csrf_checks=True)
        token = api_token_create(user=user, lifetime=timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str, data: Any = None):
        return self.client.get(url, data, **self.headers)

    def post(self, url: str, data: Any = None):
        return self.client.post(url, data or {}, content_type="application/json", **self.headers)


def test_admit_move_and_occupancy_on_a_past_night(advocate, case, site_a, site_b):
    api = Api(advocate)
    admitted = api.post(
        f"{API}/cases/{case.pk}/stays",
        {"bed": bed_of(site_a).pk, "starts_on": days_ago(3).isoformat()},
    )
    assert admitted.status_code == 201, admitted.content
    stay_id = admitted.json()["id"]
    assert admitted.json()["site_alias"] == "Site A"
    moved = api.post(
        f"{API}/stays/{stay_id}/move", {"bed": bed_of(site_b).pk, "on": days_ago(1).isoformat()}
    )
    assert moved.status_code == 201
    night = api.get(f"{API}/sites/{site_a.pk}/occupancy", {"day": days_ago(2).isoformat()})
    assert night.status_code == 200
    assert (night.json()["taken"], night.json()["free"], night.json()["residents"]) == (1, 1, None)
    tonight = api.get(f"{API}/sites/{site_a.pk}/occupancy").json()
    assert tonight["taken"] == 0
    # An advocate is not the site's staff: no residents, even tonight.
    assert api.get(f"{API}/sites/{site_b.pk}/occupancy").json()["residents"] is None
    stays = api.get(f"{API}/cases/{case.pk}/stays").json()
    assert [(s["site_alias"], s["outcome"]) for s in stays] == [("Site B", ""), ("Site A", "moved")]


def test_bad_input_is_a_422_and_changes_nothing(advocate, case, second_case, site_a):
    api = Api(advocate)
    api.post(f"{API}/cases/{case.pk}/stays", {"bed": bed_of(site_a).pk})
    taken = api.post(f"{API}/cases/{second_case.pk}/stays", {"bed": bed_of(site_a).pk})
    assert taken.status_code == 422
    assert taken.json()["detail"][0]["loc"] == ["body", "bed"]
    stay = Stay.objects.get()
    early = api.post(
        f"{API}/stays/{stay.pk}/end",
        {"outcome": "family", "ends_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
    )
    assert early.status_code == 422
    assert Stay.objects.get().ends_on is None
    assert Stay.objects.count() == 1


def test_the_sites_staff_see_residents_and_record_check_ins(advocate, shelter, case, site_a):
    Api(advocate).post(f"{API}/cases/{case.pk}/stays", {"bed": bed_of(site_a).pk})
    stay = Stay.objects.get()
    api = Api(shelter)
    (resident,) = api.get(f"{API}/sites/{site_a.pk}/occupancy").json()["residents"]
    assert (resident["name"], resident["check_in_due"]) == ("Guadalupe Ramírez Soto", True)
    seen = api.post(f"{API}/stays/{stay.pk}/check-ins", {"wellbeing": "fine", "note": "ok"})
    assert seen.status_code == 201
    (resident,) = api.get(f"{API}/sites/{site_a.pk}/occupancy").json()["residents"]
    assert resident["check_in_due"] is False


@pytest.mark.parametrize("who", ["shelter_b", "intake", "auditor", "admin_user", "outsider"])
def test_everyone_else_gets_404_and_nothing_is_written(request, who, advocate, case, site_a):
    Api(advocate).post(f"{API}/cases/{case.pk}/stays", {"bed": bed_of(site_a).pk})
    stay = Stay.objects.get()
    api = Api(request.getfixturevalue(who))
    assert api.get(f"{API}/cases/{case.pk}/stays").status_code == 404
    assert api.post(f"{API}/stays/{stay.pk}/end", {"outcome": "left"}).status_code == 404
    assert api.post(f"{API}/stays/{stay.pk}/check-ins", {"wellbeing": "fine"}).status_code == 404
    assert api.post(f"{API}/stays/{stay.pk}/compromised").status_code == 404
    occupancy = api.get(f"{API}/sites/{site_a.pk}/occupancy")
    assert occupancy.status_code in (200, 404)
    if occupancy.status_code == 200:
        assert occupancy.json()["residents"] is None
    stay.refresh_from_db()
    assert (stay.ends_on, stay.compromised_at) == (None, None)
    assert not CheckIn.objects.exists()
