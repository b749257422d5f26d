"""The disclosure gate: the one place that decides whether information about
a person may go to someone outside the agency, and on what basis.

Today it guards law enforcement. A refusal the person recorded blocks every
contact except a mandated report for a minor; a 911 call stands on the
imminent danger recorded just before it. The consent records of a later
version plug in here (``_consent_covers``), so every caller keeps asking the
same question.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.people.models import Case
from haven.protocol.models import ContactBasis, Danger, DangerCheck, LawEnforcementChoice

# How long a "yes, in danger now" answer stands as the basis for a 911 call.
EMERGENCY_WINDOW = timedelta(hours=24)


class DisclosureRefused(ValidationError):
    """The gate said no; the message says why, in words for staff."""


def law_enforcement_refused(case: Case) -> bool:
    """Whether the choice in force is a refusal to involve law enforcement."""
    latest = LawEnforcementChoice.objects.filter(case=case).order_by("-at").first()
    return latest is not None and not latest.agrees


def _consent_covers(case: Case) -> bool:
    latest = LawEnforcementChoice.objects.filter(case=case).order_by("-at").first()
    return latest is not None and latest.agrees


def check_law_enforcement(*, actor: User, case: Case, basis: str) -> None:
    """Allow a law enforcement contact on ``basis``, or refuse (audited)."""
    reason = _law_enforcement_refusal(case, basis)
    if reason:
        audit_record(
            action=Action.DISCLOSURE_REFUSED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"recipient": "law_enforcement", "basis": basis},
        )
        raise DisclosureRefused(reason)


def _law_enforcement_refusal(case: Case, basis: str) -> str:
    if basis == ContactBasis.MANDATED_MINOR:
        if case.person.is_minor_on(timezone.localdate()):
            return ""
        return _("A mandated report is only for a person under 18.")
    if basis == ContactBasis.EMERGENCY_911:
        # The latest answer decides: a later "no" ends the emergency.
        latest = DangerCheck.objects.filter(case=case).order_by("-at").first()
        since = timezone.now() - EMERGENCY_WINDOW
        if latest is not None and latest.answer == Danger.YES and latest.at >= since:
            return ""
        return _("A 911 call stands on an imminent danger recorded in the last day.")
    if basis == ContactBasis.CONSENT:
        if law_enforcement_refused(case):
            return _(
                "The person said no to law enforcement. Only a mandated report for a "
                "minor can go ahead until they change their choice."
            )
        if _consent_covers(case):
            return ""
        return _("Record the person's choice about law enforcement first.")
    return _("Choose the basis for this contact.")
