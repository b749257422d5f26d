"""The disclosure gate: a disclosure goes only under a consent in force that
names the recipient, the purpose and every kind of information, or under a
recorded legal basis; a refusal of law enforcement blocks law enforcement
whatever older consent exists; each decision is audited and each refusal
says why and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from haven.attachments.models import Attachment, Use
from haven.audit.models import Action, AuditEvent
from haven.consent.gate import CourtOrder, DisclosureRefused, Recipient, disclose
from haven.consent.models import Basis, Consent, ConsentForm, Disclosure, InfoKind, Purpose
from haven.consent.services import ConsentValues, consent_record, consent_revoke
from haven.partners.models import GovernmentLevel, Organization, PartnerKind
from haven.protocol.law import law_choice_record
from haven.protocol.models import LawEnforcementContact
from haven.protocol.safety import danger_check_record
from tests import files
from tests.factories import record_intake

pytestmark = pytest.mark.django_db

SERVICES_KINDS = [InfoKind.IDENTITY, InfoKind.CONTACT, InfoKind.NEEDS]


@pytest.fixture
def legal_aid(agency):
    return Organization.objects.create(
        agency=agency, name="Sample Legal Aid (synthetic)", kind=PartnerKind.LEGAL
    )


@pytest.fixture
def clinic(agency):
    return Organization.objects.create(
        agency=agency, name="Sample Clinic (synthetic)", kind=PartnerKind.MEDICAL
    )


@pytest.fixture
def sheriff(agency):
    return Organization.objects.create(
        agency=agency,
        name="Sample County Sheriff (synthetic)",
        kind=PartnerKind.LAW_ENFORCEMENT,
        government_level=GovernmentLevel.LOCAL,
    )


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, legal_name="Synthetic Gate Person")


def give_consent(actor, case, org=None, category="", **overrides):
    values = {
        "recipient_org_id": org.pk if org else None,
        "recipient_category": category,
        "purpose": Purpose.LEGAL,
        "kinds": SERVICES_KINDS,
        "form": ConsentForm.VERBAL,
        "witness": "Staff witness (synthetic)",
        "language": "eng",
        **overrides,
    }
    return consent_record(actor=actor, case=case, values=ConsentValues(**values))


def send(actor, case, recipient, purpose=Purpose.LEGAL, kinds=SERVICES_KINDS, basis=Basis.CONSENT):
    made = []

    def record(disclosure):
        made.append(disclosure)
        return None

    _, row = disclose(
        actor=actor,
        case=case,
        recipient=recipient,
        purpose=purpose,
        kinds=kinds,
        basis=basis,
        channel="test",
        record=record,
    )
    return row


def refused(actor, case, recipient, **kwargs) -> str:
    """Try; return the refusal's reason code, checking nothing was written."""
    ledger = Disclosure.objects.count()
    with pytest.raises(DisclosureRefused) as caught:
        send(actor, case, recipient, **kwargs)
    assert Disclosure.objects.count() == ledger
    event = AuditEvent.objects.filter(action=Action.DISCLOSURE_REFUSED).latest("seq")
    assert event.detail["reason"] == caught.value.reason
    assert str(case.person.legal_name) not in str(event.detail)
    assert caught.value.messages[0]  # says why, in words
    return caught.value.reason


def test_a_consent_that_covers_everything_lets_it_go_and_is_ledgered(advocate, case, legal_aid):
    consent = give_consent(advocate, case, legal_aid)
    row = send(advocate, case, Recipient.of(legal_aid))
    assert (row.basis, row.consent, row.by) == (Basis.CONSENT, consent, advocate)
    assert row.kinds == sorted(SERVICES_KINDS)
    assert row.recipient_label == legal_aid.name
    allowed = AuditEvent.objects.get(action=Action.DISCLOSURE_ALLOWED)
    assert allowed.detail["disclosure"] == str(row.pk)


