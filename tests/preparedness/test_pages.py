"""The preparedness pages, as each role meets them: what opens, what is a
404, and the forms that write through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from haven.preparedness.models import (
    PartnerAgreement,
    PartnerMeeting,
    PolicyAcknowledgement,
    PolicyDocument,
    PolicyVersion,
)
from tests import files
from tests.preparedness.conftest import (
    agreement_values,
    database_state,
    days_ago,
    make_org,
    make_policy,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "preparedness:policies": {"advocate", "supervisor", "intake", "shelter", "admin", "auditor"},
    "preparedness:policy_new": {"admin"},
    "preparedness:meetings": {"advocate", "supervisor", "admin", "auditor"},
    "preparedness:meeting_new": {"supervisor", "admin"},
    "preparedness:agreements": {"supervisor", "admin", "auditor"},
    "preparedness:agreement_new": {"admin"},
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_opens_for_its_roles_and_is_a_404_for_the_others(name, all_personas, client_for):
    for role, user in all_personas.items():
        response = client_for(user).get(reverse(name))
        expected = 200 if role in PAGES[name] else 404
        assert response.status_code == expected, (name, role)


def test_a_policy_is_added_through_its_page_and_staff_are_asked_to_acknowledge_it(
    admin_user, advocate, client_for
):
    admin = client_for(admin_user)
    response = admin.post(
        reverse("preparedness:policy_new"),
        {
            "kind": "encounter",
            "title": "What to do on an encounter",
            "owner": admin_user.pk,
            "approved_on": days_ago(2).isoformat(),
            "next_review_on": (days_ago(2) + timedelta(days=365)).isoformat(),
            "file": files.uploaded(files.pdf(), "encounter.pdf"),
        },
    )
    assert response.status_code == 303, response.content[:3000]
    document = PolicyDocument.objects.get()
    assert response["Location"] == reverse("preparedness:policy", args=[document.pk])
    staff = client_for(advocate)
    listing = staff.get(reverse("preparedness:policies")).content.decode()
    assert "Policies waiting for your acknowledgement" in listing
    assert "What to do on an encounter" in listing
    detail = staff.get(reverse("preparedness:policy", args=[document.pk])).content.decode()
    assert "I have read this version" in detail
    done = staff.post(reverse("preparedness:acknowledge", args=[document.pk]), {"version": "1"})
    assert done.status_code == 303
    assert PolicyAcknowledgement.objects.filter(user=advocate).count() == 1
    listing = staff.get(reverse("preparedness:policies")).content.decode()
    assert "Policies waiting for your acknowledgement" not in listing


def test_a_photo_is_refused_as_a_policy_with_a_clear_message(admin_user, client_for):
    client = client_for(admin_user)
    before = database_state()
    response = client.post(
        reverse("preparedness:policy_new"),
        {
            "kind": "encounter",
            "title": "Encounter",
            "owner": admin_user.pk,
            "approved_on": days_ago(2).isoformat(),
            "next_review_on": days_ago(-300).isoformat(),
            "file": files.uploaded(files.png(), "policy.pdf"),
        },
    )
    assert response.status_code == 400
    assert "Only a PDF or a Word document (.docx) is accepted here" in response.content.decode()
    assert database_state() == before


def test_a_new_version_and_a_review_through_their_pages(admin_user, client_for):
    document = make_policy(admin_user)
    admin = client_for(admin_user)
    response = admin.post(
        reverse("preparedness:review", args=[document.pk]),
        {
            "version": "1",
            "reviewed_on": days_ago(0).isoformat(),
            "next_review_on": days_ago(-200).isoformat(),
        },
    )
    assert response.status_code == 303, response.content[:3000]
    bad = admin.post(
        reverse("preparedness:version_new", args=[document.pk]),
        {
            "approved_on": days_ago(0).isoformat(),
            "next_review_on": days_ago(1).isoformat(),
            "changes": "Adds the hotline.",
            "file": files.uploaded(files.docx(), "v2.docx"),
        },
    )
    assert bad.status_code == 400
    assert "The next review must come after the approval." in bad.content.decode()
    good = admin.post(
        reverse("preparedness:version_new", args=[document.pk]),
        {
            "approved_on": days_ago(0).isoformat(),
            "next_review_on": days_ago(-365).isoformat(),
            "changes": "Adds the hotline.",
            "file": files.uploaded(files.docx(), "v2.docx"),
        },
    )
    assert good.status_code == 303
    assert PolicyVersion.objects.filter(document=document).count() == 2
    page = admin.get(reverse("preparedness:policy", args=[document.pk])).content.decode()
    assert "Adds the hotline." in page
    assert "No changes needed" in page


def test_a_meeting_is_recorded_and_changed_through_its_pages(
    supervisor, advocate, agency, client_for
):
    org = make_org(agency)
    page = client_for(supervisor)
    response = page.post(
        reverse("preparedness:meeting_new"),
        {
            "kind": "da_victim_witness",
            "organization": str(org.pk),
            "held_on": days_ago(1).isoformat(),
            "staff": [supervisor.pk, advocate.pk],
            "agreements": "Joint protocol for interviews.",
            "follow_ups": "Share the contact list.",
            "follow_up_due": days_ago(-7).isoformat(),
        },
    )
    assert response.status_code == 303, response.content[:3000]
    meeting = PartnerMeeting.objects.get()
    detail = client_for(advocate).get(reverse("preparedness:meeting", args=[meeting.pk]))
    assert "Joint protocol for interviews." in detail.content.decode()
    stale = client_for(supervisor).post(
        reverse("preparedness:meeting_edit", args=[meeting.pk]),
        {
            "kind": "da_victim_witness",
            "organization": str(org.pk),
            "held_on": days_ago(1).isoformat(),
            "follow_ups": "Share the contact list.",
            "follow_up_done": "on",
            "revision": "0",
        },
    )
    assert stale.status_code == 400
    assert "Someone changed this record" in stale.content.decode()


def test_an_agreement_is_added_through_its_page(admin_user, auditor, agency, client_for):
    org = make_org(agency)
    response = client_for(admin_user).post(
        reverse("preparedness:agreement_new"),
        {
            "organization": str(org.pk),
            "kind": "mou",
            "signed_on": days_ago(100).isoformat(),
            "expires_on": days_ago(-30).isoformat(),
            "file": files.uploaded(files.pdf(), "mou.pdf"),
        },
    )
    assert response.status_code == 303, response.content[:3000]
    listing = client_for(auditor).get(reverse("preparedness:agreements")).content.decode()
    assert "expiring soon" in listing
    assert PartnerAgreement.objects.count() == 1


def test_an_outsider_gets_a_404_for_every_record(world_outsider, client_for):
    client = client_for(world_outsider["outsider"])
    for name, pk in (
        ("preparedness:policy", world_outsider["policy"].pk),
        ("preparedness:policy_edit", world_outsider["policy"].pk),
        ("preparedness:review", world_outsider["policy"].pk),
        ("preparedness:meeting", world_outsider["meeting"].pk),
        ("preparedness:agreement", world_outsider["agreement"].pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


@pytest.fixture
def world_outsider(admin_user, supervisor, outsider, agency):
    from haven.preparedness import services
    from tests.preparedness.conftest import meeting_values

    return {
        "outsider": outsider,
        "policy": make_policy(admin_user),
        "meeting": services.meeting_save(actor=supervisor, values=meeting_values()),
        "agreement": services.agreement_record(
            actor=admin_user, values=agreement_values(make_org(agency))
        ),
    }
