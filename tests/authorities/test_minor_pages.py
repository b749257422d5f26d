"""The mandated-report page of a minor's case, and the agency's list of
where to report, county by county."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.people.models import Case
from haven.protocol.models import County, MandatedReport, ReportingContact
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

DANE = "55025"
MILWAUKEE = "55079"


def events(action: Action) -> int:
    return AuditEvent.objects.filter(action=action).count()


def fifteen_years_ago() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - 15, day=min(today.day, 28))


@pytest.fixture
def minor_case(advocate, team):
    return record_intake(
        actor=advocate,
        team=team,
        preferred_name="Young Synthetic",
        date_of_birth=fifteen_years_ago(),
    )


@pytest.fixture
def adult_case(advocate, team):
    return record_intake(
        actor=advocate, team=team, preferred_name="Adult Synthetic", date_of_birth=date(1990, 5, 1)
    )


@pytest.fixture
def dane_contact(agency):
    return ReportingContact.objects.create(
        agency=agency,
        county_id=DANE,
        kind=ReportingContact.Kind.COUNTY,
        name="Dane County Human Services",
        phone="608-555-0101",
        source="County web page",
        verified_on=date(2026, 1, 15),
    )


@pytest.fixture
def foreign_contact(other_agency):
    return ReportingContact.objects.create(
        agency=other_agency, county_id=DANE, kind="sheriff", name="Elsewhere Sheriff Line"
    )


def page(case, **query):
    url = reverse("authorities:minor_report", args=[case.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def where_section(body: str) -> str:
    """The "where to report" help, apart from the report form's own choices."""
    return body[body.index('id="where-heading"') : body.index('id="report-form-heading"')]


