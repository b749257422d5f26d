"""Report pages: the summary, the funder layout, their CSV, and the threshold.

The period and team travel in the address (GET): they are dates and a team
number, nothing about anyone, and a report can then be bookmarked or shared
with a colleague who may read reports too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.core.http import authenticated_user
from haven.core.models import Team
from haven.reports.chart import Chart, chart_of
from haven.reports.exports import report_csv
from haven.reports.figures import Report, Scope, Table
from haven.reports.forms import ReportForm, SettingsForm, presets, quarter_of
from haven.reports.funder import funder_tables
from haven.reports.policies import may_configure_reports, may_view_reports
from haven.reports.services import (
    SettingsChange,
    report_run,
    report_settings_save,
    scope_for,
    settings_of,
)

LAYOUTS = ("summary", "funder")
# The column a table's chart draws: the referrals' is their total.
CHART_COLUMN = {"referrals": -1}


def _reader(request: HttpRequest) -> User:
    user = authenticated_user(request)
    if not may_view_reports(user):
        raise Http404
    return user


@dataclass
class Asked:
    form: ReportForm
    scope: Scope | None = None
    found: Report | None = None

    @property
    def query(self) -> str:
        data = self.form.cleaned_data if self.form.is_bound and self.scope else {}
        return urlencode(
            {key: data[key] for key in ("start", "end", "team") if data.get(key) is not None}
        )


def _asked(request: HttpRequest, user: User, layout: str) -> Asked:
    """The report the page asks for, run when its period and team are sound.
    Without any, the current quarter for all teams."""
    if {"start", "end", "team"} & set(request.GET):
        data: Any = request.GET
    else:
        start, end = quarter_of(timezone.localdate())
        data = {"start": start, "end": end}
    asked = Asked(ReportForm(data, agency_id=user.agency_id))
    if asked.form.is_valid():
        values = asked.form.cleaned_data
        try:
            asked.scope = scope_for(
                user, start=values["start"], end=values["end"], team_id=values["team"]
            )
            asked.found = report_run(actor=user, scope=asked.scope, layout=layout)
        except ValidationError as error:
            asked.scope = None
            show_refusal(asked.form, error)
    return asked


def _tables(found: Report, layout: str) -> list[Table]:
    return funder_tables(found) if layout == "funder" else list(found.tables)


def _team_name(scope: Scope) -> str:
    if scope.team_id is None:
        return ""
    return Team.objects.filter(pk=scope.team_id).values_list("name", flat=True).first() or ""


def _page(request: HttpRequest, layout: str) -> HttpResponse:
    user = _reader(request)
    asked = _asked(request, user, layout)
    tables = _tables(asked.found, layout) if asked.found else []
    charts: list[tuple[Table, Chart]] = [
        (table, chart_of(table, CHART_COLUMN.get(table.key, 0))) for table in tables
    ]
    return render(
        request,
        "reports/report.html",
        {
            "layout": layout,
            "form": asked.form,
            "scope": asked.scope,
            "team_name": _team_name(asked.scope) if asked.scope else "",
            "charts": charts,
            "query": asked.query,
            "presets": presets(timezone.localdate()),
            "may_configure": may_configure_reports(user),
        },
        status=400 if asked.form.errors else 200,
    )


@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    return _page(request, "summary")


@require_GET
def funder(request: HttpRequest) -> HttpResponse:
    return _page(request, "funder")


@require_GET
def download(request: HttpRequest, layout: str) -> HttpResponse:
    if layout not in LAYOUTS:
        raise Http404
    user = _reader(request)
    asked = _asked(request, user, f"{layout}.csv")
    if asked.found is None or asked.scope is None:
        return _page(request, layout)
    body = report_csv(asked.scope, _tables(asked.found, layout), _team_name(asked.scope))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"haven-{layout}-{asked.scope.start.isoformat()}-{asked.scope.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
def report_settings(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    if not may_configure_reports(user):
        raise Http404
    current = settings_of(user.agency_id)
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"threshold": current.threshold, "version": current.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report_settings_save(
                actor=user,
                change=SettingsChange(
                    threshold=form.cleaned_data["threshold"],
                    version=form.cleaned_data["version"],
                ),
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Report settings saved."))
            return redirect("reports:settings")
    return render(
        request,
        "reports/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
