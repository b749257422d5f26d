"""Reads of the protocol: a case's tracker and a user's next actions, each
in a fixed number of queries whatever the number of steps and cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.core.addresses import case_address
from haven.core.errors import NotFound
from haven.people.models import Case
from haven.protocol.agency_steps import STATES, current_numbers, version_of
from haven.protocol.marks import in_danger, overdue, report_waiting
from haven.protocol.models import (
    CaseStep,
    ContinuedPresence,
    County,
    DangerCheck,
    InstrumentResult,
    LawEnforcementChoice,
    LawEnforcementContact,
    LawPart,
    MandatedReport,
    Need,
    NeedAssessment,
    NeedChange,
    RightsExplained,
    SafetyPlan,
    Screening,
    Step,
    StepState,
)
from haven.protocol.policies import (
    may_apply_step_version,
    may_follow_step_link,
    may_work_agency_step,
)
from haven.protocol.steps import OPEN_STATES, ORDER, next_action, settable_states, step_link
from haven.protocol.tracker import steps_unstarted


@dataclass
class TrackedStep:
    step: str
    label: str
    state: str
    state_label: str
    next_action: str
    due_on: date | None
    overdue: bool
    reason: str
    blockers: list[str] = field(default_factory=list)
    # The page where the step's work is done, and the states staff may set
    # (on the step's own page, change_link).
    link: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    change_link: str = ""
    # "agency" for one of the agency's own steps, with its id, the version
    # the case follows, the newer one a supervisor may apply, its checklist
    # (each item with whether it is ticked) and where it is applied.
    kind: str = "protocol"
    agency_step: int | None = None
    version: int | None = None
    newer_version: int | None = None
    checklist: list[tuple[str, bool]] = field(default_factory=list)
    apply_link: str = ""

    @property
    def settable(self) -> bool:
        return bool(self.choices)


@dataclass
class Tracker:
    steps: list[TrackedStep]
    latest_danger: DangerCheck | None
    # The parts of the justice system the person's choice refuses (LawPart).
    law_parts_refused: frozenset[str]
    report: MandatedReport | None
    # The latest safety plan's backup plan, read only when 911 did not help.
    backup_plan: str = ""

    @property
    def law_refused(self) -> bool:
        """The person's choice refuses police and investigators."""
        return LawPart.INVESTIGATION in self.law_parts_refused

    @property
    def prosecution_refused(self) -> bool:
        """The person's choice refuses prosecutors and their victim-witness program."""
        return LawPart.PROSECUTION in self.law_parts_refused

    @property
    def backup_needed(self) -> bool:
        """911 was called and did not help, at the latest danger check."""
        return bool(self.latest_danger and self.latest_danger.police_failed)


def law_parts_refused(case: Case) -> frozenset[str]:
    """The parts of the justice system (``LawPart``) the person's choice in
    force refuses: the latest choice recorded decides, and none is refused
    before a choice is recorded. The disclosure gate and the tracker both
    ask here."""
    latest = LawEnforcementChoice.objects.filter(case=case).order_by("-at").first()
    return frozenset() if latest is None else latest.refused


def law_enforcement_refused(case: Case) -> bool:
    """Whether the person's choice in force refuses police and investigators."""
    return LawPart.INVESTIGATION in law_parts_refused(case)


def latest_danger_check(case: Case) -> DangerCheck | None:
    """The latest answer to the immediate-danger question: a later "no" ends
    an emergency, whatever was said before."""
    return DangerCheck.objects.filter(case=case).select_related("data_key").order_by("-at").first()


