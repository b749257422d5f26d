"""The case-record export as a background job: the PDF of a long record
takes most of a minute to lay out (docs/benchmarks.md).

The page decides everything it can before the job starts (who may export,
what the copy holds, the gate's preflight: ``export_check``); the job runs
``export_record``, which decides it all again with the record in hand,
writes the RecordExport row and its audit event with the root hash, and
for anyone but the person goes through the disclosure gate. The result is
sealed under the person's key, so destroying the person shreds it.

The job's parameters are ids and choices; a recipient's name typed on the
form (not chosen from the directory) is sealed in the job's ``secret``.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.exports.policies import may_open_export
from haven.exports.services import ExportRequest, export_check, export_record
from haven.jobs.models import Job
from haven.jobs.registry import JobOutput, JobRefused, Progress, job_kind
from haven.jobs.services import job_secret, job_start
from haven.people.models import Case
from haven.people.selectors import visible_cases

KIND = "exports.record"
STEPS = {
    "collecting": _("Collecting the record"),
    "rendering": _("Laying out the PDF"),
    "packing": _("Packing the bundle"),
    "recording": _("Recording the export"),
}
OUTPUTS = {"bundle": ("application/zip", "zip"), "pdf": ("application/pdf", "pdf")}


def export_start(*, actor: User, case: Case, request: ExportRequest, output: str) -> Job:
    """Check the export now (a refusal is raised here, audited when the gate
    refused), then start the job that makes it."""
    if output not in OUTPUTS:
        raise ValidationError({"output": [_("Choose what to download.")]})
    export_check(actor=actor, case=case, request=request)
    params = {
        "case": str(case.pk),
        "audience": request.audience,
        "output": output,
        "include_restricted": request.include_restricted,
        "include_shelter": request.include_shelter,
        "recipient_org": str(request.recipient_org_id) if request.recipient_org_id else None,
        "recipient_category": request.recipient_category,
        "purpose": request.purpose,
        "kinds": sorted(request.kinds),
    }
    secret = {"recipient_name": request.recipient_name} if request.recipient_name else None
    return job_start(
        actor=actor,
        kind=KIND,
        params=params,
        secret=secret,
        data_key=case.person.data_key,
        about=("case", case.pk),
    )


@job_kind(KIND, label=_("Export of a case record"), steps=STEPS, may_open=may_open_export)
def run(job: Job, progress: Progress) -> JobOutput:
    actor = job.created_by
    params = job.params
    # The case as the creator may open it now: access lost since, no export.
    case = (
        visible_cases(user=actor)
        .filter(pk=uuid.UUID(params["case"]))
        .select_related("person", "person__data_key", "agency")
        .first()
    )
    if case is None or not actor.is_active or case.person.data_key_id != job.data_key_id:
        raise JobRefused
    org = params.get("recipient_org")
    request = ExportRequest(
        audience=params["audience"],
        include_restricted=bool(params.get("include_restricted")),
        include_shelter=bool(params.get("include_shelter")),
        recipient_org_id=uuid.UUID(org) if org else None,
        recipient_name=job_secret(job).get("recipient_name", ""),
        recipient_category=params.get("recipient_category") or "",
        purpose=params.get("purpose") or "",
        kinds=list(params.get("kinds") or []),
    )
    try:
        exported = export_record(actor=actor, case=case, request=request, progress=progress)
    except (ValidationError, NotFound) as refusal:  # the gate's refusals among them
        raise JobRefused from refusal
    content_type, extension = OUTPUTS[params["output"]]
    content = exported.pdf_bytes if extension == "pdf" else exported.zip_bytes
    return JobOutput(
        content=content,
        content_type=content_type,
        # Which export, never whom it is about.
        filename=f"case-record-{str(exported.export.pk)[:8]}.{extension}",
        data_key=case.person.data_key,
    )
