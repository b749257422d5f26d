"""Report pages: the summary, the funder layout, their CSV, and the threshold.

The form asks for a period and a team. The report then runs in the background (haven.reports.jobs)
and its page follows it: progress while it runs, the figures once done, for
a day, to the person who asked only.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts import stepup
from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.core.models import Team
from haven.jobs.models import Failure, Job, State
from haven.jobs.registry import step_label
from haven.jobs.selectors import job_for, result_available
from haven.jobs.services import job_result_open
from haven.reports.chart import chart_of
from haven.reports.exports import report_csv
from haven.reports.figures import Report, Scope, Table, report_from_json
from haven.reports.forms import ReportForm, SettingsForm, presets, quarter_of
from haven.reports.funder import funder_tables
from haven.reports.jobs import KIND, report_start
from haven.reports.policies import may_configure_reports, may_view_reports
from haven.reports.services import SettingsChange, report_settings_save, scope_for, settings_of

LAYOUTS = ("summary", "funder")
# The column a table's chart draws: the referrals' is their total.
CHART_COLUMN = {"referrals": -1}


def _reader(request: HttpRequest) -> User:
    user = authenticated_user(request)
    if not may_view_reports(user):
        raise Http404
    return user


def _team_name(scope: Scope) -> str:
    if scope.team_id is None:
        return ""
    return Team.objects.filter(pk=scope.team_id).values_list("name", flat=True).first() or ""


def _tables(found: Report, layout: str) -> list[Table]:
    return funder_tables(found) if layout == "funder" else list(found.tables)


def _render(
    request: HttpRequest,
    user: User,
    layout: str,
    form: ReportForm,
    *,
    job: Job | None = None,
    found: Report | None = None,
) -> HttpResponse:
    tables = _tables(found, layout) if found else []
    return render(
        request,
        "reports/report.html",
        {
            "layout": layout,
            "form": form,
            "job": job,
            "scope": found.scope if found else None,
            "team_name": _team_name(found.scope) if found else "",
            "charts": [
                (table, chart_of(table, CHART_COLUMN.get(table.key, 0))) for table in tables
            ],
            "presets": presets(timezone.localdate()),
            "may_configure": may_configure_reports(user),
            **(_progress(job) if job else {}),
        },
        status=400 if form.errors else 200,
    )


def _ask(request: HttpRequest, layout: str) -> HttpResponse:
    """The form (GET), and the report it asks for (POST): once its period and
    team are sound, the report starts in the background and the page follows
    it. Starting one changes something (a job, an audit event), so it takes a
    POST with its CSRF token, never a link another site could plant."""
    user = _reader(request)
    if request.method != "POST":
        start, end = quarter_of(timezone.localdate())
        form = ReportForm(initial={"start": start, "end": end}, agency_id=user.agency_id)
        return _render(request, user, layout, form)
    form = ReportForm(request.POST, agency_id=user.agency_id)
    if form.is_valid():
        values = form.cleaned_data
        try:
            scope = scope_for(
                user, start=values["start"], end=values["end"], team_id=values["team"]
            )
            job = report_start(actor=user, scope=scope)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            return redirect(f"{reverse('reports:run', args=[job.pk])}?layout={layout}")
    return _render(request, user, layout, form)


@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest) -> HttpResponse:
    return _ask(request, "summary")


@require_http_methods(["GET", "POST"])
def funder(request: HttpRequest) -> HttpResponse:
    return _ask(request, "funder")


def _report_job(request: HttpRequest, job_id: uuid.UUID) -> tuple[User, Job]:
    user = _reader(request)
    job = job_for(user, job_id)
    if job.kind != KIND:
        raise Http404
    return user, job


def _found(user: User, job: Job) -> Report | None:
    if job.state != State.DONE or not result_available(job):
        return None
    _job, data = job_result_open(actor=user, job_id=job.pk)
    return report_from_json(data)


def _progress(job: Job) -> dict[str, object]:
    return {
        "step_label": step_label(job.kind, job.label),
        "error_message": Failure(job.error).label if job.error else "",
    }


@require_GET
def run(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    user, job = _report_job(request, job_id)
    layout = request.GET.get("layout", "summary")
    if layout not in LAYOUTS:
        layout = "summary"
    params = job.params
    form = ReportForm(
        initial={"start": params["start"], "end": params["end"], "team": params.get("team")},
        agency_id=user.agency_id,
    )
    return _render(request, user, layout, form, job=job, found=_found(user, job))


@require_GET
def run_progress(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """Asked for every second while the report runs; once it has finished,
    the page reloads to show it (or why it could not run)."""
    _user, job = _report_job(request, job_id)
    if job.finished:
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "reports/_progress.html", {"job": job, **_progress(job)})


@require_GET
def run_download(request: HttpRequest, job_id: uuid.UUID, layout: str) -> HttpResponse:
    if layout not in LAYOUTS:
        raise Http404
    user, job = _report_job(request, job_id)
    found = _found(user, job)
    if found is None:
        raise Http404
    scope = found.scope
    body = report_csv(scope, _tables(found, layout), _team_name(scope))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"haven-{layout}-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"
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
    stepup.ask(form, request)
    if request.method == "POST" and stepup.confirmed(form, request):
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
