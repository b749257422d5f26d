"""The mandated report for a minor: information that leaves the agency, so
only through the disclosure gate, on the basis the law gives."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.consent.gate import Recipient, disclose
from haven.consent.models import Basis, Disclosure, InfoKind, Purpose, RecipientCategory
from haven.core import limits
from haven.core.text import check_texts
from haven.people.models import Case
from haven.protocol.agency_steps import agency_steps_sync
from haven.protocol.models import (
    County,
    MandatedReport,
    ReportingContact,
    Step,
    StepState,
)
from haven.protocol.policies import ensure_may_work_protocol
from haven.protocol.tracker import step_advance

# What a mandated report tells the county or law enforcement about the young person.
MANDATED_REPORT_SHARES = (InfoKind.IDENTITY, InfoKind.CONTACT, InfoKind.NOTES)


def mandated_report_record(
    *,
    actor: User,
    case: Case,
    county: County,
    reported_to_kind: str,
    reported_to: str,
    method: str,
    reported_at: datetime,
    minor_told_at: datetime | None,
    reference: str = "",
    outcome: str = MandatedReport.Outcome.NOT_YET_KNOWN,
    other_resources: str = "",
) -> MandatedReport:
    """Record the report made for a minor: to whom (chosen from the county
    where the child or family lives), how, when, the reference and outcome,
    and when the young person was told law enforcement would be contacted."""
    ensure_may_work_protocol(actor, case)
    report = MandatedReport.objects.filter(case=case).first()
    if report is None:
        raise ValidationError(_("There is no mandated-report task on this case."))
    errors: dict[str, list[str]] = {}
    if reported_to_kind not in ReportingContact.Kind.values:
        errors["reported_to_kind"] = [_("Choose one of the options offered.")]
    if method not in MandatedReport.Method.values:
        errors["method"] = [_("Choose one of the options offered.")]
    if outcome not in MandatedReport.Outcome.values:
        errors["outcome"] = [_("Choose one of the options offered.")]
    now = timezone.now()
    if reported_at > now:
        errors["reported_at"] = [_("This time is in the future.")]
    if minor_told_at is None:
        errors["minor_told_at"] = [
            _("Tell the young person that law enforcement will be contacted, then record when.")
        ]
    elif minor_told_at > now:
        errors["minor_told_at"] = [_("This time is in the future.")]
    if outcome == MandatedReport.Outcome.SCREENED_OUT and not other_resources.strip():
        errors["other_resources"] = [_("Say what other help was arranged.")]
    check_texts(
        errors,
        [
            ("reported_to", reported_to, limits.LINE),
            ("reference", reference, limits.CODE),
            ("other_resources", other_resources, limits.NOTE),
        ],
    )
    if not reported_to.strip():
        errors.setdefault("reported_to", []).append(_("Say who took the report."))
    if errors:
        raise ValidationError(errors)

    def record(_disclosure: Disclosure) -> MandatedReport:
        report.county = county
        report.reported_to_kind = reported_to_kind
        report.reported_to = reported_to.strip()
        report.method = method
        report.reported_at = reported_at
        report.reference = reference.strip() or None
        report.outcome = outcome
        report.other_resources = other_resources.strip() or None
        report.minor_told_at = minor_told_at
        report.reported_by = actor
        report.status = MandatedReport.Status.REPORTED
        report.save()
        step_advance(case, Step.MINORS, StepState.DONE, actor)
        # The county is now known: the agency's county steps may apply.
        agency_steps_sync(case)
        audit_record(
            action=Action.MANDATED_REPORT_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"kind": reported_to_kind, "outcome": outcome, "county": county.fips},
        )
        return report

    recipient = (
        Recipient(label=reported_to.strip(), categories=frozenset({RecipientCategory.LOCAL}))
        if reported_to_kind == ReportingContact.Kind.COUNTY
        else Recipient.law_enforcement(reported_to.strip())
    )
    disclose(
        actor=actor,
        case=case,
        recipient=recipient,
        purpose=Purpose.SAFETY,
        kinds=MANDATED_REPORT_SHARES,
        basis=Basis.MANDATED_MINOR,
        channel="mandated_report",
        record=record,
    )
    return report
