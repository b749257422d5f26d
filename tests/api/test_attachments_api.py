"""A case's documents and court orders over the JSON API: the same rules as
the pages. Advocates and supervisors keep and open a case's files; a file is
judged by its bytes and a refused one is a 422 at its field with nothing
kept; everyone else, and every other agency, gets 404 with nothing written.
There is no way to change or delete a file. A court order is answered by a
supervisor of the case's team only, through the disclosure gate, with its
copy kept with the ledger row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis import checks

from haven.accounts.api_tokens import api_token_create
from haven.api import attachments as attachments_api
from haven.attachments.models import AGENCY_USES, Attachment, AttachmentContent, Use
from haven.audit.models import Action, AuditEvent
from haven.consent import gate
from haven.consent.gate import DisclosureRefused
from haven.consent.models import Basis, CourtOrderResponse, Disclosure, Purpose
from haven.partners.models import Organization
from haven.wsgi import application
from tests import files
from tests.api_fuzzing import wrong_tokens_allowed
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOT_FOUND = {"detail": "Not Found"}
REFERENCE = "Sample County Circuit Court, case 26-XX-0003, 21 Nov 2026 (synthetic)"
COURT = "Sample County Circuit Court (synthetic)"


@pytest.fixture
def case(intake, team, shelter):
    """A case the first agency's advocate, supervisor, intake and shelter
    staff may all open: recorded by intake staff, on the team, assigned to
    the shelter staff."""
    case = record_intake(actor=intake, team=team, legal_name="Synthetic Document Person")
    case.assigned.add(shelter)
    return case


def documents(case) -> str:
    return f"{API}/cases/{case.pk}/attachments"


def court_orders(case) -> str:
    return f"{API}/cases/{case.pk}/court-orders"


def download(attachment_id: object) -> str:
    return f"{API}/attachments/{attachment_id}"


def order_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": REFERENCE,
        "signed_by_judge": "true",
        "copy": files.uploaded(files.pdf("Order (synthetic)"), "order.pdf"),
        "recipient_name": COURT,
        "recipient_category": "state",
        "purpose": "court",
        "kinds": ["identity", "contact"],
        "given": "Name and current address, by letter to the clerk (synthetic)",
        "person_told": "Told by phone the same day (synthetic)",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def snapshot() -> tuple[int, ...]:
    """Everything a file or a court order writes."""
    return (
        Attachment.objects.count(),
        AttachmentContent.objects.count(),
        Disclosure.objects.count(),
        CourtOrderResponse.objects.count(),
    )


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def new_actions(before_seq: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(seq__gt=before_seq)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def bearer(user) -> dict[str, str]:
    token = api_token_create(user=user, lifetime=timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- The schema ------------------------------------------------------------------------


def test_the_codes_offered_are_the_models_codes():
    assert set(get_args(attachments_api.UseCode)) == set(Use.values) - AGENCY_USES
    assert set(get_args(attachments_api.CourtPurposeCode)) == set(Purpose.values)


def test_attachments_are_never_changed_or_deleted_over_the_api(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert set(paths[f"{API}/cases/{{case_id}}/attachments"]) == {"get", "post"}
    assert set(paths[f"{API}/attachments/{{attachment_id}}"]) == {"get"}
    assert set(paths[f"{API}/cases/{{case_id}}/court-orders"]) == {"post"}
    about_files = [p for p in paths if "attachment" in p or "court-order" in p]
    assert about_files
    for path in about_files:
        assert not {"put", "patch", "delete"} & set(paths[path]), path


def test_the_uploads_are_documented_as_multipart(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path, file_field in [
        (f"{API}/cases/{{case_id}}/attachments", "file"),
        (f"{API}/cases/{{case_id}}/court-orders", "copy"),
    ]:
        body = paths[path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert body["properties"][file_field] == {
            **body["properties"][file_field],
            "type": "string",
            "format": "binary",
        }
        assert file_field in body["required"]
    order = paths[f"{API}/cases/{{case_id}}/court-orders"]["post"]["requestBody"]
    kinds = order["content"]["multipart/form-data"]["schema"]["properties"]["kinds"]
    assert kinds["type"] == "array"
    assert "repeat the form field" in kinds["description"]


# --- Documents -------------------------------------------------------------------------


def test_a_document_uploaded_is_listed_and_comes_back_byte_for_byte(client_for, advocate, case):
    client = client_for(advocate)
    data = files.pdf("Lease (synthetic)")
    seq = last_seq()
    response = client.post(
        documents(case),
        {"file": files.uploaded(data, "lease.pdf"), "description": "Copy of the lease (synthetic)"},
    )
    assert response.status_code == 201, response.content
    assert new_actions(seq) == [Action.PEOPLE_VIEWED, Action.ATTACHMENT_ADDED]
    row = Attachment.objects.get()
    created = response.json()
    assert created == {
        "id": str(row.pk),
        "case_id": str(case.pk),
        "use": "document",
        "content_type": "application/pdf",
        "size": len(data),
        "name": "lease.pdf",
        "description": "Copy of the lease (synthetic)",
        "uploaded_at": created["uploaded_at"],
        "uploaded_by_id": advocate.pk,
    }
    listed = client.get(documents(case))
    assert listed.status_code == 200
    assert listed.json() == [created]
    assert client.get(documents(case), {"use": "court_order"}).json() == []
    assert client.get(documents(case), {"use": "document"}).json() == [created]

    seq = last_seq()
    fetched = client.get(download(row.pk))
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched["Content-Type"] == "application/pdf"
    assert fetched["Content-Disposition"].startswith('attachment; filename="lease.pdf"')
    assert fetched["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in fetched["Content-Security-Policy"]
    assert new_actions(seq) == [Action.ATTACHMENT_READ]


def test_a_supervisor_uploads_with_a_token_and_no_csrf_token(supervisor, case):
    client = Client(enforce_csrf_checks=True)
    data = files.png()
    response = client.post(
        documents(case), {"file": files.uploaded(data, "photo.png")}, **bearer(supervisor)
    )
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    assert response.json()["description"] == ""
    fetched = client.get(download(response.json()["id"]), **bearer(supervisor))
    assert fetched.content == data


def test_a_session_upload_needs_the_csrf_token(advocate, case, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advocate, backend=settings.AUTHENTICATION_BACKENDS[-1])
    refused = client.post(documents(case), {"file": files.uploaded(files.pdf())})
    assert refused.status_code == 403
    assert snapshot() == (0, 0, 0, 0)
    client.cookies.load({"csrftoken": "S" * 32})
    accepted = client.post(
        documents(case),
        {"file": files.uploaded(files.pdf()), "csrfmiddlewaretoken": "S" * 32},
    )
    assert accepted.status_code == 201, accepted.content
    assert Attachment.objects.count() == 1


REFUSED = [
    pytest.param(files.html_named_pdf(), "letter.pdf", "markup", id="html named pdf"),
    pytest.param(files.svg_with_script(), "image.svg", "markup", id="svg with a script"),
    pytest.param(files.zip_bomb(), "archive.zip", "", id="zip bomb"),
    pytest.param(files.zip_bomb(as_docx=True), "letter.docx", "", id="zip bomb as docx"),
    pytest.param(files.pdf()[:-30], "cut.pdf", "", id="interrupted pdf"),
    pytest.param(b"", "empty.pdf", "", id="empty"),
]


@pytest.mark.parametrize(("data", "name", "word"), REFUSED)
def test_a_refused_file_is_a_422_at_the_file_and_nothing_is_kept(
    client_for, advocate, case, data, name, word
):
    client = client_for(advocate)
    seq = last_seq()
    response = client.post(documents(case), {"file": files.uploaded(data, name)})
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["type"] == "refused"
    assert error["loc"] == ["file", "file"]
    assert error["msg"]
    assert word in error["msg"]
    assert name not in error["msg"]
    assert snapshot() == (0, 0, 0, 0)
    assert Action.ATTACHMENT_ADDED not in new_actions(seq)


def test_a_file_too_large_is_refused_with_the_limit(client_for, advocate, case, settings):
    settings.HAVEN_ATTACHMENT_MAX_BYTES = 100
    response = client_for(advocate).post(documents(case), {"file": files.uploaded(files.pdf())})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["file", "file"]
    assert "larger than" in error["msg"]
    assert snapshot() == (0, 0, 0, 0)


def test_no_file_is_a_422_and_nothing_is_kept(client_for, advocate, case):
    response = client_for(advocate).post(documents(case), {"description": "Nothing (synthetic)"})
    assert response.status_code == 422
    assert ["file", "file"] in [e["loc"] for e in response.json()["detail"]]
    assert snapshot() == (0, 0, 0, 0)


def test_a_description_with_hidden_characters_is_refused(client_for, advocate, case):
    response = client_for(advocate).post(
        documents(case),
        {"file": files.uploaded(files.pdf()), "description": "Lease\u202e (synthetic)"},
    )
    assert response.status_code == 422
    assert ["form", "description"] in [e["loc"] for e in response.json()["detail"]]
    assert "\u202e" not in response.content.decode()
    assert snapshot() == (0, 0, 0, 0)


def test_a_field_sent_twice_is_refused(client_for, advocate, supervisor, case):
    client = client_for(advocate)
    twice = client.post(
        documents(case),
        {
            "file": [files.uploaded(files.pdf()), files.uploaded(files.png(), "b.png")],
            "description": ["First (synthetic)", "Second (synthetic)"],
        },
    )
    assert twice.status_code == 422
    assert [e["loc"] for e in twice.json()["detail"]] == [["form", "description"], ["file", "file"]]
    order = client_for(supervisor).post(
        court_orders(case), order_data(reference=[REFERENCE, "Another (synthetic)"])
    )
    assert order.status_code == 422
    assert [e["loc"] for e in order.json()["detail"]] == [["form", "reference"]]
    assert snapshot() == (0, 0, 0, 0)


@pytest.fixture
def kept(advocate, case):
    """A document kept with the case, through the service."""
    from haven.attachments.services import attachment_store

    return attachment_store(actor=advocate, case=case, upload=files.accepted())


@pytest.mark.parametrize("persona", ["intake", "shelter", "outsider"])
def test_others_get_404_on_list_upload_and_download(client_for, request, case, kept, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    before, seq = snapshot(), last_seq()
    listed = client.get(documents(case))
    assert (listed.status_code, listed.json()) == (404, NOT_FOUND)
    added = client.post(documents(case), {"file": files.uploaded(files.pdf())})
    assert (added.status_code, added.json()) == (404, NOT_FOUND)
    fetched = client.get(download(kept.pk))
    assert (fetched.status_code, fetched.json()) == (404, NOT_FOUND)
    assert files.pdf() not in fetched.content
    assert snapshot() == before
    assert new_actions(seq) == []


def test_other_agency_gets_404_with_a_token_too(outsider, case, kept):
    client = Client(enforce_csrf_checks=True)
    headers = bearer(outsider)
    assert client.get(documents(case), **headers).status_code == 404
    added = client.post(documents(case), {"file": files.uploaded(files.pdf())}, **headers)
    assert added.status_code == 404
    assert client.get(download(kept.pk), **headers).status_code == 404
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_or_malformed_id_answers_like_a_refusal(client_for, advocate, bad):
    client = client_for(advocate)
    assert client.get(f"{API}/cases/{bad}/attachments").json() == NOT_FOUND
    assert client.get(download(bad)).json() == NOT_FOUND


def test_without_signing_in_nothing_is_shown(client, case, kept):
    assert client.get(documents(case)).status_code == 401
    assert client.get(download(kept.pk)).status_code == 401


# --- Court orders ----------------------------------------------------------------------


def test_a_supervisor_records_a_court_order_with_its_copy(client_for, supervisor, advocate, case):
    client = client_for(supervisor)
    copy = files.pdf("Order (synthetic)")
    seq = last_seq()
    response = client.post(court_orders(case), order_data(copy=files.uploaded(copy, "order.pdf")))
    assert response.status_code == 201, response.content
    row = Disclosure.objects.get(case=case)
    assert row.basis == Basis.COURT_ORDER
    assert row.court_order == REFERENCE
    assert row.court_order_copy is not None
    assert row.court_order_copy.use == Use.COURT_ORDER
    created = response.json()
    assert created == {
        "id": str(row.pk),
        "at": created["at"],
        "by": str(supervisor),
        "recipient": {"organization_id": None, "categories": ["state"], "label": COURT},
        "purpose": "court",
        "kinds": ["contact", "identity"],
        "basis": "court_order",
        "consent_id": None,
        "channel": "court_order",
        "court_order_copy_id": str(row.court_order_copy_id),
    }
    assert CourtOrderResponse.objects.get(disclosure=row).person_told.startswith("Told by phone")
    assert Action.DISCLOSURE_ALLOWED in new_actions(seq)
    # The copy is among the case's files, and comes back as it was sent.
    listed = client_for(advocate).get(documents(case), {"use": "court_order"}).json()
    assert [a["id"] for a in listed] == [str(row.court_order_copy_id)]
    assert client_for(advocate).get(download(row.court_order_copy_id)).content == copy
    # The ledger shows it too.
    ledger = client_for(advocate).get(f"{API}/cases/{case.pk}/disclosures").json()
    assert [d["id"] for d in ledger] == [str(row.pk)]


def test_a_court_order_to_an_organization_of_the_directory(supervisor, agency, case):
    prosecutor = Organization.objects.create(
        agency=agency, name="Sample District Attorney (synthetic)", kind="government"
    )
    response = Client(enforce_csrf_checks=True).post(
        court_orders(case),
        order_data(recipient_org_id=str(prosecutor.pk), recipient_name="", recipient_category=""),
        **bearer(supervisor),
    )
    assert response.status_code == 201, response.content
    assert response.json()["recipient"]["organization_id"] == str(prosecutor.pk)


@pytest.mark.parametrize("persona", ["advocate", "intake", "shelter", "outsider"])
def test_only_a_supervisor_of_the_team_answers_a_court_order(client_for, request, case, persona):
    client = client_for(request.getfixturevalue(persona))
    seq = last_seq()
    response = client.post(court_orders(case), order_data())
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert snapshot() == (0, 0, 0, 0)
    assert new_actions(seq) == []


def test_a_supervisor_of_another_team_gets_404(client_for, agency, other_team, intake, team):
    from haven.accounts.models import Role
    from tests.factories import make_staff

    elsewhere = make_staff(agency=agency, role=Role.SUPERVISOR, team=other_team, username="t-sup2")
    case = record_intake(actor=intake, team=team, legal_name="Synthetic Other Team Person")
    response = client_for(elsewhere).post(court_orders(case), order_data())
    assert response.status_code == 404
    assert snapshot() == (0, 0, 0, 0)


BAD_ORDERS = [
    pytest.param({"copy": None}, ["file", "copy"], "", id="no copy"),
    pytest.param(
        {"copy": files.uploaded(files.html_named_pdf(), "order.pdf")},
        ["file", "copy"],
        "markup",
        id="copy not a document",
    ),
    pytest.param(
        {"signed_by_judge": "false"},
        ["form", "signed_by_judge"],
        "signed by a judge",
        id="not signed by a judge",
    ),
    pytest.param({"signed_by_judge": None}, ["form", "signed_by_judge"], "", id="unsigned, unsaid"),
    pytest.param({"reference": "   "}, ["form", "reference"], "case number", id="no reference"),
    pytest.param({"person_told": " "}, ["form", "person_told"], "person was told", id="not told"),
    pytest.param({"kinds": None}, ["form", "kinds"], "", id="no kinds"),
    pytest.param({"kinds": "identity,contact"}, ["form", "kinds", 0], "", id="commas"),
    pytest.param(
        {"recipient_name": "", "recipient_category": ""},
        ["form", "recipient_name"],
        "Say who receives",
        id="no recipient",
    ),
    pytest.param(
        {"recipient_org_id": "00000000-0000-0000-0000-000000000001", "recipient_name": ""},
        ["form", "recipient_org_id"],
        "directory",
        id="recipient not in the directory",
    ),
]


@pytest.mark.parametrize(("changes", "loc", "word"), BAD_ORDERS)
def test_a_refused_court_order_is_a_located_422_and_writes_nothing(
    client_for, supervisor, case, changes, loc, word
):
    client = client_for(supervisor)
    response = client.post(court_orders(case), order_data(**changes))
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert loc in [e["loc"] for e in errors], errors
    assert word in " ".join(e["msg"] for e in errors)
    assert REFERENCE not in response.content.decode()
    assert snapshot() == (0, 0, 0, 0)


def test_a_refusal_of_the_gate_is_a_422_and_writes_nothing(
    client_for, supervisor, case, monkeypatch
):
    def refuse(*args: object, **kwargs: object) -> None:
        raise DisclosureRefused("Refused by the gate (synthetic).", "synthetic")

    monkeypatch.setattr(gate, "_decide", refuse)
    seq = last_seq()
    response = client_for(supervisor).post(court_orders(case), order_data())
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [
        {"type": "refused", "loc": ["form"], "msg": "Refused by the gate (synthetic)."}
    ]
    assert snapshot() == (0, 0, 0, 0)
    assert Action.DISCLOSURE_REFUSED in new_actions(seq)


# --- Fuzzing ---------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(cases/\{case_id\}/(attachments|court-orders)|attachments/)"
)


@pytest.fixture
def fuzzed(supervisor, case):
    """A token, and the case every generated request is sent to. Calls go
    straight to the WSGI application, which closes the database connection
    after each request; the test's transaction needs it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with wrong_tokens_allowed():
        yield api_token_create(user=supervisor, lifetime=timedelta(hours=1)), case
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_file_operations_answer_as_documented(case, fuzzed):
    token, target = fuzzed
    if "case_id" in (case.path_parameters or {}):
        case.path_parameters["case_id"] = str(target.pk)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Files are judged by their bytes and texts by the services' rules, so
        # valid-looking data may be refused (422, documented); and a multipart
        # field is text, so a number sent for a string cannot be told apart.
        excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection],
    )