def test_fewer_kinds_than_consented_is_fine(advocate, case, legal_aid):
    give_consent(advocate, case, legal_aid)
    assert send(advocate, case, Recipient.of(legal_aid), kinds=[InfoKind.IDENTITY])


def test_without_any_consent_it_is_refused(advocate, case, legal_aid):
    assert refused(advocate, case, Recipient.of(legal_aid)) == "no_consent"


def test_a_consent_for_another_recipient_is_refused(advocate, case, legal_aid, clinic):
    give_consent(advocate, case, clinic)
    assert refused(advocate, case, Recipient.of(legal_aid)) == "other_recipient"


def test_a_consent_for_another_purpose_is_refused(advocate, case, legal_aid):
    give_consent(advocate, case, legal_aid, purpose=Purpose.SERVICES)
    assert refused(advocate, case, Recipient.of(legal_aid)) == "other_purpose"


def test_one_kind_too_few_is_refused_and_named(advocate, case, legal_aid):
    give_consent(advocate, case, legal_aid)
    kinds = [*SERVICES_KINDS, InfoKind.IMMIGRATION]
    ledger = Disclosure.objects.count()
    with pytest.raises(DisclosureRefused) as caught:
        send(advocate, case, Recipient.of(legal_aid), kinds=kinds)
    assert caught.value.reason == "kinds_not_covered"
    assert "Immigration status" in caught.value.messages[0]
    assert Disclosure.objects.count() == ledger


def test_an_expired_consent_is_refused(advocate, case, legal_aid):
    consent = give_consent(advocate, case, legal_aid)
    yesterday = timezone.localdate() - timedelta(days=1)
    Consent.objects.filter(pk=consent.pk).update(
        starts_on=yesterday - timedelta(days=30), expires_on=yesterday
    )
    assert refused(advocate, case, Recipient.of(legal_aid)) == "expired"


def test_a_consent_not_yet_in_force_is_refused(advocate, case, legal_aid):
    tomorrow = timezone.localdate() + timedelta(days=1)
    give_consent(advocate, case, legal_aid, starts_on=tomorrow)
    assert refused(advocate, case, Recipient.of(legal_aid)) == "not_started"


def test_a_withdrawn_consent_is_refused(advocate, case, legal_aid):
    consent = give_consent(advocate, case, legal_aid)
    send(advocate, case, Recipient.of(legal_aid))
    consent_revoke(actor=advocate, consent=consent, note="Changed their mind (synthetic)")
    assert refused(advocate, case, Recipient.of(legal_aid)) == "revoked"
    # What left before the withdrawal stays in the ledger.
    assert Disclosure.objects.filter(case=case).count() == 1


def test_a_category_consent_covers_the_organizations_in_it(advocate, case, sheriff):
    give_consent(advocate, case, category="law_enforcement", purpose=Purpose.LAW_ENFORCEMENT)
    row = send(advocate, case, Recipient.of(sheriff), purpose=Purpose.LAW_ENFORCEMENT)
    assert row.consent is not None
    # ...and not an organization outside it.
    give_consent(advocate, case, category="federal", purpose=Purpose.LEGAL)
    assert refused(advocate, case, Recipient.of(sheriff)) == "other_purpose"


def test_after_a_refusal_of_law_enforcement_an_old_consent_does_not_count(advocate, case, sheriff):
    give_consent(advocate, case, sheriff, purpose=Purpose.LAW_ENFORCEMENT)
    assert send(advocate, case, Recipient.of(sheriff), purpose=Purpose.LAW_ENFORCEMENT)
    law_choice_record(actor=advocate, case=case, agrees=False)
    reason = refused(advocate, case, Recipient.of(sheriff), purpose=Purpose.LAW_ENFORCEMENT)
    assert reason == "law_enforcement_refused"
    # Changing their mind is recorded, and the consent counts again.
    law_choice_record(actor=advocate, case=case, agrees=True)
    assert send(advocate, case, Recipient.of(sheriff), purpose=Purpose.LAW_ENFORCEMENT)


