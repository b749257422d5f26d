"""What the demo agency has besides its people: partners, interpreters, a
person of concern, training, policies, two shelter sites with a resident,
and each case part-way through the protocol as a real one would be on an
ordinary day.

Everything is synthetic and goes through the services, as staff would
record it (so sealing, search indexes and audit are those of real use).
Used by ``manage.py seed_demo`` only; never in production.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from haven.accounts.models import User
from haven.attachments.services import Upload, upload_accept
from haven.communications.models import Channel, Interpreter
from haven.communications.services import (
    CommunicationValues,
    InterpreterValues,
    communication_record,
    interpreter_save,
)
from haven.consent.services import ConsentValues, consent_record
from haven.core.keys import data_key_create
from haven.core.models import Team
from haven.partners.models import Organization, Service
from haven.partners.services import organization_save, service_save
from haven.people.models import Case
from haven.preparedness.models import PolicyDocument
from haven.preparedness.services import (
    PolicyValues,
    VersionValues,
    policy_acknowledge,
    policy_save,
)
from haven.protocol.law import law_choice_record
from haven.protocol.models import MandatedReport, Need, NeedCategory, Step
from haven.protocol.needs import assessment_record
from haven.protocol.safety import safety_plan_save
from haven.protocol.tracker import step_set
from haven.referrals.models import Referral, ReferralChange
from haven.referrals.services import ReferralRequest, referral_move, referral_send
from haven.safety.models import PersonOfConcern
from haven.safety.services import ConcernValues, concern_save
from haven.shelter.models import Bed, ShelterSite, Stay
from haven.training.models import Record, Topic
from haven.training.services import RecordValues, training_record

# The order staff usually meet the steps in (confidentiality is explained at
# the first meeting, before rights). A case at stage k has the first k done.
STAGES: tuple[Step, ...] = (
    Step.SAFETY,
    Step.INTERPRETATION,
    Step.NEEDS,
    Step.CONFIDENTIALITY,
    Step.RIGHTS,
    Step.CONSENT,
    Step.LAW_ENFORCEMENT,
    Step.COLLABORATION,
    Step.DOCUMENTATION,
)
ALL_DONE = len(STAGES)


@dataclass(frozen=True)
class CasePlan:
    """How far one demo case is: opened ``days_ago``, its first ``stage``
    steps done; ``danger`` is the answer at intake."""

    stage: int
    days_ago: int
    danger: str = "no"
    closed: bool = False


# Demo Agency's 30 cases, by index. Recent cases are early in the protocol and
# not yet late; two are late (a needs assessment and a rights talk); older
# cases have every step with a deadline done. Index 0 is the restricted case,
# 1 the minor whose mandated report waits, 2 the person in danger today.
DEMO_PLANS: dict[int, CasePlan] = {
    0: CasePlan(6, 90),
    1: CasePlan(3, 1),
    2: CasePlan(0, 0, danger="yes"),
    3: CasePlan(1, 0),
    4: CasePlan(2, 1),
    5: CasePlan(2, 6),  # late: the needs assessment was due three days after opening
    6: CasePlan(4, 3),
    7: CasePlan(ALL_DONE, 300, closed=True),
    8: CasePlan(4, 11),  # late: rights were due within a week
    9: CasePlan(7, 20),  # a referral waits for the partner's answer
    10: CasePlan(5, 9),
    11: CasePlan(6, 35),
    12: CasePlan(8, 60),
    13: CasePlan(7, 27),  # a referral waits
    14: CasePlan(ALL_DONE, 150),
    15: CasePlan(5, 14),
    16: CasePlan(6, 45),
    17: CasePlan(5, 12),
    18: CasePlan(8, 120),
    19: CasePlan(ALL_DONE, 380, closed=True),
    20: CasePlan(3, 2),
    21: CasePlan(7, 33),
    22: CasePlan(ALL_DONE, 210),
    23: CasePlan(8, 75),
    24: CasePlan(6, 50),
    25: CasePlan(1, 0),
    26: CasePlan(5, 18),
    27: CasePlan(8, 95),
    28: CasePlan(ALL_DONE, 260),
    29: CasePlan(7, 40),
}
# The other agency's few cases (it keeps no partners, so none is referred):
# past the steps with a deadline, asking for consent.
OTHER_PLAN = CasePlan(STAGES.index(Step.CONSENT), 8)
# Where a stage-7 case's referral goes (the shelter partner).
REFERRAL_NEED = "shelter"


def pdf_upload(title: str) -> Upload:
    """A one-page PDF, accepted as an upload is (the file checks judge it)."""
    body = f"BT /F1 12 Tf 72 720 Td ({title}) Tj ET".encode()
    data = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        + f"4 0 obj << /Length {len(body)} >> stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return upload_accept(SimpleUploadedFile("synthetic.pdf", data))


# --- The agency's directory, roster, concerns, training and policies ---

# After the examples of HSDS 3.0 (an organization, its service, the need it
# meets); all invented, phone numbers in the 555-01xx range kept for fiction.
PARTNERS = [
    (
        "Lakeside Shelter (synthetic)",
        "shelter",
        "Emergency and transitional housing for survivors of trafficking.",
        "Emergency beds",
        ["shelter", "housing"],
        ["eng", "spa"],
    ),
    (
        "Community Legal Aid (synthetic)",
        "legal",
        "Free civil and immigration legal help.",
        "Immigration legal services",
        ["immigration", "criminal_proceedings"],
        ["eng", "spa", "vie"],
    ),
    (
        "Riverside Health Clinic (synthetic)",
        "medical",
        "Primary care, with interpreters by phone.",
        "Walk-in clinic",
        ["medical_care", "health_care"],
        ["eng", "spa", "arb"],
    ),
    (
        "County DA Victim-Witness (synthetic)",
        "da_victim_witness",
        "Support for victims and witnesses through a prosecution.",
        "Victim-witness support",
        ["criminal_proceedings"],
        ["eng"],
    ),
]


def partners_seed(admin: User) -> int:
    if Organization.objects.filter(agency_id=admin.agency_id).exists():
        return 0
    for number in range(len(PARTNERS)):
        partner_record(admin, number)
    return len(PARTNERS)


def partner_record(admin: User, number: int) -> None:
    """The demo's partner ``number`` of PARTNERS, with its one service."""
    name, kind, description, service, needs, languages = PARTNERS[number]
    organization = organization_save(
        actor=admin,
        values={
            "name": name,
            "description": description,
            "kind": kind,
            "government_level": "local" if kind == "da_victim_witness" else "none",
            "phone": f"(608) 555-01{50 + number:02d}",
            "email": f"intake{number}@example.org",
            "website": f"https://partner{number}.example.org",
            "agreement_on_file": False,
        },
    )
    service_save(
        actor=admin,
        organization=organization,
        values={
            "name": service,
            "status": "active",
            "need_codes": needs,
            "languages": languages,
            "areas": ["statewide"],
        },
    )


