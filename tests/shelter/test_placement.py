"""Placement at a partner: a referral of the case's shelter need through the
one consent gate, then a stay "at a partner" with no site, no bed and, unless
the person agreed to record where, no location. Without consent the gate
refuses and nothing is written; the person's refusal of law enforcement
changes nothing for a shelter partner; the export and the case page say "At
a partner", never a site's address."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import Action, AuditEvent
from haven.consent.gate import DisclosureRefused
from haven.consent.models import Disclosure
from haven.exports.services import ExportRequest, export_record
from haven.partners.models import Organization, PartnerKind, Service
from haven.protocol.law import law_choice_record
from haven.protocol.models import NeedCategory
from haven.protocol.needs import assessment_record
from haven.referrals.models import Referral
from haven.shelter.models import Stay
from haven.shelter.stays import Placement, place_at_partner
from tests.factories import give_consent, record_intake
from tests.shelter.places import site_of

pytestmark = pytest.mark.django_db

PERSON = "Guadalupe Ramírez Soto"
PHONE = "608-555-0142"
SITE_ADDRESS = "77 Hidden Lane (synthetic)"
PARTNER_TOWN = "Synthetic Partner Town"


@pytest.fixture
def shelter_need():
    return NeedCategory.objects.get(agency=None, code="shelter")


@pytest.fixture
def partner(agency, shelter_need):
    org = Organization.objects.create(
        agency=agency, name="Sample Partner Shelter (synthetic)", kind=PartnerKind.SHELTER
    )
    service = Service.objects.create(agency=agency, organization=org, name="Emergency beds")
    service.need_categories.add(shelter_need)
    return org


@pytest.fixture
def case(advocate, team, shelter_need):
    case = record_intake(
        actor=advocate, team=team, advocate=advocate, preferred_name=PERSON, phone=PHONE
    )
    assessment_record(actor=advocate, case=case, ranked=[shelter_need.pk])
    return case


def consent(advocate, case, partner, kinds=("identity", "needs")):
    return give_consent(
        actor=advocate, case=case, organization=partner, purpose="services", kinds=list(kinds)
    )


def place(advocate, case, partner, **changes) -> Stay:
    values = {
        "organization_id": partner.pk,
        "purpose": "services",
        "kinds": ["identity", "needs"],
        **changes,
    }
    return place_at_partner(actor=advocate, case=case, placement=Placement(**values))


def written() -> tuple[int, int, int]:
    return Referral.objects.count(), Stay.objects.count(), Disclosure.objects.count()


def test_a_placement_sends_the_consented_kinds_and_makes_a_stay_at_a_partner(
    advocate, case, partner
):
    consent(advocate, case, partner)
    stay = place(advocate, case, partner)
    referral = Referral.objects.get()
    assert stay.referral == referral
    assert (stay.site, stay.bed, stay.location) == (None, None, None)
    assert stay.ends_on is None
    assert referral.organization == partner
    assert referral.disclosure.kinds == ["identity", "needs"]
    content = json.loads(referral.content)
    names = [name for name, _value in content["fields"]]
    assert "phone" not in names  # contact details were not consented
    assert PHONE not in referral.content
    assert content["needs"] == ["Shelter"]
    placed = AuditEvent.objects.get(action=Action.STAY_PLACED)
    assert placed.detail["location_recorded"] is False
    assert PERSON not in json.dumps(placed.detail)


def test_kinds_beyond_the_consent_are_refused_by_the_gate_and_nothing_written(
    advocate, case, partner
):
    consent(advocate, case, partner, kinds=("identity",))
    with pytest.raises(DisclosureRefused):
        place(advocate, case, partner, kinds=["identity", "contact"])
    assert written() == (0, 0, 0)


def test_with_the_persons_agreement_the_location_is_kept_sealed(advocate, case, partner):
    consent(advocate, case, partner)
    stay = place(advocate, case, partner, location_agreed=True, location=PARTNER_TOWN)
    stay.refresh_from_db()
    assert stay.location == PARTNER_TOWN
    raw = Stay.objects.filter(pk=stay.pk).values_list("location", flat=True).get()
    assert PARTNER_TOWN not in str(raw)
    assert AuditEvent.objects.get(action=Action.STAY_PLACED).detail["location_recorded"] is True


def test_a_location_without_the_persons_agreement_is_refused(advocate, case, partner):
    consent(advocate, case, partner)
    with pytest.raises(ValidationError) as refused:
        place(advocate, case, partner, location=PARTNER_TOWN)
    assert "location" in refused.value.message_dict
    assert written() == (0, 0, 0)


def test_without_consent_the_gate_refuses_and_nothing_is_written(advocate, case, partner):
    with pytest.raises(DisclosureRefused):
        place(advocate, case, partner)
    assert written() == (0, 0, 0)
    assert not AuditEvent.objects.filter(action=Action.STAY_PLACED).exists()


def test_a_partner_that_is_not_a_shelter_is_refused(advocate, agency, case):
    clinic = Organization.objects.create(
        agency=agency, name="Sample Clinic (synthetic)", kind=PartnerKind.MEDICAL
    )
    consent(advocate, case, clinic)
    with pytest.raises(ValidationError) as refused:
        place(advocate, case, clinic)
    assert "organization_id" in refused.value.message_dict
    assert written() == (0, 0, 0)


def test_refusing_law_enforcement_changes_nothing_for_a_shelter_partner(advocate, case, partner):
    law_choice_record(actor=advocate, case=case, investigation=False, prosecution=False)
    consent(advocate, case, partner)
    stay = place(advocate, case, partner)
    assert stay.referral is not None
    assert written() == (1, 1, 1)


def test_the_export_and_the_case_page_say_at_a_partner_never_a_site_address(
    advocate, team, case, partner, client_for
):
    site_of(team, "Site A", address=SITE_ADDRESS)
    consent(advocate, case, partner)
    stay = place(advocate, case, partner, location_agreed=True, location=PARTNER_TOWN)
    exported = export_record(
        actor=advocate,
        case=case,
        request=ExportRequest(audience="person", include_shelter=True),
    )
    record = json.loads(zipfile.ZipFile(io.BytesIO(exported.zip_bytes)).read("record.json"))
    assert record["shelter"] == [
        {
            "where": "At a partner",
            "location": PARTNER_TOWN,
            "from": stay.starts_on.isoformat(),
            "until": None,
            "outcome": "",
        }
    ]
    assert SITE_ADDRESS not in json.dumps(record)
    body = client_for(advocate).get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    start = body.index('id="shelter"')
    shown = body[start : body.index("</section>", start)]
    assert "At a partner" in shown
    assert SITE_ADDRESS not in body
    assert PARTNER_TOWN not in shown


def test_a_placement_over_an_existing_stay_is_refused_before_anything_goes(
    advocate, team, case, partner
):
    consent(advocate, case, partner)
    place(advocate, case, partner, starts_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        place(advocate, case, partner)
    assert "starts_on" in refused.value.message_dict
    assert written() == (1, 1, 1)
