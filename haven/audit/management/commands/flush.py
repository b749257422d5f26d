"""Django's ``flush``, guarded.

Emptying the database would erase the audit trail, so outside tests and
local demo installs it refuses. Where it runs, it lifts the append-only
triggers for the duration of the flush and puts them back afterwards.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from haven.audit import triggers


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("flush is disabled in production: it would erase the audit trail.")
        connection = connections[options["database"]]
        triggers.remove(connection)
        try:
            super().handle(**options)
        finally:
            triggers.install(connection)
