"""Contacts with law enforcement and Continued Presence requests: information
that leaves the agency, so only through the disclosure gate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.consent.gate import Recipient, disclose
from haven.consent.models import Basis, Disclosure, InfoKind, Purpose
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.text import check_texts
from haven.people.models import Case
from haven.protocol.models import (
    ContactBasis,
    ContinuedPresence,
    LawEnforcementContact,
    LawPart,
)
from haven.protocol.policies import ensure_may_work_protocol

CONTACT_BASES = {
    ContactBasis.CONSENT: Basis.CONSENT,
    ContactBasis.MANDATED_MINOR: Basis.MANDATED_MINOR,
    ContactBasis.EMERGENCY_911: Basis.IMMINENT_DANGER,
}
# A 911 call and a mandated report go to police or child welfare, never to a
# prosecutor: a contact with prosecutors goes only with the person's consent.
PROSECUTION_BASES = frozenset({ContactBasis.CONSENT})
# A contact with prosecutors is about proceedings before a court.
PART_PURPOSES = {LawPart.INVESTIGATION: Purpose.LAW_ENFORCEMENT, LawPart.PROSECUTION: Purpose.COURT}
# What a Continued Presence request tells law enforcement about the person.
CONTINUED_PRESENCE_SHARES = (InfoKind.IDENTITY, InfoKind.IMMIGRATION)


def _text_errors(values: dict[str, str], longest: dict[str, int]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    check_texts(errors, [(n, v, longest.get(n, limits.LINE)) for n, v in values.items()])
    return errors


def law_contact_record(
    *,
    actor: User,
    case: Case,
    basis: str,
    agency_name: str,
    contacted_on: date,
    officer: str = "",
    purpose: str = "",
    accompanied: bool = False,
    outcome: str = "",
    shared: Sequence[str] = (InfoKind.IDENTITY,),
    part: str = LawPart.INVESTIGATION,
) -> LawEnforcementContact:
    """Log a contact with investigators or prosecutors (``part``), which the
    disclosure gate must allow: what was shared (``shared``, kinds of
    information) on ``basis``."""
    ensure_may_work_protocol(actor, case)
    if part not in LawPart.values:
        raise ValidationError({"part": [_("Choose one of the options offered.")]})
    if basis not in ContactBasis.values:
        raise ValidationError({"basis": [_("Choose the basis for this contact.")]})
    if part == LawPart.PROSECUTION and basis not in PROSECUTION_BASES:
        raise ValidationError(
            {
                "basis": [
                    _(
                        "A 911 call or a mandated report goes to police or child welfare: a "
                        "contact with prosecutors needs the person's consent."
                    )
                ]
            }
        )
    values = {
        "agency_name": agency_name.strip(),
        "officer": officer.strip(),
        "purpose": purpose.strip(),
        "outcome": outcome.strip(),
    }
    errors = _text_errors(values, {"purpose": limits.NOTE, "outcome": limits.NOTE})
    if not values["agency_name"]:
        errors.setdefault("agency_name", []).append(_("Name the agency or office."))
    if contacted_on > timezone.localdate():
        errors.setdefault("contacted_on", []).append(_("This date is in the future."))
    if not shared or set(shared) - set(InfoKind.values):
        errors["shared"] = [_("Choose what information is shared.")]
    if errors:
        raise ValidationError(errors)

    def record(_disclosure: Disclosure) -> LawEnforcementContact:
        contact = LawEnforcementContact(
            case=case,
            data_key_id=case.person.data_key_id,
            part=part,
            basis=basis,
            accompanied=accompanied,
            contacted_on=contacted_on,
            by=actor,
        )
        for name, value in values.items():
            setattr(contact, name, value or None)
        contact.save()
        audit_record(
            action=Action.LAW_CONTACT_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"basis": basis, "part": part},
        )
        return contact

    recipient = (
        Recipient.prosecution(values["agency_name"])
        if part == LawPart.PROSECUTION
        else Recipient.law_enforcement(values["agency_name"])
    )
    contact, _disclosure = disclose(
        actor=actor,
        case=case,
        recipient=recipient,
        purpose=PART_PURPOSES[LawPart(part)],
        kinds=shared,
        basis=CONTACT_BASES[ContactBasis(basis)],
        channel="law_enforcement_contact",
        record=record,
    )
    return contact


def continued_presence_record(
    *,
    actor: User,
    case: Case,
    requested_on: date,
    requesting_agency: str,
    status: str = ContinuedPresence.Status.REQUESTED,
    decided_on: date | None = None,
    expires_on: date | None = None,
    request: ContinuedPresence | None = None,
) -> ContinuedPresence:
    """Record a Continued Presence request, or update the one given. It is
    requested by law enforcement, so it goes through the same gate."""
    ensure_may_work_protocol(actor, case)
    errors = _text_errors({"requesting_agency": requesting_agency.strip()}, {})
    if status not in ContinuedPresence.Status.values:
        errors["status"] = [_("Choose one of the options offered.")]
    if requested_on > timezone.localdate():
        errors["requested_on"] = [_("This date is in the future.")]
    if decided_on and decided_on < requested_on:
        errors["decided_on"] = [_("A decision comes after the request.")]
    if status != ContinuedPresence.Status.REQUESTED and not decided_on:
        errors["decided_on"] = [_("Give the date of the decision.")]
    if request is not None and request.case_id != case.pk:
        raise NotFound
    if request is not None and (request.requesting_agency or "") != requesting_agency.strip():
        # The agency was the recipient the gate allowed: another one is a new request.
        errors["requesting_agency"] = [
            _("The requesting agency cannot change: record a new request instead.")
        ]
    if errors:
        raise ValidationError(errors)

    def save(_disclosure: Disclosure | None = None) -> ContinuedPresence:
        row = request or ContinuedPresence(case=case, data_key_id=case.person.data_key_id, by=actor)
        row.requested_on = requested_on
        row.requesting_agency = requesting_agency.strip() or None
        row.status = status
        row.decided_on = decided_on
        row.expires_on = expires_on
        row.save()
        audit_record(
            action=Action.CONTINUED_PRESENCE_CHANGED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"status": status},
        )
        return row

    if request is not None:
        # An update of a request already made tells law enforcement nothing new.
        with transaction.atomic():
            return save()
    row, _disclosure = disclose(
        actor=actor,
        case=case,
        recipient=Recipient.law_enforcement(requesting_agency.strip()),
        purpose=Purpose.IMMIGRATION,
        kinds=CONTINUED_PRESENCE_SHARES,
        basis=Basis.CONSENT,
        channel="continued_presence",
        record=save,
    )
    return row
