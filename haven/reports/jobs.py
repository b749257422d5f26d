"""A report runs as a background job: at 100,000 people it takes about a
second of the database's time (docs/benchmarks.md), more for long periods,
and a request should not wait on it.

The job checks the period and team again as its creator may ask for them
now, runs the report section by section (its progress), and keeps the
published figures as JSON, sealed under a key of the job's own and dropped
after a day like every job result. Only figures are kept: no row of facts.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.jobs.models import Job
from haven.jobs.registry import JobOutput, JobRefused, Progress, job_kind
from haven.jobs.services import job_start
from haven.reports.figures import Scope, report_to_json
from haven.reports.policies import may_open_report
from haven.reports.services import report_run, scope_for

KIND = "reports.run"
# What the result is: the published figures, as JSON.
RESULT_TYPE = "application/json"
STEPS = {
    "people": _("Counting the people served"),
    "needs": _("Counting needs"),
    "referrals": _("Counting referrals"),
    "agency_steps": _("Counting the agency's own steps"),
    "shelter": _("Counting shelter stays"),
    "training": _("Counting staff trained"),
}


def report_start(*, actor: User, scope: Scope) -> Job:
    """Start the report ``scope`` describes (already checked by scope_for)."""
    return job_start(
        actor=actor,
        kind=KIND,
        params={
            "start": scope.start.isoformat(),
            "end": scope.end.isoformat(),
            "team": scope.team_id,
        },
    )


def scope_of(job: Job, actor: User) -> Scope:
    """The job's period and team, checked again for its creator."""
    params = job.params
    return scope_for(
        actor,
        start=parse_date(params["start"]),
        end=parse_date(params["end"]),
        team_id=params.get("team"),
    )


@job_kind(KIND, label=_("Report"), steps=STEPS, may_open=may_open_report)
def run(job: Job, progress: Progress) -> JobOutput:
    actor = job.created_by
    with translation.override(actor.language):
        try:
            scope = scope_of(job, actor)
            found = report_run(actor=actor, scope=scope, progress=progress)
        except (ValidationError, NotFound) as refusal:  # the role or the team gone since
            raise JobRefused from refusal
    return JobOutput(
        content=report_to_json(found),
        content_type=RESULT_TYPE,
        filename=f"report-{scope.start.isoformat()}-{scope.end.isoformat()}.json",
    )