def test_only_a_mandated_report_for_a_minor_passes_a_refusal(advocate, team):
    minor = record_intake(actor=advocate, team=team, estimated_age=16)
    law_choice_record(actor=advocate, case=minor, agrees=False)
    to_police = Recipient.law_enforcement("Sample Police (synthetic)")
    kinds = [InfoKind.IDENTITY]
    row = send(
        advocate, minor, to_police, purpose=Purpose.SAFETY, kinds=kinds, basis=Basis.MANDATED_MINOR
    )
    assert (row.basis, row.consent) == (Basis.MANDATED_MINOR, None)
    adult = record_intake(actor=advocate, team=team, estimated_age=30)
    reason = refused(
        advocate, adult, to_police, purpose=Purpose.SAFETY, kinds=kinds, basis=Basis.MANDATED_MINOR
    )
    assert reason == "not_minor"


def test_imminent_danger_stands_only_on_a_recent_yes(advocate, case):
    dispatcher = Recipient.law_enforcement("911 (synthetic)")
    kwargs = {"purpose": Purpose.SAFETY, "basis": Basis.IMMINENT_DANGER, "kinds": ["identity"]}
    assert refused(advocate, case, dispatcher, **kwargs) == "no_danger"
    danger_check_record(actor=advocate, case=case, answer="yes")
    assert send(advocate, case, dispatcher, **kwargs).basis == Basis.IMMINENT_DANGER


def test_a_court_order_must_be_recorded_with_its_reference_and_a_copy(advocate, case, legal_aid):
    reference = "Sample County Circuit Court, case 26-XX-0001 (synthetic)"

    def order(court_order):
        return disclose(
            actor=advocate,
            case=case,
            recipient=Recipient.of(legal_aid),
            purpose=Purpose.COURT,
            kinds=[InfoKind.IDENTITY],
            basis=Basis.COURT_ORDER,
            channel="test",
            record=lambda _disclosure: None,
            court_order=court_order,
        )[1]

    kwargs = {"basis": Basis.COURT_ORDER}
    assert refused(advocate, case, Recipient.of(legal_aid), **kwargs) == "no_court_order"
    with pytest.raises(DisclosureRefused) as no_copy:
        order(CourtOrder(reference=reference, copy=None))
    assert no_copy.value.reason == "no_court_order_copy"
    assert not Disclosure.objects.exists()
    assert not Attachment.objects.exists()

    row = order(CourtOrder(reference=reference, copy=files.accepted()))
    assert row.court_order.startswith("Sample County")
    assert row.court_order_copy.use == Use.COURT_ORDER
    assert row.court_order_copy.case_id == case.pk


def test_nothing_is_written_when_the_record_fails(advocate, case, legal_aid):
    give_consent(advocate, case, legal_aid)

    def failing_record(_disclosure):
        raise RuntimeError("the caller's record could not be made")

    with pytest.raises(RuntimeError):
        disclose(
            actor=advocate,
            case=case,
            recipient=Recipient.of(legal_aid),
            purpose=Purpose.LEGAL,
            kinds=[InfoKind.IDENTITY],
            basis=Basis.CONSENT,
            channel="test",
            record=failing_record,
        )
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.DISCLOSURE_ALLOWED).exists()


