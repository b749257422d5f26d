"""The things the timed requests point at: one of each kind the pages and
the API show (a case of the advocate's team part-way through the protocol,
its need, referral and consent, a partner, a shelter site and a stay, a
threat, a visit, a policy...), found in the bench database or else made
once, through the real services, in the first bench agency.

The bulk builder (bench.dataset) makes people, cases and their records at
scale; what it does not make, a staff member makes here by hand, as the
demo does (haven.desk.demo), so every route has something real to show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from bench.world import World
from haven.accounts.models import User
from haven.attachments.models import Attachment
from haven.communications.models import Communication, Interpreter
from haven.consent.models import Consent
from haven.core.keys import data_key_create
from haven.core.models import Team
from haven.desk import demo
from haven.jobs.models import Job
from haven.partners.models import Contact, Location, Organization, Service
from haven.people.models import Case
from haven.preparedness.models import PartnerAgreement, PartnerMeeting, PolicyDocument
from haven.protocol.models import Need
from haven.referrals.models import Referral
from haven.safety.models import PersonOfConcern, Threat, Visit, VisitorAlert
from haven.shelter.models import Bed, ShelterSite, Stay
from haven.training.models import Event, Record, Topic

#: The alias of the bench's shelter site (found again by it).
SITE = "Bench Site"
#: The code of the bench agency's own step.
STEP = "bench-check"
#: The name given at the door by the visitor who matches the person of concern.
VISITOR = "Synthetic Person of Concern"


@dataclass(frozen=True)
class Targets:
    """Ids of what the requests ask for, and the users who ask."""

    users: dict[str, int]  # role code -> the user who makes that role's requests
    case: uuid.UUID  # a case of the advocate's team, part-way through the protocol
    long_case: uuid.UUID  # the case whose record holds the long log
    communication: uuid.UUID  # an entry of the long log
    need: uuid.UUID
    referral: uuid.UUID
    consent: uuid.UUID
    organization: uuid.UUID  # the shelter partner
    service: uuid.UUID
    location: uuid.UUID | None
    contact: uuid.UUID | None
    interpreter: uuid.UUID
    concern: uuid.UUID
    threat: uuid.UUID
    visit: uuid.UUID
    alert: uuid.UUID | None
    site: uuid.UUID
    bed: int
    stay: uuid.UUID
    training_record: uuid.UUID
    training_event: uuid.UUID
    topic: int
    policy: uuid.UUID
    meeting: uuid.UUID
    agreement: uuid.UUID
    job: uuid.UUID | None
    step_code: str  # the agency's own step
    attachment: uuid.UUID  # a document of ``case``
    staff_member: int  # a colleague, for the staff pages
    team: int  # the advocate's team
    #: The legal name of the person of ``case``, decrypted as a page would:
    #: what a search is made with (never printed).
    name: str

    def user(self, role: str) -> User:
        return User.objects.get(pk=self.users[role])


def _first(model: Any, **where: Any) -> Any:
    return model.objects.filter(**where).order_by("pk").first()


def prepare(world: World) -> Targets:
    """Find, or make once, one of each thing the routes show."""
    first = world.agencies[0]
    agency_id = first.agency_id
    users = {role: ids[0] for role, ids in first.staff.items()}
    users["advocate"] = world.advocate_id
    advocate = User.objects.get(pk=world.advocate_id)
    admin = User.objects.get(pk=users["admin"])
    today = timezone.localdate()
    team = Team.objects.get(pk=first.team_ids[0])
    with transaction.atomic():
        _partners(admin)
        demo.interpreters_seed(admin, today)
        shelter = Service.objects.get(
            agency_id=agency_id, organization__name=demo.PARTNERS[0][0], name=demo.PARTNERS[0][3]
        )
        case = (
            Case.objects.filter(agency_id=agency_id, team=team, referrals__service=shelter)
            .order_by("pk")
            .first()
        )
        if case is None:
            case = (
                Case.objects.filter(agency_id=agency_id, team=team, status=Case.Status.OPEN)
                .filter(referrals__isnull=True, consents__isnull=True)
                # The demo's progress refers a need: none may be met or declined.
                .exclude(needs__status__in=["met", "declined"])
                .exclude(pk=world.long_case_id)
                .order_by("pk")
                .first()
            )
            if case is None:
                raise SystemExit("the bench advocate's team has no open case to work")
            # Part-way through the protocol, a referral waiting (demo case 9).
            demo.case_progress(case, demo.CasePlan(7, 20), advocate)
        demo.concern_seed(advocate, case)
        _shelter(admin, advocate, team, today)
        _safety(advocate, case)
        _preparedness(admin, advocate, today)
        _training(admin, advocate, today)
        organization = shelter.organization
        _directory(admin, organization)
        _agency_step(admin, User.objects.get(pk=users["supervisor"]), case)
        _document(advocate, case)
    site = ShelterSite.objects.get(agency_id=agency_id, alias=SITE)
    return Targets(
        users=users,
        case=case.pk,
        long_case=world.long_case_id,
        # The newest entry: on the first page of the log.
        communication=Communication.objects.filter(case_id=world.long_case_id)
        .latest("occurred_at", "pk")
        .pk,
        need=_first(Need, case=case).pk,
        referral=_first(Referral, case=case).pk,
        consent=_first(Consent, case=case).pk,
        organization=organization.pk,
        service=shelter.pk,
        location=getattr(_first(Location, organization=organization), "pk", None),
        contact=getattr(_first(Contact, organization=organization), "pk", None),
        interpreter=_first(Interpreter, agency_id=agency_id).pk,
        concern=_first(PersonOfConcern, agency_id=agency_id).pk,
        threat=_first(Threat, agency_id=agency_id).pk,
        visit=_first(Visit, agency_id=agency_id).pk,
        alert=getattr(_first(VisitorAlert, visit__agency_id=agency_id), "pk", None),
        site=site.pk,
        bed=_first(Bed, site=site).pk,
        stay=_first(Stay, site=site).pk,
        training_record=_first(Record, agency_id=agency_id).pk,
        training_event=_first(Event, agency_id=agency_id).pk,
        topic=_first(Topic, agency=None).pk,
        policy=_first(PolicyDocument, agency_id=agency_id).pk,
        meeting=_first(PartnerMeeting, agency_id=agency_id).pk,
        agreement=_first(PartnerAgreement, agency_id=agency_id).pk,
        job=getattr(_first(Job, agency_id=agency_id), "pk", None),
        staff_member=first.staff["advocate"][1],
        team=team.pk,
        name=_name(case.pk),
        step_code=STEP,
        attachment=_first(Attachment, case=case).pk,
    )


def _name(case_id: uuid.UUID) -> str:
    """The legal name of the case's person, opened through the model as a page would."""
    found = Case.objects.select_related("person", "person__data_key").get(pk=case_id)
    return found.person.legal_name or ""


