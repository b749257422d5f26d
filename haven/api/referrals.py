"""Referrals in the API: sending one through the gate, the sender's view,
and the receiving agency's queue. Schemas and routing only.

The sending agency reaches a referral through its case, opened with
``haven.api.common.case_for`` (so through ``haven.people.selectors.case_get``):
reading needs a role that sees the protocol, sending and moving one a role
that may refer. A refusal answers 404 like a case that does not exist and
leaves no audit event; an allowed read is audited there.

The receiving agency (another agency on this installation) reaches it only
through ``haven.referrals.selectors.inbox_get``, which audits the opening and
shows the packet: exactly what the person consented to, nothing of the case.

A referral named by its id is first looked up for its two agencies only, so
that an agency that is neither answers 404 before anything is read or
audited. The rules live in ``haven.referrals.services``; a refusal, the
disclosure gate's included, answers 422 at the field it is about.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import StrictBool

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.api.common import NOT_FOUND, REFUSED, WRITE_FAILURES, case_for, out, text, uuid_or_404
from haven.api.inputs import CaseQuery, Coded, InfoKindCode, Input, Note, OptionalDay, PurposeCode
from haven.consent.models import InfoKind, Purpose
from haven.consent.policies import may_see_disclosures
from haven.core.errors import NotFound
from haven.protocol.needs import category_label
from haven.referrals import selectors, services
from haven.referrals.models import Referral, ReferralPacket, ReferralStatus
from haven.referrals.packet import packet_read
from haven.referrals.policies import may_refer
from haven.referrals.services import ReferralRequest

router = Router(tags=["referrals"])

# As many as the receiving agency's page lists.
INBOX_SIZE = 200

# --- Input types ---------------------------------------------------------------------


# The moves of haven.referrals.models.ReferralStatus ("sent" is where one starts).
MoveCode = Literal["accepted", "declined", "completed", "withdrawn"]


class ReferralIn(Input):
    case: uuid.UUID = Field(description="The case of the person referred.")
    need: uuid.UUID = Field(description="The need of the case it answers (see /needs).")
    organization: uuid.UUID = Field(description="A partner of your agency's directory.")
    service: uuid.UUID | None = Field(default=None, description="One of the partner's services.")
    purpose: PurposeCode
    kinds: list[InfoKindCode] = Field(
        max_length=len(InfoKind.values),
        description="What is shared: a consent in force must cover every kind.",
    )
    message: Note = Field(
        default="", description="To the partner. A case note: only when sharing notes."
    )
    follow_up_on: OptionalDay = Field(default=None, description="YYYY-MM-DD, within a year.")
    outside_expertise_confirmed: StrictBool = Field(
        default=False,
        description="The partner does not list this need: you checked with them, send anyway.",
    )


class MoveIn(Input):
    status: MoveCode = Field(
        description="The receiving agency accepts, declines and completes; the sender "
        "withdraws, and records the answer of a partner outside Haven."
    )
    outcome: Note = ""


# --- Output types ------------------------------------------------------------------


class NeedRefOut(Schema):
    id: uuid.UUID
    label: str


class SentFieldOut(Schema):
    name: str = Field(description="A field of the person record, or a safety plan section.")
    value: str


class SentOut(Schema):
    """What left, as it was sent: only the kinds the consent covered."""

    need: str
    fields: list[SentFieldOut]
    needs: list[str]
    safety_plan: list[SentFieldOut]
    message: str


class ReferralOut(Schema):
    """A referral as the sending agency sees it."""

    side: Literal["sender"] = "sender"
    id: uuid.UUID
    case_id: uuid.UUID
    need: NeedRefOut | None = Field(description="Null if the need was removed since.")
    partner: str = Field(description="The partner's name when it was sent.")
    organization_id: uuid.UUID | None
    service_id: uuid.UUID | None
    to_agency: bool = Field(description="Sent to an agency on this installation, into its queue.")
    purpose: Annotated[str, Coded(Purpose)]
    kinds: list[InfoKindCode]
    status: Annotated[str, Coded(ReferralStatus)]
    follow_up_on: date | None
    outside_expertise: bool
    sent_at: datetime
    sent_by: str
    outcome: str
    sent: SentOut
    moves: list[Annotated[str, Coded(ReferralStatus)]] = Field(
        description="The statuses you may move it to now."
    )


class InboxItemOut(Schema):
    """A referral in the receiving agency's queue: nothing about the person."""

    id: uuid.UUID
    from_agency: str
    purpose: Annotated[str, Coded(Purpose)]
    status: Annotated[str, Coded(ReferralStatus)]
    sent_at: datetime
    follow_up_on: date | None


