"""Sending a referral through the gate, and moving it: by the partner agency
that received it, or by the sending agency (withdrawing it, or recording
what a partner outside Haven answered). The need follows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

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
from haven.partners.models import Organization, Service
from haven.people.models import Case
from haven.protocol.models import Need, NeedChange, NeedStatus, Step, StepState
from haven.protocol.tracker import step_advance
from haven.referrals.models import OPEN_STATUSES, Referral, ReferralChange, ReferralStatus
from haven.referrals.packet import packet_content, packet_destroy, packet_seal
from haven.referrals.policies import may_receive_referrals, may_refer

FOLLOW_UP_LONGEST = timedelta(days=366)

# Who may move a referral, from which status to which.
_RECEIVER_MOVES = {
    ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED, ReferralStatus.DECLINED},
}
_SENDER_MOVES = {
    ReferralStatus.SENT: {ReferralStatus.WITHDRAWN},
    ReferralStatus.ACCEPTED: {ReferralStatus.WITHDRAWN},
}
# A partner outside Haven cannot answer in Haven: the sender records its answer.
_SENDER_MOVES_FOR_OUTSIDE = {
    ReferralStatus.SENT: {
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.ACCEPTED: {
        ReferralStatus.COMPLETED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
}
# What the need becomes when its referral moves.
_NEED_FOLLOWS = {
    ReferralStatus.SENT: NeedStatus.REFERRED,
    ReferralStatus.ACCEPTED: NeedStatus.IN_PROGRESS,
    ReferralStatus.COMPLETED: NeedStatus.MET,
}


@dataclass(frozen=True)
class ReferralRequest:
    need_id: uuid.UUID
    organization_id: uuid.UUID
    purpose: str
    kinds: Sequence[str]
    service_id: uuid.UUID | None = None
    message: str = ""
    follow_up_on: date | None = None
    # Staff saw the warning that the partner does not list this need, and send anyway.
    outside_expertise_confirmed: bool = False


def outside_expertise(organization: Organization, service: Service | None, need: Need) -> bool:
    """Whether the partner (or the service chosen) does not list the need."""
    services = Service.objects.filter(organization=organization)
    if service is not None:
        services = services.filter(pk=service.pk)
    # One query, whatever the number of services.
    return not services.filter(need_categories=need.category_id).exists()


def referral_send(*, actor: User, case: Case, request: ReferralRequest) -> Referral:
    """Send a need of the case to a partner, through the disclosure gate."""
    if not may_refer(actor) or case.agency_id != actor.agency_id:
        raise NotFound
    errors: dict[str, list[str]] = {}
    need = Need.objects.filter(case=case, pk=request.need_id).select_related("category").first()
    if need is None:
        raise NotFound
    if need.status in (NeedStatus.MET, NeedStatus.DECLINED):
        errors["need"] = [_("This need is met or declined: reopen it first.")]
    elif Referral.objects.filter(
        need=need, organization_id=request.organization_id, status__in=OPEN_STATUSES
    ).exists():
        # A second click on "send", or a second tab: one referral is enough.
        errors["need"] = [_("This need is already referred to this partner.")]
    organization = Organization.objects.filter(
        pk=request.organization_id, agency_id=actor.agency_id
    ).first()
    if organization is None:
        # Another agency's directory entry and a missing one look the same.
        errors["organization"] = [_("Choose a partner from your agency's directory.")]
    service = None
    if request.service_id is not None and organization is not None:
        service = Service.objects.filter(
            pk=request.service_id, organization=organization, agency_id=actor.agency_id
        ).first()
        if service is None:
            errors["service"] = [_("Choose one of this partner's services.")]
    if request.purpose not in Purpose.values:
        errors["purpose"] = [_("Choose the purpose.")]
    kinds = sorted(set(request.kinds))
    if not kinds or set(kinds) - set(InfoKind.values):
        errors["kinds"] = [_("Choose what information is shared.")]
    message = request.message.strip()
    check_texts(errors, [("message", message, limits.NOTE)])
    if message and InfoKind.NOTES not in kinds:
        errors.setdefault("message", []).append(
            _("A message about the person is a case note: share case notes, or leave it out.")
        )
    today = timezone.localdate()
    if request.follow_up_on is not None and not (
        today <= request.follow_up_on <= today + FOLLOW_UP_LONGEST
    ):
        errors["follow_up_on"] = [_("Choose a day from today to a year from now.")]
    if (
        organization is not None
        and "service" not in errors
        and not request.outside_expertise_confirmed
        and outside_expertise(organization, service, need)
    ):
        errors["outside_expertise_confirmed"] = [
            _(
                "This partner does not list this need among what it does. Check with them "
                "first, then confirm to send anyway."
            )
        ]
    if errors:
        raise ValidationError(errors)
    assert organization is not None  # noqa: S101 (errors raised above otherwise)
    content = packet_content(case, need, kinds, message)

    def record(disclosure: Disclosure) -> Referral:
        referral = Referral(
            case=case,
            data_key_id=case.person.data_key_id,
            need=need,
            organization=organization,
            service=service,
            to_agency_id=organization.haven_agency_id,
            purpose=request.purpose,
            kinds=kinds,
            status=ReferralStatus.SENT,
            follow_up_on=request.follow_up_on,
            outside_expertise=request.outside_expertise_confirmed,
            sent_by=actor,
            disclosure=disclosure,
        )
        referral.partner_label = organization.name
        referral.message = message or None
        referral.content = json.dumps(content, ensure_ascii=False)
        referral.save()
        ReferralChange.objects.create(referral=referral, status=referral.status, by=actor)
        if organization.haven_agency is not None:
            packet_seal(referral, organization.haven_agency, content)
        _need_follows(actor, referral)
        step_advance(case, Step.COLLABORATION, StepState.IN_PROGRESS, actor)
        audit_record(
            action=Action.REFERRAL_SENT,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={
                "referral": str(referral.pk),
                "kinds": kinds,
                "to_agency": organization.haven_agency_id,
                "outside_expertise": referral.outside_expertise,
            },
        )
        return referral

    referral, _disclosure = disclose(
        actor=actor,
        case=case,
        recipient=Recipient.of(organization),
        purpose=request.purpose,
        kinds=kinds,
        basis=Basis.CONSENT,
        channel="referral",
        record=record,
    )
    return referral


def _need_follows(actor: User, referral: Referral) -> None:
    """The need moves with its referral; a declined or withdrawn one puts it
    back to identified unless another referral for it is still open."""
    need = referral.need
    if need is None:
        return
    wanted = _NEED_FOLLOWS.get(ReferralStatus(referral.status))
    if wanted is None:
        others_open = (
            Referral.objects.filter(need=need, status__in=OPEN_STATUSES)
            .exclude(pk=referral.pk)
            .exists()
        )
        if others_open or need.status in (NeedStatus.MET, NeedStatus.DECLINED):
            return
        wanted = NeedStatus.IDENTIFIED
    if need.status == wanted:
        return
    need.status = wanted
    need.save(update_fields=["status", "updated_at"])
    NeedChange.objects.create(need=need, status=wanted, rank=need.rank, by=actor)


def _role_in(referral: Referral, actor: User) -> str:
    """ "receiver", "sender", or "" for anyone else (who gets a 404)."""
    if (
        referral.to_agency_id is not None
        and actor.agency_id == referral.to_agency_id
        and may_receive_referrals(actor)
    ):
        return "receiver"
    if actor.agency_id == referral.case.agency_id and may_refer(actor):
        return "sender"
    return ""


def allowed_moves(referral: Referral, actor: User) -> set[str]:
    """The statuses ``actor`` may move ``referral`` to now."""
    side = _role_in(referral, actor)
    status = ReferralStatus(referral.status)
    if side == "receiver":
        return set(_RECEIVER_MOVES.get(status, set()))
    if side == "sender":
        table = _SENDER_MOVES if referral.to_agency_id else _SENDER_MOVES_FOR_OUTSIDE
        return set(table.get(status, set()))
    return set()


def referral_move(*, actor: User, referral: Referral, status: str, outcome: str = "") -> Referral:
    """Accept, decline, complete or withdraw a referral, with what came of it."""
    if not _role_in(referral, actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    outcome = outcome.strip()
    check_texts(errors, [("outcome", outcome, limits.NOTE)])
    if status not in allowed_moves(referral, actor):
        errors.setdefault("status", []).append(_("This referral cannot move to that state now."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fresh = Referral.objects.select_for_update().get(pk=referral.pk)
        if fresh.status != referral.status:
            raise ValidationError(
                {"status": [_("Someone changed this referral meanwhile. Look again.")]}
            )
        referral.status = status
        if status == ReferralStatus.WITHDRAWN:
            # The sender's words on withdrawing are a case note nobody consented
            # to share: kept apart from what the receiving agency reads.
            referral.withdrawal_note = outcome or None
        elif outcome:
            referral.outcome = outcome
        referral.save(update_fields=["status", "outcome", "withdrawal_note", "updated_at"])
        ReferralChange.objects.create(referral=referral, status=status, by=actor)
        if status in (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN):
            packet_destroy(referral)
        _need_follows(actor, referral)
        if status == ReferralStatus.COMPLETED:
            step_advance(referral.case, Step.COLLABORATION, StepState.DONE, actor)
        audit_record(
            action=Action.REFERRAL_CHANGED,
            actor=actor,
            object_type="referral",
            object_id=referral.pk,
            detail={"status": status},
        )
    return referral


def withdraw_for_revoked_consent(*, actor: User, referral: Referral) -> None:
    """Withdraw a referral because the consent it went under was withdrawn
    (called inside the withdrawal's transaction)."""
    referral.status = ReferralStatus.WITHDRAWN
    referral.save(update_fields=["status", "updated_at"])
    ReferralChange.objects.create(referral=referral, status=referral.status, by=actor)
    packet_destroy(referral)
    _need_follows(actor, referral)
    audit_record(
        action=Action.REFERRAL_CHANGED,
        actor=actor,
        object_type="referral",
        object_id=referral.pk,
        detail={"status": referral.status, "because": "consent_withdrawn"},
    )