def tracker(case: Case, *, viewer: User) -> Tracker:
    """The protocol on ``case`` (one the caller has already opened and
    audited), as ``viewer`` may follow it: a step's link is left out when
    their role cannot open the page it leads to. A pure read: a step with no
    row yet shows as it starts (see tracker.steps_start)."""
    found_rows = list(
        CaseStep.objects.filter(case=case).select_related("data_key", "agency_step_version__step")
    )
    own_rows = [row for row in found_rows if row.agency_step_version_id is not None]
    rows = [row for row in found_rows if row.agency_step_version_id is None]
    rows += steps_unstarted(case, have={row.step for row in found_rows})
    rows.sort(key=lambda row: ORDER[Step(row.step)])
    latest_danger = latest_danger_check(case)
    refused_parts = law_parts_refused(case)
    report = MandatedReport.objects.filter(case=case).first()
    today = timezone.localdate()
    states = {row.step: row.state for row in rows}
    tracked = []
    for row in rows:
        blockers: list[str] = []
        if (
            row.step == Step.RIGHTS
            and states.get(Step.INTERPRETATION) == StepState.IN_PROGRESS
            and row.state in OPEN_STATES
        ):
            blockers.append(
                _(
                    "An interpreter is needed first. This clears when a contact with a trained "
                    "interpreter is logged, or when Interpretation is marked done."
                )
            )
        if (
            row.step == Step.SAFETY
            and row.state in OPEN_STATES
            and latest_danger
            and latest_danger.police_failed
        ):
            blockers.append(
                _(
                    "911 did not help: use the backup plan now. This clears when a new danger "
                    "check is recorded."
                )
            )
        choices = settable_states(row.step)
        tracked.append(
            TrackedStep(
                step=row.step,
                label=str(Step(row.step).label),
                state=row.state,
                state_label=str(StepState(row.state).label),
                next_action=next_action(row.step, row.state) if row.state in OPEN_STATES else "",
                due_on=row.due_on,
                overdue=bool(row.due_on and row.due_on < today and row.state in OPEN_STATES),
                reason=(row.reason or "") if row.state == StepState.NOT_APPLICABLE else "",
                blockers=blockers,
                # No report task (an adult, or age unknown): nothing to link to.
                link=""
                if (row.step == Step.MINORS and report is None)
                or not may_follow_step_link(viewer, row.step)
                else step_link(row.step, case, row.state),
                choices=choices,
                change_link=case_address("protocol:step_update", case.pk, step=row.step)
                if choices
                else "",
            )
        )
    tracked += own_steps_tracked(case, own_rows, viewer=viewer, today=today)
    found = Tracker(tracked, latest_danger, refused_parts, report)
    if found.backup_needed:
        plan = (
            SafetyPlan.objects.filter(case=case)
            .select_related("data_key")
            .order_by("-version")
            .first()
        )
        found.backup_plan = (plan.backup_plan or "") if plan else ""
    return found


def own_steps_tracked(
    case: Case, rows: list[CaseStep], *, viewer: User, today: date
) -> list[TrackedStep]:
    """The agency's own steps on ``case``, after the protocol's, in the
    agency's order: each as the version the case follows says, with the
    states ``viewer`` may set and, for a supervisor of the case's team on an
    open case, the newer version they may apply."""
    rows = sorted(
        rows,
        key=lambda r: (r.agency_step_version.step.position, r.step),  # type: ignore[union-attr]
    )
    newest = current_numbers(case.agency_id) if rows else {}
    may_apply = case.status == Case.Status.OPEN and may_apply_step_version(viewer, case)
    tracked = []
    for row in rows:
        version = version_of(row)
        code = version.step.code
        works = may_work_agency_step(viewer, version.roles)
        latest = newest.get(version.step_id, version.number)
        change_link = case_address("protocol:agency_step", case.pk, code=code) if works else ""
        tracked.append(
            TrackedStep(
                step=row.step,
                label=version.text,
                state=row.state,
                state_label=str(StepState(row.state).label),
                next_action="",
                due_on=row.due_on,
                overdue=bool(row.due_on and row.due_on < today and row.state in OPEN_STATES),
                reason=(row.reason or "") if row.state == StepState.NOT_APPLICABLE else "",
                link=change_link,
                choices=[(s.value, str(s.label)) for s in STATES] if works else [],
                change_link=change_link,
                kind="agency",
                agency_step=version.step_id,
                version=version.number,
                newer_version=latest if latest > version.number else None,
                checklist=[(item, item in row.ticked) for item in version.checklist],
                apply_link=case_address("protocol:agency_step_apply", case.pk, code=code)
                if may_apply and latest > version.number and version.step.retired_at is None
                else "",
            )
        )
    return tracked


# --- One case's records ----------------------------------------------------------------
# For the pages and the API, on a case the caller has opened (and so audited)
# and whose page the caller's policy allows: each list newest first, with
# what its page shows read in the same query.


def case_step(case: Case, step: str) -> CaseStep | None:
    return CaseStep.objects.filter(case=case, step=step).first()


def screenings_of(case: Case) -> QuerySet[Screening]:
    """Screenings without their answers: the page and the list show levels."""
    return Screening.objects.filter(case=case).select_related("by").defer("answers").order_by("-at")


def instrument_results_of(case: Case) -> QuerySet[InstrumentResult]:
    return (
        InstrumentResult.objects.filter(case=case)
        .select_related("by", "data_key")
        .order_by("-administered_on", "-at")
    )


def needs_of(case: Case) -> QuerySet[Need]:
    """The case's needs in the person's order, each with its history."""
    return (
        Need.objects.filter(case=case)
        .select_related("category", "data_key")
        .prefetch_related(
            Prefetch(
                "changes", queryset=NeedChange.objects.select_related("by").order_by("-at", "-pk")
            )
        )
        .order_by("rank")
    )


def has_need(case: Case | uuid.UUID, need_id: uuid.UUID) -> bool:
    """Asked with a case id too, before the case is read (and audited)."""
    return Need.objects.filter(case=case, pk=need_id).exists()


