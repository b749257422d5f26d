"""The protocol of a case over the JSON API: schemas and routing only.

Every operation opens the case through ``haven.people.selectors.case_get``
with the action's own policy, so a refusal answers 404 exactly like a case
that does not exist and leaves no audit event; an allowed read is audited
there, and that event covers every identifying value the answer shows.
The rules themselves live in the services of ``haven.protocol``; a service's
refusal answers 422 at the field of the body it is about.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import StrictBool, StrictInt

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import (
    NOT_FOUND,
    REFUSED,
    WRITE_FAILURES,
    case_for,
    case_records,
    out,
    refusals_at,
    staff_allowed,
    text,
    uuid_or_404,
)
from haven.api.inputs import (
    LARGEST_ID,
    CaseId,
    ChecklistItem,
    Code,
    Coded,
    Day,
    InfoKindCode,
    Input,
    Line,
    LongNote,
    Moment,
    Note,
    OptionalDay,
    OptionalMoment,
    ShortLine,
    Summary,
)
from haven.authorities import law as authorities_law
from haven.authorities import minors as authorities_minors
from haven.core import limits
from haven.core.errors import NotFound
from haven.people.models import Case
from haven.protocol import (
    agency_steps,
    identification,
    law,
    needs,
    rights,
    safety,
    selectors,
    tracker,
)
from haven.protocol.library import handouts_for
from haven.protocol.models import (
    ContactBasis,
    ContinuedPresence,
    Danger,
    DangerCheck,
    InstrumentResult,
    LawEnforcementChoice,
    LawEnforcementContact,
    LawPart,
    MandatedReport,
    Need,
    NeedCategory,
    NeedStatus,
    PoliceOutcome,
    ReportingContact,
    RightsExplained,
    SafetyPlan,
    Screening,
    Step,
    StepState,
)
from haven.protocol.policies import (
    may_apply_step_version,
    may_check_danger,
    may_see_continued_presence,
    may_see_protocol,
    may_work_protocol,
)

router = Router(tags=["protocol"])

# --- Input types ---------------------------------------------------------------------


SettableState = Literal["not_started", "in_progress", "done", "not_applicable"]
DangerAnswer = Literal["yes", "no", "unsure"]
PoliceOutcomeCode = Literal["", "helped", "did_not_come", "not_believed", "would_not_tell", "other"]
NeedStatusCode = Literal["identified", "referred", "in_progress", "met", "declined"]
BasisCode = Literal["consent", "mandated_minor", "emergency_911"]
LawPartCode = Literal["investigation", "prosecution"]
PresenceStatus = Literal["requested", "granted", "denied", "expired"]
ReportKind = Literal["county", "sheriff", "police"]
ReportMethod = Literal["phone", "in_person", "online", "written"]
ReportOutcome = Literal["screened_in", "screened_out", "unknown"]
ScreeningKind = Literal["adult", "youth"]
Answer = Literal["yes", "no", "skipped"]


class AgencyStepStateIn(Input):
    state: SettableState
    reason: Summary = Field(default="", description="Required for not_applicable.")
    ticked: list[ChecklistItem] = Field(
        default=[],
        max_length=limits.CHECKLIST_ITEMS,
        description="The checklist items done: each exactly as the step's version says it.",
    )


class StepIn(Input):
    state: SettableState = Field(
        description="Steps completed by their own records take only not_applicable."
    )
    reason: Summary = Field(default="", description="Required for not_applicable.")


class DangerCheckIn(Input):
    answer: DangerAnswer = Field(description="Is the person in danger right now?")
    called_911: StrictBool = False
    outcome: PoliceOutcomeCode = Field(default="", description="Only with a 911 call.")
    note: Note = ""


class SafetyPlanIn(Input):
    """A new version of the plan: every field, as the person wants it now."""

    safe_contacts: LongNote = ""
    safe_places: LongNote = ""
    code_word: LongNote = ""
    emergency_bag: LongNote = ""
    transport: LongNote = ""
    technology: LongNote = ""
    backup_plan: LongNote = Field(default="", description="Required: if 911 does not help.")


class AssessmentIn(Input):
    ranked: list[Annotated[StrictInt, Field(gt=0, le=LARGEST_ID)]] = Field(
        max_length=needs.MAX_NEEDS,
        description="Need category ids (see /need-categories), most important first.",
    )
    note: Note = ""


class NeedStatusIn(Input):
    status: NeedStatusCode


class RightsExplainedIn(Input):
    topic: str = Field(max_length=40, strict=True, description="A topic of /rights/library.")
    language: str = Field(max_length=3, strict=True, description="ISO 639-3.")
    explained_on: Day
    interpreter: Line = ""
    questions: Note = ""


class LawChoiceIn(Input):
    """The person's choice in two parts. ``agrees`` alone answers both at
    once, as before prosecution was a part of its own; a part left out of
    ``investigation`` and ``prosecution`` stays refused."""

    investigation: StrictBool | None = Field(
        default=None,
        description="Does the person agree to talk to police or investigators (police, sheriff, "
        "federal agents)?",
    )
    prosecution: StrictBool | None = Field(
        default=None,
        description="Does the person agree to take part in a prosecution (a district attorney's "
        "or US attorney's office and its victim-witness program)?",
    )
    agrees: StrictBool | None = Field(
        default=None,
        description="Both parts at once: true opens both, false refuses both. Not with "
        "investigation or prosecution.",
    )
    note: Note = ""


class LawContactIn(Input):
    part: LawPartCode = Field(
        default="investigation",
        description="With investigators (police, sheriff, federal agents) or prosecutors (a "
        "district attorney's or US attorney's office, its victim-witness program). A contact "
        "with prosecutors goes only on the basis of consent, under a consent for proceedings "
        "before a court.",
    )
    basis: BasisCode = Field(description="Checked by the disclosure gate.")
    agency_name: Line
    contacted_on: Day
    officer: Line = ""
    purpose: Note = ""
    accompanied: StrictBool = False
    outcome: Note = ""
    shared: list[InfoKindCode] = Field(
        default=["identity"],
        min_length=1,
        description="What was shared about the person: each kind must be covered by the "
        "consent the gate finds, when the basis is consent.",
    )


class ContinuedPresenceIn(Input):
    requested_on: Day
    requesting_agency: Line = ""
    status: PresenceStatus = "requested"
    decided_on: OptionalDay = None
    expires_on: OptionalDay = None


class MandatedReportIn(Input):
    county_fips: str = Field(
        pattern=r"^\d{5}$",
        strict=True,
        description="FIPS code of the county where the child or family lives.",
    )
    reported_to_kind: ReportKind
    reported_to: Line
    method: ReportMethod
    reported_at: Moment
    minor_told_at: OptionalMoment = Field(
        default=None, description="When the young person was told; required."
    )
    reference: Code = ""
    outcome: ReportOutcome = "unknown"
    other_resources: Note = Field(default="", description="Required when screened out.")


class ScreeningIn(Input):
    kind: ScreeningKind
    answers: dict[Annotated[str, Field(max_length=60)], Answer] = Field(
        max_length=60, description="Question code to yes, no or skipped."
    )


class InstrumentResultIn(Input):
    instrument: ShortLine
    administered_on: Day
    administrator: Line
    level: ShortLine


# --- Output types ------------------------------------------------------------------


class ChecklistItemOut(Schema):
    text: str
    ticked: bool


class StepOut(Schema):
    step: str = Field(
        description="A step of the protocol (e.g. rights), or own- and the code of one of the "
        "agency's own steps (kind agency)."
    )
    kind: Literal["protocol", "agency"] = Field(
        description="The protocol's own step, or one of the agency's own."
    )
    label: str
    state: Annotated[str, Coded(StepState)]
    state_label: str
    next_action: str
    due_on: date | None
    overdue: bool
    reason: str = Field(description="Why the step does not apply, when it does not.")
    blockers: list[str]
    settable_states: list[Annotated[str, Coded(StepState)]] = Field(
        description="The states PUT accepts for this step."
    )
    agency_step: int | None = Field(description="The agency's step's id (kind agency).")
    version: int | None = Field(description="The version of the agency's step the case follows.")
    newer_version: int | None = Field(
        description="A newer version a supervisor of the case's team may apply."
    )
    checklist: list[ChecklistItemOut] = Field(description="The agency's step's checklist.")


class TrackerOut(Schema):
    steps: list[StepOut]
    law_refused: bool = Field(
        description="The person's choice in force refuses police and investigators."
    )
    prosecution_refused: bool = Field(
        description="The person's choice in force refuses prosecutors and their victim-witness "
        "programs."
    )
    backup_needed: bool = Field(description="911 was called at the latest check and did not help.")


class DangerCheckOut(Schema):
    id: uuid.UUID
    answer: Annotated[str, Coded(Danger)]
    called_911: bool
    outcome: Annotated[str, Coded(PoliceOutcome, blank=True)]
    note: str | None = Field(description="Null when your role does not see the protocol.")
    at: datetime


class SafetyPlanVersionOut(Schema):
    version: int
    at: datetime


class SafetyPlanOut(SafetyPlanVersionOut):
    safe_contacts: str
    safe_places: str
    code_word: str
    emergency_bag: str
    transport: str
    technology: str
    backup_plan: str


class NeedCategoryOut(Schema):
    id: int
    code: str
    label: str
    term: Annotated[str, Coded(NeedCategory.Term)]


class NeedOut(Schema):
    id: uuid.UUID
    category: NeedCategoryOut
    rank: int
    status: Annotated[str, Coded(NeedStatus)]
    updated_at: datetime


class HandoutOut(Schema):
    topic: str
    language: str
    version: int
    title: str
    agency_material: bool


class RightsExplainedOut(Schema):
    id: uuid.UUID
    topic: str
    language: str
    version: int
    agency_material: bool
    explained_on: date
    interpreter: str
    questions: str
    at: datetime


class LawChoiceOut(Schema):
    id: uuid.UUID
    investigation: bool = Field(description="The person agrees to talk to police or investigators.")
    prosecution: bool = Field(description="The person agrees to take part in a prosecution.")
    agrees: bool = Field(description="Both parts are open (kept for clients of the single answer).")
    note: str
    at: datetime


class LawContactOut(Schema):
    id: uuid.UUID
    part: Annotated[str, Coded(LawPart)]
    basis: Annotated[str, Coded(ContactBasis)]
    agency_name: str
    contacted_on: date
    officer: str
    purpose: str
    accompanied: bool
    outcome: str
    at: datetime


class ContinuedPresenceOut(Schema):
    id: uuid.UUID
    requested_on: date
    requesting_agency: str
    status: Annotated[str, Coded(ContinuedPresence.Status)]
    decided_on: date | None
    expires_on: date | None


class CountyOut(Schema):
    fips: str
    name: str


class MandatedReportOut(Schema):
    status: Annotated[str, Coded(MandatedReport.Status)]
    opened_at: datetime
    county: CountyOut | None
    reported_to_kind: Annotated[str, Coded(ReportingContact.Kind, blank=True)]
    reported_to: str
    method: Annotated[str, Coded(MandatedReport.Method, blank=True)]
    reported_at: datetime | None
    minor_told_at: datetime | None
    reference: str
    outcome: Annotated[str, Coded(MandatedReport.Outcome, blank=True)]
    other_resources: str


class ScreeningOut(Schema):
    id: uuid.UUID
    kind: Annotated[str, Coded(Screening.Kind)]
    version: int
    score: int
    level: str
    at: datetime


class InstrumentResultOut(Schema):
    id: uuid.UUID
    instrument: str
    administered_on: date
    administrator: str
    level: str
    at: datetime


# --- Helpers -------------------------------------------------------------------------


def _tracker_out(case: Case, viewer: User) -> TrackerOut:
    found = selectors.tracker(case, viewer=viewer)
    steps = [
        out(
            StepOut,
            s,
            settable_states=[code for code, _label in s.choices],
            checklist=[ChecklistItemOut(text=item, ticked=done) for item, done in s.checklist],
        )
        for s in found.steps
    ]
    return out(TrackerOut, found, steps=steps)


def _danger_out(check: DangerCheck, *, sealed: bool) -> DangerCheckOut:
    return out(DangerCheckOut, check, note=text(check.note) if sealed else None)


def _plan_out(plan: SafetyPlan) -> SafetyPlanOut:
    return out(SafetyPlanOut, plan)


def _category_out(category: NeedCategory) -> NeedCategoryOut:
    return out(NeedCategoryOut, category, label=needs.category_label(category))


def _need_out(need: Need) -> NeedOut:
    return out(NeedOut, need, category=_category_out(need.category))


def _needs_out(case: Case) -> list[NeedOut]:
    return [_need_out(need) for need in selectors.needs_of(case)]


def _rights_out(row: RightsExplained) -> RightsExplainedOut:
    return out(RightsExplainedOut, row)


def _choice_out(row: LawEnforcementChoice) -> LawChoiceOut:
    return out(LawChoiceOut, row)


def _contact_out(row: LawEnforcementContact) -> LawContactOut:
    return out(LawContactOut, row)


def _presence_out(row: ContinuedPresence) -> ContinuedPresenceOut:
    return out(ContinuedPresenceOut, row)


def _report_out(report: MandatedReport) -> MandatedReportOut:
    county = report.county
    return out(
        MandatedReportOut,
        report,
        county=None if county is None else CountyOut(fips=county.fips, name=county.name),
    )


def _screening_out(row: Screening) -> ScreeningOut:
    return out(ScreeningOut, row)


def _instrument_out(row: InstrumentResult) -> InstrumentResultOut:
    return out(InstrumentResultOut, row)


# --- The tracker ---------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/protocol",
    response={200: TrackerOut, **NOT_FOUND},
)
def protocol_tracker(request: HttpRequest, case_id: CaseId) -> TrackerOut:
    """The protocol's steps on a case."""
    user, case = case_for(request, case_id, may_see_protocol)
    return _tracker_out(case, user)


