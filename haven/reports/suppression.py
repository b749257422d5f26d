"""Small-number protection for every figure a report publishes
(docs/adr/0017-de-identified-reports.md).

A count below the agency's threshold could single someone out ("the one
Tigrinya-speaking minor served in March"), so it is never published. Hiding
only the small cells is not enough: a total minus the other cells, or one
report minus another over a longer period, would give the hidden count back.
So every published count is also rounded to a multiple of the threshold, and
totals are rounded from the true total, not summed from rounded cells. Any
sum or difference of published figures is then a multiple of the threshold:
zero, or at least the threshold, never a small count.

Pure functions over integers: no database, no request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Figure:
    """One published count: ``value`` is None when suppressed."""

    value: int | None
    threshold: int

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return f"<{self.threshold}" if self.value is None else str(self.value)


def publish(count: int, threshold: int = DEFAULT_THRESHOLD) -> Figure:
    """The figure a report may show for a true ``count``.

    Zero is shown as zero (nothing to single out). From 1 to threshold - 1 it
    is suppressed. Anything larger is rounded half up to the nearest multiple
    of the threshold, which for a count of at least the threshold is never
    below it.
    """
    if threshold < 1:
        raise ValueError("a threshold is at least 1")
    if count < 0:
        raise ValueError("a count is never negative")
    if count == 0:
        return Figure(0, threshold)
    if count < threshold:
        return Figure(None, threshold)
    rounded = ((count + threshold // 2) // threshold) * threshold
    return Figure(max(rounded, threshold), threshold)


@dataclass(frozen=True)
class Row:
    label: str
    figure: Figure


@dataclass(frozen=True)
class Breakdown:
    """Counts by category with their total, all published."""

    rows: tuple[Row, ...]
    total: Figure

    @property
    def any_suppressed(self) -> bool:
        return self.total.suppressed or any(row.figure.suppressed for row in self.rows)


def breakdown(
    counts: Mapping[str, int], *, threshold: int, order: Iterable[str] | None = None
) -> Breakdown:
    """Publish each category's count and the total of the true counts."""
    labels = list(order) if order is not None else sorted(counts)
    rows = tuple(Row(label, publish(counts.get(label, 0), threshold)) for label in labels)
    return Breakdown(rows=rows, total=publish(sum(counts.values()), threshold))
