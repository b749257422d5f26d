"""Reports over the JSON API: schemas and routing only."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reports"])
