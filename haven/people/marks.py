"""What a case can be marked with in a list, contributed by the apps that know.

The people app lists cases but does not know the protocol: the protocol
registers here, in its ``AppConfig.ready()``, which cases are overdue, in
danger or of a minor, each as a query over its own rows in the clear (step
states and dates, danger answers, the mandated-report task), so a list can
filter and sort on them without opening anyone's sealed record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Expression, QuerySet, Subquery
from django.utils.functional import Promise

from haven.accounts.models import User


@dataclass(frozen=True)
class CaseMark:
    """One mark: its code (in addresses and the API), its label, where it
    comes in the order of urgency (lower first, or None when it does not
    make a case urgent), and the rows that carry it on a given day: a
    queryset with a ``case_id`` column, for an ``Exists`` on the case."""

    code: str
    label: str | Promise
    urgency: int | None
    rows: Callable[[date], QuerySet[Any]]
    # Who may know a case carries it: a mark says as much as the record it
    # comes from (an open mandated report says the person is a minor).
    seen_by: Callable[[User | AnonymousUser], bool]


#: The marks, by code, in the order they were registered.
case_marks: dict[str, CaseMark] = {}

#: When each case last saw work: a correlated subquery on ``OuterRef("pk")``
#: giving a datetime, or None when its app has nothing for the case.
ActivitySource = Callable[[], Subquery | Expression]
activity_sources: list[ActivitySource] = []


def register_mark(mark: CaseMark) -> None:
    case_marks[mark.code] = mark


def marks_seen_by(user: User | AnonymousUser) -> dict[str, CaseMark]:
    """The marks ``user`` may know of, by code: a list filters, sorts and
    shows only these."""
    return {code: mark for code, mark in case_marks.items() if mark.seen_by(user)}


def register_activity(source: ActivitySource) -> None:
    if source not in activity_sources:
        activity_sources.append(source)
