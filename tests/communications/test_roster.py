"""The interpreter roster: kept by administrators and supervisors, read by
those who record communications, each agreement a sealed agency document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.attachments.models import Attachment, Use
from haven.audit.models import Action, AuditEvent
from haven.communications.models import Interpreter
from tests import files

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "name": "Roster Interpreter (synthetic)",
        "kind": "contractor",
        "languages": ["hmn"],
        "dialects": "White Hmong (synthetic)",
        "gender": "woman",
        "agreement": files.uploaded(files.pdf("Signed agreement (synthetic)"), "agreement.pdf"),
        "agreement_expires_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_supervisor_adds_an_interpreter_with_a_sealed_agreement(client_for, supervisor):
    client = client_for(supervisor)
    response = client.post(reverse("communications:roster"), form_data())
    assert response.status_code == 303
    interpreter = Interpreter.objects.get()
    assert interpreter.languages == ["hmn"]
    agreement = Attachment.objects.get(pk=interpreter.agreement_id)
    assert (agreement.use, agreement.case_id) == (Use.AGREEMENT, None)
    assert agreement.data_key_id is not None
    page = client.get(reverse("communications:roster")).content.decode()
    assert "Roster Interpreter (synthetic)" in page
    assert "On file" in page
    download = client.get(reverse("attachments:download", args=[agreement.pk]))
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action=Action.INTERPRETER_CHANGED).count() == 1


def test_an_advocate_reads_the_roster_and_the_agreement_but_does_not_change_it(
    client_for, supervisor, advocate
):
    client_for(supervisor).post(reverse("communications:roster"), form_data())
    interpreter = Interpreter.objects.get()
    client = client_for(advocate)
    page = client.get(reverse("communications:roster"))
    assert page.status_code == 200
    assert "Add an interpreter" not in page.content.decode()
    assert client.post(reverse("communications:roster"), form_data(name="x")).status_code == 404
    edit = reverse("communications:interpreter", args=[interpreter.pk])
    assert client.get(edit).status_code == 404
    assert Interpreter.objects.count() == 1


@pytest.mark.parametrize("persona", ["intake", "shelter", "auditor", "outsider"])
def test_others_get_404(request, client_for, supervisor, persona):
    client_for(supervisor).post(reverse("communications:roster"), form_data())
    interpreter = Interpreter.objects.get()
    client = client_for(request.getfixturevalue(persona))
    roster = client.get(reverse("communications:roster"))
    if persona == "outsider":  # their own agency's roster, without this one
        assert "Roster Interpreter (synthetic)" not in roster.content.decode()
    else:
        assert roster.status_code == 404
    edit = reverse("communications:interpreter", args=[interpreter.pk])
    assert client.get(edit).status_code == 404
    download = reverse("attachments:download", args=[interpreter.agreement_id])
    assert client.get(download).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"languages": []}, "This field is required"),
        ({"agreement": files.uploaded(files.html_named_pdf(), "a.pdf")}, "Web pages"),
        ({"agreement": None}, "Attach the signed agreement"),
    ],
)
def test_a_bad_roster_entry_says_why_and_keeps_nothing(client_for, supervisor, changes, message):
    response = client_for(supervisor).post(reverse("communications:roster"), form_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Interpreter.objects.exists()
    assert not Attachment.objects.exists()


def test_an_expired_agreement_shows_on_the_roster(client_for, supervisor):
    client = client_for(supervisor)
    client.post(reverse("communications:roster"), form_data())
    interpreter = Interpreter.objects.get()
    response = client.post(
        reverse("communications:interpreter", args=[interpreter.pk]),
        form_data(agreement=None, agreement_expires_on="2020-01-01"),
    )
    assert response.status_code == 303
    assert "expired" in client.get(reverse("communications:roster")).content.decode()