@router.put(
    "/cases/{case_id}/protocol/{step}",
    response={200: TrackerOut, **WRITE_FAILURES},
)
def protocol_step_set(
    request: HttpRequest,
    case_id: CaseId,
    step: PathEx[str, P(description="A step of the protocol, e.g. rights.")],
    change: StepIn,
) -> TrackerOut:
    """Set a step by hand.

    In progress, done or not started for the steps staff move by hand; not applicable (with a
    reason) for any step. Advocates and supervisors only.
    """
    if step not in Step.values:
        raise NotFound
    user, case = case_for(request, case_id, may_work_protocol)
    with refusals_at(whole=("body", "state")):
        tracker.step_set(actor=user, case=case, step=step, state=change.state, reason=change.reason)
    return _tracker_out(case, user)


@router.put(
    "/cases/{case_id}/agency-steps/{code}",
    response={200: TrackerOut, **WRITE_FAILURES},
)
def agency_step_state_set(
    request: HttpRequest,
    case_id: CaseId,
    code: PathEx[str, P(description="The agency's step's code, e.g. task-force.")],
    change: AgencyStepStateIn,
) -> TrackerOut:
    """Set one of the agency's own steps on a case.

    Its state (not applicable with a reason) and the checklist items done. Staff holding one of
    the roles the case's version of the step names.
    """
    user, case = case_for(request, case_id, may_see_protocol)
    with refusals_at():
        agency_steps.agency_step_set(
            actor=user,
            case=case,
            code=code,
            state=change.state,
            reason=change.reason,
            ticked=list(change.ticked),
        )
    return _tracker_out(case, user)