# Named plainly as demo staff: a realistic name could be one of the people
# served, whom the tests look for in the database files.
INTERPRETERS = [
    ("Demo Interpreter (Spanish)", "contractor", ["spa"], 300),
    ("Demo Interpreter (Vietnamese)", "service", ["vie"], 20),  # agreement renewal due soon
]


def interpreters_seed(admin: User, today: date) -> int:
    if Interpreter.objects.filter(agency_id=admin.agency_id).exists():
        return 0
    for name, kind, languages, valid_days in INTERPRETERS:
        interpreter_save(
            actor=admin,
            values=InterpreterValues(
                name=name,
                kind=kind,
                languages=languages,
                agreement=pdf_upload("Confidentiality agreement (synthetic)"),
                agreement_expires_on=today + timedelta(days=valid_days),
            ),
        )
    return len(INTERPRETERS)


def concern_seed(advocate: User, case: Case | None) -> int:
    if PersonOfConcern.objects.filter(agency_id=advocate.agency_id).exists():
        return 0
    concern_save(
        actor=advocate,
        values=ConcernValues(
            name="Synthetic Person of Concern",
            description="Waited outside the office twice; asked for a resident by name.",
            vehicles="Grey pickup (synthetic)",
            case_ids=(case.pk,) if case is not None else (),
        ),
    )
    return 1


# (username, topic codes done, days ago): a new advocate still to be trained.
TRAINING = [
    ("demo-advocate", ["dynamics", "interpreters", "trauma_informed"], 120),
    ("demo-supervisor", ["dynamics", "laws", "mandated_reporting", "staff_safety"], 200),
    ("demo-intake", ["dynamics"], 30),
    ("demo-shelter", ["dynamics", "staff_safety"], 400),
    ("demo-shelter-south", ["dynamics"], 60),
]


def training_seed(admin: User, staff: dict[str, User], today: date) -> int:
    if Record.objects.filter(agency_id=admin.agency_id).exists():
        return 0
    topics = {t.code: t for t in Topic.objects.filter(agency=None)}
    count = 0
    for username, codes, days_ago in TRAINING:
        for code in codes:
            training_record(
                actor=admin,
                values=RecordValues(
                    staff_id=staff[username].pk,
                    topic_id=topics[code].pk,
                    completed_on=today - timedelta(days=days_ago),
                    hours=Decimal("2"),
                    provider="State anti-trafficking coalition (synthetic)",
                ),
            )
            count += 1
    return count


