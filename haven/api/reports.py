"""Reports over the JSON API: schemas and routing only.

The same figures as the report pages, published through the same
small-number rule: a suppressed figure has ``value`` null and ``shown``
"<k". True counts are never sent. Reading reports takes the administrator,
supervisor or auditor role; anyone else gets 404. A period that ends before
it starts, or a team that is not the agency's, answers 422 with a message.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.params import P, QueryEx
from pydantic import StrictInt

from haven.accounts.models import User
from haven.api.partners import Refusals
from haven.api.protocol import NOT_FOUND
from haven.core.http import authenticated_user
from haven.reports.figures import Table
from haven.reports.funder import funder_tables
from haven.reports.models import MAX_THRESHOLD
from haven.reports.policies import may_view_reports
from haven.reports.services import (
    SettingsChange,
    report_run,
    report_settings_save,
    scope_for,
    settings_of,
)

router = Router(tags=["reports"])

Start = QueryEx[date, P(description="The first day of the period, YYYY-MM-DD.")]
End = QueryEx[date, P(description="The last day of the period (inclusive), YYYY-MM-DD.")]
TeamId = QueryEx[
    int | None, P(ge=1, le=2**31 - 1, description="One team's cases only; all teams if absent.")
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


def _figure(figure: object) -> FigureOut:
    return FigureOut(value=getattr(figure, "value", None), shown=str(figure))


def _table(table: Table) -> TableOut:
    return TableOut(
        key=table.key,
        title=table.title,
        columns=list(table.columns),
        rows=[
            RowOut(key=row.key, label=row.label, figures=[_figure(f) for f in row.figures])
            for row in table.rows
        ],
        totals=[_figure(f) for f in table.totals],
        note=table.note,
    )


def _reader(request: HttpRequest) -> User:
    user = authenticated_user(request)
    if not may_view_reports(user):
        raise Http404
    return user


def _report(
    request: HttpRequest, layout: str, start: date, end: date, team: int | None
) -> ReportOut:
    user = _reader(request)
    scope = scope_for(user, start=start, end=end, team_id=team)
    found = report_run(actor=user, scope=scope, layout=f"api.{layout}")
    tables = funder_tables(found) if layout == "funder" else list(found.tables)
    return ReportOut(
        start=scope.start,
        end=scope.end,
        team=scope.team_id,
        threshold=scope.threshold,
        tables=[_table(t) for t in tables],
    )


@router.get(
    "/reports/summary",
    response={200: ReportOut, **NOT_FOUND, 422: Refusals},
    url_name="report_summary",
    summary="What the agency did, de-identified",
)
def report_summary(request: HttpRequest, start: Start, end: End, team: TeamId = None) -> ReportOut:
    return _report(request, "summary", start, end, team)


@router.get(
    "/reports/funder",
    response={200: ReportOut, **NOT_FOUND, 422: Refusals},
    url_name="report_funder",
    summary="The same figures in the funder's layout",
)
def report_funder(request: HttpRequest, start: Start, end: End, team: TeamId = None) -> ReportOut:
    return _report(request, "funder", start, end, team)


@router.get(
    "/reports/settings",
    response={200: SettingsOut, **NOT_FOUND},
    url_name="report_settings",
)
def report_settings(request: HttpRequest) -> SettingsOut:
    user = _reader(request)
    current = settings_of(user.agency_id)
    return SettingsOut(threshold=current.threshold, version=current.version)


@router.put(
    "/reports/settings",
    response={200: SettingsOut, **NOT_FOUND, 422: Refusals},
    url_name="report_settings_save",
)
def report_settings_change(request: HttpRequest, body: SettingsIn) -> SettingsOut:
    user = authenticated_user(request)
    saved = report_settings_save(
        actor=user, change=SettingsChange(threshold=body.threshold, version=body.version)
    )
    return SettingsOut(threshold=saved.threshold, version=saved.version)
