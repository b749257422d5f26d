"""The agency's teams and staff over the API: the ids a client needs to
record a person or assign a case, with roles only for those who oversee
staff, and nothing of another agency."""

from __future__ import annotations

import pytest

from haven.accounts.models import Membership, Role
from tests.factories import TeamFactory, make_staff

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def closed_team(agency):
    return TeamFactory(agency=agency, name="Closed Team", is_active=False)


def test_teams_lists_the_agencys_active_teams(client_for, intake, team, other_team, closed_team):
    body = client_for(intake).get(f"{API}/teams").json()
    assert body == sorted(
        [{"id": team.pk, "name": team.name}, {"id": other_team.pk, "name": other_team.name}],
        key=lambda t: t["name"],
    )


def test_a_team_id_from_the_list_records_a_person(client_for, intake, team):
    client = client_for(intake)
    team_id = client.get(f"{API}/teams").json()[0]["id"]
    created = client.post(
        f"{API}/people",
        {"team_id": team_id, "danger": "no", "preferred_name": "Emilia Cazares Carrera"},
        content_type="application/json",
    )
    assert created.status_code == 201


def test_staff_lists_names_and_ids_without_roles_for_casework(
    client_for, advocate, supervisor, team, agency
):
    gone = make_staff(agency=agency, role=Role.ADVOCATE, team=team, display_name="Gone Staff")
    gone.is_active = False
    gone.save()
    body = client_for(advocate).get(f"{API}/staff").json()
    by_id = {s["id"]: s for s in body}
    assert by_id[supervisor.pk] == {
        "id": supervisor.pk,
        "name": supervisor.display_name,
        "team_ids": [team.pk],
        "roles": None,
    }
    assert gone.pk not in by_id
    assert [s["name"] for s in body] == sorted(s["name"] for s in body)


@pytest.mark.parametrize("persona", ["admin_user", "supervisor", "auditor"])
def test_those_who_oversee_staff_see_roles(client_for, request, persona, advocate, team):
    Membership.objects.create(user=advocate, role=Role.INTAKE, team=None)
    body = client_for(request.getfixturevalue(persona)).get(f"{API}/staff").json()
    mine = next(s for s in body if s["id"] == advocate.pk)
    assert mine["roles"] == [
        {"role": "advocate", "team_id": team.pk},
        {"role": "intake", "team_id": None},
    ]


def test_another_agency_is_not_listed(client_for, advocate, outsider, other_agency):
    other = TeamFactory(agency=other_agency, name="Synthetic Elsewhere Team")
    client = client_for(advocate)
    assert outsider.pk not in {s["id"] for s in client.get(f"{API}/staff").json()}
    assert other.pk not in {t["id"] for t in client.get(f"{API}/teams").json()}


def test_without_a_role_the_lists_are_not_found(client_for, agency):
    from tests.factories import UserFactory

    nobody = UserFactory(agency=agency)
    client = client_for(nobody)
    # Refused before the route (no role, no API), or by the route itself.
    for path in ("staff", "teams"):
        answer = client.get(f"{API}/{path}")
        assert answer.status_code in {403, 404}
        assert b"name" not in answer.content


def test_the_lists_need_a_session(client):
    assert client.get(f"{API}/staff").status_code == 401
    assert client.get(f"{API}/teams").status_code == 401
