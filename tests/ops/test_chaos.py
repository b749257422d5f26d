"""Five kills of the crash harness (``make chaos`` runs two hundred): every
write answered 2xx is there after each SIGKILL, nothing is half-written and
every chain verifies. The harness runs in its own process, on its own
temporary folder, and stops everything it started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# The harness makes its own SQLite database whatever the suite runs on: once
# per `make test` is enough, so the PostgreSQL run leaves it to the SQLite one.
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite run")
def test_five_kills_lose_nothing_acknowledged():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HAVEN_", "DATABASE_", "DJANGO_", "CHAOS_"))
    }
    env.update(CHAOS_CYCLES="5", CHAOS_WRITERS="4")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "chaos")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    figures_line = [line for line in result.stdout.splitlines() if line.startswith("CHAOS ")]
    assert figures_line, f"no figures:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    figures = json.loads(figures_line[-1].removeprefix("CHAOS "))
    problems = [line for line in result.stdout.splitlines() if "PROBLEM" in line]
    assert figures["cycles"] == 5
    assert figures["acknowledged"] > 0, figures
    assert figures["intakes"] > 0, figures
    assert figures["lost"] == 0, problems
    assert figures["half_written"] == 0, problems
    assert figures["chain_failures"] == 0, problems
    assert result.returncode == 0, result.stderr[-3000:]