@router.post(
    "/cases/{case_id}/agency-steps/{code}/apply",
    response={200: TrackerOut, **NOT_FOUND, **REFUSED},
)
def agency_step_version_apply(
    request: HttpRequest,
    case_id: CaseId,
    code: PathEx[str, P(description="The agency's step's code, e.g. task-force.")],
) -> TrackerOut:
    """Apply the current version of one of the agency's steps to an open case.

    The case has followed an earlier version (or the step was added after the case opened).
    Supervisors of the case's team only; refused on a closed case.
    """
    caller = authenticated_user(request)
    user, case = case_for(request, case_id, allowed=lambda c: may_apply_step_version(caller, c))
    with refusals_at(whole=("path", "case_id")):
        agency_steps.agency_step_apply(actor=user, case=case, code=code)
    return _tracker_out(case, user)


# --- Safety --------------------------------------------------------------------------


@case_records(
    router,
    "/cases/{case_id}/danger-checks",
    DangerCheckOut,
    may_see_protocol,
)
def danger_check_list(case: Case) -> list[DangerCheckOut]:
    """The answers to “are you in danger right now?”, newest first."""
    return [_danger_out(row, sealed=True) for row in selectors.danger_checks_of(case)]


@router.post(
    "/cases/{case_id}/danger-checks",
    response={201: DangerCheckOut, **WRITE_FAILURES},
)
def danger_check_record(
    request: HttpRequest, case_id: CaseId, check: DangerCheckIn
) -> Status[DangerCheckOut]:
    """Record a danger check, and the 911 call if one was made.

    Front-line staff: advocates, supervisors, shelter and intake staff.
    """
    user, case = case_for(request, case_id, may_check_danger)
    row = safety.danger_check_record(actor=user, case=case, **check.model_dump())
    return Status(201, _danger_out(row, sealed=may_see_protocol(user)))


