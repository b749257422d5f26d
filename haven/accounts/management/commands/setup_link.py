"""Print the one-time link that creates the first agency and administrator."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils import timezone

from haven.accounts import services


class Command(BaseCommand):
    help = (
        "When no administrator exists, print a setup link valid for one hour. "
        "A link is printed once; --new replaces one that is still pending."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new", action="store_true", help="replace a pending link")

    def handle(self, *args: Any, **options: Any) -> None:
        if services.administrator_exists():
            self.stdout.write(
                "An administrator exists: sign in at " + _url(reverse("account_login"))
            )
            return
        pending = services.setup_link_pending()
        if pending is not None and not options["new"]:
            until = timezone.localtime(pending.expires_at).strftime("%H:%M %Z")
            self.stdout.write(
                f"A setup link was already printed and is valid until {until}. "
                "Run `manage.py setup_link --new` to replace it."
            )
            return
        token = services.setup_link_issue()
        minutes = int(settings.HAVEN_SETUP_LINK_LIFETIME.total_seconds() // 60)
        link = _url(reverse("accounts:setup", args=[token]))
        self.stdout.write("")
        self.stdout.write(f"No administrator yet. Open this link within {minutes} minutes")
        self.stdout.write("to create your agency and its administrator (it works once):")
        self.stdout.write("")
        self.stdout.write(f"    {link}")
        self.stdout.write("")


def _url(path: str) -> str:
    return str(settings.HAVEN_BASE_URL).rstrip("/") + path