class PacketLineOut(Schema):
    label: str
    value: str


class PacketOut(Schema):
    need: str
    person: list[PacketLineOut]
    needs: list[str]
    safety_plan: list[PacketLineOut]
    message: str


class ReceivedOut(Schema):
    """A referral as the receiving agency sees it."""

    side: Literal["receiver"] = "receiver"
    id: uuid.UUID
    from_agency: str
    purpose: Annotated[str, Coded(Purpose)]
    status: Annotated[str, Coded(ReferralStatus)]
    sent_at: datetime
    packet: PacketOut | None = Field(description="Null once declined or withdrawn: destroyed.")
    moves: list[str] = Field(description="The statuses you may move it to now.")


# --- Helpers -------------------------------------------------------------------------

ReferralId = PathEx[str, P(description="The referral's id, a UUID.")]


def _pairs(value: Any) -> list[SentFieldOut]:
    return [SentFieldOut(name=str(name), value=str(text)) for name, text in value or []]


def _sent_out(content: str | None) -> SentOut:
    sent = json.loads(content or "{}")
    return SentOut(
        need=str(sent.get("need", "")),
        fields=_pairs(sent.get("fields")),
        needs=[str(n) for n in sent.get("needs", [])],
        safety_plan=_pairs(sent.get("safety_plan")),
        message=str(sent.get("message", "")),
    )


def _referral_out(user: User, referral: Referral) -> ReferralOut:
    need = referral.need
    return out(
        ReferralOut,
        referral,
        need=None if need is None else NeedRefOut(id=need.pk, label=category_label(need.category)),
        partner=text(referral.partner_label),
        to_agency=referral.to_agency_id is not None,
        sent_by=referral.sent_by.display_name,
        sent=_sent_out(referral.content),
        moves=sorted(services.allowed_moves(referral, user)),
    )


def _received_out(user: User, referral: Referral, packet: ReferralPacket | None) -> ReceivedOut:
    view = None if packet is None else packet_read(packet)
    return out(
        ReceivedOut,
        referral,
        from_agency=referral.case.agency.name,
        packet=None
        if view is None
        else out(
            PacketOut,
            view,
            person=[out(PacketLineOut, ln) for ln in view.person],
            safety_plan=[out(PacketLineOut, ln) for ln in view.safety_plan],
        ),
        moves=sorted(services.allowed_moves(referral, user)),
    )


def _side_of(user: User, referral_id: str) -> tuple[str, uuid.UUID, uuid.UUID]:
    """Which agency of the referral the user belongs to ("sender" or
    "receiver"), its id and its case's id. Only the agencies are read, so an
    agency that is neither answers 404 before anything is read or audited."""
    wanted = uuid_or_404(referral_id)
    found = (
        Referral.objects.filter(pk=wanted)
        .values_list("case_id", "case__agency_id", "to_agency_id")
        .first()
    )
    if found is None:
        raise NotFound
    case_id, sending_agency, receiving_agency = found
    if user.agency_id == sending_agency:
        return "sender", wanted, case_id
    if receiving_agency is not None and user.agency_id == receiving_agency:
        return "receiver", wanted, case_id
    raise NotFound


def _sent_referral(
    request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID, *, write: bool
) -> tuple[User, Referral]:
    """At the sending agency: the referral through its case, opened (and
    audited) only if the user may open it and the action's policy allows."""
    user, case = case_for(request, case_id, may_refer if write else may_see_disclosures)
    return user, selectors.referral_of_case(case, referral_id)


# --- Routes --------------------------------------------------------------------------
# /referrals/inbox comes before /referrals/{referral_id}, which would take it.


