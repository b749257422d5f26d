"""How an export's file is handed out."""

from __future__ import annotations

from django.http import HttpResponse

from haven.exports.models import RecordExport


def export_file_response(
    data: bytes, content_type: str, export: RecordExport, extension: str
) -> HttpResponse:
    """An export's file as a download (the API answers with it at once): its name
    says what it is and which export, never who."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="case-record-{str(export.pk)[:8]}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
