"""Shelter on the case page, and what a stay no longer opens: the case page
says where the person stays today (a site by its alias and bed, or "at a
partner"), never the address; shelter staff of the person's site do not
open the whole case because of the stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.core.errors import NotFound
from haven.people.selectors import case_get
from haven.shelter.models import Bed
from tests.factories import record_intake
from tests.shelter.places import site_of, stay_at

pytestmark = pytest.mark.django_db

SEALED = {"name": "Synthetic Cedar Refuge", "address": "77 Hidden Lane", "phone": "608 555 0177"}


def page(client, case) -> str:
    response = client.get(reverse("desk:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def block(body: str) -> str:
    start = body.index('id="shelter"')
    return body[start : body.index("</section>", start)]


@pytest.fixture
def site(team):
    return site_of(team, "Site A", beds=2, **SEALED)


def test_the_case_page_names_the_site_and_bed_never_the_address(client_for, advocate, team, site):
    case = record_intake(actor=advocate, team=team)
    bed = Bed.objects.get(site=site, label="Bed 2")
    since = timezone.localdate() - timedelta(days=3)
    stay_at(case, site, actor=advocate, bed=bed, starts_on=since)
    body = page(client_for(advocate), case)
    shown = block(body)
    assert "Site A, Room 1 · Bed 2" in shown
    assert since.isoformat() in shown
    for secret in ("Cedar", "Hidden Lane", "555 0177"):
        assert secret not in body


def test_a_placement_at_a_partner_says_only_that(client_for, advocate, team):
    case = record_intake(actor=advocate, team=team)
    stay_at(case, None, actor=advocate, location="Synthetic Partner Town")
    shown = block(page(client_for(advocate), case))
    assert "At a partner" in shown
    assert "Synthetic Partner Town" not in shown


def test_a_stay_that_ended_is_not_where_the_person_stays(client_for, advocate, team, site):
    case = record_intake(actor=advocate, team=team)
    today = timezone.localdate()
    stay_at(case, site, actor=advocate, starts_on=today - timedelta(days=9), ends_on=today)
    shown = block(page(client_for(advocate), case))
    assert "Not staying at a shelter today." in shown
    assert "Site A" not in shown


def test_the_block_in_spanish(client_for, advocate, team, site):
    case = record_intake(actor=advocate, team=team)
    stay_at(case, site, actor=advocate)
    advocate.language = "es"
    advocate.save(update_fields=["language"])
    body = page(client_for(advocate), case)
    assert "Site A (aún sin cama)" in block(body)
    assert "Se aloja en" in block(body)


def test_intake_sees_no_shelter_block_on_their_own_minimal_intake(client_for, intake, team, site):
    case = record_intake(actor=intake, team=team)
    stay_at(case, site, actor=intake)
    body = page(client_for(intake), case)
    assert 'id="shelter"' not in body
    assert "Site A" not in body


def test_shelter_staff_of_the_site_do_not_open_the_residents_case(
    client_for, advocate, shelter, team, site
):
    case = record_intake(actor=advocate, team=team)
    stay_at(case, site, actor=advocate)
    assert site.team_id in set(shelter.memberships.values_list("team_id", flat=True))
    with pytest.raises(NotFound):
        case_get(user=shelter, case_id=case.pk)
    response = client_for(shelter).get(reverse("desk:case_detail", args=[case.pk]))
    assert response.status_code == 404
    # Assigned to the case, like anyone who works cases, they open it and see the stay.
    case.assigned.add(shelter)
    assert "Site A" in block(page(client_for(shelter), case))