@router.get(
    "/referrals",
    response={200: list[ReferralOut], **NOT_FOUND, **REFUSED},
)
def referral_list(
    request: HttpRequest,
    case: CaseQuery,
) -> list[ReferralOut]:
    """The referrals of a case, newest first."""
    user, found = case_for(request, case, may_see_disclosures)
    return [_referral_out(user, r) for r in selectors.referrals_of(found)]


@router.post(
    "/referrals",
    response={201: ReferralOut, **WRITE_FAILURES},
)
def referral_send(request: HttpRequest, referral: ReferralIn) -> Status[ReferralOut]:
    """Send a need of the person to a partner.

    Through the disclosure gate: a consent in force must name the partner (or a category it
    belongs to), the purpose and every kind shared. A refusal answers 422 with the gate's
    reason, located at the body as a whole, and is recorded in the audit trail. A partner on
    this installation receives only what was shared. Advocates and supervisors only.
    """
    user, case = case_for(request, referral.case, may_refer)
    wanted = ReferralRequest(
        need_id=referral.need,
        organization_id=referral.organization,
        service_id=referral.service,
        purpose=referral.purpose,
        kinds=list(referral.kinds),
        message=referral.message,
        follow_up_on=referral.follow_up_on,
        outside_expertise_confirmed=referral.outside_expertise_confirmed,
    )
    # The gate's refusal (DisclosureRefused) is a ValidationError: its reason,
    # in words for staff, is about the request as a whole.
    row = services.referral_send(actor=user, case=case, request=wanted)
    return Status(201, _referral_out(user, row))


@router.get(
    "/referrals/inbox",
    response={200: list[InboxItemOut], **NOT_FOUND},
)
def referral_inbox(request: HttpRequest) -> list[InboxItemOut]:
    """Referrals other agencies sent to yours, newest first.

    The newest 200: who sent them, why and when, nothing about the person. Advocates and
    supervisors only.
    """
    user = authenticated_user(request)
    return [
        out(InboxItemOut, r, from_agency=r.case.agency.name)
        for r in selectors.inbox(user=user)[:INBOX_SIZE]
    ]


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralOut | ReceivedOut, **NOT_FOUND},
)
def referral_detail(request: HttpRequest, referral_id: ReferralId) -> ReferralOut | ReceivedOut:
    """One referral, as your side of it sees it.

    `side` says which: the sending agency sees the referral and what was sent; the receiving
    agency sees the packet (exactly what the person consented to share), and opening it is
    recorded in the audit trail.
    """
    user = authenticated_user(request)
    side, wanted, case_id = _side_of(user, referral_id)
    if side == "receiver":
        found = selectors.inbox_get(user=user, referral_id=wanted)
        return _received_out(user, found, getattr(found, "packet", None))
    user, found = _sent_referral(request, case_id, wanted, write=False)
    return _referral_out(user, found)


@router.post(
    "/referrals/{referral_id}/status",
    response={200: ReferralOut | ReceivedOut, **WRITE_FAILURES},
)
def referral_move(
    request: HttpRequest, referral_id: ReferralId, change: MoveIn
) -> ReferralOut | ReceivedOut:
    """Accept, decline, complete or withdraw a referral.

    The receiving agency accepts, declines and completes; the sending agency withdraws, and for
    a partner outside Haven records its answer. The need follows. Declining or withdrawing
    destroys the receiving agency's packet. A move not allowed now answers 422.
    """
    user = authenticated_user(request)
    side, wanted, case_id = _side_of(user, referral_id)
    if side == "receiver":
        found = selectors.inbox_get(user=user, referral_id=wanted)
    else:
        user, found = _sent_referral(request, case_id, wanted, write=True)
    services.referral_move(actor=user, referral=found, status=change.status, outcome=change.outcome)
    if side == "receiver":
        # Only the packet is read again: a decline destroyed the one the first read holds.
        packet = ReferralPacket.objects.filter(referral=found).select_related("data_key").first()
        return _received_out(user, found, packet)
    return _referral_out(user, found)


routers = (router,)
