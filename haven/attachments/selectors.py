"""Reading a case's attachments: what they are, never their bytes."""

from __future__ import annotations

from haven.attachments.models import Attachment
from haven.people.models import Case


def attachments_of(case: Case, use: str | None = None) -> list[Attachment]:
    rows = (
        Attachment.objects.filter(case=case)
        .select_related("uploaded_by", "data_key")
        .order_by("-uploaded_at")
    )
    if use is not None:
        rows = rows.filter(use=use)
    return list(rows)
