"""Build (once) the bench data set and check it: `make bench` runs this first.

HAVEN_BENCH_PEOPLE sets the population (100,000 by default); the database is
the one HAVEN_VAR_DIR (var/bench by default) or DATABASE_URL names, and must
be a bench database (bench.guard).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HAVEN_ENV", "local")
os.environ.setdefault("HAVEN_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from bench.dataset import build, check  # noqa: E402

PEOPLE = int(os.environ.get("HAVEN_BENCH_PEOPLE", "100000"))

if __name__ == "__main__":
    world = build(PEOPLE)
    if os.environ.get("HAVEN_BENCH_CHECK", "true") != "false":
        check(world)
