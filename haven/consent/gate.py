"""The disclosure gate: the one place that decides whether information about
a person may leave the agency, and the one place that records it when it does.

Every path that lets information leave (a law enforcement contact, a
referral, a document printed for a third party) calls ``disclose``, which
opens the transaction and makes the caller's record inside it. The gate
allows a disclosure only

* under a consent in force that names this recipient (or a category it
  belongs to), this purpose, and every kind of information being sent; or
* under a legal basis: a mandated report for a person under 18, an
  imminent danger recorded in the last day, or a court order, recorded
  with its reference and a copy, which the gate keeps with the ledger row.

A refusal the person recorded about law enforcement blocks every recipient
of the part it refuses, whatever older consent exists: police and
investigators (the law_enforcement category) and prosecutors with their
victim-witness programs (the prosecution category). Only the legal bases (a
minor's mandated report, a 911 call in imminent danger, a court order) still
go. Every decision is audited: allowed ones with the
Disclosure row they wrote, refused ones with the reason's code.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.attachments.models import Use
from haven.attachments.services import Upload, attachment_store
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.consent.models import Basis, Consent, Disclosure, InfoKind, Purpose, RecipientCategory
from haven.core import limits
from haven.core.text import check_texts
from haven.partners.models import Organization, recipient_categories
from haven.people.models import Case
from haven.protocol.models import Danger, LawPart
from haven.protocol.selectors import latest_danger_check, law_parts_refused

R = TypeVar("R")

# The recipient categories each part of the person's choice about law
# enforcement covers: a refusal of the part blocks them.
LAW_PART_CATEGORIES: dict[str, str] = {
    LawPart.INVESTIGATION: RecipientCategory.LAW_ENFORCEMENT,
    LawPart.PROSECUTION: RecipientCategory.PROSECUTION,
}
# How long a "yes, in danger now" answer stands as the basis for a 911 call.
EMERGENCY_WINDOW = timedelta(hours=24)
# What each legal basis lets go without consent: what the emergency or the
# report needs, never immigration status or the safety plan. A court order
# says itself what it compels.
BASIS_KINDS: dict[str, frozenset[str]] = {
    Basis.IMMINENT_DANGER: frozenset({InfoKind.IDENTITY, InfoKind.CONTACT, InfoKind.LANGUAGE}),
    Basis.MANDATED_MINOR: frozenset(
        {InfoKind.IDENTITY, InfoKind.CONTACT, InfoKind.LANGUAGE, InfoKind.NOTES}
    ),
}


class DisclosureRefused(ValidationError):
    """The gate said no; the message says why, in words for staff."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.reason = code


@dataclass(frozen=True)
class Recipient:
    """Who the information goes to: one organization of the directory, or
    someone known only by the categories they fall in (a 911 dispatcher)."""

    label: str
    organization_id: uuid.UUID | None = None
    categories: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, organization: Organization) -> Recipient:
        return cls(
            label=organization.name,
            organization_id=organization.pk,
            categories=recipient_categories(organization),
        )

    @classmethod
    def law_enforcement(cls, label: str) -> Recipient:
        return cls(label=label, categories=frozenset({RecipientCategory.LAW_ENFORCEMENT}))

    @classmethod
    def prosecution(cls, label: str) -> Recipient:
        return cls(label=label, categories=frozenset({RecipientCategory.PROSECUTION}))

    def refused_by(self, parts: frozenset[str]) -> bool:
        """Whether a choice refusing ``parts`` (LawPart) covers this recipient."""
        return any(LAW_PART_CATEGORIES[part] in self.categories for part in parts)


@dataclass(frozen=True)
class CourtOrder:
    """The order a disclosure answers: its court, number and date, and its copy."""

    reference: str
    copy: Upload | None


def recipient_named(
    actor: User,
    *,
    organization_id: uuid.UUID | None,
    name: str,
    category: str,
    errors: dict[str, list[str]],
) -> Recipient | None:
    """The recipient staff named for a disclosure: an organization of their
    agency's directory, or a name with the category it falls in. Problems go
    into ``errors`` under the field at fault (recipient, recipient_name,
    recipient_category); another agency's entry and a missing one look the same."""
    if organization_id:
        organization = Organization.objects.filter(
            pk=organization_id, agency_id=actor.agency_id
        ).first()
        if organization is None:
            errors["recipient"] = [_("Choose an organization from your agency's directory.")]
            return None
        return Recipient.of(organization)
    name = name.strip()
    check_texts(errors, [("recipient_name", name, limits.WIDE_LINE)])
    if not name:
        errors.setdefault("recipient_name", []).append(
            _("Say who receives the information: choose an organization or write its name.")
        )
    if category and category not in RecipientCategory.values:
        errors["recipient_category"] = [_("Choose one of the options offered.")]
    if not name or "recipient_name" in errors or "recipient_category" in errors:
        return None
    return Recipient(label=name, categories=frozenset({category}) if category else frozenset())


