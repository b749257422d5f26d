"""Emergency lockdown: one agency shut for a day to a week, at once.

While a lockdown runs, every session and API token of the agency is ended,
and nobody of that agency can sign in or keep working except its designated
lockdown administrators. Other agencies on the installation go on as before.
It ends by itself at the time chosen, or earlier when a lockdown
administrator ends it (two of them, when the agency's policy says so).
Starting and ending take a fresh second-factor code
(docs/adr/0016-staff-safety.md).

The rule is checked on every request (``locked_out``), so it holds within one
request even for a session or token that ending them somehow missed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from allauth.usersessions.models import UserSession
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import ApiToken, User
from haven.accounts.services import user_sessions_end
from haven.accounts.stepup import WRONG_CODE, second_factor_valid
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import keys, limits
from haven.core.errors import NotFound
from haven.core.text import check_texts
from haven.safety.models import Designation, Lockdown, SafetyPolicy
from haven.safety.policies import may_be_lockdown_admin

MIN_DAYS = 1
MAX_DAYS = 7


def _running_q(now: datetime) -> Q:
    return Q(ended_at__isnull=True) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def running_lockdown(agency_id: int) -> Lockdown | None:
    """The agency's lockdown in force now, or None. One indexed query."""
    return (
        Lockdown.objects.filter(_running_q(timezone.now()), agency_id=agency_id)
        .select_related("data_key")
        .first()
    )


def is_lockdown_admin(user: User) -> bool:
    return (
        may_be_lockdown_admin(user)
        and Designation.objects.filter(user=user, duty=Designation.Duty.LOCKDOWN).exists()
    )


def lockdown_admins(agency_id: int) -> list[User]:
    designated = Designation.objects.filter(
        agency_id=agency_id, duty=Designation.Duty.LOCKDOWN
    ).values("user_id")
    return [
        user
        for user in User.objects.filter(pk__in=designated, agency_id=agency_id, is_active=True)
        if may_be_lockdown_admin(user)
    ]


def locked_out(user: User) -> bool:
    """Whether ``user`` must be kept out now: their agency is locked down and
    they are not one of its lockdown administrators."""
    if not Lockdown.objects.filter(_running_q(timezone.now()), agency_id=user.agency_id).exists():
        return False
    return not is_lockdown_admin(user)


def two_to_end(agency_id: int) -> bool:
    return SafetyPolicy.objects.filter(agency_id=agency_id, two_to_end_lockdown=True).exists()


def _close_expired(agency_id: int) -> None:
    """Record as ended the lockdowns whose time has run out, so the history
    says when each ended and a new one can start."""
    now = timezone.now()
    for lockdown in Lockdown.objects.filter(
        agency_id=agency_id, ended_at__isnull=True, ends_at__lte=now
    ):
        Lockdown.objects.filter(pk=lockdown.pk, ended_at__isnull=True).update(
            ended_at=lockdown.ends_at
        )
        audit_record(
            action=Action.LOCKDOWN_ENDED,
            agency=lockdown.agency,
            object_type="lockdown",
            object_id=lockdown.pk,
            detail={"by": "time"},
        )


def lockdown_current(*, actor: User) -> Lockdown | None:
    """The running lockdown of the actor's agency, for its lockdown page."""
    if not is_lockdown_admin(actor):
        raise NotFound
    with transaction.atomic():
        _close_expired(actor.agency_id)
    return running_lockdown(actor.agency_id)


