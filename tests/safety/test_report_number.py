"""A threat's police report number: every change kept (who, when, the
number before and after, sealed under the threat's key, audited without
it), changed once recorded only by whoever recorded the threat, the staff
designated for safety alerts, supervisors and administrators, shown on the
threat's page, and refused with a clear message when it is not one line of
at most 100 characters: on the pages, in the services and over the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haven.accounts.api_tokens import api_token_create
from haven.audit.models import Action, AuditEvent
from haven.core import limits
from haven.core.errors import NotFound
from haven.safety import services
from haven.safety.models import ReportNumberChange, Threat
from tests.safety.conftest import database_state, designate, refused

pytestmark = pytest.mark.django_db

FIRST = "SYN-2026-0042"
SECOND = "SYN-2026-0043"


def record(actor, number: str = FIRST, **values) -> Threat:
    values.setdefault("against_agency", True)
    return services.threat_record(
        actor=actor,
        values=services.ThreatValues(
            occurred_at=timezone.now() - timedelta(hours=3),
            channel="phone",
            what_happened="Synthetic: a caller asked for an advocate by name.",
            reported_to_police=True,
            report_number=number,
            **values,
        ),
    )


def follow_up(actor, threat: Threat, number: str, **values) -> Threat:
    values.setdefault("reported_to_police", True)
    return services.threat_follow_up(
        actor=actor,
        threat_id=threat.pk,
        values=services.ThreatFollowUp(report_number=number, **values),
    )


def history(threat: Threat) -> list[tuple[str | None, str | None, int]]:
    return [
        (c.previous, c.number, c.changed_by_id)
        for c in ReportNumberChange.objects.filter(threat=threat).order_by("changed_at", "pk")
    ]


@pytest.fixture
def threat(intake, advocate, shelter) -> Threat:
    """Recorded by the front desk, with a number, aimed at an advocate and a
    shelter staff member (who both see it)."""
    return record(intake, targeted_staff_ids=[advocate.pk, shelter.pk])


# --- Who may change it ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["intake", "supervisor", "admin_user"])
def test_the_recorder_supervisors_and_administrators_change_a_recorded_number(
    request, threat, role
):
    user = request.getfixturevalue(role)
    follow_up(user, threat, SECOND)
    assert Threat.objects.get(pk=threat.pk).report_number == SECOND
    assert history(threat)[-1] == (FIRST, SECOND, user.pk)


@pytest.mark.parametrize("role", ["advocate", "shelter"])
def test_others_it_was_aimed_at_may_not_change_or_remove_it(request, threat, role):
    user = request.getfixturevalue(role)
    for number in (SECOND, ""):
        error = refused(lambda number=number: follow_up(user, threat, number), "report_number")
        assert "Only whoever recorded this threat" in error.message_dict["report_number"][0]
    # Everything else of a follow-up stays theirs: the same number, more evidence.
    follow_up(user, threat, FIRST, reported_on=timezone.localdate())
    assert Threat.objects.get(pk=threat.pk).report_number == FIRST
    assert history(threat) == [(None, FIRST, threat.recorded_by_id)]


def test_the_staff_designated_for_alerts_may_change_it(threat, advocate, admin_user):
    designate(admin_user, alerts=(advocate,))
    follow_up(advocate, threat, SECOND)
    assert history(threat)[-1] == (FIRST, SECOND, advocate.pk)


def test_anyone_who_follows_a_threat_up_records_the_first_number(intake, advocate):
    threat = record(intake, number="", targeted_staff_ids=[advocate.pk])
    follow_up(advocate, threat, FIRST)
    assert history(threat) == [(None, FIRST, advocate.pk)]


@pytest.mark.parametrize("role", ["auditor", "outsider", "advocate2"])
def test_those_who_do_not_follow_the_threat_up_get_a_404(request, threat, role):
    user = request.getfixturevalue(role)
    before = database_state()
    with pytest.raises(NotFound):
        follow_up(user, threat, SECOND)
    assert database_state() == before


# --- The history ----------------------------------------------------------------------


def test_every_change_is_kept_sealed_and_audited_without_the_number(
    threat, intake, supervisor, admin_user
):
    follow_up(supervisor, threat, SECOND)
    follow_up(supervisor, threat, SECOND)  # the same number again is no change
    follow_up(admin_user, threat, "")
    assert history(threat) == [
        (None, FIRST, intake.pk),
        (FIRST, SECOND, supervisor.pk),
        (SECOND, None, admin_user.pk),
    ]
    assert {c.data_key_id for c in ReportNumberChange.objects.all()} == {threat.data_key_id}
    # As stored: the sealed bytes (values_list reads the columns, not the attributes).
    rows = ReportNumberChange.objects.values_list("previous", "number")
    stored = b"".join(bytes(v) for row in rows for v in row if v is not None)
    assert stored
    assert FIRST.encode() not in stored
    assert SECOND.encode() not in stored
    events = AuditEvent.objects.filter(action=Action.REPORT_NUMBER_CHANGED).order_by("seq")
    changes = list(ReportNumberChange.objects.order_by("changed_at", "pk"))
    assert [(e.actor_id, e.object_id, e.detail) for e in events] == [
        (c.changed_by_id, str(threat.pk), {"change": str(c.pk), "first": f, "removed": r})
        for c, f, r in zip(changes, (True, False, False), (False, False, True), strict=True)
    ]
    for event in events:
        assert "SYN" not in str(event.detail)


def test_the_threats_page_shows_the_history_and_locks_the_number_for_others(
    threat, supervisor, advocate, client_for
):
    follow_up(supervisor, threat, SECOND)
    page = client_for(supervisor).get(reverse("safety:threat", args=[threat.pk]))
    html = page.content.decode()
    assert "Report number history" in html
    assert f"{FIRST} recorded on" in html
    assert f"{FIRST} changed to {SECOND} on" in html
    assert f"by {supervisor}" in html
    # The advocate it was aimed at sees the number, not a field to change it.
    theirs = client_for(advocate)
    html = theirs.get(reverse("safety:threat", args=[threat.pk])).content.decode()
    assert "Only whoever recorded this threat" in html
    [field] = re.findall(r"<input[^>]*name=\"report_number\"[^>]*>", html)
    assert " disabled" in field
    # A number posted anyway is ignored: the one recorded stays.
    response = theirs.post(
        reverse("safety:threat", args=[threat.pk]),
        {"reported_to_police": "on", "report_number": "SYN-FORGED"},
    )
    assert response.status_code == 303
    assert Threat.objects.get(pk=threat.pk).report_number == SECOND
    assert len(history(threat)) == 2


# --- Bad input ------------------------------------------------------------------------

NOT_ONE_LINE = ["SYN\n2026", "SYN\r2026", "SYN\t2026", "SYN\x072026", "SYN\u202e2026"]


@pytest.mark.parametrize("number", NOT_ONE_LINE)
def test_a_number_that_is_not_one_line_is_refused(threat, intake, number):
    for call in (lambda: record(intake, number), lambda: follow_up(intake, threat, number)):
        error = refused(call, "report_number")
        assert error.message_dict["report_number"] == [
            "A report number is one line: remove the line breaks, tabs and hidden characters."
        ]


def test_a_number_too_long_is_refused_saying_how_long_it_may_be(threat, intake, client_for):
    number = "S" * (limits.CODE + 1)
    for call in (lambda: record(intake, number), lambda: follow_up(intake, threat, number)):
        error = refused(call, "report_number")
        assert error.message_dict["report_number"] == [
            "Write the report number in at most 100 characters."
        ]
    response = client_for(intake).post(
        reverse("safety:threat", args=[threat.pk]),
        {"reported_to_police": "on", "report_number": number},
    )
    assert response.status_code == 400
    assert "Write the report number in at most 100 characters." in response.content.decode()
    assert Threat.objects.get(pk=threat.pk).report_number == FIRST
    assert history(threat) == [(None, FIRST, intake.pk)]


def test_the_api_holds_the_same_rules(threat, advocate, supervisor):
    def post(user, body):
        token = api_token_create(user=user, lifetime=timedelta(hours=1))
        return Client().post(
            f"/api/v1/threats/{threat.pk}/follow-up",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    def kept():
        return (
            Threat.objects.filter(pk=threat.pk).values_list("report_number", flat=True).get(),
            history(threat),
            AuditEvent.objects.filter(
                action__in=[Action.THREAT_UPDATED, Action.REPORT_NUMBER_CHANGED]
            ).count(),
        )

    before = kept()
    refused_change = post(advocate, {"reported_to_police": True, "report_number": SECOND})
    assert refused_change.status_code == 422
    assert [p["loc"] for p in refused_change.json()["detail"]] == [["body", "report_number"]]
    for bad in ("SYN\x071", "S" * (limits.CODE + 1)):
        answer = post(supervisor, {"reported_to_police": True, "report_number": bad})
        assert answer.status_code == 422
        assert [p["loc"] for p in answer.json()["detail"]] == [["body", "report_number"]]
    assert kept() == before
    changed = post(supervisor, {"reported_to_police": True, "report_number": SECOND})
    assert changed.status_code == 200
    assert changed.json()["report_number"] == SECOND
    assert history(threat)[-1] == (FIRST, SECOND, supervisor.pk)
