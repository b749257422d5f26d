"""Fixtures of the checkpoint tests (helpers in ``tests.audit.anchoring``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from tests.audit.anchoring import Clock


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """``timezone.now``, still until the test moves it."""
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def folder(settings, tmp_path) -> Path:
    """The installation's key folder and checkpoint folder, the test's own."""
    settings.KEY_DIR = tmp_path / "keys"
    settings.HAVEN_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return tmp_path / "checkpoints"
