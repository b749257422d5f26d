from __future__ import annotations

import pytest

from tests.jobs import kinds


@pytest.fixture(autouse=True)
def _seen():
    kinds.SEEN.clear()
    yield
    kinds.SEEN.clear()
