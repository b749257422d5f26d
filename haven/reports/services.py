"""Running reports and setting the agency's threshold.

A report's period and team come from the person asking, through forms and
the API alike: ``scope_for`` checks them once and refuses with a message
(a period that ends before it starts, a team of no one's agency). Running a
report is audited with its period and team, never a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.reports.figures import Report, Scope, report
from haven.reports.models import MAX_THRESHOLD, ReportSettings
from haven.reports.policies import may_configure_reports, may_view_reports
from haven.reports.suppression import DEFAULT_THRESHOLD

EARLIEST = date(2000, 1, 1)
# A report may look this far ahead (a quarter still running ends in the future).
LATEST_AHEAD = timedelta(days=366)
LONGEST = timedelta(days=366 * 20)
LOWERING = gettext_lazy(
    "The smallest count shown can only be raised here: a lower one would publish counts"
    " that earlier reports hid. The installation's operator can lower it."
)
STALE = gettext_lazy(
    "Someone changed these settings while you were editing. Review them and save again."
)


def threshold_of(agency_id: int) -> int:
    found = ReportSettings.objects.filter(agency_id=agency_id).values_list("threshold", flat=True)
    return found.first() or DEFAULT_THRESHOLD


def settings_of(agency_id: int) -> ReportSettings:
    return ReportSettings.objects.filter(agency_id=agency_id).first() or ReportSettings(
        agency_id=agency_id
    )


def _require_reader(actor: User) -> None:
    if not may_view_reports(actor):
        raise NotFound


def scope_for(
    actor: User, *, start: date | None, end: date | None, team_id: int | None = None
) -> Scope:
    """The scope of a report ``actor`` asked for, or a ValidationError that
    says what to change."""
    _require_reader(actor)
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["start"] = [_("Enter the first day of the period.")]
    elif start < EARLIEST:
        errors["start"] = [_("Reports begin in the year 2000.")]
    if end is None:
        errors["end"] = [_("Enter the last day of the period.")]
    elif end > timezone.localdate() + LATEST_AHEAD:
        errors["end"] = [_("The period may end at most a year from today.")]
    if start and end and not errors:
        if end < start:
            errors["end"] = [_("The period must end on or after the day it starts.")]
        elif end - start > LONGEST:
            errors["end"] = [_("A report covers at most twenty years.")]
    if (
        team_id is not None
        and not Team.objects.filter(pk=team_id, agency_id=actor.agency_id).exists()
    ):
        errors["team"] = [_("Choose one of the agency's teams, or all teams.")]
    if errors or start is None or end is None:
        raise ValidationError(errors)
    return Scope(
        agency_id=actor.agency_id,
        start=start,
        end=end,
        team_id=team_id,
        threshold=threshold_of(actor.agency_id),
    )


def report_run(
    *,
    actor: User,
    scope: Scope,
    layout: str = "summary",
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Run a report for ``actor`` (audited: who, which period, which team)."""
    _require_reader(actor)
    if scope.agency_id != actor.agency_id:
        raise NotFound
    found = report(scope, progress=progress)
    audit_record(
        action=Action.REPORT_RUN,
        actor=actor,
        object_type="report",
        object_id=layout,
        detail={
            "start": scope.start.isoformat(),
            "end": scope.end.isoformat(),
            "team": scope.team_id,
        },
    )
    return found


@dataclass(frozen=True)
class SettingsChange:
    threshold: int
    version: int


def report_settings_save(*, actor: User, change: SettingsChange) -> ReportSettings:
    """Set the smallest count reports show. A stale form changes nothing."""
    if not may_configure_reports(actor):
        raise NotFound
    if not 1 <= change.threshold <= MAX_THRESHOLD:
        raise ValidationError(
            {
                "threshold": [
                    _("Choose a whole number from 1 to %(most)d.") % {"most": MAX_THRESHOLD}
                ]
            }
        )
    with transaction.atomic():
        current, _created = ReportSettings.objects.get_or_create(agency_id=actor.agency_id)
        if change.threshold < current.threshold:
            # Reports already published at the higher threshold, set beside ones
            # at a lower one, would give back the counts they hid.
            raise ValidationError({"threshold": [LOWERING]})
        previous = current.threshold
        updated = ReportSettings.objects.filter(pk=current.pk, version=change.version).update(
            threshold=change.threshold,
            version=F("version") + 1,
            updated_by=actor,
            updated_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(STALE)
        audit_record(
            action=Action.REPORT_SETTINGS_CHANGED,
            actor=actor,
            object_type="report_settings",
            object_id=current.pk,
            detail={"threshold": change.threshold, "previous": previous},
        )
    return ReportSettings.objects.get(pk=current.pk)


def report_threshold_lower(*, agency_id: int, threshold: int) -> ReportSettings:
    """The operator's way to lower an agency's threshold (manage.py
    set_report_threshold): a decision to publish smaller counts, taken
    outside the application and audited."""
    if not 1 <= threshold <= MAX_THRESHOLD:
        raise ValidationError(
            _("Choose a whole number from 1 to %(most)d.") % {"most": MAX_THRESHOLD}
        )
    with transaction.atomic():
        current, _created = ReportSettings.objects.select_for_update().get_or_create(
            agency_id=agency_id
        )
        previous = current.threshold
        ReportSettings.objects.filter(pk=current.pk).update(
            threshold=threshold,
            version=F("version") + 1,
            updated_by=None,
            updated_at=timezone.now(),
        )
        audit_record(
            action=Action.REPORT_SETTINGS_CHANGED,
            agency=current.agency,
            object_type="report_settings",
            object_id=current.pk,
            detail={"threshold": threshold, "previous": previous, "by": "operator"},
        )
    return ReportSettings.objects.get(pk=current.pk)
