"""Reads of referrals: a case's own (its case already opened and audited),
and a receiving agency's queue, which shows nothing of the case itself."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound
from haven.people.models import Case
from haven.referrals.models import OPEN_STATUSES, Referral
from haven.referrals.policies import may_receive_referrals


def referrals_of(case: Case) -> list[Referral]:
    return list(
        Referral.objects.filter(case=case)
        .select_related("data_key", "need__category", "sent_by")
        .order_by("-sent_at")
    )


def referral_of_case(case: Case, referral_id: uuid.UUID) -> Referral:
    found = (
        Referral.objects.filter(case=case, pk=referral_id)
        .select_related("data_key", "need__category", "sent_by", "case__agency")
        .first()
    )
    if found is None:
        raise NotFound
    return found


def inbox(*, user: User) -> QuerySet[Referral]:
    """Referrals sent to the user's agency: open ones first, newest first.
    Only the referral's own columns: nothing of the sending case."""
    if not may_receive_referrals(user):
        raise NotFound
    return (
        Referral.objects.filter(to_agency_id=user.agency_id)
        .select_related("case__agency")
        .only("id", "status", "purpose", "sent_at", "follow_up_on", "case__agency__name")
        .order_by("-sent_at")
    )


def inbox_open_count(*, user: User) -> int:
    if not may_receive_referrals(user):
        return 0
    return Referral.objects.filter(to_agency_id=user.agency_id, status__in=OPEN_STATUSES).count()


def inbox_get(*, user: User, referral_id: uuid.UUID) -> Referral:
    """One referral sent to the user's agency, with its packet: opening it
    shows the consented information, so the read is audited."""
    if not may_receive_referrals(user):
        raise NotFound
    found = (
        Referral.objects.filter(to_agency_id=user.agency_id, pk=referral_id)
        .select_related("packet__data_key", "case__agency", "need", "sent_by")
        .first()
    )
    if found is None:
        raise NotFound
    audit_record(
        action=Action.REFERRAL_VIEWED,
        actor=user,
        object_type="referral",
        object_id=found.pk,
        detail={},
    )
    return found


def awaiting_reply(cases: QuerySet[Case]) -> list[Referral]:
    """The referrals of ``cases`` (scoped by the caller to what its user may
    open) still marked sent whose follow-up day has come: ids and dates
    only, for the dashboard."""
    return list(
        Referral.objects.filter(
            case__in=cases.values("pk"),
            status="sent",
            follow_up_on__lte=timezone.localdate(),
        )
        .only("id", "case_id", "follow_up_on", "purpose")
        .order_by("follow_up_on", "id")[:50]
    )
