"""The training pages: linked, role-gated, and refusing bad input plainly."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from haven.training.models import Event, Record, Refresher
from tests import files
from tests.training.conftest import every, topic, train

pytestmark = pytest.mark.django_db


def test_my_training_shows_my_refreshers_and_records(client_for, admin_user, advocate):
    every(admin_user, "laws", 12)
    record = train(admin_user, advocate, "laws", date(2025, 1, 2), provider="State coalition")
    body = client_for(advocate).get(reverse("training:mine")).content.decode()
    assert "Trafficking laws" in body
    assert "2026-01-02" in body
    assert "State coalition" in body
    assert reverse("training:record", args=[record.pk]) in body
    assert reverse("training:overview") not in body


def test_supervisors_are_linked_to_the_overview(client_for, supervisor, advocate):
    client = client_for(supervisor)
    assert reverse("training:overview") in client.get(reverse("training:mine")).content.decode()
    body = client.get(reverse("training:overview")).content.decode()
    assert str(advocate) in body
    assert "Never trained" in body


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("training:overview", {"admin", "supervisor"}),
        ("training:records", {"admin", "supervisor", "auditor"}),
        ("training:events", {"admin", "supervisor", "auditor"}),
        ("training:record_new", {"admin"}),
        ("training:event_new", {"admin"}),
        ("training:topics", {"admin"}),
        ("training:mine", {"admin", "supervisor", "auditor", "advocate", "intake", "shelter"}),
    ],
)
def test_who_opens_each_page(client_for, all_personas, name, allowed):
    for role, user in all_personas.items():
        response = client_for(user).get(reverse(name))
        assert response.status_code == (200 if role in allowed else 404), (role, name)


def test_a_training_is_recorded_through_the_page(client_for, admin_user, advocate, partner):
    response = client_for(admin_user).post(
        reverse("training:record_new"),
        {
            "staff": advocate.pk,
            "topic": topic("laws").pk,
            "completed_on": "2025-01-02",
            "hours": "1.5",
            "partner": str(partner.pk),
            "certificate": files.uploaded(files.pdf(), "cert.pdf"),
        },
    )
    record = Record.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("training:record", args=[record.pk])
    assert record.certificate_id is not None
    body = client_for(admin_user).get(response["Location"]).content.decode()
    assert reverse("attachments:download", args=[record.certificate_id]) in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"certificate": files.uploaded(files.wav(), "cert.pdf")}, "A certificate must be a PDF"),
        ({"certificate": files.uploaded(b"MZ\x90\x00program", "cert.pdf")}, "A certificate must"),
        ({"hours": "0"}, "The hours must be more than 0."),
        ({"hours": "41"}, "at most 40 hours"),
        ({"hours": "NaN"}, "Give the hours as a number."),
        ({"completed_on": "1989-12-31"}, "Check the year"),
        ({"completed_on": "2999-01-01"}, "cannot be in the future"),
        ({"topic": "999999"}, "Choose a topic of your agency."),
    ],
)
def test_a_bad_training_form_says_why(client_for, admin_user, advocate, data, message):
    posted = {
        "staff": advocate.pk,
        "topic": topic("laws").pk,
        "completed_on": "2025-01-02",
        "hours": "1",
        **data,
    }
    response = client_for(admin_user).post(reverse("training:record_new"), posted)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Record.objects.count() == 0


def test_an_event_is_recorded_through_the_page(client_for, admin_user, advocate, supervisor):
    response = client_for(admin_user).post(
        reverse("training:event_new"),
        {
            "topic": topic("dynamics").pk,
            "title": "Spring in-service",
            "held_on": "2025-03-04",
            "hours": "2",
            "staff": [advocate.pk, supervisor.pk],
            "presenters": "Synthetic Presenter",
            "outside_professionals": "7",
        },
    )
    event = Event.objects.get()
    assert response["Location"] == reverse("training:event", args=[event.pk])
    assert event.records.count() == 2
    body = client_for(admin_user).get(response["Location"]).content.decode()
    assert "Spring in-service" in body
    assert str(advocate) in body


def test_topics_and_intervals_through_the_page(client_for, admin_user):
    client = client_for(admin_user)
    url = reverse("training:topics")
    assert client.post(url, {"form": "topic", "topic-name": "Shelter intake"}).status_code == 303
    response = client.post(
        url, {"form": "refresher", "refresher-topic": topic("laws").pk, "refresher-months": "121"}
    )
    assert response.status_code == 400
    assert "from 1 to 120 months" in response.content.decode()
    response = client.post(
        url, {"form": "refresher", "refresher-topic": topic("laws").pk, "refresher-months": "24"}
    )
    assert response.status_code == 303
    assert Refresher.objects.get().months == 24
    body = client.get(url).content.decode()
    assert "Shelter intake" in body
    assert "every 24 months" in body


def test_the_outsider_gets_404_for_a_record_and_an_event(
    client_for, admin_user, advocate, outsider
):
    record = train(admin_user, advocate, "laws", date(2025, 1, 2))
    client = client_for(outsider)
    assert client.get(reverse("training:record", args=[record.pk])).status_code == 404
    response = client.post(
        reverse("training:record", args=[record.pk]),
        {"certificate": files.uploaded(files.pdf(), "c.pdf")},
    )
    assert response.status_code == 404
    assert Record.objects.get().certificate_id is None