def disclose(
    *,
    actor: User,
    case: Case,
    recipient: Recipient,
    purpose: str,
    kinds: Iterable[str],
    basis: str,
    channel: str,
    record: Callable[[Disclosure], R],
    court_order: CourtOrder | None = None,
) -> tuple[R, Disclosure]:
    """Let information about ``case``'s person go to ``recipient``, or refuse.

    The gate owns the transaction: when it allows, it writes the ledger row,
    calls ``record`` with it (which makes the caller's own record of what
    left: the contact, the referral) and the audit event, all or nothing.
    When it refuses, nothing is written but the audited refusal, and
    DisclosureRefused says why in words for staff. Call it outside any
    transaction of your own, so that a refusal's audit event is kept.
    """
    wanted = sorted(set(kinds))
    try:
        with transaction.atomic():
            consent = _decide(case, recipient, purpose, wanted, basis, court_order)
            row = _ledger_write(
                actor, case, recipient, purpose, wanted, basis, consent, channel, court_order
            )
            made = record(row)
            row.record_id = str(getattr(made, "pk", "") or "")
            row.save(update_fields=["record_id"])
            _audit_allowed(actor, case, row)
    except DisclosureRefused as refusal:
        _audit_refusal(actor, case, recipient, purpose, wanted, basis, refusal.reason)
        raise
    return made, row


def preflight(
    *,
    actor: User,
    case: Case,
    recipient: Recipient,
    purpose: str,
    kinds: Iterable[str],
    basis: str,
) -> None:
    """Ask the gate before preparing something costly to send (an export
    decrypts a whole record): a refusal is audited and raised as ``disclose``
    would; an approval writes nothing, and ``disclose`` decides again when
    the thing is ready."""
    wanted = sorted(set(kinds))
    try:
        with transaction.atomic():
            _decide(case, recipient, purpose, wanted, basis, None)
    except DisclosureRefused as refusal:
        _audit_refusal(actor, case, recipient, purpose, wanted, basis, refusal.reason)
        raise


def _ledger_write(
    actor: User,
    case: Case,
    recipient: Recipient,
    purpose: str,
    kinds: list[str],
    basis: str,
    consent: Consent | None,
    channel: str,
    court_order: CourtOrder | None,
) -> Disclosure:
    row = Disclosure(
        case=case,
        data_key_id=case.person.data_key_id,
        by=actor,
        recipient_org_id=recipient.organization_id,
        recipient_category=",".join(sorted(recipient.categories)),
        purpose=purpose,
        kinds=kinds,
        basis=basis,
        consent=consent,
        channel=channel,
    )
    row.recipient_label = recipient.label or None
    if basis == Basis.COURT_ORDER and court_order is not None and court_order.copy is not None:
        row.court_order = court_order.reference.strip()
        row.court_order_copy = attachment_store(
            actor=actor, case=case, upload=court_order.copy, use=Use.COURT_ORDER
        )
    row.save()
    return row


def _audit_allowed(actor: User, case: Case, row: Disclosure) -> None:
    audit_record(
        action=Action.DISCLOSURE_ALLOWED,
        actor=actor,
        object_type="case",
        object_id=case.pk,
        detail={
            "disclosure": str(row.pk),
            "basis": row.basis,
            "purpose": row.purpose,
            "kinds": row.kinds,
            "channel": row.channel,
            "consent": str(row.consent_id) if row.consent_id else None,
            "court_order_copy": str(row.court_order_copy_id) if row.court_order_copy_id else None,
        },
    )


def _audit_refusal(
    actor: User,
    case: Case,
    recipient: Recipient,
    purpose: str,
    kinds: list[str],
    basis: str,
    reason: str,
) -> None:
    audit_record(
        action=Action.DISCLOSURE_REFUSED,
        actor=actor,
        object_type="case",
        object_id=case.pk,
        detail={
            "reason": reason,
            "basis": basis,
            "purpose": purpose,
            "kinds": kinds,
            "categories": sorted(recipient.categories),
            "organization": str(recipient.organization_id or ""),
        },
    )