def _partners(admin: User) -> None:
    """The demo's partners, each with its service, where the agency has none
    of that name (the bulk data set names its partners otherwise)."""
    for number, entry in enumerate(demo.PARTNERS):
        if not Organization.objects.filter(agency_id=admin.agency_id, name=entry[0]).exists():
            demo.partner_record(admin, number)


def _shelter(admin: User, advocate: User, team: Team, today: Any) -> None:
    """A site of the advocate's team with three beds, and one resident."""
    if ShelterSite.objects.filter(agency_id=admin.agency_id, alias=SITE).exists():
        return
    site = ShelterSite(
        agency_id=admin.agency_id,
        team=team,
        alias=SITE,
        created_by=admin,
        data_key=data_key_create(admin.agency)[0],
    )
    site.name = "Bench Safe House (synthetic)"
    site.address = "1 Example Lane, Madison, WI 53703 (synthetic)"
    site.phone = "(608) 555-0190"
    site.rules = "Quiet hours from 10 p.m. (synthetic)."
    site.save()
    Bed.objects.bulk_create(Bed(site=site, room="Room 1", label=f"Bed {n}") for n in (1, 2, 3))
    resident = (
        Case.objects.filter(agency_id=admin.agency_id, team=team, closed_on=None)
        .order_by("-pk")
        .select_related("person")
        .first()
    )
    if resident is not None:
        bed = _first(Bed, site=site)
        stay = Stay(
            case=resident,
            site=site,
            bed=bed,
            data_key_id=resident.person.data_key_id,
            starts_on=today - timedelta(days=7),
            created_by=advocate,
        )
        stay.safety_notes = demo.RESIDENT_SAFETY_NOTES
        stay.save()


