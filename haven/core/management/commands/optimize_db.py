"""Refresh the query planner's statistics.

SQLite only learns how selective its indexes are from ANALYZE; without it,
it may scan a whole agency's cases where an index on the person would find
one row. `make run` calls this at every start; PostgreSQL's autovacuum does
the same on its own, so there it only runs ANALYZE once when asked.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Update the database's planner statistics (ANALYZE)."

    def handle(self, *args: Any, **options: Any) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA optimize")
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE")
