"""Attacks on staff training, organizational preparedness, de-identified
reports and background jobs (docs/adr/0017-de-identified-reports.md).

Each test asserts the safe behaviour. The ones marked ``xfail(strict=True)``
show a weakness found in review and not fixed yet (it lies outside the
reviewed apps' code): they start passing (and then fail as XPASS) once it is
fixed, and the mark comes off.

Personas: another agency's staff member (``outsider``, also its admin and
auditor) sending ids of the first agency's records; an auditor, advocate or
front-desk (intake) user reaching for administrators' writes; a creator of a
background job who has since lost access to what it is about; someone
combining published figures to recover a count under the threshold; staff
text (topic names, policy titles) carrying script or spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from haven.accounts.api_tokens import api_token_create
from haven.accounts.models import Membership, Role
from haven.core.errors import NotFound
from haven.exports.jobs import export_start
from haven.exports.services import ExportRequest
from haven.jobs.models import Job, State
from haven.preparedness import services as preparedness
from haven.preparedness.models import PartnerAgreement, PartnerMeeting, PolicyDocument
from haven.preparedness.readiness import readiness
from haven.protocol.models import NeedCategory
from haven.protocol.needs import assessment_record
from haven.reports.exports import report_csv
from haven.reports.figures import Scope, needs_table, report
from haven.reports.jobs import report_start
from haven.reports.services import SettingsChange, report_settings_save, settings_of
from haven.training import services as training
from haven.training.models import Event, Record, Topic
from tests import files
from tests.factories import make_staff, record_intake
from tests.preparedness.conftest import agreement_values, make_org, make_policy, meeting_values

pytestmark = pytest.mark.django_db

API = "/api/v1"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW_XSS = ("<script>alert(", "<img src=x onerror")
TODAY_MINUS = 3


# --- Helpers --------------------------------------------------------------------------------


@pytest.fixture
def web(client):
    client.raise_request_exception = False
    return client


@pytest.fixture
def as_user(web):
    def sign_in(user):
        web.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        return web

    return sign_in


def bearer(user) -> dict[str, str]:
    token = api_token_create(user=user, lifetime=timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def shipped(code: str = "dynamics") -> Topic:
    return Topic.objects.get(agency=None, code=code)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def a_record(admin, staff) -> Record:
    return training.training_record(
        actor=admin,
        values=training.RecordValues(
            staff_id=staff.pk,
            topic_id=shipped().pk,
            completed_on=days_ago(TODAY_MINUS),
            hours=Decimal("1"),
        ),
    )


def an_event(admin, staff) -> Event:
    return training.event_record(
        actor=admin,
        values=training.EventValues(
            topic_id=shipped().pk,
            title="Synthetic in-service",
            held_on=days_ago(TODAY_MINUS),
            hours=Decimal("2"),
            staff_ids=[staff.pk],
        ),
    )


@pytest.fixture
def first_agency_records(admin_user, advocate, agency):
    """One of each record of the first agency, made by its administrator."""
    org = make_org(agency)
    return {
        "record": a_record(admin_user, advocate),
        "event": an_event(admin_user, advocate),
        "policy": make_policy(admin_user),
        "meeting": preparedness.meeting_save(actor=admin_user, values=meeting_values()),
        "agreement": preparedness.agreement_record(actor=admin_user, values=agreement_values(org)),
        "org": org,
        "topic": training.topic_add(actor=admin_user, name="Synthetic own topic"),
    }


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Record, Event, Topic, PolicyDocument, PartnerMeeting, PartnerAgreement)
    }


# --- Another agency's ids -------------------------------------------------------------------


def test_another_agencys_records_answer_404_on_every_page_and_api(
    as_user, outsider, first_agency_records
):
    found = first_agency_records
    client = as_user(outsider)
    pages = [
        reverse("training:record", args=[found["record"].pk]),
        reverse("training:event", args=[found["event"].pk]),
        reverse("preparedness:policy", args=[found["policy"].pk]),
        reverse("preparedness:policy_edit", args=[found["policy"].pk]),
        reverse("preparedness:review", args=[found["policy"].pk]),
        reverse("preparedness:meeting", args=[found["meeting"].pk]),
        reverse("preparedness:meeting_edit", args=[found["meeting"].pk]),
        reverse("preparedness:agreement", args=[found["agreement"].pk]),
    ]
    for page in pages:
        assert client.get(page).status_code == 404, page
    headers = bearer(outsider)
    for path in (
        f"{API}/trainings/{found['record'].pk}",
        f"{API}/policies/{found['policy'].pk}",
    ):
        assert client.get(path, **headers).status_code == 404, path
    response = client.post(
        f"{API}/policies/{found['policy'].pk}/acknowledge",
        {"version": 1},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404


def test_another_agencys_ids_in_writes_are_refused_and_write_nothing(
    outsider, advocate, first_agency_records
):
    found = first_agency_records
    before = row_counts()
    # Their staff, their own topic, their partner.
    for values in (
        training.RecordValues(
            staff_id=advocate.pk,
            topic_id=shipped().pk,
            completed_on=days_ago(1),
            hours=Decimal("1"),
        ),
        training.RecordValues(
            staff_id=outsider.pk,
            topic_id=found["topic"].pk,
            completed_on=days_ago(1),
            hours=Decimal("1"),
        ),
        training.RecordValues(
            staff_id=outsider.pk,
            topic_id=shipped().pk,
            completed_on=days_ago(1),
            hours=Decimal("1"),
            partner_id=found["org"].pk,
        ),
    ):
        with pytest.raises(ValidationError):
            training.training_record(actor=outsider, values=values)
    with pytest.raises(ValidationError):
        training.event_record(
            actor=outsider,
            values=training.EventValues(
                topic_id=shipped().pk,
                title="Synthetic",
                held_on=days_ago(1),
                hours=Decimal("1"),
                staff_ids=[outsider.pk, advocate.pk],
            ),
        )
    with pytest.raises(NotFound):
        training.certificate_add(
            actor=outsider, record_id=found["record"].pk, upload=files.accepted()
        )
    with pytest.raises(ValidationError):  # their staff as the owner of a policy
        make_policy(outsider, owner=advocate)
    for call in (
        lambda: preparedness.policy_save(
            actor=outsider,
            values=preparedness.PolicyValues("eligibility", "Taken over", outsider.pk),
            document_id=found["policy"].pk,
        ),
        lambda: preparedness.version_add(
            actor=outsider,
            document_id=found["policy"].pk,
            values=preparedness.VersionValues(days_ago(1), days_ago(-300), "x", files.accepted()),
        ),
        lambda: preparedness.review_record(
            actor=outsider,
            document_id=found["policy"].pk,
            version_number=1,
            reviewed_on=days_ago(1),
            next_review_on=days_ago(-300),
        ),
        lambda: preparedness.policy_acknowledge(
            actor=outsider, document_id=found["policy"].pk, version_number=1
        ),
        lambda: preparedness.meeting_save(
            actor=outsider, values=meeting_values(), meeting_id=found["meeting"].pk
        ),
    ):
        with pytest.raises(NotFound):
            call()
    for values in (
        meeting_values(organization_id=found["org"].pk),
        meeting_values(staff_ids=[advocate.pk]),
    ):
        with pytest.raises(ValidationError):
            preparedness.meeting_save(actor=outsider, values=values)
    with pytest.raises(ValidationError):
        preparedness.agreement_record(actor=outsider, values=agreement_values(found["org"]))
    assert row_counts() == before


def test_a_report_of_another_agencys_team_is_refused(as_user, outsider, team):
    client = as_user(outsider)
    response = client.post(
        reverse("reports:summary"), {"start": "2026-01-01", "end": "2026-03-31", "team": team.pk}
    )
    assert response.status_code == 400
    assert not Job.objects.exists()
    response = client.post(
        f"{API}/reports/runs",
        {"start": "2026-01-01", "end": "2026-03-31", "team": team.pk},
        content_type="application/json",
        **bearer(outsider),
    )
    assert response.status_code == 422
    assert not Job.objects.exists()


# --- Roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "advocate", "intake", "supervisor"])
def test_who_keeps_no_training_or_policies_writes_none(
    persona, all_personas, as_user, first_agency_records
):
    user = all_personas[persona]
    found = first_agency_records
    client = as_user(user)
    before = row_counts()
    posts = {
        reverse("training:record_new"): {
            "staff": user.pk,
            "topic": shipped().pk,
            "completed_on": days_ago(1).isoformat(),
            "hours": "1",
        },
        reverse("training:event_new"): {
            "topic": shipped().pk,
            "title": "Synthetic",
            "held_on": days_ago(1).isoformat(),
            "hours": "1",
            "staff": [user.pk],
            "outside_professionals": "0",
        },
        reverse("training:topics"): {"name": "Escalated topic"},
        reverse("preparedness:policy_edit", args=[found["policy"].pk]): {
            "kind": "other",
            "title": "Taken over",
            "owner": user.pk,
        },
        reverse("preparedness:review", args=[found["policy"].pk]): {
            "version": 1,
            "reviewed_on": days_ago(1).isoformat(),
            "next_review_on": days_ago(-300).isoformat(),
        },
        reverse("preparedness:agreement_new"): {
            "organization": str(found["org"].pk),
            "kind": "mou",
            "signed_on": days_ago(1).isoformat(),
        },
        reverse("reports:settings"): {"threshold": 1, "version": 1},
    }
    if persona != "supervisor":  # supervisors keep partner meetings
        posts[reverse("preparedness:meeting_new")] = {
            "kind": "da_victim_witness",
            "partner_name": "Synthetic",
            "held_on": days_ago(1).isoformat(),
        }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code in (403, 404), (url, response.status_code)
    assert row_counts() == before
    assert PolicyDocument.objects.get().title == "Who we serve"


def test_an_auditor_writes_nothing_over_the_api(as_user, auditor, first_agency_records):
    client = as_user(auditor)
    headers = bearer(auditor)
    before = row_counts()
    for path, body in (
        (
            "/trainings",
            {
                "staff_id": auditor.pk,
                "topic_id": shipped().pk,
                "completed_on": days_ago(1).isoformat(),
                "hours": "1",
            },
        ),
        (
            "/partner-meetings",
            {
                "kind": "da_victim_witness",
                "partner_name": "Synthetic",
                "held_on": days_ago(1).isoformat(),
            },
        ),
    ):
        response = client.post(f"{API}{path}", body, content_type="application/json", **headers)
        assert response.status_code in (403, 404), (path, response.status_code)
    response = client.put(
        f"{API}/reports/settings",
        {"threshold": 1, "version": 1},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert row_counts() == before


# --- Background jobs ------------------------------------------------------------------------


@pytest.fixture
def exported(advocate, team):
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Export Person")
    job = export_start(
        actor=advocate, case=case, request=ExportRequest(audience="person"), output="bundle"
    )
    assert job.state == State.DONE
    return job


def test_a_job_is_its_creators_alone(as_user, exported, supervisor, outsider, admin_user):
    for user in (supervisor, outsider, admin_user):
        client = as_user(user)
        for name in ("jobs:detail", "jobs:progress", "jobs:download"):
            assert client.get(reverse(name, args=[exported.pk])).status_code == 404
        headers = bearer(user)
        for path in (f"{API}/jobs/{exported.pk}", f"{API}/jobs/{exported.pk}/result"):
            assert client.get(path, **headers).status_code == 404
        assert str(exported.pk) not in client.get(reverse("jobs:list")).content.decode()


def test_an_export_no_longer_opens_once_its_creator_lost_the_case(
    as_user, exported, advocate, other_team
):
    """An advocate moved to another team (or whose role was taken away)
    kept downloading the record they can no longer open for the rest of
    the day."""
    client = as_user(advocate)
    url = reverse("jobs:download", args=[exported.pk])
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=advocate).update(team=other_team)
    assert client.get(url).status_code == 404
    assert client.get(f"{API}/jobs/{exported.pk}/result", **bearer(advocate)).status_code == 404


def test_an_export_no_longer_opens_once_its_person_is_destroyed(as_user, exported, advocate):
    from haven.people.models import Case
    from haven.people.services import person_destroy

    case = Case.objects.get(pk=exported.about_id)
    person_destroy(actor=None, person=case.person, basis="request")
    client = as_user(advocate)
    assert client.get(reverse("jobs:download", args=[exported.pk])).status_code == 404


def test_job_rows_hold_no_name(exported):
    job = Job.objects.get(pk=exported.pk)
    assert "Synthetic" not in str(job.params) + job.result_name + job.label
    assert job.secret in (None, "")


def test_a_report_no_longer_opens_once_its_creator_lost_the_reader_role(web, supervisor, agency):
    scope = Scope(
        agency_id=agency.pk,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        threshold=5,
    )
    job = report_start(actor=supervisor, scope=scope)
    assert job.state == State.DONE
    Membership.objects.create(user=supervisor, role=Role.ADVOCATE, team=supervisor_team(supervisor))
    Membership.objects.filter(user=supervisor, role=Role.SUPERVISOR).delete()
    response = web.get(f"{API}/jobs/{job.pk}/result", **bearer(supervisor))
    assert response.status_code == 404


def supervisor_team(user):
    return Membership.objects.filter(user=user).first().team


# --- Small counts ---------------------------------------------------------------------------


def test_lowering_the_threshold_does_not_publish_a_hidden_count(admin_user, agency):
    report_settings_save(
        actor=admin_user,
        change=SettingsChange(threshold=5, version=settings_of(agency.pk).version),
    )
    with pytest.raises(ValidationError):
        report_settings_save(
            actor=admin_user,
            change=SettingsChange(threshold=1, version=settings_of(agency.pk).version),
        )


def test_a_rare_need_category_is_not_named_in_a_report(advocate, team, agency):
    rare = NeedCategory.objects.create(
        agency=agency, code="tigrinya-interpreter", label="Tigrinya interpreter", term="immediate"
    )
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Rare Person")
    assessment_record(actor=advocate, case=case, ranked=[rare.pk])
    today = timezone.localdate()
    scope = Scope(agency_id=agency.pk, start=today - timedelta(days=30), end=today, threshold=5)
    labels = [row.label for row in needs_table(scope).rows]
    assert "Tigrinya interpreter" not in labels


def test_readiness_shows_no_small_count_of_people_served(advocate, team, agency):
    record_intake(
        actor=advocate,
        team=team,
        legal_name="Synthetic Minor",
        date_of_birth=timezone.localdate() - timedelta(days=365 * 14),
    )
    from haven.protocol.models import MandatedReport

    assert MandatedReport.objects.filter(case__agency=agency, status="open").count() == 1
    casework = next(s for s in readiness(agency.pk, timezone.localdate()) if s.key == "casework")
    assert all(item.value not in {"1", "2", "3", "4"} for item in casework.items)


# --- Staff text in reports and pages --------------------------------------------------------


def test_topic_names_reach_the_csv_as_text_never_a_formula(admin_user, agency, advocate):
    for name in ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"):
        topic = training.topic_add(actor=admin_user, name=name)
        training.training_record(
            actor=admin_user,
            values=training.RecordValues(
                staff_id=advocate.pk,
                topic_id=topic.pk,
                completed_on=days_ago(1),
                hours=Decimal("1"),
            ),
        )
    today = timezone.localdate()
    scope = Scope(agency_id=agency.pk, start=today - timedelta(days=30), end=today, threshold=5)
    body = report_csv(scope, report(scope).tables, team_name="=cmd|' /C calc'!A0")
    for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_script_in_staff_text_is_escaped_everywhere_it_is_shown(
    as_user, admin_user, advocate, auditor
):
    topic = training.topic_add(actor=admin_user, name=XSS[:190])
    training.training_record(
        actor=admin_user,
        values=training.RecordValues(
            staff_id=advocate.pk, topic_id=topic.pk, completed_on=days_ago(1), hours=Decimal("1")
        ),
    )
    policy = make_policy(admin_user, title=XSS[:190])
    pages = {
        admin_user: [
            reverse("training:topics"),
            reverse("training:overview"),
            reverse("training:records"),
            reverse("preparedness:home"),
            reverse("preparedness:policies"),
            reverse("preparedness:policy", args=[policy.pk]),
        ],
        advocate: [reverse("training:mine"), reverse("preparedness:home")],
        auditor: [reverse("preparedness:home")],
    }
    for user, urls in pages.items():
        client = as_user(user)
        for url in urls:
            body = client.get(url).content.decode()
            assert not any(raw in body for raw in RAW_XSS), url
    # The report page draws the topic as a row label in a table and an SVG chart.
    client = as_user(admin_user)
    today = timezone.localdate()
    response = client.post(
        reverse("reports:summary"),
        {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()},
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;" in body
    assert not any(raw in body for raw in RAW_XSS)


# --- Uploads and sizes ----------------------------------------------------------------------


def test_a_policy_or_certificate_must_be_a_document(as_user, admin_user, advocate):
    for data, name in (
        (files.html_named_pdf(), "policy.pdf"),
        (files.svg_with_script(), "policy.pdf"),
        (files.png(), "policy.pdf"),
    ):
        with pytest.raises(ValidationError):
            make_policy(
                admin_user,
                first=preparedness.VersionValues(
                    days_ago(1), days_ago(-300), "", files.accepted(data, name)
                ),
            )
    record = a_record(admin_user, advocate)
    client = as_user(admin_user)
    for data in (files.html_named_pdf(), files.svg_with_script(), files.wav()):
        response = client.post(
            reverse("training:record", args=[record.pk]),
            {"certificate": files.uploaded(data, "certificate.pdf")},
        )
        assert response.status_code in (400, 422), response.status_code
    record.refresh_from_db()
    assert record.certificate_id is None
    assert not PolicyDocument.objects.exists()


def test_huge_lists_and_numbers_are_refused_without_a_crash(as_user, admin_user):
    client = as_user(admin_user)
    headers = bearer(admin_user)
    body = {
        "topic_id": shipped().pk,
        "title": "Synthetic",
        "held_on": days_ago(1).isoformat(),
        "hours": "1",
        "staff_ids": list(range(1, 5002)),
        "outside_professionals": 0,
    }
    response = client.post(
        f"{API}/trainings/events", body, content_type="application/json", **headers
    )
    assert response.status_code in (400, 422)
    body["staff_ids"] = [admin_user.pk]
    body["outside_professionals"] = 10**12
    response = client.post(
        f"{API}/trainings/events", body, content_type="application/json", **headers
    )
    assert response.status_code in (400, 422)
    for start, end in (("1900-01-01", "2026-01-01"), ("2000-01-01", "9999-12-31")):
        response = client.post(
            f"{API}/reports/runs",
            {"start": start, "end": end},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 422, (start, end)
    response = client.get(f"{API}/reports/runs/{uuid.uuid4()}", **headers)
    assert response.status_code == 404
    response = client.get(f"{API}/reports/runs/not-a-uuid", **headers)
    assert response.status_code == 404
    assert not Event.objects.exists()


def test_a_departed_employee_reaches_nothing(web, settings, admin_user, first_agency_records):
    departed = make_staff(agency=admin_user.agency, role=Role.ADMIN, username="t-departed")
    headers = bearer(departed)
    departed.is_active = False
    departed.save(update_fields=["is_active"])
    web.force_login(departed, backend=settings.AUTHENTICATION_BACKENDS[-1])
    for url in (
        reverse("training:records"),
        reverse("preparedness:policies"),
        reverse("preparedness:meetings"),
    ):
        assert web.get(url).status_code in (302, 403, 404), url
    assert web.get(f"{API}/trainings", **headers).status_code in (401, 403, 404)


def test_an_edit_without_its_revision_is_refused_as_stale(admin_user):
    """The hidden revision left out of a POST does not skip the stale check."""
    from tests.preparedness.conftest import make_policy

    document = make_policy(admin_user)
    with pytest.raises(ValidationError):
        preparedness.policy_save(
            actor=admin_user,
            values=preparedness.PolicyValues(
                kind="eligibility", title="Changed", owner_id=admin_user.pk
            ),
            document_id=document.pk,
        )
