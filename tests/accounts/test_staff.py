"""Administrators change roles and deactivate accounts; nothing is deleted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from haven.accounts.models import Membership, Role, User
from haven.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def roles_of(user):
    return sorted(user.memberships.values_list("role", "team_id"))


def test_admin_changes_roles_and_it_is_audited(stepped_up, admin_user, advocate, other_team):
    response = stepped_up(admin_user).post(
        reverse("accounts:staff_detail", args=[advocate.pk]),
        {"roles": [Role.SUPERVISOR, Role.INTAKE], "team": other_team.pk},
    )
    assert response.status_code == 302
    assert roles_of(advocate) == sorted([(Role.INTAKE, None), (Role.SUPERVISOR, other_team.pk)])
    event = AuditEvent.objects.get(action=Action.ROLES_CHANGED, object_id=str(advocate.pk))
    assert event.actor_id == admin_user.pk
    assert event.detail["after"] == [["intake", None], ["supervisor", other_team.pk]]


def test_roles_form_refuses_empty_roles_and_changes_nothing(client_for, admin_user, advocate):
    before = roles_of(advocate)
    response = client_for(admin_user).post(
        reverse("accounts:staff_detail", args=[advocate.pk]), {"roles": []}
    )
    assert response.status_code == 400
    assert roles_of(advocate) == before


def test_roles_form_refuses_unknown_role(client_for, admin_user, advocate, team):
    before = roles_of(advocate)
    response = client_for(admin_user).post(
        reverse("accounts:staff_detail", args=[advocate.pk]),
        {"roles": ["superuser"], "team": team.pk},
    )
    assert response.status_code == 400
    assert roles_of(advocate) == before


def test_last_administrator_cannot_drop_the_role(stepped_up, admin_user):
    response = stepped_up(admin_user).post(
        reverse("accounts:staff_detail", args=[admin_user.pk]), {"roles": [Role.AUDITOR]}
    )
    assert response.status_code == 400
    assert b"at least one active administrator" in response.content
    assert roles_of(admin_user) == [(Role.ADMIN, None)]


def test_deactivation_ends_sessions_and_keeps_the_account(stepped_up, admin_user, advocate):
    victim = Client()
    victim.force_login(advocate)
    assert victim.get(reverse("desk:dashboard")).status_code == 200
    response = stepped_up(admin_user).post(reverse("accounts:staff_deactivate", args=[advocate.pk]))
    assert response.status_code == 302
    advocate.refresh_from_db()
    assert not advocate.is_active
    assert User.objects.filter(pk=advocate.pk).exists()
    assert Membership.objects.filter(user=advocate).count() == 1
    assert victim.get(reverse("desk:dashboard")).status_code == 302
    event = AuditEvent.objects.get(action=Action.STAFF_DEACTIVATED)
    assert event.detail == {"sessions_ended": 1, "api_tokens_revoked": 0}


def test_deactivated_user_cannot_sign_in(client, admin_user, advocate, stepped_up):
    stepped_up(admin_user).post(reverse("accounts:staff_deactivate", args=[advocate.pk]))
    fresh = Client()
    response = fresh.post(
        reverse("account_login"),
        {"login": advocate.username, "password": "correct horse battery staple 42"},
    )
    assert "_auth_user_id" not in fresh.session
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert response["Location"] != reverse("mfa_authenticate")


def test_reactivation_restores_sign_in(client_for, admin_user, advocate):
    client = client_for(admin_user)
    client.post(reverse("accounts:staff_deactivate", args=[advocate.pk]))
    client.post(reverse("accounts:staff_reactivate", args=[advocate.pk]))
    advocate.refresh_from_db()
    assert advocate.is_active


def test_administrator_cannot_deactivate_themself(client_for, admin_user):
    client_for(admin_user).post(reverse("accounts:staff_deactivate", args=[admin_user.pk]))
    admin_user.refresh_from_db()
    assert admin_user.is_active


@pytest.mark.parametrize("persona", ["advocate", "supervisor", "intake", "shelter", "auditor"])
def test_non_administrators_get_404_on_staff_pages(client_for, all_personas, persona):
    target = all_personas["advocate"] if persona != "advocate" else all_personas["intake"]
    client = client_for(all_personas[persona])
    before = roles_of(target)
    assert client.get(reverse("accounts:staff_list")).status_code == 404
    assert client.get(reverse("accounts:staff_detail", args=[target.pk])).status_code == 404
    assert (
        client.post(
            reverse("accounts:staff_detail", args=[target.pk]), {"roles": [Role.ADMIN]}
        ).status_code
        == 404
    )
    assert client.post(reverse("accounts:staff_deactivate", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.is_active
    assert roles_of(target) == before


def test_team_is_created_once_per_name(client_for, admin_user, team):
    client = client_for(admin_user)
    assert client.post(reverse("accounts:team_create"), {"name": "West"}).status_code == 302
    response = client.post(reverse("accounts:team_create"), {"name": team.name.upper()})
    assert response.status_code == 400
    assert admin_user.agency.teams.count() == 2


def test_language_preference_is_stored_and_audited(client_for, advocate):
    client = client_for(advocate)
    response = client.post(reverse("accounts:preferences"), {"language": "es"})
    assert response.status_code == 302
    advocate.refresh_from_db()
    assert advocate.language == "es"
    page = client.get(reverse("desk:dashboard"))
    assert page["Content-Language"] == "es"
    assert b'<html lang="es">' in page.content
    assert AuditEvent.objects.filter(action=Action.LANGUAGE_CHANGED).count() == 1


def test_unknown_language_is_refused(client_for, advocate):
    response = client_for(advocate).post(reverse("accounts:preferences"), {"language": "xx"})
    assert response.status_code == 400
    advocate.refresh_from_db()
    assert advocate.language == "en"
