"""The law enforcement page: the person's choice, contacts through the gate,
and Continued Presence requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.protocol.models import ContinuedPresence, LawEnforcementChoice, LawEnforcementContact
from tests.factories import consent_to_law_enforcement, record_intake

pytestmark = pytest.mark.django_db


def events(action: Action) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, preferred_name="Adult Synthetic")


def url(name, case, *args):
    return reverse(f"authorities:{name}", args=[case.pk, *args])


def choose(client, case, investigation, note="", prosecution=None):
    """Answer both parts of the choice; the same answer to both unless told."""
    return client.post(
        url("law_choice", case),
        {
            "choice-investigation": investigation,
            "choice-prosecution": investigation if prosecution is None else prosecution,
            "choice-note": note,
        },
    )


def contact(client, case, **changes):
    data = {
        "contact-part": "investigation",
        "contact-basis": "consent",
        "contact-agency_name": "Synthetic County Sheriff",
        "contact-officer": "Officer Example",
        "contact-purpose": "Statement",
        "contact-accompanied": "on",
        "contact-outcome": "Statement taken",
        "contact-contacted_on": timezone.localdate().isoformat(),
        "contact-shared": "identity",
    }
    data.update({f"contact-{k}": v for k, v in changes.items()})
    return client.post(url("law_contact", case), data)


def presence(client, case, prefix="cp", target=None, **changes):
    data = {
        "requested_on": timezone.localdate().isoformat(),
        "requesting_agency": "Synthetic Federal Office",
        "status": "requested",
        "decided_on": "",
        "expires_on": "",
        **changes,
    }
    return client.post(
        target or url("continued_presence", case), {f"{prefix}-{k}": v for k, v in data.items()}
    )


def test_who_sees_and_who_works_the_page(
    client_for, case, advocate, supervisor, shelter, intake, admin_user, auditor, outsider, team
):
    case.assigned.add(shelter)
    for user in (advocate, supervisor, shelter):
        assert client_for(user).get(url("law", case)).status_code == 200, user
    for user in (admin_user, auditor, outsider):
        assert client_for(user).get(url("law", case)).status_code == 404, user
    own = record_intake(actor=intake, team=team)
    assert client_for(intake).get(url("law", own)).status_code == 404
    shelter_page = client_for(shelter).get(url("law", case)).content.decode()
    assert "choice-investigation" not in shelter_page
    assert choose(client_for(shelter), case, "yes").status_code == 404
    assert contact(client_for(outsider), case).status_code == 404
    assert LawEnforcementChoice.objects.count() == 0


def test_the_page_puts_the_persons_wellbeing_first(client_for, case, advocate):
    body = client_for(advocate).get(url("law", case)).content.decode()
    assert "wellbeing comes first" in body
    assert "pause" in body
    assert "Do not promise protection" in body
    # The person is never called a victim; the prosecutor's program keeps its name.
    assert "victim" not in body.lower().replace("victim-witness program", "")


def test_a_refusal_is_shown_and_blocks_contacts(client_for, case, advocate):
    client = client_for(advocate)
    assert choose(client, case, "no", "Not now, maybe later").status_code == 303
    body = client.get(url("law", case)).content.decode()
    assert "The person said no to law enforcement." in body
    assert 'role="alert"' in body
    assert "Only a mandated report for a minor, or a 911 call in imminent danger" in body
    assert "Not now, maybe later" in body
    before = (
        LawEnforcementContact.objects.count(),
        events(Action.LAW_CONTACT_RECORDED),
        events(Action.DISCLOSURE_REFUSED),
    )
    response = contact(client, case)
    assert response.status_code == 400
    assert (
        "The person said no to law enforcement. Only a mandated report" in response.content.decode()
    )
    response = contact(client, case, basis="mandated_minor")
    assert response.status_code == 400
    assert "only for a person under 18" in response.content.decode()
    assert (
        LawEnforcementContact.objects.count(),
        events(Action.LAW_CONTACT_RECORDED),
        events(Action.DISCLOSURE_REFUSED),
    ) == (before[0], before[1], before[2] + 2)


def test_choice_history_and_a_contact_once_the_person_agrees(client_for, case, advocate):
    client = client_for(advocate)
    choose(client, case, "no")
    assert choose(client, case, "yes", "Ready to talk now").status_code == 303
    assert list(
        LawEnforcementChoice.objects.filter(case=case)
        .order_by("at")
        .values_list("investigation", "prosecution")
    ) == [(False, False), (True, True)]
    # Agreeing is not yet consent: that is recorded with what may be shared.
    assert contact(client, case).status_code == 400
    assert not LawEnforcementContact.objects.exists()
    consent_to_law_enforcement(advocate, case)
    assert contact(client, case).status_code == 303
    row = LawEnforcementContact.objects.get(case=case)
    assert (row.basis, row.accompanied, row.officer) == ("consent", True, "Officer Example")
    body = client.get(url("law", case)).content.decode()
    assert "Synthetic County Sheriff" in body
    assert "Officer Example" in body
    assert body.count("Open: they agree") == 1 + 1  # both parts of the choice in force
    assert "The person said no to law enforcement." not in body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contacted_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "in the future"),
        ({"basis": "rumour"}, "Select a valid choice"),
        ({"basis": ""}, "Choose the basis for this contact."),
        ({"agency_name": ""}, "This field is required"),
        ({"contacted_on": "not a date"}, "Enter a valid date"),
    ],
)
def test_bad_contacts_change_nothing(client_for, case, advocate, changes, message):
    client = client_for(advocate)
    choose(client, case, "yes")
    before = (LawEnforcementContact.objects.count(), events(Action.LAW_CONTACT_RECORDED))
    response = contact(client, case, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (LawEnforcementContact.objects.count(), events(Action.LAW_CONTACT_RECORDED)) == before


def test_an_unknown_choice_is_refused(client_for, case, advocate):
    response = choose(client_for(advocate), case, "perhaps")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert LawEnforcementChoice.objects.count() == 0
    assert events(Action.LAW_CHOICE_RECORDED) == 0


def test_continued_presence_needs_agreement_and_tracks_its_status(client_for, case, advocate):
    client = client_for(advocate)
    response = presence(client, case)
    assert response.status_code == 400
    assert "No consent is recorded for this person." in response.content.decode()
    assert ContinuedPresence.objects.count() == 0
    consent_to_law_enforcement(advocate, case, purpose="immigration")
    assert presence(client, case).status_code == 303
    row = ContinuedPresence.objects.get(case=case)
    target = url("continued_presence_update", case, row.pk)
    prefix = f"cp-{row.pk}"
    response = presence(client, case, prefix=prefix, target=target, status="granted")
    assert response.status_code == 400
    assert "Give the date of the decision" in response.content.decode()
    row.refresh_from_db()
    assert row.status == "requested"
    today = timezone.localdate().isoformat()
    response = presence(
        client, case, prefix=prefix, target=target, status="granted", decided_on=today
    )
    assert response.status_code == 303
    row.refresh_from_db()
    assert (row.status, row.decided_on.isoformat()) == ("granted", today)
    assert "Granted" in client.get(url("law", case)).content.decode()


def test_a_request_of_another_case_is_404(client_for, case, advocate, team):
    client = client_for(advocate)
    consent_to_law_enforcement(advocate, case, purpose="immigration")
    presence(client, case)
    row = ContinuedPresence.objects.get(case=case)
    other = record_intake(actor=advocate, team=team, preferred_name="Other Synthetic")
    response = presence(
        client,
        other,
        prefix=f"cp-{row.pk}",
        target=url("continued_presence_update", other, row.pk),
        status="denied",
        decided_on=timezone.localdate().isoformat(),
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == "requested"
    assert row.case_id == case.pk


def test_future_request_dates_are_refused(client_for, case, advocate):
    client = client_for(advocate)
    choose(client, case, "yes")
    later = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = presence(client, case, requested_on=later)
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    assert ContinuedPresence.objects.count() == 0