def _decide(
    case: Case,
    recipient: Recipient,
    purpose: str,
    kinds: list[str],
    basis: str,
    court_order: CourtOrder | None,
) -> Consent | None:
    """The consent the disclosure stands on (None for a legal basis), or a refusal."""
    if purpose not in Purpose.values:
        raise DisclosureRefused(_("Choose the purpose of this disclosure."), "purpose")
    if not kinds:
        raise DisclosureRefused(_("Choose what information is shared."), "no_kinds")
    if set(kinds) - set(InfoKind.values):
        raise DisclosureRefused(_("Choose what information is shared."), "kinds")
    beyond = set(kinds) - BASIS_KINDS.get(basis, frozenset(InfoKind.values))
    if beyond:
        raise DisclosureRefused(
            _("This legal basis does not cover: %(kinds)s.")
            % {"kinds": "; ".join(str(InfoKind(k).label) for k in sorted(beyond))},
            "beyond_basis",
        )
    if basis == Basis.MANDATED_MINOR:
        if not case.person.is_minor_on(timezone.localdate()):
            raise DisclosureRefused(
                _("A mandated report is only for a person under 18."), "not_minor"
            )
        return None
    if basis == Basis.IMMINENT_DANGER:
        # The latest answer decides: a later "no" ends the emergency.
        latest = latest_danger_check(case)
        since = timezone.now() - EMERGENCY_WINDOW
        if latest is not None and latest.answer == Danger.YES and latest.at >= since:
            return None
        raise DisclosureRefused(
            _("Imminent danger must have been recorded in the last day."), "no_danger"
        )
    if basis == Basis.COURT_ORDER:
        if court_order is None or not court_order.reference.strip():
            raise DisclosureRefused(
                _("Record the court order: its court, number and date."), "no_court_order"
            )
        if court_order.copy is None:
            raise DisclosureRefused(_("Attach a copy of the court order."), "no_court_order_copy")
        return None
    if basis == Basis.CONSENT:
        if recipient.refused_by(law_parts_refused(case)):
            raise DisclosureRefused(
                _(
                    "The person said no to law enforcement. Only a mandated report for a "
                    "minor, or a 911 call in imminent danger, can go ahead until they "
                    "change their choice."
                ),
                "law_enforcement_refused",
            )
        return _consent_covering(case, recipient, purpose, kinds)
    raise DisclosureRefused(_("Choose the basis for this disclosure."), "basis")


def _consent_covering(case: Case, recipient: Recipient, purpose: str, kinds: list[str]) -> Consent:
    """The consent in force that covers everything asked, or a refusal that
    says what is missing, as precisely as the records allow."""
    today = timezone.localdate()
    # Locked until the disclosure is written: a withdrawal waits, and then counts.
    consents = list(
        Consent.objects.select_for_update()
        .filter(case=case)
        .order_by("-expires_on", "-recorded_at")
    )
    if not consents:
        raise DisclosureRefused(_("No consent is recorded for this person."), "no_consent")
    to_recipient = [c for c in consents if _names(c, recipient)]
    if not to_recipient:
        raise DisclosureRefused(
            _("No consent names this recipient. Record a consent for them first."),
            "other_recipient",
        )
    for_purpose = [c for c in to_recipient if c.purpose == purpose]
    if not for_purpose:
        raise DisclosureRefused(
            _("The consent for this recipient is for another purpose."), "other_purpose"
        )
    in_force = [c for c in for_purpose if c.in_force_on(today)]
    if not in_force:
        latest = for_purpose[0]
        if latest.revoked_at is not None:
            raise DisclosureRefused(
                _("The person withdrew this consent on %(day)s.")
                % {"day": date_format(timezone.localtime(latest.revoked_at).date())},
                "revoked",
            )
        if latest.starts_on > today:
            raise DisclosureRefused(
                _("This consent starts on %(day)s.") % {"day": date_format(latest.starts_on)},
                "not_started",
            )
        raise DisclosureRefused(
            _("This consent expired on %(day)s.") % {"day": date_format(latest.expires_on)},
            "expired",
        )
    for consent in in_force:
        if set(kinds) <= set(consent.kinds):
            return consent
    allowed = set().union(*(set(c.kinds) for c in in_force))
    missing = [str(InfoKind(k).label) for k in kinds if k not in allowed]
    raise DisclosureRefused(
        _("The consent does not cover: %(kinds)s.") % {"kinds": "; ".join(missing)}
        if missing
        else _("No single consent covers all of this information together."),
        "kinds_not_covered",
    )


def _names(consent: Consent, recipient: Recipient) -> bool:
    if consent.recipient_org_id is not None:
        return consent.recipient_org_id == recipient.organization_id
    return consent.recipient_category in recipient.categories
