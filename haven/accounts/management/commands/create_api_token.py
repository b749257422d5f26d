"""Issue a bearer token for the JSON API to one staff member."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from haven.accounts.api_tokens import API_TOKEN_MAX_LIFETIME, api_token_create
from haven.accounts.models import ApiToken, User
from haven.accounts.tokens import token_digest

_LIFETIME = re.compile(r"^([1-9][0-9]{0,5})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_lifetime(text: str) -> timedelta:
    """``30m``, ``8h`` or ``7d`` as a timedelta; CommandError for anything else."""
    match = _LIFETIME.match(text.strip())
    if match is None:
        raise CommandError(
            f"--expires takes a number and a unit, such as 30m, 8h or 7d (not {text!r})."
        )
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = (
        "Print a bearer token for the JSON API for USERNAME, valid for --expires "
        f"(default 8h, at most {API_TOKEN_MAX_LIFETIME.days}d). The token is the last "
        "line of output and is shown only once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--expires", default="8h", help="lifetime such as 30m, 8h or 7d (default 8h)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lifetime = parse_lifetime(options["expires"])
        if lifetime > API_TOKEN_MAX_LIFETIME:
            raise CommandError(
                f"--expires can be at most {API_TOKEN_MAX_LIFETIME.days}d. Nothing was created."
            )
        username = options["username"]
        user = User.objects.select_related("agency").filter(username=username).first()
        if user is None:
            raise CommandError(f"No staff member is called {username!r}. Nothing was created.")
        if not user.is_active:
            raise CommandError(
                f"{username!r} is not an active account (deactivated, or the invitation "
                "was never accepted). Nothing was created."
            )
        try:
            token = api_token_create(user=user, lifetime=lifetime)
        except ValidationError as error:
            raise CommandError(f"Nothing was created: {' '.join(error.messages)}") from error
        expires_at = ApiToken.objects.get(token_hash=token_digest(token)).expires_at
        until = timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(
            f"API token for {user.username} ({user.agency.name}), valid until {until}."
        )
        self.stdout.write("It is shown only this once: keep it like a password.")
        self.stdout.write("Send it as the header  Authorization: Bearer <token>")
        self.stdout.write(token)
