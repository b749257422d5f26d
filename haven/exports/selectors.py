"""Reading the exports made of a case record."""

from __future__ import annotations

from django.db.models import QuerySet

from haven.exports.models import RecordExport
from haven.people.models import Case


def exports_of(case: Case) -> QuerySet[RecordExport]:
    """The record of each earlier export of the case (what left, to whom,
    its root hash), newest first."""
    return (
        RecordExport.objects.filter(case=case).select_related("created_by").order_by("-created_at")
    )