# (kind, title, who acknowledged the current version)
POLICIES = [
    ("eligibility", "Who we serve", ["demo-advocate", "demo-supervisor", "demo-intake"]),
    ("mandated_reporting", "Reporting when a minor is involved", ["demo-supervisor"]),
    ("encounter", "What to do on a first encounter", []),
]


def policies_seed(admin: User, staff: dict[str, User], today: date) -> int:
    if PolicyDocument.objects.filter(agency_id=admin.agency_id).exists():
        return 0
    for kind, title, readers in POLICIES:
        document = policy_save(
            actor=admin,
            values=PolicyValues(kind=kind, title=title, owner_id=admin.pk),
            first_version=VersionValues(
                approved_on=today - timedelta(days=90),
                next_review_on=today + timedelta(days=275),
                file=pdf_upload(title),
            ),
        )
        for username in readers:
            policy_acknowledge(actor=staff[username], document_id=document.pk, version_number=1)
    return len(POLICIES)


# --- Shelter ---

# (alias, team, (room, bed) labels, sealed values). The sealed values are
# synthetic and plainly so; the tests look for each in the database files.
SITES = [
    (
        "Site A",
        "North Team",
        [("Room 1", "Bed 1"), ("Room 1", "Bed 2"), ("Room 2", "Bed 1")],
        {
            "name": "Demo Safe House North (synthetic)",
            "address": "100 Example Lane, Madison, WI 53703 (synthetic)",
            "phone": "(608) 555-0181",
            "rules": "Quiet hours from 10 p.m.; no visitors at the house (synthetic).",
        },
    ),
    (
        "Site B",
        "South Team",
        [("Room 1", "Bed 1"), ("Room 1", "Bed 2")],
        {
            "name": "Demo Safe House South (synthetic)",
            "address": "200 Example Road, Madison, WI 53711 (synthetic)",
            "phone": "(608) 555-0182",
            "rules": "Check in with staff each evening (synthetic).",
        },
    ),
]
RESIDENT_SAFETY_NOTES = "Prefers a room near the staff office; no calls put through (synthetic)."


def shelter_seed(admin: User) -> int:
    """Demo Agency's two sites, each of one team's shelter staff, with beds and
    a sealed address. Made straight as rows: the sites' own services are the
    shelter app's, and the demo needs only what they would leave behind."""
    if ShelterSite.objects.filter(agency_id=admin.agency_id).exists():
        return 0
    for alias, team_name, beds, sealed in SITES:
        site = ShelterSite(
            agency_id=admin.agency_id,
            team=Team.objects.get(agency_id=admin.agency_id, name=team_name),
            alias=alias,
            created_by=admin,
            data_key=data_key_create(admin.agency)[0],
        )
        for field, value in sealed.items():
            setattr(site, field, value)
        site.save()
        Bed.objects.bulk_create(Bed(site=site, room=room, label=label) for room, label in beds)
    return len(SITES)


def resident_seed(case: Case, actor: User, today: date) -> Stay | None:
    """The one demo resident: in Site A's first bed since a week ago."""
    bed = Bed.objects.filter(site__agency_id=case.agency_id, site__alias="Site A").first()
    if bed is None:
        return None
    stay = Stay(
        case=case,
        site=bed.site,
        bed=bed,
        data_key_id=case.person.data_key_id,
        starts_on=today - timedelta(days=7),
        created_by=actor,
    )
    stay.safety_notes = RESIDENT_SAFETY_NOTES
    stay.save()
    return stay


def extras_count(agency_id: int) -> dict[str, int]:
    return {
        "partners": Organization.objects.filter(agency_id=agency_id).count(),
        "interpreters": Interpreter.objects.filter(agency_id=agency_id).count(),
        "persons of concern": PersonOfConcern.objects.filter(agency_id=agency_id).count(),
        "training records": Record.objects.filter(agency_id=agency_id).count(),
        "policies": PolicyDocument.objects.filter(agency_id=agency_id).count(),
        "shelter sites": ShelterSite.objects.filter(agency_id=agency_id).count(),
        "stays": Stay.objects.filter(case__agency_id=agency_id).count(),
    }


# --- A case part-way through the protocol ---


