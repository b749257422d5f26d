"""Information given under a court order: only a supervisor of the case's
team records it, only for an order signed by a judge, with its reference and
a copy kept with the ledger row, and with how the person was told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.attachments.models import Attachment, Use
from haven.audit.models import Action, AuditEvent
from haven.consent.models import Basis, CourtOrderResponse, Disclosure
from haven.partners.models import Organization
from haven.protocol.law import law_choice_record
from tests import files
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

REFERENCE = "Sample County Circuit Court, case 26-XX-0002, 20 Nov 2026 (synthetic)"


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, legal_name="Synthetic Order Person")


def order_data(**changes):
    data = {
        "reference": REFERENCE,
        "signed_by_judge": "on",
        "copy": files.uploaded(files.pdf("Order (synthetic)"), "order.pdf"),
        "recipient": "",
        "recipient_name": "Sample County Circuit Court (synthetic)",
        "recipient_category": "state",
        "purpose": "court",
        "kinds": ["identity", "contact"],
        "given": "Name and current address, by letter to the clerk (synthetic)",
        "person_told": "Told by phone the same day (synthetic)",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(case):
    return reverse("consent:court_order", args=[case.pk])


def test_a_supervisor_records_what_a_court_ordered_with_its_copy(client_for, supervisor, case):
    client = client_for(supervisor)
    assert client.get(url(case)).status_code == 200
    response = client.post(url(case), order_data())
    assert response.status_code == 303
    row = Disclosure.objects.get(case=case)
    assert row.basis == Basis.COURT_ORDER
    assert row.court_order == REFERENCE
    assert row.court_order_copy.use == Use.COURT_ORDER
    assert row.recipient_category == "state"
    answer = CourtOrderResponse.objects.get(disclosure=row)
    assert answer.person_told.startswith("Told by phone")
    ledger = client.get(reverse("consent:disclosures", args=[case.pk])).content.decode()
    assert reverse("attachments:download", args=[row.court_order_copy_id]) in ledger
    allowed = AuditEvent.objects.get(action=Action.DISCLOSURE_ALLOWED)
    assert allowed.detail["court_order_copy"] == str(row.court_order_copy_id)
    assert "Sample County" not in str(allowed.detail)


def test_the_persons_refusal_of_law_enforcement_does_not_stop_a_court_order(
    client_for, advocate, supervisor, case
):
    law_choice_record(actor=advocate, case=case, agrees=False)
    response = client_for(supervisor).post(
        url(case), order_data(recipient_category="law_enforcement")
    )
    assert response.status_code == 303
    assert Disclosure.objects.get(case=case).basis == Basis.COURT_ORDER


def test_an_organization_of_the_directory_may_receive_it(client_for, supervisor, agency, case):
    prosecutor = Organization.objects.create(
        agency=agency, name="Sample District Attorney (synthetic)"
    )
    response = client_for(supervisor).post(
        url(case), order_data(recipient=str(prosecutor.pk), recipient_name="")
    )
    assert response.status_code == 303
    assert Disclosure.objects.get(case=case).recipient_org == prosecutor


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signed_by_judge": None}, "signed by a judge"),
        ({"copy": None}, "Attach a copy of the court order"),
        ({"copy": files.uploaded(files.html_named_pdf(), "order.pdf")}, "Web pages"),
        ({"reference": ""}, "the case number and the date"),
        ({"person_told": ""}, "how and when the person was told"),
        ({"given": ""}, "Say what was handed over"),
        ({"kinds": []}, "Choose what the order requires"),
        ({"recipient_name": ""}, "Say who receives the information"),
        ({"recipient": "00000000-0000-0000-0000-000000000000"}, "Select a valid choice"),
        ({"recipient_category": "cartel"}, "Select a valid choice"),
    ],
)
def test_a_bad_court_order_says_why_and_changes_nothing(
    client_for, supervisor, case, changes, message
):
    response = client_for(supervisor).post(url(case), order_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Disclosure.objects.exists()
    assert not Attachment.objects.exists()
    assert not CourtOrderResponse.objects.exists()


def test_another_agencys_organization_cannot_receive_it(client_for, supervisor, case, other_agency):
    from django.core.exceptions import ValidationError

    from haven.consent.court_orders import CourtOrderAnswer, court_order_answer

    theirs = Organization.objects.create(agency=other_agency, name="Elsewhere (synthetic)")
    answer = CourtOrderAnswer(
        reference=REFERENCE,
        copy=files.accepted(),
        signed_by_judge=True,
        purpose="court",
        kinds=["identity"],
        given="Name (synthetic)",
        person_told="In person (synthetic)",
        recipient_org_id=theirs.pk,
    )
    with pytest.raises(ValidationError):
        court_order_answer(actor=supervisor, case=case, answer=answer)
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter", "admin_user", "outsider"])
def test_only_a_supervisor_of_the_team_records_a_court_order(request, client_for, case, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), order_data()).status_code == 404
    assert not Disclosure.objects.exists()
