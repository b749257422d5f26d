"""The documented settings are the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_variables() -> set[str]:
    source = (ROOT / "haven" / "settings.py").read_text()
    return set(re.findall(r'"((?:HAVEN|DATABASE)_[A-Z_]+)"', source))


def test_every_setting_is_in_the_readme_and_env_example():
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    names = settings_variables()
    assert len(names) > 15
    assert sorted(n for n in names if f"`{n}" not in readme) == []
    assert sorted(n for n in names if f"{n}=" not in example) == []
