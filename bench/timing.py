"""What every bench shares: the refusal to touch a database that is not a
bench's own, nearest-rank percentiles, a series of timings, and the machine
the figures were taken on.

Imported before Django is set up (``bench_only`` reads the environment the
settings will read), so nothing here imports Django at module level.
"""

from __future__ import annotations

import math
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_only(var_dir: Path | str | None = None) -> Path:
    """The bench's HAVEN_VAR_DIR, or exit 2 with a clear message when the
    settings would open a database that is not a bench's: anything but
    SQLite under var/bench*, a DATABASE_URL, or the production posture."""
    chosen = Path(var_dir or os.environ.get("HAVEN_VAR_DIR") or ROOT / "var" / "bench").resolve()
    problem = ""
    if os.environ.get("HAVEN_ENV") == "production":
        problem = "HAVEN_ENV=production is set"
    elif os.environ.get("DATABASE_URL") or os.environ.get("DATABASE_URL_FILE"):
        problem = "DATABASE_URL is set"
    elif chosen.parent != (ROOT / "var").resolve() or not chosen.name.startswith("bench"):
        problem = f"HAVEN_VAR_DIR is {chosen}, not a folder var/bench* of this checkout"
    if problem:
        print(
            f"The bench runs only on its own throwaway database: {problem}. "
            "Unset it, or leave HAVEN_VAR_DIR to the bench (var/bench, var/bench-quick).",
            file=sys.stderr,
        )
        raise SystemExit(2)
    os.environ["HAVEN_VAR_DIR"] = str(chosen)
    return chosen


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with ``fraction`` of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


class Series:
    """The timings of one kind of request: wall-clock and CPU milliseconds."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.queries = 0


def machine() -> str:
    """The machine and the versions the figures were taken with."""
    from django.db import connection

    if connection.vendor == "sqlite":
        database = f"SQLite {connection.Database.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{database}"
    )
