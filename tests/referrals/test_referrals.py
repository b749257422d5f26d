"""Referrals: made from a need, through the gate, only the consented
information; the receiving agency on the same installation gets a sealed
packet and nothing else of the case; the need follows the referral."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from haven.accounts.models import Role
from haven.audit.models import Action, AuditEvent
from haven.consent.gate import DisclosureRefused
from haven.consent.models import Disclosure
from haven.core.errors import NotFound
from haven.core.models import DataKey
from haven.partners.models import Organization, PartnerKind, Service
from haven.protocol.models import CaseStep, Need, NeedCategory, NeedStatus, Step, StepState
from haven.protocol.needs import assessment_record
from haven.referrals.models import Referral, ReferralPacket, ReferralStatus
from haven.referrals.packet import packet_read
from haven.referrals.services import ReferralRequest, referral_move, referral_send
from tests.factories import AgencyFactory, TeamFactory, give_consent, make_staff, record_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter_need():
    return NeedCategory.objects.get(agency=None, code="shelter")


@pytest.fixture
def receiver(other_agency):
    team = TeamFactory(agency=other_agency, name="Receiving Team")
    return make_staff(agency=other_agency, role=Role.ADVOCATE, team=team, username="t-receiver")


@pytest.fixture
def partner(agency, other_agency, shelter_need):
    org = Organization.objects.create(
        agency=agency,
        name="Sample Shelter (synthetic)",
        kind=PartnerKind.SHELTER,
        haven_agency=other_agency,
    )
    service = Service.objects.create(agency=agency, organization=org, name="Emergency beds")
    service.need_categories.add(shelter_need)
    return service


@pytest.fixture
def outside_partner(agency):
    org = Organization.objects.create(
        agency=agency, name="Sample Clinic (synthetic)", kind=PartnerKind.MEDICAL
    )
    return Service.objects.create(agency=agency, organization=org, name="Clinic visits")


@pytest.fixture
def case(advocate, team, shelter_need):
    case = record_intake(
        actor=advocate,
        team=team,
        preferred_name="Synthetic Referral Person",
        phone="608-555-0100",
        immigration_status="t_visa",
    )
    assessment_record(actor=advocate, case=case, ranked=[shelter_need.pk])
    return case


def need_of(case) -> Need:
    return Need.objects.get(case=case)


def send(advocate, case, service, **changes):
    values = {
        "need_id": need_of(case).pk,
        "organization_id": service.organization_id,
        "service_id": service.pk,
        "purpose": "services",
        "kinds": ["identity", "needs"],
        **changes,
    }
    return referral_send(actor=advocate, case=case, request=ReferralRequest(**values))


def consent(advocate, case, service, kinds=("identity", "needs")):
    return give_consent(
        actor=advocate,
        case=case,
        organization=service.organization,
        purpose="services",
        kinds=list(kinds),
    )


def test_without_consent_nothing_is_sent(advocate, case, partner):
    with pytest.raises(DisclosureRefused):
        send(advocate, case, partner)
    assert not Referral.objects.exists()
    assert not Disclosure.objects.exists()
    assert need_of(case).status == NeedStatus.IDENTIFIED


def test_a_referral_carries_only_what_was_consented(advocate, case, partner, receiver):
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    assert referral.status == ReferralStatus.SENT
    assert referral.disclosure.kinds == ["identity", "needs"]
    assert need_of(case).status == NeedStatus.REFERRED
    step = CaseStep.objects.get(case=case, step=Step.COLLABORATION)
    assert step.state == StepState.IN_PROGRESS
    packet = ReferralPacket.objects.get(referral=referral)
    # Sealed under a key of the receiving agency, not the person's.
    assert packet.data_key.agency_id == receiver.agency_id
    assert packet.data_key_id != case.person.data_key_id
    shown = packet_read(packet)
    values = " ".join(line.value for line in shown.person)
    assert "Synthetic Referral Person" in values
    assert "608-555-0100" not in json.dumps(json.loads(packet.content))
    assert shown.needs == ["Shelter"]
    assert not shown.safety_plan
    assert not shown.message


def test_a_message_needs_case_notes_consented(advocate, case, partner):
    consent(advocate, case, partner)
    with pytest.raises(ValidationError) as caught:
        send(advocate, case, partner, message="Arrives Tuesday (synthetic)")
    assert "message" in caught.value.message_dict
    assert not Referral.objects.exists()


def test_outside_the_partners_expertise_needs_a_confirmation(advocate, case, outside_partner):
    consent(advocate, case, outside_partner)
    with pytest.raises(ValidationError) as caught:
        send(advocate, case, outside_partner)
    assert "outside_expertise_confirmed" in caught.value.message_dict
    referral = send(advocate, case, outside_partner, outside_expertise_confirmed=True)
    assert referral.outside_expertise
    assert not ReferralPacket.objects.exists()  # a partner outside Haven gets no packet


def test_another_agencys_partner_cannot_be_named(advocate, case, other_agency):
    theirs = Organization.objects.create(agency=other_agency, name="Elsewhere (synthetic)")
    with pytest.raises(ValidationError) as caught:
        send(advocate, case, partner_service(theirs), organization_id=theirs.pk, service_id=None)
    assert "organization" in caught.value.message_dict


def partner_service(org):
    return Service(organization=org, organization_id=org.pk)


def test_the_receiver_accepts_and_completes_and_the_need_follows(advocate, case, partner, receiver):
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    referral_move(actor=receiver, referral=referral, status=ReferralStatus.ACCEPTED)
    assert need_of(case).status == NeedStatus.IN_PROGRESS
    with pytest.raises(ValidationError):  # not from accepted to accepted
        referral_move(actor=receiver, referral=referral, status=ReferralStatus.ACCEPTED)
    referral_move(
        actor=receiver, referral=referral, status=ReferralStatus.COMPLETED, outcome="Placed"
    )
    assert need_of(case).status == NeedStatus.MET
    step = CaseStep.objects.get(case=case, step=Step.COLLABORATION)
    assert step.state == StepState.DONE
    assert list(referral.changes.values_list("status", flat=True)) == [
        "sent",
        "accepted",
        "completed",
    ]


def test_declining_destroys_the_packet_and_its_key(advocate, case, partner, receiver):
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    key = ReferralPacket.objects.get(referral=referral).data_key_id
    referral_move(actor=receiver, referral=referral, status=ReferralStatus.DECLINED)
    assert not ReferralPacket.objects.exists()
    assert not DataKey.objects.filter(pk=key).exists()
    assert need_of(case).status == NeedStatus.IDENTIFIED
    # The ledger keeps what left.
    assert Disclosure.objects.filter(channel="referral").count() == 1


def test_the_sender_withdraws_but_cannot_accept_for_an_agency_in_haven(advocate, case, partner):
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    with pytest.raises(ValidationError):
        referral_move(actor=advocate, referral=referral, status=ReferralStatus.ACCEPTED)
    referral_move(actor=advocate, referral=referral, status=ReferralStatus.WITHDRAWN)
    assert not ReferralPacket.objects.exists()


def test_a_third_agency_gets_nothing(client, advocate, case, partner):
    third = AgencyFactory(name="Third Agency (synthetic)")
    stranger = make_staff(
        agency=third,
        role=Role.ADVOCATE,
        team=TeamFactory(agency=third, name="Third Team"),
        username="t-stranger",
    )
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    with pytest.raises(NotFound):
        referral_move(actor=stranger, referral=referral, status=ReferralStatus.DECLINED)
    client.force_login(stranger)
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert client.get(reverse("referrals:inbox_referral", args=[referral.pk])).status_code == 404
    assert not AuditEvent.objects.filter(seq__gt=seq, action=Action.REFERRAL_VIEWED).exists()
    assert referral.pk.hex not in client.get(reverse("referrals:inbox")).content.decode()


def test_the_receiving_agency_sees_the_packet_and_nothing_else(
    client, advocate, case, partner, receiver
):
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    client.force_login(receiver)
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert reverse("referrals:inbox_referral", args=[referral.pk]) in inbox
    assert "Synthetic Referral Person" not in inbox  # the list shows no one
    page = client.get(reverse("referrals:inbox_referral", args=[referral.pk]))
    body = page.content.decode()
    assert "Synthetic Referral Person" in body
    assert "608-555-0100" not in body
    assert AuditEvent.objects.filter(
        action=Action.REFERRAL_VIEWED, object_id=str(referral.pk)
    ).exists()
    for url in (
        reverse("desk:case_detail", args=[case.pk]),
        reverse("referrals:referrals", args=[case.pk]),
        reverse("referrals:referral", args=[case.pk, referral.pk]),
        reverse("consent:consents", args=[case.pk]),
        reverse("consent:disclosures", args=[case.pk]),
        reverse("protocol:needs", args=[case.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("referrals:inbox_referral", args=[referral.pk]),
        {"status": "accepted", "outcome": ""},
    )
    assert response.status_code == 303
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_the_sender_pages(client_for, advocate, case, partner):
    client = client_for(advocate)
    need = need_of(case)
    listing = client.get(
        reverse("referrals:referrals", args=[case.pk]), {"need": str(need.pk), "language": ""}
    )
    assert listing.status_code == 200
    assert "Sample Shelter (synthetic)" in listing.content.decode()
    new = reverse("referrals:referral_new", args=[case.pk, need.pk, partner.pk])
    refused = client.post(new, {"purpose": "services", "kinds": ["identity"]})
    assert refused.status_code == 400
    assert "No consent is recorded" in refused.content.decode()
    consent(advocate, case, partner)
    sent = client.post(new, {"purpose": "services", "kinds": ["identity", "needs"]})
    assert sent.status_code == 303
    referral = Referral.objects.get()
    page = client.get(sent["Location"]).content.decode()
    assert "Sample Shelter (synthetic)" in page
    assert referral.get_status_display() in page


def test_the_dashboards_list_what_waits(client, advocate, case, partner, receiver):
    from datetime import timedelta

    from django.utils import timezone

    consent(advocate, case, partner)
    referral = send(advocate, case, partner, follow_up_on=timezone.localdate())
    case.assigned.add(advocate)
    client.force_login(advocate)
    mine = client.get(reverse("desk:dashboard")).content.decode()
    # The case's line, named like everywhere else, links to the referral.
    section = mine.split('id="next-heading"')[1].split("</section>")[0]
    link = reverse("referrals:referral", args=[case.pk, referral.pk])
    assert link in section
    assert "the referral waits for an answer since" in section
    Referral.objects.filter(pk=referral.pk).update(
        follow_up_on=timezone.localdate() + timedelta(days=3)
    )
    assert link not in client.get(reverse("desk:dashboard")).content.decode()
    client.force_login(receiver)
    theirs = client.get(reverse("desk:dashboard")).content.decode()
    assert "1 referral from another agency is waiting or open." in theirs


def test_a_met_need_is_not_referred_again(advocate, case, partner):
    consent(advocate, case, partner)
    Need.objects.filter(case=case).update(status=NeedStatus.MET)
    with pytest.raises(ValidationError) as caught:
        send(advocate, case, partner)
    assert "need" in caught.value.message_dict
    assert need_of(case).status == NeedStatus.MET
    assert not Referral.objects.exists()


def test_needs_outside_the_agencys_expertise_are_flagged_both_sides(
    client, admin_user, advocate, case, partner, receiver, shelter_need
):
    from haven.referrals.expertise import expertise_save

    client.force_login(advocate)
    page = reverse("referrals:referrals", args=[case.pk])
    # An agency that has not said what it does: nothing is flagged.
    assert "outside our expertise" not in client.get(page).content.decode()
    client.force_login(admin_user)
    settings_page = reverse("referrals:expertise")
    food = NeedCategory.objects.get(agency=None, code="food")
    assert client.post(settings_page, {"needs": [str(food.pk)]}).status_code == 303
    client.force_login(advocate)
    assert "outside our expertise" in client.get(page).content.decode()
    # The receiving agency meets food only: a shelter referral is flagged to it.
    expertise_save(actor=make_admin(receiver), category_ids=[food.pk])
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    client.force_login(receiver)
    body = client.get(reverse("referrals:inbox_referral", args=[referral.pk])).content.decode()
    assert "outside what your agency has said it does itself" in body
    # Only administrators set it; a need from another agency's list is refused.
    client.force_login(advocate)
    assert client.get(settings_page).status_code == 404
    with pytest.raises(ValidationError):
        expertise_save(actor=admin_user, category_ids=[10**6])


def make_admin(user):
    from haven.accounts.models import Membership

    Membership.objects.create(user=user, role=Role.ADMIN)
    user.__dict__.pop("_haven_memberships", None)
    return user


def test_the_senders_words_on_withdrawing_stay_with_the_sender(
    client, advocate, case, partner, receiver
):
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    referral_move(
        actor=advocate,
        referral=referral,
        status=ReferralStatus.WITHDRAWN,
        outcome="Moved to another city (synthetic)",
    )
    client.force_login(receiver)
    body = client.get(reverse("referrals:inbox_referral", args=[referral.pk])).content.decode()
    assert "Moved to another city" not in body
    client.force_login(advocate)
    mine = client.get(reverse("referrals:referral", args=[case.pk, referral.pk])).content.decode()
    assert "Moved to another city (synthetic)" in mine


def test_shelter_staff_do_not_see_referrals_or_consents(client, advocate, shelter, case, partner):
    """Who the person shares with and why is as telling as immigration status."""
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    case.assigned.add(shelter)
    client.force_login(shelter)
    assert client.get(reverse("desk:case_detail", args=[case.pk])).status_code == 200
    for url in (
        reverse("referrals:referrals", args=[case.pk]),
        reverse("referrals:referral", args=[case.pk, referral.pk]),
        reverse("consent:consents", args=[case.pk]),
        reverse("consent:disclosures", args=[case.pk]),
        f"/api/v1/referrals?case={case.pk}",
        f"/api/v1/consents?case={case.pk}",
    ):
        assert client.get(url).status_code == 404, url


def test_a_second_send_of_the_same_referral_is_refused(advocate, case, partner):
    consent(advocate, case, partner)
    send(advocate, case, partner)
    with pytest.raises(ValidationError) as caught:
        send(advocate, case, partner)
    assert "already referred" in " ".join(caught.value.message_dict["need"])
    assert Referral.objects.count() == 1
    assert Disclosure.objects.filter(channel="referral").count() == 1


def test_the_tracker_links_only_what_the_viewer_may_open(client, advocate, shelter, case):
    case.assigned.add(shelter)
    consent_link = reverse("consent:consents", args=[case.pk])
    client.force_login(advocate)
    assert consent_link in client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    client.force_login(shelter)
    page = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert consent_link not in page
    assert reverse("referrals:referrals", args=[case.pk]) not in page


def test_withdrawing_the_consent_withdraws_the_open_referrals_under_it(
    advocate, case, partner, receiver
):
    from haven.consent.services import consent_revoke

    given = consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    key = ReferralPacket.objects.get(referral=referral).data_key_id
    consent_revoke(actor=advocate, consent=given, note="")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert not ReferralPacket.objects.exists()
    assert not DataKey.objects.filter(pk=key).exists()
    assert need_of(case).status == NeedStatus.IDENTIFIED
    # The ledger keeps what left while the consent stood.
    assert Disclosure.objects.filter(channel="referral").count() == 1


def test_the_referral_text_reads_as_sentences_and_names_the_referrer(
    client_for, advocate, team, shelter_need, agency
):
    from tests.protocol.test_printed_text import pdf_text

    # A partner outside Haven: it gets the text or the print, not a packet.
    org = Organization.objects.create(
        agency=agency, name="Sample Outside Shelter (synthetic)", kind=PartnerKind.SHELTER
    )
    partner = Service.objects.create(agency=agency, organization=org, name="Beds")
    partner.need_categories.add(shelter_need)
    case = record_intake(
        actor=advocate,
        team=team,
        preferred_name="Synthetic Referral Person",
        phone="608-555-0100",
        call_safety="unsafe",
    )
    assessment_record(actor=advocate, case=case, ranked=[shelter_need.pk])
    consent(advocate, case, partner, kinds=("identity", "contact", "needs"))
    referral = send(advocate, case, partner, kinds=["identity", "contact", "needs"])
    client = client_for(advocate)
    page = client.get(reverse("referrals:referral", args=[case.pk, referral.pk])).content.decode()
    text = page[page.index('id="referral-text"') : page.index("</textarea>")]
    assert "Is it safe to call? Not safe" in text
    assert "?:" not in text
    assert "Needs: Shelter" in text
    assert f"Referred by: {advocate.display_name}" in text
    assert f"Email: {advocate.email}" in text
    assert f"Agency: {advocate.agency.name}" in text

    response = client.get(reverse("referrals:referral_pdf", args=[case.pk, referral.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="referral.pdf"'
    printed = pdf_text(response)
    assert "Is it safe to call? Not safe" in printed
    assert "?:" not in printed
    assert f"Referred by: {advocate.display_name}" in printed
    assert advocate.email in printed


def test_the_receiving_agency_sees_who_referred(client_for, advocate, case, partner, receiver):
    consent(advocate, case, partner)
    referral = send(advocate, case, partner)
    page = client_for(receiver).get(reverse("referrals:inbox_referral", args=[referral.pk]))
    assert advocate.display_name in page.content.decode()
    assert f"mailto:{advocate.email}" in page.content.decode()


def test_the_referral_form_keeps_its_choices_across_the_consent_detour(
    client_for, advocate, case, partner
):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = client_for(advocate)
    need = need_of(case)
    new = reverse("referrals:referral_new", args=[case.pk, need.pk, partner.pk])
    note = "Synthetic Referral Person arrives Tuesday"
    follow_up = (timezone.localdate() + timedelta(days=30)).isoformat()
    chosen = {
        "purpose": "safety",
        "kinds": ["identity", "notes"],
        "message": note,
        "follow_up_on": follow_up,
    }
    refused = client.post(new, chosen)
    assert refused.status_code == 400
    # The detour: the consent page is given the form's own path, ids only.
    assert f'?next={new}"' in refused.content.decode()
    give_consent(
        actor=advocate,
        case=case,
        organization=partner.organization,
        purpose="safety",
        kinds=["identity", "notes"],
    )

    back = client.get(new)
    form = back.context["form"]
    assert form.initial["purpose"] == "safety"
    assert form.initial["kinds"] == ["identity", "notes"]
    assert form.initial["message"] == note
    assert form.initial["follow_up_on"].isoformat() == follow_up
    assert note in back.content.decode()
    # The session table holds the choices but not the note in clear.
    stored = " ".join(s.session_data for s in Session.objects.all())
    decoded = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    assert "notes" in decoded
    assert "Synthetic Referral Person" not in decoded + stored

    # Sending takes what the form shows; the draft goes.
    sent = client.post(new, chosen)
    assert sent.status_code == 303
    referral = Referral.objects.get()
    assert (referral.purpose, referral.kinds, referral.message) == (
        "safety",
        ["identity", "notes"],
        note,
    )
    assert client.get(new).context["form"].initial == {}


def test_a_draft_is_kept_for_its_own_partner_only(client_for, advocate, case, partner, agency):
    other_org = Organization.objects.create(
        agency=agency, name="Other Shelter (synthetic)", kind=PartnerKind.SHELTER
    )
    other = Service.objects.create(agency=agency, organization=other_org, name="Beds")
    client = client_for(advocate)
    need = need_of(case)
    client.post(
        reverse("referrals:referral_new", args=[case.pk, need.pk, partner.pk]),
        {"purpose": "safety", "kinds": ["identity"]},
    )
    elsewhere = client.get(reverse("referrals:referral_new", args=[case.pk, need.pk, other.pk]))
    assert elsewhere.context["form"].initial == {}