@case_records(
    router,
    "/cases/{case_id}/safety-plans",
    SafetyPlanVersionOut,
    may_see_protocol,
)
def safety_plan_list(case: Case) -> list[SafetyPlanVersionOut]:
    """The versions of the safety plan, newest first."""
    versions = selectors.safety_plan_versions(case)
    return [SafetyPlanVersionOut(version=row.version, at=row.at) for row in versions]


@router.post(
    "/cases/{case_id}/safety-plans",
    response={201: SafetyPlanOut, **WRITE_FAILURES},
)
def safety_plan_save(
    request: HttpRequest, case_id: CaseId, plan: SafetyPlanIn
) -> Status[SafetyPlanOut]:
    """Save a new version of the safety plan.

    Earlier versions stay as they were. Every plan has a backup plan.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    row = safety.safety_plan_save(actor=user, case=case, values=plan.model_dump())
    return Status(201, _plan_out(row))


@router.get(
    "/cases/{case_id}/safety-plans/{version}",
    response={200: SafetyPlanOut, **NOT_FOUND},
)
def safety_plan_detail(
    request: HttpRequest,
    case_id: CaseId,
    version: PathEx[str, P(description="The version number, from 1.")],
) -> SafetyPlanOut:
    """One version of the safety plan."""
    wanted = uuid_or_404(case_id)
    if not (version.isascii() and version.isdigit() and len(version) < 10):
        raise NotFound
    # A version that does not exist answers before the case is read (and audited).
    if not selectors.has_safety_plan(wanted, int(version)):
        raise NotFound
    _user, case = case_for(request, case_id, may_see_protocol)
    return _plan_out(selectors.safety_plan_of(case, int(version)))


# --- Needs -----------------------------------------------------------------------------


@router.get(
    "/need-categories",
    response={200: list[NeedCategoryOut], **NOT_FOUND},
)
def need_category_list(request: HttpRequest) -> list[NeedCategoryOut]:
    """The kinds of need your agency records."""
    user = staff_allowed(request, may_see_protocol)
    return [_category_out(c) for c in needs.categories_for(user.agency_id)]


@case_records(
    router,
    "/cases/{case_id}/needs",
    NeedOut,
    may_see_protocol,
)
def need_list(case: Case) -> list[NeedOut]:
    """The person's needs, in their own order."""
    return _needs_out(case)


