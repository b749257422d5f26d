"""The directory's pages: who may read, edit, import and export; filters;
forms that refuse bad input with a message and change nothing."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.partners.models import Contact, Location, Organization, Service
from tests.partners.conftest import directory_counts

pytestmark = pytest.mark.django_db

READERS = ["advocate", "supervisor", "intake", "shelter", "admin", "auditor"]
EDITORS = {"supervisor", "admin"}


def org_url(name: str, organization, **extra) -> str:
    return reverse(f"partners:{name}", kwargs={"organization_id": organization.pk, **extra})


def object_urls(d) -> list[tuple[str, str]]:
    """(method, url) of every page that names one of the directory's rows."""
    legal = d["legal"]
    return [
        ("get", org_url("organization", legal)),
        ("get", org_url("organization_edit", legal)),
        ("get", org_url("service_create", legal)),
        ("get", org_url("service_edit", legal, service_id=d["service"].pk)),
        ("get", org_url("location_create", legal)),
        ("get", org_url("location_edit", legal, location_id=d["location"].pk)),
        ("post", org_url("location_remove", legal, location_id=d["location"].pk)),
        ("get", org_url("contact_create", legal)),
        ("get", org_url("contact_edit", legal, contact_id=d["contact"].pk)),
        ("post", org_url("contact_remove", legal, contact_id=d["contact"].pk)),
        ("post", org_url("organization_edit", legal)),
        ("post", org_url("service_edit", legal, service_id=d["service"].pk)),
    ]


