"""Two people for the irreversible: a second supervisor approves, then it happens.

Destroying a person's record cannot be undone. Where the agency's rule asks
for it (on by default once it has more than one supervisor), a supervisor's
request waits until another supervisor of the same agency approves it with
a fresh second factor; the approval carries the action out at once, in the
same transaction, as the requester. A request lives 72 hours. Both sides
are audited, and the rows name the object by id only.

The actions are registered by the apps that own them (``register``), so this
module knows no person, case or export: it keeps the request, the rules of
who may answer it, and the clock (docs/adr/0029-step-up-and-two-person-approval.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from haven.accounts.models import Approval, Membership, Role, TwoPersonRule, User
from haven.accounts.policies import may_approve, may_set_two_person_rule
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound

APPROVAL_LIFETIME = timedelta(hours=72)


@dataclass(frozen=True)
class Irreversible:
    """An action that may wait for a second supervisor.

    ``carry_out`` does it as the requester (checking again that they still
    may); ``link`` is where an approver can look at what it concerns, if
    anywhere.
    """

    kind: str
    title: str | Promise
    carry_out: Callable[[Approval], None]
    link: Callable[[Approval], str | None]


_REGISTRY: dict[str, Irreversible] = {}


def register(action: Irreversible) -> None:
    _REGISTRY[action.kind] = action


def registered(kind: str) -> Irreversible:
    return _REGISTRY[kind]


def kinds() -> list[str]:
    return sorted(_REGISTRY)


# --- The agency's rule ---


def supervisors_count(agency_id: int) -> int:
    return (
        Membership.objects.filter(
            role=Role.SUPERVISOR, user__agency_id=agency_id, user__is_active=True
        )
        .values("user_id")
        .distinct()
        .count()
    )


def rule_setting(agency_id: int) -> bool | None:
    """The agency's own choice: True, False, or None to follow the default."""
    return (
        TwoPersonRule.objects.filter(agency_id=agency_id).values_list("required", flat=True).first()
    )


def two_people_required(agency_id: int) -> bool:
    setting = rule_setting(agency_id)
    if setting is None:
        return supervisors_count(agency_id) > 1
    return setting


def rule_set(*, actor: User, required: bool | None) -> None:
    """Set the agency's rule (None: the default). Administrators, after a step-up."""
    if not may_set_two_person_rule(actor):
        raise NotFound
    with transaction.atomic():
        TwoPersonRule.objects.update_or_create(
            agency_id=actor.agency_id,
            defaults={"required": required, "changed_at": timezone.now()},
        )
        audit_record(
            action=Action.TWO_PERSON_RULE_CHANGED,
            actor=actor,
            object_type="agency",
            object_id=actor.agency_id,
            detail={"required": required},
        )


# --- Requests and answers ---


def approval_request(*, actor: User, kind: str, object_id: str) -> Approval:
    """Ask for a second supervisor; the same request again returns the one waiting."""
    registered(kind)
    now = timezone.now()
    with transaction.atomic():
        waiting = (
            Approval.objects.select_for_update()
            .filter(
                agency_id=actor.agency_id,
                kind=kind,
                object_id=object_id,
                state=Approval.State.WAITING,
                expires_at__gt=now,
            )
            .first()
        )
        if waiting is not None:
            return waiting
        approval = Approval.objects.create(
            agency_id=actor.agency_id,
            kind=kind,
            object_id=object_id,
            requested_by=actor,
            requested_at=now,
            expires_at=now + APPROVAL_LIFETIME,
        )
        _audit(Action.APPROVAL_REQUESTED, actor, approval)
    return approval


def waiting_for(*, kind: str, object_id: str, agency_id: int) -> Approval | None:
    """The request still waiting (and not expired) for this object, if any."""
    return (
        Approval.objects.filter(
            agency_id=agency_id,
            kind=kind,
            object_id=object_id,
            state=Approval.State.WAITING,
            expires_at__gt=timezone.now(),
        )
        .select_related("requested_by")
        .first()
    )


def waiting_count(user: User) -> int:
    """How many of the agency's requests wait for this supervisor's answer
    (not their own): the number beside Approvals in the menu."""
    if not may_approve(user):
        return 0
    return (
        Approval.objects.filter(
            agency_id=user.agency_id, state=Approval.State.WAITING, expires_at__gt=timezone.now()
        )
        .exclude(requested_by=user)
        .count()
    )


def approvals_of(*, user: User) -> QuerySet[Approval]:
    """The agency's requests a supervisor sees: those waiting first, then the
    last month's answered ones. Another agency's requests never appear."""
    if not may_approve(user):
        raise NotFound
    since = timezone.now() - timedelta(days=30)
    return (
        Approval.objects.filter(agency_id=user.agency_id, requested_at__gte=since)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at")
    )


def approval_get(*, user: User, approval_id: uuid.UUID) -> Approval:
    found = approvals_of(user=user).filter(pk=approval_id).first()
    if found is None:
        raise NotFound
    return found


def approval_decide(*, actor: User, approval_id: uuid.UUID, approve: bool) -> Approval:
    """A second supervisor's answer. Approving carries the action out in the
    same transaction: if it can no longer be done, nothing changes."""
    now = timezone.now()
    with transaction.atomic():
        approval = (
            Approval.objects.select_for_update()
            .filter(pk=approval_id, agency_id=actor.agency_id)
            .first()
        )
        if approval is None or not may_approve(actor):
            raise NotFound
        _check_answerable(approval, actor, now)
        approval.state = Approval.State.APPROVED if approve else Approval.State.DECLINED
        approval.decided_by = actor
        approval.decided_at = now
        approval.save(update_fields=["state", "decided_by", "decided_at"])
        if approve:
            registered(approval.kind).carry_out(approval)
        _audit(Action.APPROVAL_GRANTED if approve else Action.APPROVAL_DECLINED, actor, approval)
    return approval


def approval_withdraw(*, actor: User, approval_id: uuid.UUID) -> None:
    """The requester takes their request back."""
    with transaction.atomic():
        approval = (
            Approval.objects.select_for_update()
            .filter(pk=approval_id, agency_id=actor.agency_id, requested_by=actor)
            .first()
        )
        if approval is None:
            raise NotFound
        if approval.state != Approval.State.WAITING:
            raise ValidationError(_("This request was already answered."))
        approval.state = Approval.State.WITHDRAWN
        approval.decided_at = timezone.now()
        approval.save(update_fields=["state", "decided_at"])
        _audit(Action.APPROVAL_WITHDRAWN, actor, approval)


def _check_answerable(approval: Approval, actor: User, now: datetime) -> None:
    if approval.state != Approval.State.WAITING:
        raise ValidationError(_("This request was already answered."))
    if approval.is_expired(now):
        raise ValidationError(
            _(
                "This request expired: a request waits 72 hours at most. "
                "The supervisor who asked can ask again."
            )
        )
    if approval.requested_by_id == actor.pk:
        raise ValidationError(
            _("You asked for this, so another supervisor of the agency must approve it.")
        )


def _audit(action: Action, actor: User, approval: Approval) -> None:
    audit_record(
        action=action,
        actor=actor,
        object_type="approval",
        object_id=approval.pk,
        detail={
            "kind": approval.kind,
            "object_id": approval.object_id,
            "requested_by": approval.requested_by_id,
        },
    )
