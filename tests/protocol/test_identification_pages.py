"""The screening pages: questions in the interface language, answers kept
sealed, the level and what to do next, and licensed instruments' results."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from haven.audit.models import Action, AuditEvent
from haven.protocol.identification import indicators
from haven.protocol.models import InstrumentResult, Screening
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, preferred_name="Rio Sample")


def screening_url(case, kind: str) -> str:
    return reverse("protocol:screening", kwargs={"case_id": case.pk, "kind": kind})


def field(code: str) -> str:
    return "q-" + code.replace(".", "-")


def instrument(client, case, **overrides):
    data = {
        "instrument": "Licensed Tool X",
        "administered_on": timezone.localdate().isoformat(),
        "administrator": "Jo Staff",
        "level": "High",
        "kind": "youth",
        **overrides,
    }
    return client.post(reverse("protocol:instrument", kwargs={"case_id": case.pk}), data)


def test_questions_show_in_the_interface_language(client_for, advocate, case):
    client = client_for(advocate)
    youth = indicators()["screenings"]["youth"]
    first = youth["questions"][0]["text"]
    page = client.get(screening_url(case, "youth")).content.decode()
    assert youth["title"]["eng"] in page
    assert escape(first["eng"]) in page
    advocate.language = "es"
    advocate.save(update_fields=["language"])
    page = client.get(screening_url(case, "youth")).content.decode()
    assert escape(first["spa"]) in page
    assert escape(first["eng"]) not in page


def test_everyone_else_gets_404(
    client_for, intake, shelter, admin_user, auditor, outsider, advocate, case
):
    for user in (intake, shelter, admin_user, auditor, outsider):
        client = client_for(user)
        before = AuditEvent.objects.count()
        assert client.get(screening_url(case, "adult")).status_code == 404
        assert client.post(screening_url(case, "adult"), {}).status_code == 404
        assert instrument(client, case).status_code == 404
        assert AuditEvent.objects.count() == before
    assert client_for(advocate).get(screening_url(case, "elderly")).status_code == 404
    assert Screening.objects.count() == InstrumentResult.objects.count() == 0


def test_a_youth_yes_to_commercial_sex_reaches_strong_and_stays_sealed(client_for, advocate, case):
    client = client_for(advocate)
    response = client.post(
        screening_url(case, "youth"),
        {field("youth.commercial_sex"): "yes", field("youth.away_from_home"): "no"},
    )
    assert response.status_code == 303
    row = Screening.objects.get(case=case)
    assert (row.kind, row.level, row.score) == ("youth", "strong", 3)
    stored = {
        "youth.commercial_sex": "yes",
        "youth.away_from_home": "no",
    }
    answers = json.loads(row.answers)
    assert {k: v for k, v in answers.items() if k in stored} == stored
    assert answers["youth.threats"] == "skipped"  # unanswered: skipped
    # The answers are sealed: the raw column holds none of them.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT answers FROM {Screening._meta.db_table} WHERE id = %s",  # noqa: S608
            [row.pk.hex if connection.vendor == "sqlite" else row.pk],
        )
        raw = cursor.fetchone()[0]
    raw_text = raw.decode("latin-1") if isinstance(raw, bytes | memoryview) else str(raw)
    assert raw_text
    for needle in ("commercial_sex", "youth.commercial", '"yes"', '"skipped"'):
        assert needle not in raw_text
    # The result and what to do next are shown; the list never shows answers.
    page = client.get(response["Location"]).content.decode()
    strong = next(lvl for lvl in indicators()["levels"] if lvl["code"] == "strong")
    assert strong["label"]["eng"] in page
    assert escape(strong["next"]["eng"]) in page
    listing = client.get(screening_url(case, "adult")).content.decode()
    assert strong["label"]["eng"] in listing
    assert escape(strong["next"]["eng"]) not in listing
    event = AuditEvent.objects.get(action=Action.SCREENING_RECORDED)
    assert event.detail == {"kind": "youth", "level": "strong"}


def test_no_yes_is_no_signs_and_a_bad_answer_changes_nothing(client_for, advocate, case):
    client = client_for(advocate)
    assert client.post(screening_url(case, "adult"), {}).status_code == 303
    assert Screening.objects.get().level == "none"
    before = AuditEvent.objects.filter(action=Action.SCREENING_RECORDED).count()
    response = client.post(screening_url(case, "adult"), {field("adult.threats"): "maybe"})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert Screening.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.SCREENING_RECORDED).count() == before


def test_instrument_results_are_recorded_and_listed(client_for, advocate, supervisor, case):
    response = instrument(client_for(advocate), case)
    assert response.status_code == 303
    row = InstrumentResult.objects.get(case=case)
    assert (row.instrument, row.level, row.administrator) == ("Licensed Tool X", "High", "Jo Staff")
    page = client_for(supervisor).get(screening_url(case, "adult")).content.decode()
    assert "Licensed Tool X" in page
    assert "Jo Staff" in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for bad in ({"administered_on": tomorrow}, {"instrument": ""}, {"level": "x" * 61}):
        assert instrument(client_for(advocate), case, **bad).status_code == 400, bad
    assert InstrumentResult.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.INSTRUMENT_RECORDED).count() == 1
