from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import totp_now
from haven.accounts.management.commands.seed_demo import DEMO_PASSWORD, demo_totp_secret
from haven.accounts.models import Membership, Role, User
from haven.audit.models import AuditEvent
from haven.core.models import Agency, Team

pytestmark = pytest.mark.django_db

EXPECTED = {
    "demo-advocate": Role.ADVOCATE,
    "demo-supervisor": Role.SUPERVISOR,
    "demo-intake": Role.INTAKE,
    "demo-shelter": Role.SHELTER,
    "demo-admin": Role.ADMIN,
    "demo-auditor": Role.AUDITOR,
    "other-advocate": Role.ADVOCATE,
}


def snapshot():
    return (
        sorted(User.objects.values_list("username", "agency__name", "password")),
        sorted(Membership.objects.values_list("user__username", "role", "team__name")),
        Team.objects.count(),
        Agency.objects.count(),
        Authenticator.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_demo_creates_one_user_per_role_and_prints_their_secrets():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    for username, role in EXPECTED.items():
        user = User.objects.get(username=username)
        assert list(user.memberships.values_list("role", flat=True)) == [role]
        assert demo_totp_secret(username) in out.getvalue()
    assert User.objects.get(username="other-advocate").agency.name == "Other Agency"
    assert User.objects.get(username="demo-admin").agency.name == "Demo Agency"


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_demo_user_signs_in_with_the_printed_secret():
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "demo-advocate", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    code = totp_now(demo_totp_secret("demo-advocate"))
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200
