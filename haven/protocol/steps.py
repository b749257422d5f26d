"""What each step of the protocol asks, when it is due, and what to do next.

One table, so the tracker, the dashboard and the API say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.core.addresses import case_address
from haven.protocol.models import Step, StepState


@dataclass(frozen=True)
class StepRule:
    step: Step
    # Days after the case opens by which the step should be done (None: no deadline).
    due_days: int | None
    # Filled by a later part of Haven: shown as pending until then.
    pending: bool
    # May staff set its state by hand? (Some move only when their record is made.)
    manual: bool
    next_action: dict[str, str | Promise]
    # Which records move it on their own, said wherever the step can be set by
    # hand, so the choices offered there make sense ("" when only staff move it).
    moves_with: str | Promise = ""


RULES: tuple[StepRule, ...] = (
    StepRule(
        Step.SAFETY,
        0,
        False,
        False,
        {
            StepState.NOT_STARTED: _("Ask whether the person is in danger right now."),
            StepState.IN_PROGRESS: _("Make a safety plan with the person, with a backup plan."),
        },
        moves_with=_(
            "It moves on its own when a danger check is recorded, and is done when a safety plan "
            "is saved."
        ),
    ),
    StepRule(
        Step.INTERPRETATION,
        0,
        False,
        True,
        {
            StepState.NOT_STARTED: _("Find out which language the person speaks best."),
            StepState.IN_PROGRESS: _("Arrange a trained interpreter: never family or friends."),
        },
        moves_with=_(
            "It moves on its own when the person's language is recorded, and is done when a "
            "contact with a trained interpreter is logged."
        ),
    ),
    StepRule(
        Step.NEEDS,
        3,
        False,
        False,
        {
            StepState.NOT_STARTED: _("Ask the person what they need, and what matters most."),
            StepState.IN_PROGRESS: _("Follow the needs through to met or declined."),
        },
        moves_with=_("It is done when the person's needs are assessed."),
    ),
    StepRule(
        Step.RIGHTS,
        7,
        False,
        True,
        {
            StepState.NOT_STARTED: _("Explain rights and options in the person's language."),
            StepState.IN_PROGRESS: _("Answer their questions; explain what else they need."),
        },
        moves_with=_("It moves on its own when a handout is explained to the person."),
    ),
    StepRule(
        Step.CONSENT,
        None,
        False,
        False,
        {
            StepState.NOT_STARTED: _(
                "Before anything is shared, ask for consent: with whom, what, for how long."
            ),
        },
        moves_with=_("It is done when the person gives a consent."),
    ),
    StepRule(
        Step.LAW_ENFORCEMENT,
        None,
        False,
        False,
        {
            StepState.NOT_STARTED: _(
                "When the person is ready, ask whether they want law enforcement involved."
            ),
        },
        moves_with=_("It is done when the person's choice about law enforcement is recorded."),
    ),
    StepRule(
        Step.CONFIDENTIALITY,
        3,
        False,
        True,
        {
            StepState.NOT_STARTED: _(
                "Explain what stays confidential, and the limits (a minor, a court order)."
            ),
        },
    ),
    StepRule(
        Step.COLLABORATION,
        None,
        False,
        True,
        {
            StepState.NOT_STARTED: _("Refer the person's needs to partners, with their consent."),
            StepState.IN_PROGRESS: _("Follow the referrals up until the partners answer."),
        },
        moves_with=_(
            "It moves on its own when a referral is sent, and is done when a partner completes one."
        ),
    ),
    StepRule(
        Step.DOCUMENTATION,
        None,
        False,
        True,
        {
            StepState.NOT_STARTED: _(
                "Record each contact in the communications log, with who interpreted."
            ),
            StepState.IN_PROGRESS: _(
                "Keep the log and the documents complete: correct with addenda, never by editing."
            ),
        },
        moves_with=_("It moves on its own when a contact is recorded in the communications log."),
    ),
    StepRule(
        Step.STAFF_SAFETY,
        None,
        False,
        True,
        {
            StepState.NOT_STARTED: _(
                "Ask whether anyone connected to the case has threatened staff or may come "
                "to the office; record them as persons of concern."
            ),
            StepState.IN_PROGRESS: _(
                "Keep the threats and persons of concern linked to this case up to date."
            ),
        },
    ),
    StepRule(
        Step.MINORS,
        1,
        False,
        False,
        {
            StepState.NOT_STARTED: _(
                "Find out whether the person is under 18: a date of birth or an estimate."
            ),
            StepState.IN_PROGRESS: _(
                "Make the mandated report, and tell the young person first that "
                "law enforcement will be contacted."
            ),
        },
        moves_with=_(
            "It moves on its own once the person's age is known (it does not apply to an adult), "
            "and is done when the mandated report is recorded."
        ),
    ),
)

RULE = {rule.step: rule for rule in RULES}
ORDER = {rule.step: n for n, rule in enumerate(RULES)}
OPEN_STATES = frozenset({StepState.NOT_STARTED, StepState.IN_PROGRESS})


def next_action(step: str, state: str) -> str:
    text = RULE[Step(step)].next_action.get(state)
    return str(text) if text else ""


#: Where each step's work is done (URL names taking the case id). A step
#: staff do by hand alone (confidentiality) is done on its own step page.
LINKS: dict[str, str] = {
    Step.SAFETY: "protocol:safety",
    Step.INTERPRETATION: "interpretation:point_for_case",
    Step.NEEDS: "protocol:needs",
    Step.RIGHTS: "protocol:rights",
    Step.CONSENT: "consent:consents",
    Step.COLLABORATION: "referrals:referrals",
    Step.DOCUMENTATION: "communications:log",
    Step.STAFF_SAFETY: "safety:case",
    Step.LAW_ENFORCEMENT: "authorities:law",
    Step.MINORS: "authorities:minor_report",
}
#: Where the work goes once a step is under way: the language known, what is
#: left is the contact with a trained interpreter.
LINKS_UNDER_WAY: dict[str, str] = {
    Step.INTERPRETATION: "communications:log",
}


def step_link(step: str, case: object, state: str = StepState.NOT_STARTED) -> str:
    """The page where ``step``'s work is done now, for a case in ``state``."""
    name = (LINKS_UNDER_WAY.get(step) if state == StepState.IN_PROGRESS else None) or LINKS.get(
        step
    )
    try:
        if not name:
            return case_address("protocol:step_update", case.pk, step=step)  # type: ignore[attr-defined]
        return case_address(name, case.pk)  # type: ignore[attr-defined]
    except NoReverseMatch:
        return ""  # a page not built yet


def settable_states(step: str) -> list[tuple[str, str]]:
    """The states staff may choose by hand for ``step`` (see tracker.step_set)."""
    rule = RULE[Step(step)]
    if rule.pending:
        return []
    states = [StepState.NOT_APPLICABLE]
    if rule.manual:
        states = [StepState.NOT_STARTED, StepState.IN_PROGRESS, StepState.DONE, *states]
    return [(state.value, str(state.label)) for state in states]