@router.post(
    "/cases/{case_id}/needs",
    response={201: list[NeedOut], **WRITE_FAILURES},
)
def need_assessment_record(
    request: HttpRequest, case_id: CaseId, assessment: AssessmentIn
) -> Status[list[NeedOut]]:
    """Record a needs assessment.

    The categories the person named, most important first. A need already on the case keeps its
    status and takes its new rank; a new one starts as identified.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    needs.assessment_record(actor=user, case=case, ranked=assessment.ranked, note=assessment.note)
    return Status(201, _needs_out(case))


@router.patch(
    "/cases/{case_id}/needs/{need_id}",
    response={200: NeedOut, **WRITE_FAILURES},
)
def need_status_set(
    request: HttpRequest,
    case_id: CaseId,
    need_id: PathEx[str, P(description="The need's id, a UUID.")],
    change: NeedStatusIn,
) -> NeedOut:
    """Move a need to a new status."""
    wanted_case, wanted_need = uuid_or_404(case_id), uuid_or_404(need_id)
    # A need of another case answers before the case is read (and audited).
    if not selectors.has_need(wanted_case, wanted_need):
        raise NotFound
    user, case = case_for(request, case_id, may_work_protocol)
    need = needs.need_status_set(actor=user, case=case, need_id=wanted_need, status=change.status)
    return _need_out(selectors.need_of(case, need.pk))


# --- Rights ------------------------------------------------------------------------------


@router.get(
    "/rights/library",
    response={200: list[HandoutOut], **NOT_FOUND},
)
def rights_library(request: HttpRequest) -> list[HandoutOut]:
    """Your agency's rights library.

    The shipped handouts, and your agency's own, which take the place of ours.
    """
    user = staff_allowed(request, may_see_protocol)
    library = handouts_for(user.agency_id)
    return [
        HandoutOut(
            topic=h.topic,
            language=h.language,
            version=h.version,
            title=h.title,
            agency_material=h.agency_material,
        )
        for _key, h in sorted(library.items())
    ]


@case_records(
    router,
    "/cases/{case_id}/rights-explained",
    RightsExplainedOut,
    may_see_protocol,
)
def rights_explained_list(case: Case) -> list[RightsExplainedOut]:
    """What was explained to the person, newest first."""
    return [_rights_out(row) for row in selectors.rights_explained_of(case)]


@router.post(
    "/cases/{case_id}/rights-explained",
    response={201: RightsExplainedOut, **WRITE_FAILURES},
)
def rights_explained_record(
    request: HttpRequest, case_id: CaseId, explained: RightsExplainedIn
) -> Status[RightsExplainedOut]:
    """Record that a handout was explained.

    The version recorded is the one the library holds today.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    with refusals_at(whole=("body", "topic")):
        row = rights.rights_explained_record(actor=user, case=case, **explained.model_dump())
    return Status(201, _rights_out(row))


