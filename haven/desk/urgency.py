"""The dashboard's one line per case, most urgent first.

Each feature app says what is waiting on a case, from rows stored in the
clear (ids, dates, codes); this module puts them in one order and names the
people once, through the people app's selector, audited as one list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.consent import selectors as consent_selectors
from haven.consent.policies import may_see_disclosures
from haven.core.addresses import case_address
from haven.people import selectors as people_selectors
from haven.people.models import Case
from haven.protocol import selectors as protocol_selectors
from haven.protocol.policies import may_see_protocol
from haven.referrals import selectors as referral_selectors

#: The kinds of item, most urgent first, with the case list's matching view.
KINDS: dict[str, tuple[Any, str]] = {
    "danger": (_("Danger reported"), "view=danger"),
    "report": (_("Mandated reports waiting"), "has=report"),
    "overdue": (_("Cases with overdue steps"), "view=overdue"),
    "consent": (_("Consents ending soon"), ""),
    "referral": (_("Referrals waiting for an answer"), ""),
    "new": (_("New to you"), "view=new"),
}
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

LINES_SHOWN = 50


@dataclass
class Item:
    kind: str
    # When it started to wait (danger reported, report opened, step due,
    # consent ending, follow-up day), for the order within a kind and the age.
    since: date | datetime | None = None
    step: str = ""
    count: int = 1
    # Where the item's work is done, and what it is about (no one's data).
    link: str = ""
    what: str = ""

    @property
    def days(self) -> int:
        """Days waiting (or overdue); days left for a consent ending."""
        if self.since is None:
            return 0
        # A moment counts on the agency's calendar, like today: its UTC date
        # is a day ahead every evening west of Greenwich.
        day = timezone.localdate(self.since) if isinstance(self.since, datetime) else self.since
        today = timezone.localdate()
        return (day - today).days if self.kind == "consent" else (today - day).days


@dataclass
class Line:
    case: Case
    items: list[Item] = field(default_factory=list)
    queued: bool = False

    @property
    def first(self) -> Item:
        return self.items[0]

    @property
    def more(self) -> list[Item]:
        return self.items[1:]


@dataclass
class Urgent:
    lines: list[Line]
    counts: list[tuple[str, Any, int, str]]  # kind, label, cases, case-list query


def _day(value: date | datetime | None) -> tuple[int, float]:
    """Older first: a sort key for ``since`` (missing last)."""
    if value is None:
        return (1, 0.0)
    if isinstance(value, datetime):
        return (0, value.timestamp())
    return (0, datetime(value.year, value.month, value.day).timestamp())


#: Up to this many cases, the dashboard asks about them by id.
SCOPE_AS_IDS = 5000


def urgent_lines(*, user: User) -> Urgent:
    """The user's open cases with something waiting, one line each, the
    most urgent item of each first, and the lines in the same order."""
    scope = people_selectors.visible_cases(user=user).filter(
        people_selectors.dashboard_cases_q(user)
    )
    # The six questions below each start from these cases: read their ids
    # once, so the database answers each from the ids' indexes instead of
    # deciding visibility six times over the agency's cases (a third of the
    # page at 100,000 people). A list that large is left as a subquery.
    ids = list(scope.values_list("pk", flat=True)[: SCOPE_AS_IDS + 1])
    if len(ids) <= SCOPE_AS_IDS:
        scope = Case.objects.filter(pk__in=ids)
    found: dict[uuid.UUID, list[Item]] = {}

    def add(case_id: uuid.UUID, item: Item) -> None:
        found.setdefault(case_id, []).append(item)

    if may_see_protocol(user):
        for case_id, at in protocol_selectors.danger_reported(scope).items():
            add(case_id, Item("danger", since=at))
        for case_id, at in protocol_selectors.reports_waiting(scope).items():
            add(case_id, Item("report", since=at))
        for case_id, late in protocol_selectors.overdue_steps(scope).items():
            add(case_id, Item("overdue", since=late.due_on, step=late.label, count=late.count))
    if may_see_disclosures(user):
        for consent in consent_selectors.consents_expiring(scope):
            link = case_address("consent:consents", consent.case_id)
            what = str(consent.get_purpose_display())
            add(consent.case_id, Item("consent", consent.expires_on, link=link, what=what))
        for referral in referral_selectors.awaiting_reply(scope):
            link = reverse("referrals:referral", args=[referral.case_id, referral.pk])
            what = str(referral.get_purpose_display())
            add(referral.case_id, Item("referral", referral.follow_up_on, link=link, what=what))
    for case_id in people_selectors.new_case_ids(user=user):
        add(case_id, Item("new"))
    for items in found.values():
        # One item of each kind per case: the one waiting longest.
        items.sort(key=lambda i: (_RANK[i.kind], _day(i.since)))
        seen: set[str] = set()
        items[:] = [i for i in items if not (i.kind in seen or seen.add(i.kind))]  # type: ignore[func-returns-value]
    counts = [
        (
            kind,
            label,
            sum(1 for items in found.values() if any(i.kind == kind for i in items)),
            query,
        )
        for kind, (label, query) in KINDS.items()
    ]
    order = sorted(found, key=lambda pk: (_RANK[found[pk][0].kind], _day(found[pk][0].since)))
    named = people_selectors.cases_named(user=user, case_ids=order[:LINES_SHOWN], where="dashboard")
    lines = [
        Line(case=named[pk], items=found[pk], queued=named[pk].queued_at is not None)
        for pk in order[:LINES_SHOWN]
        if pk in named
    ]
    return Urgent(lines=lines, counts=counts)
