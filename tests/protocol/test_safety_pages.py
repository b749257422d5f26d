"""The safety pages as staff use them: the danger question, the 911 outcome,
the versioned safety plan and its print in the person's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

import haven.core.pdf
from haven.audit.models import Action, AuditEvent
from haven.protocol.models import DangerCheck, SafetyPlan
from tests.factories import TeamFactory, make_staff, record_intake

pytestmark = pytest.mark.django_db

PLAN = {
    "plan-safe_contacts": "Sister Marta, 555-0100",
    "plan-safe_places": "The library on Main Street",
    "plan-code_word": "blue umbrella",
    "plan-emergency_bag": "Papers and medicine at Marta's",
    "plan-transport": "Bus 14 from the corner",
    "plan-technology": "New phone, location off",
    "plan-backup_plan": "Call the advocate line, then go to the church shelter",
}


def events(action: Action) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def case(advocate, team):
    return record_intake(
        actor=advocate, team=team, preferred_name="Lucía Synthetic", language="spa"
    )


def page(case):
    return reverse("protocol:safety", args=[case.pk])


def save_plan(client, case, **changes):
    return client.post(reverse("protocol:safety_plan", args=[case.pk]), {**PLAN, **changes})


def check(client, case, **values):
    data = {f"danger-{name}": value for name, value in values.items()}
    return client.post(reverse("protocol:danger_check", args=[case.pk]), data)


def test_front_line_roles_open_the_page_and_others_get_404(
    client_for, case, advocate, supervisor, shelter, intake, admin_user, auditor, outsider, team
):
    case.assigned.add(shelter)
    for user in (advocate, supervisor, shelter):
        response = client_for(user).get(page(case))
        assert response.status_code == 200, user
        assert b"Safety plan" in response.content
    for user in (intake, admin_user, auditor, outsider):
        assert client_for(user).get(page(case)).status_code == 404, user
    # Intake opens the cases they recorded, for the danger question only.
    own = record_intake(actor=intake, team=team, preferred_name="Intake Synthetic")
    response = client_for(intake).get(page(own))
    assert response.status_code == 200
    assert b"danger-answer" in response.content
    assert b"Safety plan" not in response.content
    assert (
        client_for(intake).get(reverse("protocol:safety_plan_pdf", args=[own.pk])).status_code
        == 404
    )


def test_only_advocates_and_supervisors_save_plans(client_for, case, shelter, intake, team):
    case.assigned.add(shelter)
    own = record_intake(actor=intake, team=team)
    assert save_plan(client_for(shelter), case).status_code == 404
    assert save_plan(client_for(intake), own).status_code == 404
    assert SafetyPlan.objects.count() == 0


def test_a_yes_tells_staff_to_call_911_now(client_for, case, advocate):
    client = client_for(advocate)
    before = DangerCheck.objects.filter(case=case).count()
    response = check(client, case, answer="yes")
    assert response.status_code == 303
    assert DangerCheck.objects.filter(case=case).count() == before + 1
    body = client.get(page(case)).content.decode()
    assert 'role="alert"' in body
    assert "Call 911 now" in body


def test_intake_and_shelter_record_danger_checks(client_for, case, shelter, intake, team):
    case.assigned.add(shelter)
    own = record_intake(actor=intake, team=team)
    assert check(client_for(shelter), case, answer="unsure").status_code == 303
    assert check(client_for(intake), own, answer="no").status_code == 303
    assert DangerCheck.objects.filter(case=case, answer="unsure").exists()
    assert DangerCheck.objects.filter(case=own, answer="no").exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"answer": "yes", "outcome": "did_not_come"}, "tick that 911 was called"),
        ({"answer": "yes", "called_911": "on"}, "Say what happened when 911 was called"),
        ({"answer": "maybe"}, "Select a valid choice"),
        ({"answer": "yes", "called_911": "on", "outcome": "vanished"}, "Select a valid choice"),
        ({"answer": "yes", "called_911": "on", "outcome": "other"}, "Say what happened."),
        ({}, "Answer whether the person is in danger"),
    ],
)
def test_bad_danger_checks_change_nothing(client_for, case, advocate, values, message):
    client = client_for(advocate)
    before = (DangerCheck.objects.count(), events(Action.DANGER_CHECKED))
    response = check(client, case, **values)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (DangerCheck.objects.count(), events(Action.DANGER_CHECKED)) == before


def test_another_agencys_case_is_404_and_unchanged(client_for, case, outsider):
    client = client_for(outsider)
    before = (DangerCheck.objects.count(), SafetyPlan.objects.count())
    assert check(client, case, answer="yes").status_code == 404
    assert save_plan(client, case).status_code == 404
    for name in ("protocol:safety", "protocol:safety_plan_pdf"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
    assert (DangerCheck.objects.count(), SafetyPlan.objects.count()) == before
    assert not AuditEvent.objects.filter(actor=outsider, object_id=str(case.pk)).exists()


def test_plans_are_versioned_and_earlier_versions_stay(client_for, case, advocate):
    client = client_for(advocate)
    assert save_plan(client, case).status_code == 303
    assert save_plan(client, case, **{"plan-code_word": "green kite"}).status_code == 303
    assert list(SafetyPlan.objects.filter(case=case).values_list("version", flat=True)) == [1, 2]
    body = client.get(page(case)).content.decode()
    assert "green kite" in body
    assert reverse("protocol:safety_plan_version", args=[case.pk, 1]) in body
    assert reverse("protocol:safety_plan_version", args=[case.pk, 2]) in body
    old = client.get(reverse("protocol:safety_plan_version", args=[case.pk, 1]))
    assert old.status_code == 200
    assert "blue umbrella" in old.content.decode()
    assert "earlier version" in old.content.decode()
    assert client.get(reverse("protocol:safety_plan_version", args=[case.pk, 3])).status_code == 404
    assert events(Action.SAFETY_PLAN_SAVED) == 2


def test_a_plan_version_of_another_case_is_404(client_for, case, advocate, team):
    client = client_for(advocate)
    save_plan(client, case)
    other = record_intake(actor=advocate, team=team, preferred_name="Other Synthetic")
    response = client.get(reverse("protocol:safety_plan_version", args=[other.pk, 1]))
    assert response.status_code == 404


def test_a_plan_without_a_backup_is_refused(client_for, case, advocate):
    client = client_for(advocate)
    before = (SafetyPlan.objects.count(), events(Action.SAFETY_PLAN_SAVED))
    response = save_plan(client, case, **{"plan-backup_plan": "   "})
    assert response.status_code == 400
    assert "backup for when 911 does not help" in response.content.decode()
    response = save_plan(client, case, **{"plan-code_word": "x" * 5000})
    assert response.status_code == 400
    assert (SafetyPlan.objects.count(), events(Action.SAFETY_PLAN_SAVED)) == before


def test_unknown_plan_fields_are_ignored_not_saved(client_for, case, advocate):
    client = client_for(advocate)
    assert save_plan(client, case, secret="should not land anywhere").status_code == 303
    assert SafetyPlan.objects.filter(case=case).count() == 1


def test_the_backup_plan_shows_at_the_top_when_911_did_not_help(client_for, case, advocate):
    client = client_for(advocate)
    save_plan(client, case)
    body = client.get(page(case)).content.decode()
    assert "use the backup plan now" not in body
    response = check(client, case, answer="yes", called_911="on", outcome="did_not_come")
    assert response.status_code == 303
    body = client.get(page(case)).content.decode()
    top = body.index("use the backup plan now")
    assert top < body.index("danger-heading")
    box = body[body.rindex("<section", 0, top) : body.index("</section>", top)]
    assert 'role="alert"' in box
    assert "go to the church shelter" in box
    assert "#id_plan-backup_plan" in box
    # Once 911 helps, the box goes.
    check(client, case, answer="yes", called_911="on", outcome="helped")
    assert "use the backup plan now" not in client.get(page(case)).content.decode()


@pytest.fixture
def captured_html(monkeypatch):
    """The HTML each PDF is made from (no PDF text extractor is installed)."""
    pages: list[str] = []
    real = haven.core.pdf.render_to_string

    def capture(*args, **kwargs):
        html = real(*args, **kwargs)
        pages.append(html)
        return html

    monkeypatch.setattr(haven.core.pdf, "render_to_string", capture)
    return pages


def test_the_plan_prints_in_the_persons_language_naming_only_them(
    client_for, case, advocate, team, captured_html
):
    client = client_for(advocate)
    other = record_intake(actor=advocate, team=team, preferred_name="Otto Elsewhere")
    save_plan(client, other, **{"plan-code_word": "red lantern"})
    save_plan(client, case)
    before = events(Action.DOCUMENT_PRINTED)
    response = client.get(reverse("protocol:safety_plan_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"%%EOF" in response.content[-1024:]
    assert len(response.content) > 1000
    assert response["Content-Disposition"] == 'attachment; filename="safety-plan-v1.pdf"'
    html = captured_html[-1]
    assert 'lang="es"' in html
    assert "Lucía Synthetic" in html
    assert "blue umbrella" in html
    assert "Otto" not in html
    assert "red lantern" not in html
    with translation.override("es"):
        for heading in ("My safety plan", "Safe places to go", "If 911 does not help"):
            assert gettext(heading) in html
    printed = AuditEvent.objects.filter(action=Action.DOCUMENT_PRINTED)
    assert printed.count() == before + 1
    event = printed.latest("seq")
    assert event.object_type == "case"
    assert event.object_id == str(case.pk)
    assert event.detail == {"document": "safety_plan", "version": 1}


def test_the_plan_prints_in_english_for_other_languages(client_for, advocate, team, captured_html):
    case = record_intake(
        actor=advocate, team=team, preferred_name="Amara Synthetic", language="vie"
    )
    client = client_for(advocate)
    save_plan(client, case)
    response = client.get(reverse("protocol:safety_plan_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert 'lang="en"' in captured_html[-1]
    assert "Safe places to go" in captured_html[-1]


def test_no_plan_no_print(client_for, case, advocate):
    client = client_for(advocate)
    response = client.get(reverse("protocol:safety_plan_pdf", args=[case.pk]))
    assert response.status_code == 302
    assert events(Action.DOCUMENT_PRINTED) == 0


def test_the_tracker_links_to_the_safety_page(client_for, case, advocate):
    body = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk])).content
    assert page(case).encode() in body


def test_another_team_cannot_reach_the_page(client_for, case, agency):
    stranger = make_staff(
        agency=agency, role="advocate", team=TeamFactory(agency=agency), username="t-south"
    )
    assert client_for(stranger).get(page(case)).status_code == 404