@pytest.mark.parametrize("persona", READERS)
def test_every_staff_role_reads_the_directory(client_for, all_personas, directory, persona):
    client = client_for(all_personas[persona])
    listing = client.get(reverse("partners:directory"))
    assert listing.status_code == 200
    assert b"Sample Legal Aid (synthetic)" in listing.content
    page = client.get(org_url("organization", directory["legal"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Immigration legal help (synthetic)" in body
    assert "Pat Example" in body
    assert "1 Example Street" in body
    assert "signed 2024-03-01" in body
    assert ("Add a service" in body) == (persona in EDITORS)
    assert (b"Import or export" in listing.content) == (persona == "admin")


@pytest.mark.parametrize("persona", sorted(set(READERS) - EDITORS))
def test_readers_get_404_on_every_edit_page_and_nothing_changes(
    client_for, all_personas, directory, persona
):
    client = client_for(all_personas[persona])
    before = directory_counts()
    urls = [
        u for u in object_urls(directory) if "remove" in u[1] or "edit" in u[1] or "new" in u[1]
    ]
    urls.append(("get", reverse("partners:organization_create")))
    urls.append(("post", reverse("partners:organization_create")))
    for method, url in urls:
        response = getattr(client, method)(url, {"name": "Changed"} if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert directory_counts() == before


@pytest.mark.parametrize("persona", sorted(set(READERS) - {"admin"}))
def test_only_administrators_import_and_export(client_for, all_personas, directory, persona):
    client = client_for(all_personas[persona])
    assert client.get(reverse("partners:exchange")).status_code == 404
    assert client.post(reverse("partners:export"), {"format": "json"}).status_code == 404
    upload = SimpleUploadedFile("x.json", b"{}")
    assert client.post(reverse("partners:import"), {"file": upload}).status_code == 404


def test_another_agency_gets_404_on_every_page_and_nothing_changes(client_for, directory, outsider):
    client = client_for(outsider)
    before = (directory_counts(), AuditEvent.objects.count())
    for method, url in object_urls(directory):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url)
    listing = client.get(reverse("partners:directory"))
    assert b"Sample Legal Aid" not in listing.content
    assert (directory_counts(), AuditEvent.objects.count()) == before


def test_a_row_of_another_partner_is_404(client_for, directory, supervisor):
    """A contact id under the wrong partner answers like a missing one."""
    client = client_for(supervisor)
    url = org_url("contact_edit", directory["sheriff"], contact_id=directory["contact"].pk)
    assert client.get(url).status_code == 404
    assert (
        client.get(org_url("contact_edit", directory["legal"], contact_id=uuid.uuid4())).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Sample County Sheriff (synthetic)", "Sample Legal Aid (synthetic)"]),
        ({"kind": "law_enforcement"}, ["Sample County Sheriff (synthetic)"]),
        ({"need": "immigration"}, ["Sample Legal Aid (synthetic)"]),
        ({"need": "shelter"}, []),
        ({"language": "spa"}, ["Sample Legal Aid (synthetic)"]),
        ({"language": "hmn"}, []),
        ({"area": "statewide"}, ["Sample Legal Aid (synthetic)"]),
        ({"area": "55079"}, ["Sample Legal Aid (synthetic)"]),  # statewide covers Milwaukee
        ({"q": "visa"}, ["Sample Legal Aid (synthetic)"]),
        ({"q": "victim services"}, ["Sample County Sheriff (synthetic)"]),
        ({"need": "immigration", "language": "hmn"}, []),
    ],
)
def test_directory_filters(client_for, advocate, directory, query, expected):
    response = client_for(advocate).get(reverse("partners:directory"), query)
    assert response.status_code == 200
    shown = [o.name for o in response.context["page"].object_list]
    assert shown == expected


def test_a_bad_filter_is_a_400_with_a_message(client_for, advocate, directory):
    response = client_for(advocate).get(reverse("partners:directory"), {"kind": "spy"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_a_supervisor_adds_a_partner_then_a_service(client_for, supervisor):
    client = client_for(supervisor)
    response = client.post(
        reverse("partners:organization_create"),
        {
            "name": "Sample Shelter (synthetic)",
            "description": "Beds for adults.",
            "kind": "shelter",
            "government_level": "none",
            "phone": "608 555 0123",
        },
    )
    assert response.status_code == 303
    organization = Organization.objects.get(name="Sample Shelter (synthetic)")
    assert response["Location"] == org_url("organization", organization)
    response = client.post(
        org_url("service_create", organization),
        {
            "name": "Emergency beds",
            "status": "active",
            "need_codes": ["shelter"],
            "languages": ["spa"],
            "areas": ["statewide"],
        },
    )
    assert response.status_code == 303
    service = Service.objects.get(organization=organization)
    assert [c.code for c in service.need_categories.all()] == ["shelter"]
    page = client.get(org_url("organization", organization)).content.decode()
    assert "Emergency beds" in page
    assert "Spanish" in page
    assert "608 555 0123" in page


def test_a_bad_form_is_a_400_with_messages_and_writes_nothing(client_for, supervisor, directory):
    client = client_for(supervisor)
    before = directory_counts()
    response = client.post(
        reverse("partners:organization_create"),
        {"name": "=cmd", "description": "", "kind": "other", "government_level": "none"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(
        reverse("partners:organization_create"),
        {
            "name": "=cmd",
            "description": "d",
            "kind": "other",
            "government_level": "none",
            "website": "javascript:alert(1)",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please check these fields" in body
    assert "spreadsheets run text that starts with = or @ as a formula" in body
    assert "http:// or https://" in body
    response = client.post(
        org_url("location_create", directory["legal"]),
        {"location_type": "physical", "address_1": "3 Example Lane", "latitude": "100"},
    )
    assert response.status_code == 400
    assert directory_counts() == before


def test_locations_and_contacts_are_edited_and_removed(client_for, supervisor, directory):
    client = client_for(supervisor)
    legal = directory["legal"]
    location = directory["location"]
    response = client.post(
        org_url("location_edit", legal, location_id=location.pk),
        {
            "name": "Main office",
            "location_type": "physical",
            "address_1": "2 Example Street",
            "city": "Madison",
            "state_province": "WI",
            "postal_code": "53703",
            "country": "us",
            "service_ids": [],
        },
    )
    assert response.status_code == 303
    location.refresh_from_db()
    assert (location.address_1, location.country) == ("2 Example Street", "US")
    assert not location.services_here.exists()
    response = client.post(org_url("location_remove", legal, location_id=location.pk))
    assert response.status_code == 303
    assert not Location.objects.filter(pk=location.pk).exists()
    contact = directory["contact"]
    response = client.post(
        org_url("contact_edit", legal, contact_id=contact.pk),
        {"name": "Pat Example", "title": "Director", "phone": "608 555 0111"},
    )
    assert response.status_code == 303
    contact.refresh_from_db()
    assert contact.title == "Director"
    assert [p.number for p in contact.phones.all()] == ["608 555 0111"]
    client.post(org_url("contact_remove", legal, contact_id=contact.pk))
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_an_administrator_exports_and_imports_through_the_pages(client_for, admin_user, directory):
    client = client_for(admin_user)
    assert client.get(reverse("partners:exchange")).status_code == 200
    response = client.post(reverse("partners:export"), {"format": "tabular"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="partner-directory-')
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert "organizations.csv" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    upload = SimpleUploadedFile("directory.zip", content, content_type="application/zip")
    response = client.post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 200
    assert b"Updated" in response.content


def test_a_bad_upload_shows_its_problems_and_imports_nothing(client_for, admin_user):
    client = client_for(admin_user)
    before = directory_counts()
    upload = SimpleUploadedFile("bad.json", b'{"id": "x", "name": "n", "description": "d"}')
    response = client.post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 400
    assert b"Nothing was imported" in response.content
    assert b"bad.json, field id: should be a UUID" in response.content
    assert directory_counts() == before


def test_a_50_mb_upload_is_refused_before_it_is_read(client_for, admin_user):
    client = client_for(admin_user)
    before = directory_counts()
    upload = SimpleUploadedFile("huge.zip", b"\0" * (50 * 1024 * 1024))
    response = client.post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 413
    assert b"larger than 10 MB" in response.content
    assert directory_counts() == before


def test_an_upload_just_over_the_limit_is_refused_by_its_size(client_for, admin_user):
    client = client_for(admin_user)
    upload = SimpleUploadedFile("big.zip", b"\0" * (10 * 1024 * 1024 + 1))
    response = client.post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 400
    assert b"larger than 10 MB" in response.content


def test_the_import_still_needs_the_csrf_token(admin_user):
    from django.conf import settings
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user, backend=settings.AUTHENTICATION_BACKENDS[-1])
    upload = SimpleUploadedFile("x.json", b"{}")
    response = client.post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 403


def test_the_exchange_page_shows_the_agencys_own_haven_id(client_for, admin_user):
    from django.urls import reverse

    body = client_for(admin_user).get(reverse("partners:exchange")).content.decode()
    assert str(admin_user.agency.public_id) in body