def minutes_ago(n: int) -> str:
    return timezone.localtime(timezone.now() - timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M")


def report(client, case, **changes):
    data = {
        "county": DANE,
        "contact": "",
        "reported_to_kind": "county",
        "reported_to": "Dane County intake line",
        "method": "phone",
        "reported_at": minutes_ago(30),
        "reference": "REF-123",
        "outcome": "unknown",
        "other_resources": "",
        "minor_told_at": minutes_ago(60),
        **changes,
    }
    return client.post(page(case), data)


def test_the_page_exists_only_with_a_mandated_report(client_for, adult_case, minor_case, advocate):
    client = client_for(advocate)
    assert not MandatedReport.objects.filter(case=adult_case).exists()
    assert client.get(page(adult_case)).status_code == 404
    assert report(client, adult_case).status_code == 404
    response = client.get(page(minor_case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tell the young person first" in body
    assert "law enforcement will be contacted" in body
    assert "Open" in body
    assert "open for" in body


def test_who_gets_404(
    client_for, minor_case, supervisor, shelter, admin_user, auditor, outsider, intake, team
):
    minor_case.assigned.add(shelter)
    assert client_for(supervisor).get(page(minor_case)).status_code == 200
    shelter_page = client_for(shelter).get(page(minor_case))
    assert shelter_page.status_code == 200
    assert b'name="minor_told_at"' not in shelter_page.content
    assert report(client_for(shelter), minor_case).status_code == 404
    for user in (admin_user, auditor, outsider, intake):
        assert client_for(user).get(page(minor_case)).status_code == 404, user
        assert report(client_for(user), minor_case).status_code == 404, user
    assert MandatedReport.objects.get(case=minor_case).status == "open"


def test_the_county_choice_lists_every_county_and_the_agencys_contacts(
    client_for, minor_case, advocate, dane_contact, foreign_contact, agency
):
    ReportingContact.objects.create(
        agency=agency, county_id=MILWAUKEE, kind="police", name="Milwaukee Police Line"
    )
    client = client_for(advocate)
    response = client.get(page(minor_case))
    assert County.objects.count() == 72
    assert response.context["form"].fields["county"].queryset.count() == 72
    body = response.content.decode()
    assert "County where the child or family lives" in body
    assert "Dane County Human Services" not in where_section(body)  # no county chosen yet
    body = where_section(client.get(page(minor_case, county=DANE)).content.decode())
    assert "Dane County Human Services" in body
    assert "608-555-0101" in body
    assert "County web page" in body
    assert "2026-01-15" in body
    assert "Last checked on" in body
    assert "Elsewhere Sheriff Line" not in body
    assert "Milwaukee Police Line" not in body
    assert client.get(page(minor_case, county="nope")).status_code == 200


def test_closing_waits_for_the_report_then_the_report_is_recorded(client_for, minor_case, advocate):
    client = client_for(advocate)
    close = reverse("people:case_close", args=[minor_case.pk])
    response = client.post(close, {"reason": "goals_met"}, follow=True)
    assert "record the mandated report before closing" in response.content.decode()
    minor_case.refresh_from_db()
    assert minor_case.status == Case.Status.OPEN
    before = events(Action.MANDATED_REPORT_RECORDED)
    response = report(client, minor_case)
    assert response.status_code == 303
    row = MandatedReport.objects.get(case=minor_case)
    assert (row.status, row.county_id, row.method, row.reported_to) == (
        "reported",
        DANE,
        "phone",
        "Dane County intake line",
    )
    assert row.minor_told_at is not None
    assert row.reported_by == advocate
    assert events(Action.MANDATED_REPORT_RECORDED) == before + 1
    body = client.get(page(minor_case)).content.decode()
    assert "Reported" in body
    assert "REF-123" in body
    client.post(close, {"reason": "goals_met"})
    minor_case.refresh_from_db()
    assert minor_case.status == Case.Status.CLOSED


def test_a_saved_contact_fills_in_who_took_the_report(
    client_for, minor_case, advocate, dane_contact
):
    response = report(
        client_for(advocate),
        minor_case,
        contact=str(dane_contact.pk),
        reported_to_kind="",
        reported_to="",
    )
    assert response.status_code == 303
    row = MandatedReport.objects.get(case=minor_case)
    assert (row.reported_to_kind, row.reported_to) == ("county", "Dane County Human Services")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outcome": "screened_out"}, "Say what other help was arranged."),
        ({"outcome": "lost"}, "Select a valid choice"),
        ({"reported_at": minutes_ago(-120)}, "This time is in the future."),
        ({"minor_told_at": minutes_ago(-120)}, "This time is in the future."),
        ({"minor_told_at": ""}, "Tell the young person that law enforcement will be contacted"),
        ({"county": "99999"}, "Select a valid choice"),
        ({"reported_to_kind": "", "reported_to": ""}, "Choose who took the report."),
        ({"reported_to": ""}, "Say who took the report."),
        ({"method": "pigeon"}, "Select a valid choice"),
    ],
)
def test_bad_reports_change_nothing(client_for, minor_case, advocate, changes, message):
    client = client_for(advocate)
    before = events(Action.MANDATED_REPORT_RECORDED)
    response = report(client, minor_case, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert MandatedReport.objects.get(case=minor_case).status == "open"
    assert events(Action.MANDATED_REPORT_RECORDED) == before


def test_another_agencys_or_another_countys_contact_is_refused(
    client_for, minor_case, advocate, foreign_contact, dane_contact
):
    client = client_for(advocate)
    response = report(client, minor_case, contact=str(foreign_contact.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = report(client, minor_case, contact=str(dane_contact.pk), county=MILWAUKEE)
    assert response.status_code == 400
    assert "This contact is for another county." in response.content.decode()
    assert MandatedReport.objects.get(case=minor_case).status == "open"


def test_screened_out_with_other_help_is_recorded(client_for, minor_case, advocate):
    response = report(
        client_for(advocate),
        minor_case,
        outcome="screened_out",
        other_resources="Youth drop-in centre and school counsellor",
    )
    assert response.status_code == 303
    row = MandatedReport.objects.get(case=minor_case)
    assert row.outcome == "screened_out"
    assert row.other_resources == "Youth drop-in centre and school counsellor"


# --- The agency's list of where to report -------------------------------------------


def contact_form(**changes):
    return {
        "county": DANE,
        "kind": "sheriff",
        "name": "Dane County Sheriff",
        "phone": "608-555-0199",
        "source": "Sheriff's web page",
        "verified_on": "2026-02-01",
        **changes,
    }


def test_supervisors_and_administrators_keep_the_list(
    client_for, supervisor, admin_user, advocate, intake, shelter, auditor
):
    listing = reverse("authorities:reporting_contacts")
    for user in (advocate, intake, shelter, auditor):
        assert client_for(user).get(listing).status_code == 404, user
        assert client_for(user).post(listing, contact_form()).status_code == 404, user
    assert ReportingContact.objects.count() == 0
    for user in (supervisor, admin_user):
        assert client_for(user).get(listing).status_code == 200, user
    client = client_for(admin_user)
    assert client.post(listing, contact_form()).status_code == 303
    row = ReportingContact.objects.get()
    assert (row.agency_id, row.county_id, row.kind) == (admin_user.agency_id, DANE, "sheriff")
    assert "Dane County Sheriff" in client.get(listing).content.decode()
    edit = reverse("authorities:reporting_contact_edit", args=[row.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, contact_form(phone="608-555-0000")).status_code == 303
    row.refresh_from_db()
    assert row.phone == "608-555-0000"
    delete = reverse("authorities:reporting_contact_delete", args=[row.pk])
    assert client.post(delete).status_code == 303
    assert ReportingContact.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"verified_on": (timezone.localdate() + timedelta(days=5)).isoformat()}, "in the future"),
        ({"name": "   "}, "This field is required"),
        ({"kind": "mayor"}, "Select a valid choice"),
        ({"county": "00000"}, "Select a valid choice"),
        ({"name": "Line\u202eevil"}, "invisible control characters"),
    ],
)
def test_bad_contacts_change_nothing(client_for, supervisor, changes, message):
    client = client_for(supervisor)
    before = AuditEvent.objects.count()
    response = client.post(reverse("authorities:reporting_contacts"), contact_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ReportingContact.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_another_agencys_contact_is_404(client_for, supervisor, foreign_contact, outsider, agency):
    client = client_for(supervisor)
    edit = reverse("authorities:reporting_contact_edit", args=[foreign_contact.pk])
    delete = reverse("authorities:reporting_contact_delete", args=[foreign_contact.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, contact_form()).status_code == 404
    assert client.post(delete).status_code == 404
    foreign_contact.refresh_from_db()
    assert foreign_contact.name == "Elsewhere Sheriff Line"
    ReportingContact.objects.create(agency=agency, county_id=DANE, name="Ours Only")
    body = client_for(outsider).get(reverse("authorities:reporting_contacts")).content.decode()
    assert "Ours Only" not in body
    assert "Elsewhere Sheriff Line" in body
