"""Reports over the JSON API: schemas and routing only.

The same figures as the report pages, published through the same
small-number rule: a suppressed figure has ``value`` null and ``shown``
"<k". True counts are never sent. Reading reports takes the administrator,
supervisor or auditor role; anyone else gets 404. A period that ends before
it starts, or a team that is not the agency's, answers 422 with a message.

A report runs in the background, as on the pages: ``POST /reports/runs``
starts it (202), ``GET /reports/runs/{id}`` tells how far it has come and,
once done, gives the report (for its creator only, for a day).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx, QueryEx
from pydantic import StrictInt

from haven.accounts import stepup
from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    out,
    refusals_at,
    staff_allowed,
    uuid_or_404,
)
from haven.api.inputs import Input, OneLine
from haven.core.errors import NotFound
from haven.jobs.models import Failure, Job, State
from haven.jobs.selectors import job_for, result_available
from haven.jobs.services import job_result_open
from haven.reports.figures import Table, report_from_json
from haven.reports.funder import funder_tables
from haven.reports.jobs import KIND, report_start
from haven.reports.models import MAX_THRESHOLD
from haven.reports.policies import may_configure_reports, may_view_reports
from haven.reports.services import SettingsChange, report_settings_save, scope_for, settings_of

router = Router(tags=["reports"])

RunId = PathEx[str, P(description="The run's id, from POST /reports/runs.")]
Layout = QueryEx[
    Literal["summary", "funder"], P(description="summary (default) or funder: the funder's layout.")
]


class FigureOut(Schema):
    value: int | None = Field(description="Null when the count is under the threshold.")
    shown: str = Field(description='As the page shows it: a number, or "<k".')


class RowOut(Schema):
    key: str
    label: str
    figures: list[FigureOut] = Field(description="One per column.")


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[RowOut]
    totals: list[FigureOut] = Field(description="One per column, from the true total.")
    note: str


class ReportOut(Schema):
    start: date
    end: date
    team: int | None
    threshold: int = Field(description="Counts from 1 to threshold - 1 are not published.")
    tables: list[TableOut]


class SettingsOut(Schema):
    threshold: int
    version: int


class SettingsIn(Schema):
    threshold: StrictInt = Field(ge=1, le=MAX_THRESHOLD)
    version: StrictInt = Field(ge=1, description="The version read: a stale one is refused.")
    second_factor: Annotated[str, OneLine(64)] = Field(
        default="",
        description="A current code from your authenticator app, or a recovery code: raising "
        "the threshold changes every report, so it asks for a fresh second factor.",
    )


def _figure(figure: object) -> FigureOut:
    return FigureOut(value=getattr(figure, "value", None), shown=str(figure))


def _table(table: Table) -> TableOut:
    return out(
        TableOut,
        table,
        rows=[out(RowOut, row, figures=[_figure(f) for f in row.figures]) for row in table.rows],
        totals=[_figure(f) for f in table.totals],
    )


def _reader(request: HttpRequest) -> User:
    return staff_allowed(request, may_view_reports)


class RunIn(Input):
    start: date = Field(description="The first day of the period, YYYY-MM-DD.")
    end: date = Field(description="The last day of the period (inclusive), YYYY-MM-DD.")
    team: StrictInt | None = Field(
        default=None, ge=1, le=2**31 - 1, description="One team's cases only; all if null."
    )


class RunOut(Schema):
    id: uuid.UUID
    state: str = Field(description="queued, running, done or failed.")
    done: int = Field(description="Sections counted so far.")
    total: int = Field(description="Sections in all; 0 until known.")
    error: str = Field(description="Why it failed, in words for staff; blank otherwise.")
    report: ReportOut | None = Field(description="Once done, until it expires (a day).")


def _run_out(user: User, job: Job, layout: str) -> RunOut:
    found = None
    if job.state == State.DONE and result_available(job):
        _job, data = job_result_open(actor=user, job_id=job.pk)
        kept = report_from_json(data)
        tables = funder_tables(kept) if layout == "funder" else list(kept.tables)
        scope = kept.scope
        found = out(ReportOut, scope, team=scope.team_id, tables=[_table(t) for t in tables])
    error = str(Failure(job.error).label) if job.error else ""
    return out(RunOut, job, error=error, report=found)


@router.post(
    "/reports/runs",
    response={202: RunOut, **WRITE_FAILURES},
    url_name="report_run_start",
)
def report_run_start(request: HttpRequest, body: RunIn) -> Status[RunOut]:
    """Start a report of what the agency did, de-identified."""
    user = _reader(request)
    scope = scope_for(user, start=body.start, end=body.end, team_id=body.team)
    job = report_start(actor=user, scope=scope)
    return Status(202, _run_out(user, job, "summary"))


@router.get(
    "/reports/runs/{run_id}",
    response={200: RunOut, **NOT_FOUND, **REFUSED},
    url_name="report_run",
)
def report_run_detail(request: HttpRequest, run_id: RunId, layout: Layout = "summary") -> RunOut:
    """How far a report has come, and the report once done."""
    user = _reader(request)
    job = job_for(user, uuid_or_404(run_id))
    if job.kind != KIND:
        raise NotFound
    return _run_out(user, job, layout)


@router.get(
    "/reports/settings",
    response={200: SettingsOut, **NOT_FOUND},
    url_name="report_settings",
)
def report_settings(request: HttpRequest) -> SettingsOut:
    """The agency's small-number threshold: the smallest count a report shows.

    Those who read reports.
    """
    user = _reader(request)
    current = settings_of(user.agency_id)
    return out(SettingsOut, current)


@router.put(
    "/reports/settings",
    response={200: SettingsOut, **WRITE_FAILURES},
    url_name="report_settings_save",
)
def report_settings_change(request: HttpRequest, body: SettingsIn) -> SettingsOut:
    """Raise the agency's small-number threshold.

    It never goes down: reports published at a higher threshold, set beside new ones, would give
    back the counts they hid. Send the version you read; a stale one is refused and nothing
    changes. Administrators.
    """
    user = authenticated_user(request)
    if not may_configure_reports(user):
        raise NotFound
    with refusals_at():
        stepup.confirm_code(user, body.second_factor)
    saved = report_settings_save(
        actor=user, change=SettingsChange(threshold=body.threshold, version=body.version)
    )
    return out(SettingsOut, saved)


routers = (router,)
