"""Attachments: kept sealed under the person's key, handed out only to the
staff who handle documents of a case they may open, always as a download,
and every opening audited. Refused files change nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from haven.attachments.models import Attachment, AttachmentContent, Use
from haven.attachments.services import attachment_store
from haven.audit.models import Action, AuditEvent
from haven.core.models import DataKey
from haven.people.services import person_destroy
from tests import files
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

MARKER = "Synthetic lease of unit 4B"


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, legal_name="Synthetic Document Person")


def upload(client, case, data, name="lease.pdf", description=""):
    return client.post(
        reverse("attachments:documents", args=[case.pk]),
        {"file": files.uploaded(data, name), "description": description},
    )


def test_an_advocate_keeps_a_document_and_gets_the_same_bytes_back(client_for, advocate, case):
    client = client_for(advocate)
    data = files.pdf(MARKER)
    response = upload(client, case, data, description="Copy of the lease (synthetic)")
    assert response.status_code == 303
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "application/pdf"
    assert attachment.name == "lease.pdf"
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    page = client.get(reverse("attachments:documents", args=[case.pk]))
    assert "Copy of the lease (synthetic)" in page.content.decode()

    download = client.get(reverse("attachments:download", args=[attachment.pk]))
    assert download.status_code == 200
    assert download.content == data
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"].startswith("sandbox")
    read = AuditEvent.objects.filter(action=Action.ATTACHMENT_READ).get()
    assert read.detail["attachment"] == str(attachment.pk)
    assert MARKER not in str(read.detail)
    assert "lease" not in str(read.detail)


def test_the_name_the_file_claims_does_not_decide_its_type(client_for, advocate, case):
    client = client_for(advocate)
    assert upload(client, case, files.png(), name="photo.pdf").status_code == 303
    attachment = Attachment.objects.get(case=case)
    assert (attachment.content_type, attachment.name) == ("image/png", "photo.png")


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (files.html_named_pdf(), "statement.pdf", "Web pages"),
        (files.svg_with_script(), "map.svg", "SVG"),
        (files.zip_bomb(), "papers.zip", "Archives"),
        (files.zip_bomb(as_docx=True), "letter.docx", "unpack"),
        (files.pdf()[:100], "cut.pdf", "interrupted"),
    ],
)
def test_a_refused_file_says_why_and_keeps_nothing(client_for, advocate, case, data, name, words):
    response = upload(client_for(advocate), case, data, name=name)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.ATTACHMENT_ADDED).exists()


@override_settings(HAVEN_ATTACHMENT_MAX_BYTES=64 * 1024, HAVEN_UPLOAD_MAX_BYTES=64 * 1024)
def test_an_oversized_file_is_refused_with_the_limit(client_for, advocate, case):
    big = files.pdf("x" * (100 * 1024))
    response = upload(client_for(advocate), case, big)
    assert response.status_code == 400
    assert "larger than 64.0\xa0KB" in response.content.decode()
    assert not Attachment.objects.exists()


@override_settings(HAVEN_ATTACHMENT_MAX_BYTES=1024 * 1024, HAVEN_UPLOAD_MAX_BYTES=1024 * 1024)
def test_a_body_far_beyond_the_limit_is_refused_before_it_is_read(client_for, advocate, case):
    big = files.pdf("x" * (2 * 1024 * 1024))
    response = upload(client_for(advocate), case, big)
    assert response.status_code == 413
    assert "larger than 1.0\xa0MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_interrupted_upload_keeps_nothing(client_for, advocate, case):
    """The body stops in the middle of the file: a clear 400, nothing kept."""
    client = client_for(advocate)
    client.get(reverse("attachments:documents", args=[case.pk]))
    token = client.cookies["csrftoken"].value
    boundary = "SyntheticBoundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="cut.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body = head + files.pdf()[:80]  # no closing boundary: the sender went away
    response = client.generic(
        "POST",
        reverse("attachments:documents", args=[case.pk]),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("persona", ["intake", "shelter", "admin_user", "auditor", "outsider"])
def test_only_those_who_handle_documents_may_list_add_or_open_them(
    request, client_for, advocate, case, persona
):
    attachment = attachment_store(actor=advocate, case=case, upload=files.accepted())
    client = client_for(request.getfixturevalue(persona))
    documents = reverse("attachments:documents", args=[case.pk])
    assert client.get(documents).status_code == 404
    assert upload(client, case, files.pdf()).status_code == 404
    assert client.get(reverse("attachments:download", args=[attachment.pk])).status_code == 404
    assert Attachment.objects.count() == 1
    assert not AuditEvent.objects.filter(action=Action.ATTACHMENT_READ).exists()


def test_a_supervisor_of_the_team_opens_them(client_for, advocate, supervisor, case):
    attachment = attachment_store(actor=advocate, case=case, upload=files.accepted())
    response = client_for(supervisor).get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 200


def test_nothing_of_an_attachment_is_in_its_rows_in_the_clear(advocate, case):
    data = files.pdf(MARKER)
    attachment = attachment_store(
        actor=advocate,
        case=case,
        upload=files.accepted(data, "lease-4B.pdf"),
        description="Lease of unit 4B (synthetic)",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, description, sha256 FROM attachments_attachment WHERE id = %s",
            [attachment.pk.hex if connection.vendor == "sqlite" else attachment.pk],
        )
        sealed_fields = b"".join(bytes(v) for v in cursor.fetchone())
    content = bytes(AttachmentContent.objects.get(attachment=attachment).sealed)
    digest = hashlib.sha256(data).hexdigest()
    for raw in (sealed_fields, content):
        # Needles of five bytes or more: a shorter one turns up in random ciphertext.
        for needle in (MARKER, "unit 4B", "lease", digest, "%PDF-"):
            assert needle.encode() not in raw


def test_a_destroyed_persons_attachments_are_gone_with_their_key(advocate, case):
    attachment = attachment_store(actor=advocate, case=case, upload=files.accepted())
    key_id = attachment.data_key_id
    person_destroy(actor=None, person=case.person, basis="request")
    assert not Attachment.objects.exists()
    assert not AttachmentContent.objects.exists()
    assert not DataKey.objects.filter(pk=key_id).exists()


def test_a_copy_of_the_sealed_bytes_does_not_open_as_another_attachment(advocate, case):
    from haven.attachments.services import attachment_open
    from haven.core.crypto import DecryptionError

    first = attachment_store(actor=advocate, case=case, upload=files.accepted(files.pdf("one")))
    second = attachment_store(actor=advocate, case=case, upload=files.accepted(files.pdf("two")))
    sealed = AttachmentContent.objects.get(attachment=first).sealed
    AttachmentContent.objects.filter(attachment=second).update(sealed=sealed)
    with pytest.raises(DecryptionError):
        attachment_open(actor=advocate, attachment_id=second.pk)


def test_uses_are_recorded(advocate, case):
    kept = attachment_store(actor=advocate, case=case, upload=files.accepted(), use=Use.COURT_ORDER)
    assert kept.get_use_display() == "Court order"


def test_a_form_that_comes_back_asks_for_the_file_again(client_for, advocate, case):
    long = "x" * 600  # over the description's limit: the form comes back
    response = upload(client_for(advocate), case, files.pdf(), description=long)
    assert response.status_code == 400
    assert "Choose the file again" in response.content.decode()
    assert not Attachment.objects.exists()