def lockdown_start(
    *,
    actor: User,
    reason: str,
    days: int | None,
    second_factor: str,
    keep_session: str | None = None,
) -> Lockdown:
    """Lock the actor's agency down for ``days`` (None: until ended).

    Every session of the agency ends, except ``keep_session`` (the starting
    administrator's own), and every API token is revoked.
    """
    if not is_lockdown_admin(actor):
        raise NotFound
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    check_texts(errors, [("reason", reason, limits.SHORT_NOTE)])
    if not reason:
        errors.setdefault("reason", []).append(_("Say why, for the record."))
    if days is not None and not MIN_DAYS <= days <= MAX_DAYS:
        errors["days"] = [
            _("A lockdown lasts from %(low)d to %(high)d days, or until it is ended.")
            % {"low": MIN_DAYS, "high": MAX_DAYS}
        ]
    if two_to_end(actor.agency_id) and len(lockdown_admins(actor.agency_id)) < 2:
        errors.setdefault("__all__", []).append(
            _(
                "Your agency's policy needs two lockdown administrators to end a "
                "lockdown early, and fewer than two are designated."
            )
        )
    if errors:
        raise ValidationError(errors)
    if not second_factor_valid(actor, second_factor):
        raise ValidationError({"second_factor": [str(WRONG_CODE)]})
    now = timezone.now()
    try:
        with transaction.atomic():
            _close_expired(actor.agency_id)
            if running_lockdown(actor.agency_id) is not None:
                raise ValidationError(_("A lockdown is already running."))
            lockdown = Lockdown(
                id=uuid.uuid4(),
                agency_id=actor.agency_id,
                data_key_id=keys.data_key_create(actor.agency)[0].pk,
                started_at=now,
                started_by=actor,
                ends_at=now + timedelta(days=days) if days is not None else None,
                two_to_end=two_to_end(actor.agency_id),
            )
            lockdown.reason = reason
            lockdown.save()
            sessions, tokens = _end_access(actor.agency_id, keep_session=keep_session)
            audit_record(
                action=Action.LOCKDOWN_STARTED,
                actor=actor,
                object_type="lockdown",
                object_id=lockdown.pk,
                detail={"days": days, "sessions_ended": sessions, "tokens_revoked": tokens},
            )
    except IntegrityError as error:
        # Two administrators pressing the button at once: one lockdown wins.
        raise ValidationError(_("A lockdown is already running.")) from error
    return lockdown


def _end_access(agency_id: int, *, keep_session: str | None) -> tuple[int, int]:
    """End every session of the agency's staff but one, and revoke every token."""
    sessions = user_sessions_end(
        UserSession.objects.filter(user__agency_id=agency_id).exclude(
            session_key=keep_session or ""
        )
    )
    tokens = ApiToken.objects.filter(user__agency_id=agency_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return sessions, tokens


def lockdown_end(*, actor: User, lockdown_id: uuid.UUID, second_factor: str) -> bool:
    """End the running lockdown early. Returns True when it ended, False when
    the agency's policy needs a second administrator and this was the first."""
    if not is_lockdown_admin(actor):
        raise NotFound
    lockdown = running_lockdown(actor.agency_id)
    if lockdown is None or lockdown.pk != lockdown_id:
        raise ValidationError(_("This lockdown is no longer running."))
    if not second_factor_valid(actor, second_factor):
        raise ValidationError({"second_factor": [str(WRONG_CODE)]})
    now = timezone.now()
    with transaction.atomic():
        row = Lockdown.objects.select_for_update().get(pk=lockdown.pk)
        if row.ended_at is not None:
            raise ValidationError(_("This lockdown is no longer running."))
        if row.two_to_end:
            if row.end_requested_by_id is None:
                row.end_requested_by = actor
                row.end_requested_at = now
                row.save(update_fields=["end_requested_by", "end_requested_at"])
                audit_record(
                    action=Action.LOCKDOWN_END_REQUESTED,
                    actor=actor,
                    object_type="lockdown",
                    object_id=row.pk,
                )
                return False
            if row.end_requested_by_id == actor.pk:
                raise ValidationError(
                    _("A second lockdown administrator must confirm the end of this lockdown.")
                )
        row.ended_at = now
        row.ended_by = actor
        row.save(update_fields=["ended_at", "ended_by"])
        audit_record(
            action=Action.LOCKDOWN_ENDED,
            actor=actor,
            object_type="lockdown",
            object_id=row.pk,
            detail={"by": "administrator", "confirmed_by": row.end_requested_by_id},
        )
    return True


def sign_in_refused(username: str) -> bool:
    """Whether a sign-in with ``username`` must be refused because of a
    lockdown, before any password is checked; the attempt is audited."""
    user = (
        User.objects.filter(username__iexact=(username or "").strip())
        .select_related("agency")
        .first()
        if username and len(username) <= 150
        else None
    )
    if user is None or not locked_out(user):
        return False
    audit_record(
        action=Action.LOCKDOWN_SIGN_IN_REFUSED,
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
    )
    return True


def refuse_signed_in(request: HttpRequest, user: object) -> bool:
    """Sign out a signed-in member of a locked-down agency who is not one of
    its lockdown administrators; True when they were (audited)."""
    if not (isinstance(user, User) and user.is_authenticated and locked_out(user)):
        return False
    audit_record(
        action=Action.LOCKDOWN_SESSION_ENDED, actor=user, object_type="user", object_id=user.pk
    )
    logout(request)
    return True
