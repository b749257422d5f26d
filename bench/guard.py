"""The bench and the load test write into their own database only."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def bench_database_problem() -> str | None:
    """Why the configured database is not a bench database, or None when it is.

    SQLite: a file under var/bench* of this project (never var/haven.sqlite3).
    PostgreSQL: a database whose name starts with "bench" (the throwaway
    server the bench starts). Never with HAVEN_ENV=production."""
    if os.environ.get("HAVEN_ENV", "") == "production":
        return "HAVEN_ENV is production"
    database = settings.DATABASES["default"]
    name = str(database["NAME"])
    if database["ENGINE"].endswith("sqlite3"):
        path = Path(name).resolve()
        var = (ROOT / "var").resolve()
        if path.parent.parent != var or not path.parent.name.startswith("bench"):
            return f"the SQLite database {path} is not under {var}/bench*"
        return None
    if not name.startswith("bench"):
        return f"the database {name!r} is not a bench database (its name must start with 'bench')"
    return None


def refuse_unless_bench() -> None:
    problem = bench_database_problem()
    if problem:
        print(
            f"Refusing to run: {problem}. The bench writes only into its own database.",
            file=sys.stderr,
        )
        raise SystemExit(2)
