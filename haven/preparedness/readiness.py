"""The agency's readiness at a glance: is it ready before anyone walks in?

Share of staff trained on each topic, policies current or overdue and the
missing ones, partner agreements on file and expiring, meeting follow-ups
still open, and two counts from the casework: mandated-report tasks open and
consents about to end. Each figure says where to go to act on it.

Counts only: nothing here names a person served. The casework counts are
agency-wide numbers published through the reports' small-number rule; the
cases behind them are on the dashboards of the staff who work them, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.consent.models import Consent
from haven.consent.selectors import EXPIRING_WITHIN
from haven.preparedness.selectors import (
    agreement_counts,
    missing_policy_kinds,
    open_meeting_follow_ups,
    policy_states,
)
from haven.protocol.models import MandatedReport
from haven.reports.services import threshold_of
from haven.reports.suppression import publish
from haven.training.selectors import topic_coverage

OK = "ok"
ATTENTION = "attention"


@dataclass(frozen=True)
class Item:
    label: str
    value: str
    state: str
    url: str
    detail: str = ""

    @property
    def needs_attention(self) -> bool:
        return self.state == ATTENTION


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]

    @property
    def attention(self) -> int:
        return sum(item.needs_attention for item in self.items)


def _share(part: int, whole: int) -> str:
    if not whole:
        return _("no staff yet")
    return _("%(part)d of %(whole)d (%(percent)d%%)") % {
        "part": part,
        "whole": whole,
        "percent": round(100 * part / whole),
    }


def _training(agency_id: int, today: date) -> Section:
    url = reverse("training:overview")
    items = []
    for topic in topic_coverage(agency_id, today):
        waiting = topic.overdue + topic.never
        detail = []
        if topic.overdue:
            detail.append(_("%(n)d overdue") % {"n": topic.overdue})
        if topic.due_soon:
            detail.append(_("%(n)d due within 30 days") % {"n": topic.due_soon})
        if topic.never:
            detail.append(_("%(n)d never trained") % {"n": topic.never})
        items.append(
            Item(
                label=topic.label,
                value=_share(topic.current, topic.staff_total),
                state=ATTENTION if waiting else OK,
                url=url,
                detail=", ".join(detail),
            )
        )
    return Section("training", _("Staff trained, by topic"), tuple(items))


_POLICY_STATES = {
    "current": (OK, gettext_lazy("Current")),
    "due_soon": (ATTENTION, gettext_lazy("Review due within 60 days")),
    "overdue": (ATTENTION, gettext_lazy("Review overdue")),
    "no_version": (ATTENTION, gettext_lazy("No approved version")),
}


def _policies(agency_id: int, today: date) -> Section:
    items = []
    for policy in policy_states(agency_id, today):
        state, words = _POLICY_STATES[policy.state]
        acknowledged = (
            _("acknowledged by %(share)s")
            % {"share": _share(policy.acknowledged, policy.staff_total)}
            if policy.version
            else ""
        )
        items.append(
            Item(
                label=f"{policy.kind_label}: {policy.title}",
                value=str(words),
                state=state,
                url=reverse("preparedness:policy", args=[policy.document_id]),
                detail=acknowledged,
            )
        )
    for _kind, label in missing_policy_kinds(agency_id):
        items.append(
            Item(
                label=label,
                value=_("No policy on file"),
                state=ATTENTION,
                url=reverse("preparedness:policy_new"),
            )
        )
    return Section("policies", _("Policies"), tuple(items))


def _partners(agency_id: int, today: date) -> Section:
    counts = agreement_counts(agency_id, today)
    agreements = reverse("preparedness:agreements")
    follow_ups = open_meeting_follow_ups(agency_id, today)
    return Section(
        "partners",
        _("Partners"),
        (
            Item(
                _("Agreements on file"),
                str(counts.on_file),
                OK if counts.on_file else ATTENTION,
                agreements,
            ),
            Item(
                _("Agreements ending within 60 days"),
                str(counts.expiring),
                ATTENTION if counts.expiring else OK,
                agreements,
            ),
            Item(
                _("Agreements expired"),
                str(counts.expired),
                ATTENTION if counts.expired else OK,
                agreements,
            ),
            Item(
                _("Meeting follow-ups not done"),
                str(follow_ups),
                ATTENTION if follow_ups else OK,
                reverse("preparedness:meetings"),
            ),
        ),
    )


def _casework(agency_id: int, today: date) -> Section:
    reports = MandatedReport.objects.filter(
        case__agency_id=agency_id, status=MandatedReport.Status.OPEN
    ).count()
    consents = Consent.objects.filter(
        case__agency_id=agency_id,
        revoked_at__isnull=True,
        starts_on__lte=today,
        expires_on__gte=today,
        expires_on__lte=today + EXPIRING_WITHIN,
    ).count()
    dashboard = reverse("desk:dashboard")
    # Counts of people served, so through the small-number rule of the
    # reports: a "1" watched day by day would follow one minor.
    threshold = threshold_of(agency_id)
    reports_shown, consents_shown = publish(reports, threshold), publish(consents, threshold)
    where = _("Listed on the dashboards of the staff who work the cases.")
    return Section(
        "casework",
        _("Casework"),
        (
            Item(
                _("Mandated-report tasks open"),
                str(reports_shown),
                ATTENTION if reports else OK,
                dashboard,
                where,
            ),
            Item(
                _("Consents ending within %(days)d days") % {"days": EXPIRING_WITHIN.days},
                str(consents_shown),
                ATTENTION if consents else OK,
                dashboard,
                where,
            ),
        ),
    )


def readiness(agency_id: int, today: date) -> list[Section]:
    return [
        _training(agency_id, today),
        _policies(agency_id, today),
        _partners(agency_id, today),
        _casework(agency_id, today),
    ]
