"""Information handed over because a court ordered it.

A court order is the one legal basis staff invoke on their own judgment, so
the rules are strict: a supervisor of the case's team records it; it must be
an order signed by a judge (a subpoena from a lawyer usually is not one, and
goes to the agency's counsel instead); its reference and a copy are kept with
the ledger row; only what it compels goes; and the person is told, as the
confidentiality laws require when a release is compelled.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.attachments.services import Upload
from haven.consent.gate import CourtOrder, disclose, recipient_named
from haven.consent.models import (
    Basis,
    CourtOrderResponse,
    Disclosure,
    InfoKind,
    Purpose,
)
from haven.consent.policies import may_answer_court_orders
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.text import check_texts
from haven.people.models import Case

CHANNEL = "court_order"


@dataclass(frozen=True)
class CourtOrderAnswer:
    """What staff record when they answer a court order."""

    reference: str
    copy: Upload | None
    signed_by_judge: bool
    purpose: str
    kinds: Sequence[str]
    given: str
    person_told: str
    recipient_org_id: uuid.UUID | None = None
    recipient_name: str = ""
    recipient_category: str = ""


def court_order_answer(*, actor: User, case: Case, answer: CourtOrderAnswer) -> Disclosure:
    """Check what staff recorded, then let the gate decide and keep it all."""
    if not may_answer_court_orders(actor, case) or case.agency_id != actor.agency_id:
        raise NotFound
    errors: dict[str, list[str]] = {}
    recipient = recipient_named(
        actor,
        organization_id=answer.recipient_org_id,
        name=answer.recipient_name,
        category=answer.recipient_category,
        errors=errors,
    )
    texts = {
        "reference": answer.reference.strip(),
        "given": answer.given.strip(),
        "person_told": answer.person_told.strip(),
    }
    check_texts(
        errors,
        [
            (name, text, limits.WIDE_LINE if name == "reference" else limits.SHORT_NOTE)
            for name, text in texts.items()
        ],
    )
    required = {
        "reference": _("Write the court, the case number and the date of the order."),
        "given": _("Say what was handed over."),
        "person_told": _("Say how and when the person was told, or why they could not be."),
    }
    for name, message in required.items():
        if not texts[name]:
            errors.setdefault(name, []).append(message)
    if answer.copy is None:
        errors.setdefault("copy", []).append(_("Attach a copy of the court order."))
    if not answer.signed_by_judge:
        errors["signed_by_judge"] = [
            _(
                "Only an order signed by a judge is a legal basis. A subpoena from a lawyer "
                "usually is not: ask the agency's counsel before anything is shared."
            )
        ]
    if answer.purpose not in Purpose.values:
        errors["purpose"] = [_("Choose the purpose.")]
    kinds = sorted(set(answer.kinds))
    if not kinds or set(kinds) - set(InfoKind.values):
        errors["kinds"] = [_("Choose what the order requires.")]
    if errors or recipient is None:
        raise ValidationError(errors)

    def record(row: Disclosure) -> CourtOrderResponse:
        response = CourtOrderResponse(
            case=case, data_key_id=case.person.data_key_id, disclosure=row
        )
        response.given = texts["given"]
        response.person_told = texts["person_told"]
        response.save()
        return response

    _made, row = disclose(
        actor=actor,
        case=case,
        recipient=recipient,
        purpose=answer.purpose,
        kinds=kinds,
        basis=Basis.COURT_ORDER,
        channel=CHANNEL,
        record=record,
        court_order=CourtOrder(reference=texts["reference"], copy=answer.copy),
    )
    return row
