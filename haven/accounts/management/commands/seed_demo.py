"""Demo agencies and staff for trying Haven out. Never in production."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from haven.accounts.models import Membership, Role, User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.models import Agency, Team

DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 - printed for testers on purpose

# (agency, username, display name, role, team)
DEMO_STAFF = [
    ("Demo Agency", "demo-advocate", "Demo Advocate", Role.ADVOCATE, "North Team"),
    ("Demo Agency", "demo-supervisor", "Demo Supervisor", Role.SUPERVISOR, "North Team"),
    ("Demo Agency", "demo-intake", "Demo Intake", Role.INTAKE, None),
    ("Demo Agency", "demo-shelter", "Demo Shelter", Role.SHELTER, "North Team"),
    ("Demo Agency", "demo-admin", "Demo Administrator", Role.ADMIN, None),
    ("Demo Agency", "demo-auditor", "Demo Auditor", Role.AUDITOR, None),
    ("Other Agency", "other-advocate", "Other Advocate", Role.ADVOCATE, "Main Team"),
]
EXTRA_TEAMS = {"Demo Agency": ["South Team"]}


def demo_totp_secret(username: str) -> str:
    """A fixed, printable TOTP secret per demo user, so testers can enrol once."""
    digest = hashlib.sha256(f"haven-demo-totp:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


class Command(BaseCommand):
    help = "Create the demo agencies and one staff member per role. Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with production settings.")
        created = 0
        with transaction.atomic():
            for agency_name, username, display, role, team_name in DEMO_STAFF:
                agency, _ = Agency.objects.get_or_create(name=agency_name)
                team = None
                if team_name:
                    team, _ = Team.objects.get_or_create(agency=agency, name=team_name)
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "agency": agency,
                        "display_name": display,
                        "email": f"{username}@example.org",
                    },
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    created += 1
                Membership.objects.get_or_create(user=user, role=role, team=team)
                if not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists():
                    TOTP.activate(user, demo_totp_secret(username))
            for agency_name, team_names in EXTRA_TEAMS.items():
                agency = Agency.objects.get(name=agency_name)
                for team_name in team_names:
                    Team.objects.get_or_create(agency=agency, name=team_name)
            if created:
                audit_record(action=Action.DEMO_SEEDED, detail={"staff_created": created})
        self._print()

    def _print(self) -> None:
        self.stdout.write(f"Demo staff (password for all: {DEMO_PASSWORD}):")
        for agency_name, username, _, role, team_name in DEMO_STAFF:
            where = f"{agency_name}, {team_name}" if team_name else agency_name
            secret = demo_totp_secret(username)
            self.stdout.write(f"  {username:<16} {role.label:<22} {where:<26} TOTP secret {secret}")
