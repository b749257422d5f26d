"""The hourly limit of visitor check-ins for each staff member
(docs/adr/0016-staff-safety.md).

Every check-in screens a name against the persons of concern and may raise
an alert, so checking names in one after another would tell whoever holds a
desk account (or has taken one over) who is on the list. Once a staff member
has checked in HAVEN_CHECKINS_PER_HOUR visitors in the last hour, the next
check-in is refused: nothing of the visitor is written or screened, the
refusal is audited, and the staff who receive visitor alerts are told, once
an hour for each staff member rather than at every refused attempt.

The count is read from the visits themselves, so the limit holds across
workers and restarts and needs no counter of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import ngettext

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.safety.models import CheckInAlert, Visit
from haven.safety.selectors import alert_recipients

WINDOW = timedelta(hours=1)


class CheckInsPaused(ValidationError):
    """A check-in refused because its staff member reached the hourly limit:
    a refusal of the form as a whole, saying when they can go on."""


def paused_until(*, actor: User, now: datetime) -> datetime | None:
    """When ``actor`` may check the next visitor in, if they have reached the
    limit; None when they may now.

    Call it inside the check-in's transaction: on PostgreSQL it first locks
    the staff member's row, so that two check-ins at once, from two tabs or
    two workers, count each other (on SQLite every write transaction already
    holds the database's write lock)."""
    if connection.features.has_select_for_update:
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
    limit = settings.HAVEN_CHECKINS_PER_HOUR
    latest = list(
        Visit.objects.filter(screened_by=actor, checked_in_at__gt=now - WINDOW)
        .order_by("-checked_in_at")
        .values_list("checked_in_at", flat=True)[:limit]
    )
    if len(latest) < limit:
        return None
    # The next one may come when the oldest of the last ``limit`` is an hour old.
    return latest[-1] + WINDOW


def _at_the_minute(moment: datetime) -> str:
    """``moment`` as the desk reads a clock, rounded up to the next minute:
    "at 14:36" must not be refused at 14:36."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return formats.time_format(local, "H:i")


def check_ins_refused(*, actor: User, now: datetime, resume_at: datetime) -> CheckInsPaused:
    """Record that ``actor``'s check-in was refused, tell the alert recipients
    the first time this hour, and return the refusal for the desk.

    Inside the check-in's transaction: the caller raises the refusal once
    that transaction has committed, so the record and the alert stay."""
    alerted = CheckInAlert.objects.filter(desk_user=actor, raised_at__gt=now - WINDOW).exists()
    if not alerted:
        alert = CheckInAlert.objects.create(
            agency_id=actor.agency_id, desk_user=actor, raised_at=now
        )
        audit_record(
            action=Action.VISITOR_ALERT_RAISED,
            actor=actor,
            object_type="check_in_alert",
            object_id=alert.pk,
            detail={"recipients": sorted(u.pk for u in alert_recipients(actor.agency_id))},
        )
    limit = settings.HAVEN_CHECKINS_PER_HOUR
    audit_record(
        action=Action.VISITOR_CHECK_IN_REFUSED,
        actor=actor,
        object_type="user",
        object_id=actor.pk,
        detail={"limit": limit, "alerted": not alerted},
    )
    return CheckInsPaused(
        ngettext(
            "You have checked in %(limit)d visitor in the last hour, the most one person "
            "may. You can check in the next one at %(time)s. If visitors are waiting, ask a "
            "colleague, a supervisor or an administrator to check them in.",
            "You have checked in %(limit)d visitors in the last hour, the most one person "
            "may. You can check in the next one at %(time)s. If visitors are waiting, ask a "
            "colleague, a supervisor or an administrator to check them in.",
            limit,
        )
        % {"limit": limit, "time": _at_the_minute(resume_at)}
    )