def _safety(advocate: User, case: Case) -> None:
    from haven.safety.services import ThreatValues, VisitValues, threat_record, visit_check_in

    if not Threat.objects.filter(agency_id=advocate.agency_id).exists():
        threat_record(
            actor=advocate,
            values=ThreatValues(
                occurred_at=timezone.now() - timedelta(days=2),
                channel="phone",
                what_happened="A caller asked where a resident stays (synthetic).",
                against_agency=True,
                case_ids=(case.pk,),
            ),
        )
    if not Visit.objects.filter(agency_id=advocate.agency_id).exists():
        visit_check_in(actor=advocate, values=VisitValues(name_given=VISITOR, purpose="Delivery"))


def _preparedness(admin: User, advocate: User, today: Any) -> None:
    from haven.preparedness.services import (
        AgreementValues,
        MeetingValues,
        PolicyValues,
        VersionValues,
        agreement_record,
        meeting_save,
        policy_save,
    )

    if not PolicyDocument.objects.filter(agency_id=admin.agency_id).exists():
        policy_save(
            actor=admin,
            values=PolicyValues(kind="eligibility", title="Who we serve", owner_id=admin.pk),
            first_version=VersionValues(
                approved_on=today - timedelta(days=90),
                next_review_on=today + timedelta(days=275),
                file=demo.pdf_upload("Who we serve"),
            ),
        )
    organization = _first(Organization, agency_id=admin.agency_id)
    if not PartnerMeeting.objects.filter(agency_id=admin.agency_id).exists():
        meeting_save(
            actor=admin,
            values=MeetingValues(
                kind="other",
                held_on=today - timedelta(days=10),
                organization_id=organization.pk,
                staff_ids=[advocate.pk],
            ),
        )
    if not PartnerAgreement.objects.filter(agency_id=admin.agency_id).exists():
        agreement_record(
            actor=admin,
            values=AgreementValues(
                organization_id=organization.pk,
                kind="referral",
                signed_on=today - timedelta(days=100),
                file=demo.pdf_upload("Referral agreement"),
            ),
        )


def _training(admin: User, advocate: User, today: Any) -> None:
    from haven.training.services import EventValues, RecordValues, event_record, training_record

    topic = _first(Topic, agency=None)
    if not Record.objects.filter(agency_id=admin.agency_id).exists():
        training_record(
            actor=admin,
            values=RecordValues(
                staff_id=advocate.pk,
                topic_id=topic.pk,
                completed_on=today - timedelta(days=30),
                hours=Decimal("2"),
                provider="State anti-trafficking coalition (synthetic)",
            ),
        )
    if not Event.objects.filter(agency_id=admin.agency_id).exists():
        event_record(
            actor=admin,
            values=EventValues(
                topic_id=topic.pk,
                title="Trauma-informed care (synthetic)",
                held_on=today - timedelta(days=20),
                hours=Decimal("3"),
                staff_ids=[advocate.pk],
            ),
        )


def _directory(admin: User, organization: Organization) -> None:
    """A location and someone to ask for at the shelter partner."""
    from haven.partners.services import contact_save, location_save

    if not Location.objects.filter(organization=organization).exists():
        location_save(
            actor=admin,
            organization=organization,
            values={
                "name": "Main office",
                "location_type": "physical",
                "address_1": "5 Example Street",
                "city": "Madison",
                "state_province": "WI",
                "postal_code": "53703",
                "country": "US",
            },
        )
    if not Contact.objects.filter(organization=organization).exists():
        contact_save(
            actor=admin,
            organization=organization,
            values={"name": "Intake desk", "email": "intake@example.org"},
        )


def _agency_step(admin: User, supervisor: User, case: Case) -> None:
    """The agency's own step, applied to the case by its team's supervisor."""
    from haven.protocol.agency_steps import StepValues, agency_step_apply, agency_step_create
    from haven.protocol.models import AgencyStep, CaseStep

    if not AgencyStep.objects.filter(agency_id=admin.agency_id, code=STEP).exists():
        agency_step_create(
            actor=admin,
            code=STEP,
            values=StepValues(
                text="Check in with the task force (synthetic).",
                roles=["advocate"],
                applies="every",
            ),
        )
    if not CaseStep.objects.filter(case=case, agency_step_version__step__code=STEP).exists():
        agency_step_apply(actor=supervisor, case=case, code=STEP)


def _document(advocate: User, case: Case) -> None:
    from haven.attachments.services import attachment_store

    if not Attachment.objects.filter(case=case).exists():
        attachment_store(actor=advocate, case=case, upload=demo.pdf_upload("Lease (synthetic)"))
