"""Add another agency to the installation, with an invitation for its administrator."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.urls import reverse

from haven.accounts import services
from haven.accounts.models import Role


class Command(BaseCommand):
    help = "Create an agency and print a 72-hour invitation link for its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                agency = services.agency_create(name=options["name"])
                _, token = services.invitation_create(
                    actor=None,
                    agency=agency,
                    username=options["admin_username"],
                    email=options["admin_email"],
                    display_name=options["admin_name"],
                    grants=[services.RoleGrant(role=Role.ADMIN)],
                )
        except (ValidationError, IntegrityError) as error:
            raise CommandError(f"Nothing was created: {error}") from error
        path = reverse("accounts:invitation_accept", args=[token])
        self.stdout.write(settings.HAVEN_BASE_URL.rstrip("/") + path)
