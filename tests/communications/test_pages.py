"""The communications log in the browserless client: recording, reading,
addenda, the interpreter rules, and what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.attachments.models import Attachment, Use
from haven.audit.models import Action, AuditEvent
from haven.communications.models import Communication, Interpreter
from haven.communications.services import communication_record
from haven.protocol.models import CaseStep, Step, StepState
from haven.protocol.selectors import tracker
from tests import files
from tests.communications.helpers import log, values
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, legal_name="Synthetic Call Person")


@pytest.fixture
def interpreter(agency, supervisor):
    from haven.attachments.services import attachment_store

    agreement = attachment_store(
        actor=supervisor, case=None, upload=files.accepted(), use=Use.AGREEMENT
    )
    return Interpreter.objects.create(
        agency=agency,
        name="Roster Interpreter (synthetic)",
        kind="contractor",
        languages=["hmn"],
        agreement=agreement,
        agreement_expires_on=timezone.localdate() + timedelta(days=200),
    )


def form_data(**changes):
    data = {
        "occurred_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "with_person": "on",
        "summary": "Synthetic phone check-in",
        "details": "Synthetic details: the person asked about housing.",
        "interpretation": "none",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(name, case, *args):
    return reverse(f"communications:{name}", args=[case.pk, *args])


def test_an_advocate_records_a_call_interpreted_by_a_roster_interpreter(
    client_for, advocate, case, interpreter
):
    client = client_for(advocate)
    assert client.get(url("entry_new", case)).status_code == 200
    response = client.post(
        url("entry_new", case),
        form_data(
            interpretation="phone",
            language="hmn",
            interpreter=str(interpreter.pk),
            attachments=[files.uploaded(files.wav(), "voicemail.wav")],
        ),
    )
    assert response.status_code == 303
    entry = Communication.objects.get(case=case)
    assert (entry.seq, entry.interpreter, entry.interpretation) == (1, interpreter, "phone")
    assert entry.agreement_warning == ""
    attachment = Attachment.objects.get(pk=entry.attachment_ids[0])
    assert attachment.use == Use.COMMUNICATION
    page = client.get(url("entry", case, entry.pk)).content.decode()
    assert "Roster Interpreter (synthetic)" in page
    assert "the person asked about housing" in page
    assert "voicemail.wav" in page
    listed = client.get(url("log", case)).content.decode()
    assert "Synthetic phone check-in" in listed
    anchor = AuditEvent.objects.get(action=Action.COMMUNICATION_RECORDED)
    assert anchor.detail == {"entry": str(entry.pk), "seq": 1, "hash": entry.hash}


def test_an_addendum_points_to_its_entry_and_leaves_it_unchanged(client_for, advocate, case):
    original = log(advocate, case)
    client = client_for(advocate)
    response = client.post(
        url("addendum", case, original.pk),
        {"addendum_reason": "The date was wrong (synthetic)", "summary": "Correction"},
    )
    assert response.status_code == 303
    added = Communication.objects.get(addendum_to=original)
    assert (added.seq, added.prev_hash) == (2, original.hash)
    assert Communication.objects.get(pk=original.pk).hash == original.hash
    page = client.get(url("entry", case, original.pk)).content.decode()
    assert reverse("communications:entry", args=[case.pk, added.pk]) in page


def test_an_addendum_needs_a_reason(client_for, advocate, case):
    original = log(advocate, case)
    response = client_for(advocate).post(
        url("addendum", case, original.pk), {"addendum_reason": "", "summary": "Correction"}
    )
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert Communication.objects.count() == 1


def test_an_addendum_to_another_cases_entry_is_refused(client_for, advocate, team, case):
    other = record_intake(actor=advocate, team=team, legal_name="Synthetic Other Person")
    theirs = log(advocate, other)
    response = client_for(advocate).post(
        url("addendum", case, theirs.pk), {"addendum_reason": "Synthetic", "summary": "x"}
    )
    assert response.status_code == 404
    assert Communication.objects.count() == 1


def test_there_is_no_way_to_edit_or_delete_an_entry(client_for, advocate, case):
    entry = log(advocate, case)
    client = client_for(advocate)
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(url("entry", case, entry.pk)).status_code == 405
    # A forged post to the entry itself changes nothing.
    assert client.post(url("entry", case, entry.pk), {"summary": "forged"}).status_code == 405
    assert Communication.objects.get(pk=entry.pk).summary == entry.summary


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": ""}, "Write a short summary"),
        ({"channel": "pigeon"}, "Select a valid choice"),
        ({"occurred_at": "2999-01-01T10:00"}, "in the future"),
        ({"interpretation": "phone"}, "Choose the language interpreted"),
        (
            {"interpretation": "in_person", "language": "hmn", "ad_hoc": "child"},
            "Say why no trained interpreter was used",
        ),
        (
            {
                "interpretation": "in_person",
                "language": "hmn",
                "ad_hoc": "family",
                "ad_hoc_reason": "x",
            },
            "Say who interpreted",
        ),
        ({"details": "a\u202eb"}, "invisible"),
        ({"attachments": [files.uploaded(files.svg_with_script(), "x.pdf")]}, "Web pages"),
    ],
)
def test_a_bad_entry_says_why_and_records_nothing(client_for, advocate, case, changes, message):
    response = client_for(advocate).post(url("entry_new", case), form_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Communication.objects.exists()
    assert not Attachment.objects.exists()


def test_a_family_member_may_interpret_with_a_reason(advocate, case):
    entry = log(
        advocate,
        case,
        interpretation="in_person",
        language="hmn",
        ad_hoc="family",
        ad_hoc_name="Cousin (synthetic)",
        ad_hoc_reason="Emergency at night, no interpreter reachable (synthetic)",
    )
    assert entry.ad_hoc == "family"


def test_an_expired_agreement_warns_and_needs_acknowledging(advocate, case, interpreter):
    interpreter.agreement_expires_on = timezone.localdate() - timedelta(days=1)
    interpreter.save()
    chosen = {"interpretation": "phone", "language": "hmn", "interpreter_id": interpreter.pk}
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        communication_record(actor=advocate, case=case, values=values(**chosen))
    assert "expired" in str(refused.value.message_dict["agreement_acknowledged"])
    entry = log(advocate, case, agreement_acknowledged=True, **chosen)
    assert entry.agreement_warning.startswith("expired:")


def test_a_missing_agreement_warns(advocate, agency, case):
    bare = Interpreter.objects.create(agency=agency, name="No Agreement (synthetic)", kind="staff")
    chosen = {"interpretation": "video", "language": "spa", "interpreter_id": bare.pk}
    entry = log(advocate, case, agreement_acknowledged=True, **chosen)
    assert entry.agreement_warning == "missing"


def test_another_agencys_interpreter_cannot_be_chosen(advocate, other_agency, case):
    from django.core.exceptions import ValidationError

    theirs = Interpreter.objects.create(
        agency=other_agency, name="Elsewhere (synthetic)", kind="staff"
    )
    with pytest.raises(ValidationError):
        log(advocate, case, interpretation="phone", language="spa", interpreter_id=theirs.pk)
    assert not Communication.objects.exists()


@pytest.mark.parametrize("persona", ["intake", "shelter", "admin_user", "auditor", "outsider"])
def test_only_those_who_work_cases_read_or_write_the_log(
    request, client_for, advocate, case, persona
):
    entry = log(advocate, case)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url("log", case)).status_code == 404
    assert client.get(url("entry", case, entry.pk)).status_code == 404
    assert client.post(url("entry_new", case), form_data()).status_code == 404
    assert (
        client.post(
            url("addendum", case, entry.pk), {"addendum_reason": "x", "summary": "x"}
        ).status_code
        == 404
    )
    assert Communication.objects.count() == 1


def test_the_log_is_paginated(client_for, advocate, case):
    for n in range(30):
        log(advocate, case, summary=f"Synthetic entry {n}")
    client = client_for(advocate)
    first = client.get(url("log", case)).content.decode()
    assert "Synthetic entry 29" in first
    assert "Synthetic entry 0<" not in first
    second = client.get(url("log", case) + "?page=2").content.decode()
    assert "Synthetic entry 0<" in second
    assert client.get(url("log", case) + "?page=x").status_code == 200


def test_the_first_communication_starts_the_documentation_step(advocate, case):
    from haven.protocol.models import CaseStep, Step, StepState

    log(advocate, case)
    step = CaseStep.objects.get(case=case, step=Step.DOCUMENTATION)
    assert step.state == StepState.IN_PROGRESS


def test_the_agreement_box_appears_only_when_the_agreement_needs_it(
    client_for, advocate, case, interpreter
):
    client = client_for(advocate)
    assert "agreement_acknowledged" not in client.get(url("entry_new", case)).content.decode()
    interpreter.agreement_expires_on = timezone.localdate() - timedelta(days=1)
    interpreter.save()
    chosen = form_data(interpretation="phone", language="hmn", interpreter=str(interpreter.pk))
    refused = client.post(url("entry_new", case), chosen)
    assert refused.status_code == 400
    assert 'name="agreement_acknowledged"' in refused.content.decode()
    assert not Communication.objects.exists()
    accepted = client.post(url("entry_new", case), {**chosen, "agreement_acknowledged": "on"})
    assert accepted.status_code == 303
    assert Communication.objects.get().agreement_warning.startswith("expired:")


def test_a_contact_with_a_roster_interpreter_completes_interpretation(advocate, team, interpreter):
    """After the call with a trained interpreter, Rights is no longer blocked."""
    case = record_intake(actor=advocate, team=team, language="hmn", interpreter_needed=True)
    state = CaseStep.objects.filter(case=case, step=Step.INTERPRETATION).values_list("state")
    assert state.get() == (StepState.IN_PROGRESS,)
    rights = next(s for s in tracker(case, viewer=advocate).steps if s.step == Step.RIGHTS)
    assert "trained interpreter is logged" in rights.blockers[0]

    log(advocate, case, interpretation="phone", language="hmn", interpreter_id=interpreter.pk)

    assert state.get() == (StepState.DONE,)
    rights = next(s for s in tracker(case, viewer=advocate).steps if s.step == Step.RIGHTS)
    assert rights.blockers == []


def test_a_family_member_interpreting_leaves_interpretation_open(advocate, team):
    case = record_intake(actor=advocate, team=team, language="hmn", interpreter_needed=True)
    log(
        advocate,
        case,
        interpretation="in_person",
        language="hmn",
        ad_hoc="family",
        ad_hoc_name="Cousin (synthetic)",
        ad_hoc_reason="Emergency at night, no interpreter reachable (synthetic)",
    )
    step = CaseStep.objects.get(case=case, step=Step.INTERPRETATION)
    assert step.state == StepState.IN_PROGRESS
