"""Attacks on agency isolation and on roles that Haven resists (regressions).

Attackers: another agency's administrator, an intake worker trying to
escalate, a non-auditor reaching for the audit trail.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from haven.accounts.models import Membership
from haven.audit.models import AuditEvent
from haven.core.models import Team
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

MISSING_PK = 987654


def _snapshot(member):
    member.refresh_from_db()
    return (
        member.is_active,
        member.password,
        sorted(member.memberships.values_list("role", "team_id")),
        list(member.invitations.values_list("pk", "revoked_at", "used_at")),
    )


def _main(response) -> bytes:
    """The page without its per-request tokens."""
    body = response.content
    return body.split(b"<main", 1)[-1].split(b"</main>", 1)[0]


# --- Another agency's administrator -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("accounts:staff_detail", "get", None),
        ("accounts:staff_detail", "post", {"roles": ["admin"]}),
        ("accounts:staff_deactivate", "post", {}),
        ("accounts:staff_reactivate", "post", {}),
        ("accounts:staff_reinvite", "post", {}),
    ],
)
def test_other_agency_admin_gets_the_same_404_as_for_a_missing_id(
    client_for, outsider, advocate, name, method, data
):
    client = client_for(outsider)
    before = _snapshot(advocate)
    chain_before = AuditEvent.objects.filter(chain=advocate.agency_id).count()
    call = getattr(client, method)
    theirs = (
        call(reverse(name, args=[advocate.pk]), data)
        if data is not None
        else call(reverse(name, args=[advocate.pk]))
    )
    missing = (
        call(reverse(name, args=[MISSING_PK]), data)
        if data is not None
        else call(reverse(name, args=[MISSING_PK]))
    )
    assert theirs.status_code == missing.status_code == 404
    assert _main(theirs) == _main(missing)
    assert _snapshot(advocate) == before
    assert AuditEvent.objects.filter(chain=advocate.agency_id).count() == chain_before


def test_other_agency_admin_cannot_grant_a_team_of_the_first_agency(client_for, outsider, team):
    member_team = Team.objects.get(agency=outsider.agency)
    member = outsider  # change their own roles, pointing at a foreign team id
    client = client_for(outsider)
    before = _snapshot(member)
    response = client.post(
        reverse("accounts:staff_detail", args=[member.pk]),
        {"roles": ["admin", "advocate"], "team": str(team.pk)},
    )
    assert response.status_code == 400
    assert _snapshot(member) == before
    assert member_team.agency_id != team.agency_id


def test_roles_form_refuses_an_inactive_team(client_for, admin_user, advocate, agency):
    closed = TeamFactory(agency=agency, name="Closed", is_active=False)
    before = _snapshot(advocate)
    response = client_for(admin_user).post(
        reverse("accounts:staff_detail", args=[advocate.pk]),
        {"roles": ["advocate"], "team": str(closed.pk)},
    )
    assert response.status_code == 400
    assert _snapshot(advocate) == before


def test_other_agency_auditor_sees_nothing_of_the_first_agency_whatever_the_filters(
    client_for, outsider, advocate, admin_user
):
    from haven.accounts import services

    services.staff_set_language(user=advocate, language="es")
    first_chain = AuditEvent.objects.filter(chain=advocate.agency_id)
    assert first_chain.exists()
    client = client_for(outsider)
    last = first_chain.order_by("-seq").first()
    for query in (
        {},
        {"before": str(last.seq + 1)},
        {"action": "staff.language_changed"},
        {"actor": str(advocate.pk)},
    ):
        response = client.get(reverse("audit:event_list"), query)
        assert response.status_code in {200, 400}
        assert advocate.username.encode() not in response.content
    # A foreign actor id is not even a valid choice.
    assert client.get(reverse("audit:event_list"), {"actor": advocate.pk}).status_code == 400


# --- An intake worker trying to escalate ---------------------------------------------


def test_intake_cannot_give_themself_the_administrator_role(client_for, intake, team):
    client = client_for(intake)
    before = _snapshot(intake)
    response = client.post(
        reverse("accounts:staff_detail", args=[intake.pk]),
        {"roles": ["admin", "auditor", "supervisor"], "team": str(team.pk)},
    )
    assert response.status_code == 404
    assert _snapshot(intake) == before
    assert client.get("/api/v1/me").json()["roles"] == ["intake"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "accounts:staff_invite",
            {
                "display_name": "Sock",
                "username": "sock-puppet",
                "email": "s@x.org",
                "roles": ["admin"],
            },
        ),
        ("accounts:team_create", {"name": "Shadow team"}),
    ],
)
def test_intake_cannot_invite_or_create_teams(client_for, intake, name, data):
    response = client_for(intake).post(reverse(name), data)
    assert response.status_code == 404
    assert not Membership.objects.filter(user__username="sock-puppet").exists()
    assert not Team.objects.filter(name="Shadow team").exists()


@pytest.mark.parametrize("persona", ["intake", "admin", "supervisor"])
def test_only_auditors_read_the_audit_trail_even_as_an_htmx_partial(
    client_for, all_personas, persona
):
    client = client_for(all_personas[persona])
    assert client.get(reverse("audit:event_list")).status_code == 404
    partial = client.get(reverse("audit:event_list"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 404


def test_a_colleague_cannot_touch_another_users_security_key(real_client_for, intake, admin_user):
    key = Authenticator.objects.create(
        user=admin_user, type=Authenticator.Type.WEBAUTHN, data={"name": "admin key"}
    )
    client = real_client_for(intake)  # password just confirmed: no reauthentication stop
    assert client.get(reverse("mfa_edit_webauthn", args=[key.pk])).status_code == 404
    assert client.post(reverse("mfa_remove_webauthn", args=[key.pk])).status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_ending_other_sessions_ends_only_ones_own(intake, admin_user):
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get(reverse("desk:dashboard")).status_code == 200
    worker = Client()
    worker.force_login(intake)
    worker.get(reverse("desk:dashboard"))
    admin_sessions = list(UserSession.objects.filter(user=admin_user).values_list("pk", flat=True))
    response = worker.post(reverse("usersessions_list"), {"sessions": admin_sessions})
    assert response.status_code in {200, 302}
    assert admin.get(reverse("desk:dashboard")).status_code == 200
