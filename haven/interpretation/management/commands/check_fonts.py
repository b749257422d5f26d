"""Warn when this server lacks a font the printed language card needs.

``make run`` runs it before serving: a missing font is worth knowing, not
worth refusing to start (the card still prints, with boxes where a script
has no font). Exit status 0 either way; the message says what to install.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from haven.interpretation.fonts import missing_fonts


class Command(BaseCommand):
    help = "Say which fonts the printed language card needs and this server lacks."

    def handle(self, *args: Any, **options: Any) -> None:
        missing = missing_fonts()
        if not missing:
            if options["verbosity"] > 1:
                self.stdout.write("Fonts: every script of the language card can be printed.")
            return
        packages = sorted({font.package for font in missing})
        self.stderr.write(
            self.style.WARNING(
                "Warning: the printed language card will show empty boxes for these scripts:"
            )
        )
        for font in missing:
            self.stderr.write(f"  {font.script} ({font.family}): {', '.join(font.languages)}")
        self.stderr.write(f"Install them with: sudo apt-get install {' '.join(packages)}")