# --- Law enforcement ------------------------------------------------------------------------


@case_records(
    router,
    "/cases/{case_id}/law-enforcement/choices",
    LawChoiceOut,
    may_see_protocol,
)
def law_choice_list(case: Case) -> list[LawChoiceOut]:
    """The person's choices about law enforcement, newest (in force) first."""
    return [_choice_out(row) for row in selectors.law_choices_of(case)]


@router.post(
    "/cases/{case_id}/law-enforcement/choices",
    response={201: LawChoiceOut, **WRITE_FAILURES},
)
def law_choice_record(
    request: HttpRequest, case_id: CaseId, choice: LawChoiceIn
) -> Status[LawChoiceOut]:
    """Record the person's choice about law enforcement.

    The choice has two parts: talking to police or investigators (investigation) and taking part
    in a prosecution (prosecution). A refusal of a part blocks every contact, referral and
    disclosure to its recipients, whatever consent exists. A change of mind is a new record; the
    latest is the one in force, and it opens only the parts it names. A body with agrees alone
    (the single answer of earlier clients) answers both parts at once.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    row = law.law_choice_record(actor=user, case=case, **choice.model_dump())
    return Status(201, _choice_out(row))


@case_records(
    router,
    "/cases/{case_id}/law-enforcement/contacts",
    LawContactOut,
    may_see_protocol,
)
def law_contact_list(case: Case) -> list[LawContactOut]:
    """Contacts with law enforcement, newest first."""
    return [_contact_out(row) for row in selectors.law_contacts_of(case)]


@router.post(
    "/cases/{case_id}/law-enforcement/contacts",
    response={201: LawContactOut, **WRITE_FAILURES},
)
def law_contact_record(
    request: HttpRequest, case_id: CaseId, contact: LawContactIn
) -> Status[LawContactOut]:
    """Log a contact with investigators or prosecutors.

    The disclosure gate checks the basis first: while the person refuses the part the contact is
    with, only a mandated report for a minor or a 911 call in imminent danger goes ahead with
    investigators, and nothing with prosecutors. A refusal answers 422 with the gate's reason
    and is recorded in the audit trail.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    with refusals_at(whole=("body", "basis")):
        row = authorities_law.law_contact_record(actor=user, case=case, **contact.model_dump())
    return Status(201, _contact_out(row))


