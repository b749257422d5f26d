"""What the benches share: nearest-rank percentiles, a series of timings,
and the machine the figures were taken on. (The refusal to touch a database
that is not a bench's own is bench.guard.)"""

from __future__ import annotations

import math
import os
import platform


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