def test_a_law_enforcement_contact_goes_through_the_gate(advocate, case):
    ledger = Disclosure.objects.count()
    from haven.authorities.law import law_contact_record

    with pytest.raises(DisclosureRefused):
        law_contact_record(
            actor=advocate,
            case=case,
            basis="consent",
            agency_name="Sample Police (synthetic)",
            contacted_on=timezone.localdate(),
        )
    assert not LawEnforcementContact.objects.exists()
    give_consent(
        advocate,
        case,
        category="law_enforcement",
        purpose=Purpose.LAW_ENFORCEMENT,
        kinds=[InfoKind.IDENTITY],
    )
    contact = law_contact_record(
        actor=advocate,
        case=case,
        basis="consent",
        agency_name="Sample Police (synthetic)",
        contacted_on=timezone.localdate(),
    )
    row = Disclosure.objects.get(case=case)
    assert Disclosure.objects.count() == ledger + 1
    assert (row.channel, row.record_id) == ("law_enforcement_contact", str(contact.pk))
    # Sharing more than the consent allows is refused.
    with pytest.raises(DisclosureRefused):
        law_contact_record(
            actor=advocate,
            case=case,
            basis="consent",
            agency_name="Sample Police (synthetic)",
            contacted_on=timezone.localdate(),
            shared=[InfoKind.IDENTITY, InfoKind.IMMIGRATION],
        )
    assert LawEnforcementContact.objects.count() == 1


def test_the_ledger_check_catches_a_record_made_around_the_gate(advocate, case):
    """The check every test ends with (tests/ledger.py) fails on a bypass."""
    from tests.ledger import records_without_the_gate

    assert records_without_the_gate() == []
    row = LawEnforcementContact(
        case=case,
        data_key_id=case.person.data_key_id,
        basis="consent",
        contacted_on=timezone.localdate(),
        by=advocate,
    )
    row.save()
    assert records_without_the_gate() == [f"law_enforcement_contact {row.pk}"]
    row.delete()


def test_destroying_the_person_takes_their_consents_and_ledger_with_them(
    advocate, supervisor, case, legal_aid
):
    from haven.core.models import DataKey
    from haven.people.services import person_destroy_on_request

    give_consent(advocate, case, legal_aid)
    send(advocate, case, Recipient.of(legal_aid))
    key = case.person.data_key_id
    person_destroy_on_request(actor=supervisor, case=case)
    assert not Consent.objects.exists()
    assert not Disclosure.objects.exists()
    assert not DataKey.objects.filter(pk=key).exists()


def test_a_recipient_in_several_categories_is_ledgered_with_all(advocate, case, sheriff):
    """A local law enforcement agency falls in two categories; the ledger keeps both."""
    give_consent(advocate, case, sheriff, purpose=Purpose.LAW_ENFORCEMENT)
    row = send(advocate, case, Recipient.of(sheriff), purpose=Purpose.LAW_ENFORCEMENT)
    row.refresh_from_db()
    assert row.recipient_category == "law_enforcement,local"


def test_a_legal_basis_lets_only_what_it_needs_go(advocate, case):
    danger_check_record(actor=advocate, case=case, answer="yes")
    dispatcher = Recipient.law_enforcement("911 (synthetic)")
    kwargs = {"purpose": Purpose.SAFETY, "basis": Basis.IMMINENT_DANGER}
    reason = refused(
        advocate, case, dispatcher, kinds=[InfoKind.IDENTITY, InfoKind.IMMIGRATION], **kwargs
    )
    assert reason == "beyond_basis"
    assert send(advocate, case, dispatcher, kinds=[InfoKind.IDENTITY], **kwargs)


def test_a_continued_presence_request_cannot_change_its_recipient(advocate, case):
    from django.core.exceptions import ValidationError

    from haven.authorities.law import continued_presence_record
    from haven.protocol.models import ContinuedPresence

    give_consent(
        advocate,
        case,
        category="law_enforcement",
        purpose=Purpose.IMMIGRATION,
        kinds=[InfoKind.IDENTITY, InfoKind.IMMIGRATION],
    )
    today = timezone.localdate()
    row = continued_presence_record(
        actor=advocate, case=case, requested_on=today, requesting_agency="City PD (synthetic)"
    )
    with pytest.raises(ValidationError):
        continued_presence_record(
            actor=advocate,
            case=case,
            requested_on=today,
            requesting_agency="Another agency (synthetic)",
            request=row,
        )
    row.refresh_from_db()
    assert row.requesting_agency == "City PD (synthetic)"
    assert ContinuedPresence.objects.count() == 1
