"""System checks of the audit trail's settings (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def checkpoint_folder_named(**kwargs: Any) -> list[CheckMessage]:
    """Production names its checkpoint folder: without one, a database
    rewritten from some event onward, hashes recomputed, goes unseen."""
    if settings.HAVEN_CHECKPOINT_DIR is not None:
        return []
    return [
        Warning(
            "HAVEN_CHECKPOINT_DIR is not set: the audit chains are not anchored outside "
            "the database.",
            hint="Name a folder writable by Haven only, and copy it off the machine "
            '(docs/operations.md, "Audit checkpoints").',
            id="haven.W001",
        )
    ]