@case_records(
    router,
    "/cases/{case_id}/continued-presence",
    ContinuedPresenceOut,
    may_see_continued_presence,
)
def continued_presence_list(case: Case) -> list[ContinuedPresenceOut]:
    """Continued Presence requests, newest first."""
    return [_presence_out(row) for row in selectors.continued_presence_of(case)]


@router.post(
    "/cases/{case_id}/continued-presence",
    response={201: ContinuedPresenceOut, **WRITE_FAILURES},
)
def continued_presence_record(
    request: HttpRequest, case_id: CaseId, presence: ContinuedPresenceIn
) -> Status[ContinuedPresenceOut]:
    """Record a Continued Presence request.

    Requested through law enforcement, so the disclosure gate checks it first.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    row = authorities_law.continued_presence_record(actor=user, case=case, **presence.model_dump())
    return Status(201, _presence_out(row))


# --- Minors ----------------------------------------------------------------------------------


def _report_or_404(case_id: str) -> None:
    # A case without the task answers before it is read (and audited).
    if not selectors.has_mandated_report(uuid_or_404(case_id)):
        raise NotFound


@router.get(
    "/cases/{case_id}/mandated-report",
    response={200: MandatedReportOut, **NOT_FOUND},
)
def mandated_report_detail(request: HttpRequest, case_id: CaseId) -> MandatedReportOut:
    """The mandated-report task of a minor's case."""
    _report_or_404(case_id)
    _user, case = case_for(request, case_id, may_see_protocol)
    return _report_out(selectors.mandated_report_of(case))


@router.put(
    "/cases/{case_id}/mandated-report",
    response={200: MandatedReportOut, **WRITE_FAILURES},
)
def mandated_report_record(
    request: HttpRequest, case_id: CaseId, report: MandatedReportIn
) -> MandatedReportOut:
    """Record the mandated report.

    To whom (for the county where the child or family lives), how, when, the reference and
    outcome, and when the young person was told. It goes ahead even when the person refuses law
    enforcement.
    """
    _report_or_404(case_id)
    user, case = case_for(request, case_id, may_work_protocol)
    county = selectors.county_of(report.county_fips)
    if county is None:
        raise ValidationError({"county_fips": "Choose a Wisconsin county."})
    row = authorities_minors.mandated_report_record(
        actor=user, case=case, county=county, **report.model_dump(exclude={"county_fips"})
    )
    return _report_out(row)


# --- Identification -----------------------------------------------------------------------


@case_records(
    router,
    "/cases/{case_id}/screenings",
    ScreeningOut,
    may_see_protocol,
)
def screening_list(case: Case) -> list[ScreeningOut]:
    """Screenings of indicators, newest first (never their answers)."""
    return [_screening_out(row) for row in selectors.screenings_of(case)]


@router.post(
    "/cases/{case_id}/screenings",
    response={201: ScreeningOut, **WRITE_FAILURES},
)
def screening_record(
    request: HttpRequest, case_id: CaseId, screening: ScreeningIn
) -> Status[ScreeningOut]:
    """Record a screening of indicators.

    Answers by question code; the score and level come back, the answers do not.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    with refusals_at(whole=("body", "answers")):
        row = identification.screening_record(
            actor=user, case=case, kind=screening.kind, answers=dict(screening.answers)
        )
    return Status(201, _screening_out(row))


@case_records(
    router,
    "/cases/{case_id}/instrument-results",
    InstrumentResultOut,
    may_see_protocol,
)
def instrument_result_list(case: Case) -> list[InstrumentResultOut]:
    """Results of licensed instruments, newest first."""
    return [_instrument_out(row) for row in selectors.instrument_results_of(case)]


@router.post(
    "/cases/{case_id}/instrument-results",
    response={201: InstrumentResultOut, **WRITE_FAILURES},
)
def instrument_result_record(
    request: HttpRequest, case_id: CaseId, result: InstrumentResultIn
) -> Status[InstrumentResultOut]:
    """Record the result of a licensed instrument.

    Its name, date, who administered it and the level: never its questions.
    """
    user, case = case_for(request, case_id, may_work_protocol)
    row = identification.instrument_result_record(actor=user, case=case, **result.model_dump())
    return Status(201, _instrument_out(row))


routers = (router,)