def case_progress(case: Case, plan: CasePlan, advocate: User) -> None:
    """Do the first ``plan.stage`` steps of the case the way staff do them:
    the records that complete a step where there are any, by hand otherwise."""
    for step in STAGES[: plan.stage]:
        STEP_DONE[step](case, advocate)
    if plan.stage == STAGES.index(Step.COLLABORATION):
        _referral_waiting(case, advocate)
    _back_to_the_cases_days(case)


def _back_to_the_cases_days(case: Case) -> None:
    """The services stamp what they record with the present moment, so a
    case opened weeks ago would show its mandated report or its referral
    made today. Those stamps are moved back to the case's own days: the
    report opened with the case, a referral a few days after. (The audit
    trail and the communications log are hash-chained and keep theirs.)"""
    now = timezone.now()
    opened = timezone.make_aware(datetime.combine(case.opened_on, time(10)))
    MandatedReport.objects.filter(case=case).update(opened_at=min(opened, now))
    sent = min(opened + timedelta(days=3), now)
    Referral.objects.filter(case=case).update(sent_at=sent)
    for n, change in enumerate(ReferralChange.objects.filter(referral__case=case)):
        ReferralChange.objects.filter(pk=change.pk).update(
            at=min(sent + timedelta(days=7 * n), now)
        )


def _safety(case: Case, actor: User) -> None:
    safety_plan_save(
        actor=actor,
        case=case,
        values={
            "safe_places": "The shelter on the east side; the library during the day.",
            "code_word": "Sunflower",
            "backup_plan": "Call the advocate's line, then go to the shelter.",
        },
    )


def _by_hand(step: Step) -> Callable[[Case, User], None]:
    def done(case: Case, actor: User) -> None:
        step_set(actor=actor, case=case, step=step, state="done")

    return done


def _needs(case: Case, actor: User) -> None:
    categories = NeedCategory.objects.filter(agency=None, code__in=[REFERRAL_NEED, "medical_care"])
    assessment_record(actor=actor, case=case, ranked=[c.pk for c in categories])


def _consent(case: Case, actor: User) -> None:
    """Consent to the shelter partner, for a referral for services."""
    consent_record(
        actor=actor,
        case=case,
        values=ConsentValues(
            recipient_org_id=_shelter(actor).organization_id,
            recipient_category="",
            purpose="services",
            kinds=["identity", "language", "needs"],
            form="verbal",
            witness="Demo Supervisor",
            language=case.person.language or "eng",
        ),
    )


def _law(case: Case, actor: User) -> None:
    law_choice_record(actor=actor, case=case, agrees=False, note="Not now; ask again later.")


def _documentation(case: Case, actor: User) -> None:
    communication_record(
        actor=actor,
        case=case,
        values=CommunicationValues(
            occurred_at=timezone.now() - timedelta(days=2),
            channel=Channel.PHONE,
            summary="Checked in by phone; the plan holds.",
        ),
    )
    step_set(actor=actor, case=case, step=Step.DOCUMENTATION, state="done")


def _collaboration(case: Case, actor: User) -> None:
    """A referral the partner took and answered, long since."""
    referral = _referral_waiting(case, actor)
    if referral is not None:
        referral_move(actor=actor, referral=referral, status="accepted", outcome="")
        referral_move(
            actor=actor, referral=referral, status="completed", outcome="A bed for two months."
        )
    step_set(actor=actor, case=case, step=Step.COLLABORATION, state="done")


def _shelter(actor: User) -> Service:
    return Service.objects.get(
        agency_id=actor.agency_id, need_categories__code=REFERRAL_NEED, organization__kind="shelter"
    )


def _referral_waiting(case: Case, actor: User) -> Referral | None:
    """A referral of the case's shelter need, sent and not yet answered."""
    need = Need.objects.filter(case=case, category__code=REFERRAL_NEED).first()
    if need is None:
        return None
    service = _shelter(actor)
    return referral_send(
        actor=actor,
        case=case,
        request=ReferralRequest(
            need_id=need.pk,
            organization_id=service.organization_id,
            service_id=service.pk,
            purpose="services",
            kinds=["identity", "needs"],
        ),
    )


STEP_DONE: dict[Step, Callable[[Case, User], None]] = {
    Step.SAFETY: _safety,
    Step.INTERPRETATION: _by_hand(Step.INTERPRETATION),
    Step.NEEDS: _needs,
    Step.CONFIDENTIALITY: _by_hand(Step.CONFIDENTIALITY),
    Step.RIGHTS: _by_hand(Step.RIGHTS),
    Step.CONSENT: _consent,
    Step.LAW_ENFORCEMENT: _law,
    Step.COLLABORATION: _collaboration,
    Step.DOCUMENTATION: _documentation,
}