def need_of(case: Case, need_id: uuid.UUID) -> Need:
    found = Need.objects.filter(case=case, pk=need_id).select_related("category").first()
    if found is None:
        raise NotFound
    return found


def assessments_of(case: Case) -> QuerySet[NeedAssessment]:
    return NeedAssessment.objects.filter(case=case).select_related("by", "data_key").order_by("-at")


def rights_explained_of(case: Case) -> QuerySet[RightsExplained]:
    return (
        RightsExplained.objects.filter(case=case)
        .select_related("by", "data_key")
        .order_by("-explained_on", "-at")
    )


def danger_checks_of(case: Case) -> QuerySet[DangerCheck]:
    return DangerCheck.objects.filter(case=case).select_related("data_key", "by").order_by("-at")


def safety_plan_versions(case: Case) -> QuerySet[SafetyPlan]:
    """Every version of the case's safety plan, newest first, without its text."""
    return (
        SafetyPlan.objects.filter(case=case)
        .select_related("by")
        .only("id", "case_id", "version", "at", "by")
        .order_by("-version")
    )


def has_safety_plan(case: Case | uuid.UUID, version: int) -> bool:
    """Asked with a case id too, before the case is read (and audited)."""
    return SafetyPlan.objects.filter(case=case, version=version).exists()


def safety_plan_of(case: Case, version: int) -> SafetyPlan:
    found = (
        SafetyPlan.objects.filter(case=case, version=version)
        .select_related("data_key", "by")
        .first()
    )
    if found is None:
        raise NotFound
    return found


def latest_safety_plan(case: Case) -> SafetyPlan | None:
    return (
        SafetyPlan.objects.filter(case=case)
        .select_related("data_key", "by")
        .order_by("-version")
        .first()
    )


def law_choices_of(case: Case) -> QuerySet[LawEnforcementChoice]:
    return (
        LawEnforcementChoice.objects.filter(case=case)
        .select_related("data_key", "by")
        .order_by("-at")
    )


def law_contacts_of(case: Case) -> QuerySet[LawEnforcementContact]:
    return (
        LawEnforcementContact.objects.filter(case=case)
        .select_related("data_key", "by")
        .order_by("-contacted_on", "-at")
    )


def continued_presence_of(case: Case) -> QuerySet[ContinuedPresence]:
    return (
        ContinuedPresence.objects.filter(case=case)
        .select_related("data_key")
        .order_by("-requested_on")
    )


def continued_presence_request(case: Case, request_id: uuid.UUID) -> ContinuedPresence:
    found = continued_presence_of(case).filter(pk=request_id).first()
    if found is None:
        raise NotFound
    return found


def has_mandated_report(case_id: uuid.UUID) -> bool:
    return MandatedReport.objects.filter(case_id=case_id).exists()


def mandated_report_of(case: Case) -> MandatedReport:
    found = (
        MandatedReport.objects.filter(case=case)
        .select_related("data_key", "county", "reported_by")
        .first()
    )
    if found is None:
        raise NotFound
    return found


def counties() -> QuerySet[County]:
    return County.objects.all()


def county_of(fips: str) -> County | None:
    if not fips or len(fips) > 5:
        return None
    return County.objects.filter(pk=fips).first()


# --- What is urgent, for the dashboard -----------------------------------------------
# Ids, dates and step codes only, over cases the caller already scoped to
# the user: the dashboard names the people it lists once, itself.


@dataclass
class Overdue:
    step: str
    label: str
    due_on: date
    count: int


def danger_reported(cases: QuerySet[Case]) -> dict[uuid.UUID, Any]:
    """The cases of ``cases`` whose latest danger check said yes, with when."""
    rows = in_danger(timezone.localdate()).filter(case__in=cases.values("pk"))
    return dict(rows.values_list("case_id", "at"))


def reports_waiting(cases: QuerySet[Case]) -> dict[uuid.UUID, Any]:
    """The open mandated-report tasks of ``cases``, with when each opened."""
    rows = report_waiting(timezone.localdate()).filter(case__in=cases.values("pk"))
    return dict(rows.values_list("case_id", "opened_at"))


def overdue_steps(cases: QuerySet[Case]) -> dict[uuid.UUID, Overdue]:
    """For each case of ``cases`` with overdue steps: the one overdue
    longest, and how many there are."""
    rows = (
        overdue(timezone.localdate())
        .filter(case__in=cases.values("pk"))
        .order_by("due_on")
        .values_list("case_id", "step", "due_on", "agency_step_version__text")
    )
    found: dict[uuid.UUID, Overdue] = {}
    for case_id, step, due_on, text in rows:
        if case_id in found:
            found[case_id].count += 1
        else:
            label = Truncator(text).chars(60) if text else str(Step(step).label)
            found[case_id] = Overdue(step, label, due_on, 1)
    return found
