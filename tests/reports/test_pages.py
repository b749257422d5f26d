"""The report pages: who may read them, what they show, bad input, the CSV
and the threshold setting."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.core.models import Team
from haven.jobs.models import Job
from haven.reports.models import ReportSettings
from tests.reports.conftest import Q1

pytestmark = pytest.mark.django_db

Q1_QUERY = {"start": Q1[0].isoformat(), "end": Q1[1].isoformat()}
PAGES = ["reports:summary", "reports:funder"]


def test_readers_see_the_report_with_its_chart(
    client_for, population, admin_user, supervisor, auditor
):
    # One population for every reader and layout (it takes seconds to record).
    for reader in (admin_user, supervisor, auditor):
        client = client_for(reader)
        for page in PAGES:
            response = client.post(reverse(page), Q1_QUERY, follow=True)
            assert response.status_code == 200, (reader, page)
            body = response.content.decode()
            assert 'role="img"' in body
            assert "<desc" in body
            assert "<table" in body
            # Nothing of any person: the population's name is nowhere.
            assert "Synthetic Report Person" not in body


@pytest.mark.parametrize("page", [*PAGES, "reports:settings"])
@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter"])
def test_everyone_else_gets_a_404(client_for, request, persona, page):
    response = client_for(request.getfixturevalue(persona)).post(reverse(page), Q1_QUERY)
    assert response.status_code == 404


def test_another_agency_counts_only_its_own(client_for, population, outsider):
    response = client_for(outsider).post(reverse("reports:summary"), Q1_QUERY, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<td class="number">&lt;5</td>' not in body
    assert '<td class="number">20</td>' not in body
    assert '<td class="number">0</td>' in body


def test_the_summary_shows_the_published_figures(client_for, auditor, population):
    body = (
        client_for(auditor).post(reverse("reports:summary"), Q1_QUERY, follow=True).content.decode()
    )
    # 19 people, published as 20 with the default threshold; 4 continuing, hidden.
    assert '<td class="number">20</td>' in body
    assert '<td class="number">&lt;5</td>' in body
    assert '<td class="number">19</td>' not in body


def test_a_link_starts_nothing(client_for, auditor):
    """Another site could plant a link: asking with GET only shows the form."""
    response = client_for(auditor).get(reverse("reports:summary"), Q1_QUERY)
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_without_a_period_the_form_offers_the_current_quarter(client_for, auditor):
    response = client_for(auditor).get(reverse("reports:summary"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "figures-heading" not in body
    assert 'name="start"' in body
    assert not AuditEvent.objects.filter(action=Action.REPORT_RUN).exists()


def test_the_report_runs_in_the_background_and_its_page_follows(client_for, auditor):
    client = client_for(auditor)
    response = client.post(reverse("reports:summary"), Q1_QUERY)
    assert response.status_code == 302
    run = response["Location"]
    assert run.startswith("/reports/runs/")
    job = Job.objects.get(pk=run.split("/")[3])
    assert job.kind == "reports.run"
    assert job.state == "done"
    assert job.params == {"start": "2026-01-01", "end": "2026-03-31", "team": None}
    # The finished report's progress poll asks the page to reload.
    progress = client.get(reverse("reports:run_progress", args=[job.pk]))
    assert progress["HX-Refresh"] == "true"


def test_a_report_is_its_askers_alone(client_for, auditor, admin_user):
    run = client_for(auditor).post(reverse("reports:summary"), Q1_QUERY)["Location"]
    job_id = run.split("/")[3]
    other = client_for(admin_user)
    assert other.get(run).status_code == 404
    assert other.get(reverse("reports:run_progress", args=[job_id])).status_code == 404
    assert other.get(reverse("reports:run_download", args=[job_id, "summary"])).status_code == 404


def test_a_running_report_shows_its_progress(client_for, auditor):
    job = Job.objects.create(
        agency=auditor.agency,
        created_by=auditor,
        kind="reports.run",
        params={"start": "2026-01-01", "end": "2026-03-31", "team": None},
        state="running",
        done=1,
        total=4,
        label="needs",
        heartbeat_at=timezone.now(),
        started_at=timezone.now(),
    )
    client = client_for(auditor)
    page = client.get(reverse("reports:run", args=[job.pk])).content.decode()
    assert '<progress id="report-bar"' in page
    assert 'value="1"' in page
    assert "data-passive-poll" in page
    partial = client.get(reverse("reports:run_progress", args=[job.pk]))
    assert "HX-Refresh" not in partial
    assert "Counting needs" in partial.content.decode()


def test_running_a_report_is_audited_without_figures(client_for, auditor):
    client_for(auditor).post(reverse("reports:summary"), Q1_QUERY, follow=True)
    event = AuditEvent.objects.filter(action=Action.REPORT_RUN).latest("pk")
    assert event.detail == {"start": "2026-01-01", "end": "2026-03-31", "team": None}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-01-01"}, "must end on or after"),
        ({"start": "2026-01-01", "end": "not a date"}, "Enter a valid date"),
        ({"start": "", "end": "2026-01-01"}, "This field is required"),
        ({"start": "1899-01-01", "end": "2026-01-01"}, "begin in the year 2000"),
        ({"start": "2026-01-01", "end": "2099-01-01"}, "at most a year from today"),
        ({**Q1_QUERY, "team": "999999"}, "Choose one of the agency"),
        ({**Q1_QUERY, "team": "abc"}, "Enter a whole number"),
    ],
)
def test_bad_periods_and_teams_get_a_message(client_for, auditor, query, message):
    before = AuditEvent.objects.filter(action=Action.REPORT_RUN).count()
    response = client_for(auditor).post(reverse("reports:summary"), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.REPORT_RUN).count() == before


def test_a_team_of_another_agency_is_refused(client_for, auditor, outsider):
    foreign = Team.objects.create(agency=outsider.agency, name="Elsewhere")
    response = client_for(auditor).post(
        reverse("reports:summary"), {**Q1_QUERY, "team": foreign.pk}
    )
    assert response.status_code == 400
    assert "Elsewhere" not in response.content.decode()


def _csv(client, layout: str):
    run = client.post(reverse(f"reports:{layout}"), Q1_QUERY)["Location"]
    return client.get(reverse("reports:run_download", args=[run.split("/")[3], layout]))


def test_the_csv_holds_the_published_figures_only(client_for, auditor, population):
    response = _csv(client_for(auditor), "summary")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = [row[3] for row in rows[5:]]
    assert "<5" in figures
    assert "20" in figures
    assert "19" not in figures
    assert "4" not in figures
    assert "Synthetic Report Person" not in response.content.decode()


def test_the_funder_csv_follows_the_funder_layout(client_for, auditor, population):
    response = _csv(client_for(auditor), "funder")
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    titles = {row[0] for row in rows if row}
    assert "Clients served (new and continuing)" in titles
    assert "Service types provided" in titles


def test_an_unknown_layout_is_a_404(client_for, auditor):
    client = client_for(auditor)
    run = client.post(reverse("reports:summary"), Q1_QUERY)["Location"]
    response = client.get(reverse("reports:run_download", args=[run.split("/")[3], "secret"]))
    assert response.status_code == 404


def test_the_administrator_sets_the_threshold(stepped_up, admin_user, auditor, population):
    stepped_up(admin_user).post(reverse("reports:settings"), {"threshold": "10", "version": "1"})
    assert ReportSettings.objects.get(agency=admin_user.agency).threshold == 10
    response = stepped_up(auditor).post(reverse("reports:summary"), Q1_QUERY, follow=True)
    assert '<td class="number">&lt;10</td>' in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.REPORT_SETTINGS_CHANGED).exists()


@pytest.mark.parametrize("threshold", ["0", "-3", "51", "five", ""])
def test_a_bad_threshold_changes_nothing(client_for, admin_user, threshold):
    response = client_for(admin_user).post(
        reverse("reports:settings"), {"threshold": threshold, "version": "1"}
    )
    assert response.status_code == 400
    assert not ReportSettings.objects.filter(agency=admin_user.agency).exists()


def test_a_stale_settings_form_changes_nothing(stepped_up, admin_user):
    client = stepped_up(admin_user)
    client.post(reverse("reports:settings"), {"threshold": "7", "version": "1"})
    response = client.post(reverse("reports:settings"), {"threshold": "9", "version": "1"})
    assert response.status_code == 400
    assert ReportSettings.objects.get(agency=admin_user.agency).threshold == 7


def test_the_auditor_may_not_set_the_threshold(client_for, auditor):
    response = client_for(auditor).post(
        reverse("reports:settings"), {"threshold": "2", "version": "1"}
    )
    assert response.status_code == 404
    assert not ReportSettings.objects.exists()


def test_the_threshold_cannot_be_lowered_in_the_application(stepped_up, admin_user):
    client = stepped_up(admin_user)
    client.post(reverse("reports:settings"), {"threshold": "10", "version": "1"})
    response = client.post(reverse("reports:settings"), {"threshold": "4", "version": "2"})
    assert response.status_code == 400
    assert "can only be raised" in response.content.decode()
    assert ReportSettings.objects.get(agency=admin_user.agency).threshold == 10


def test_the_operator_lowers_the_threshold_and_it_is_audited(admin_user):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "set_report_threshold",
        "--agency",
        str(admin_user.agency_id),
        "--threshold",
        "3",
        stdout=out,
    )
    assert "3" in out.getvalue()
    assert ReportSettings.objects.get(agency=admin_user.agency).threshold == 3
    event = AuditEvent.objects.filter(action=Action.REPORT_SETTINGS_CHANGED).latest("pk")
    assert event.detail == {"threshold": 3, "previous": 5, "by": "operator"}
