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

from django.db.models import Expression, QuerySet, Subquery
from django.utils.functional import Promise


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


#: The marks, by code, in the order they were registered.
case_marks: dict[str, CaseMark] = {}

#: When each case last saw work: a correlated subquery on ``OuterRef("pk")``
#: giving a datetime, or None when its app has nothing for the case.
ActivitySource = Callable[[], Subquery | Expression]
activity_sources: list[ActivitySource] = []


def register_mark(mark: CaseMark) -> None:
    case_marks[mark.code] = mark


def register_activity(source: ActivitySource) -> None:
    if source not in activity_sources:
        activity_sources.append(source)
