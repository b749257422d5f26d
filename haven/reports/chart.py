"""Bar charts drawn on the server, as SVG a template writes out.

No script and no image file: the chart is part of the page, readable by a
screen reader through its title and description, and always beside the table
it draws, which stays the full account. A suppressed figure draws no bar and
says "<k" where the bar would be.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from haven.reports.figures import Table

ROW_HEIGHT = 28
LABEL_WIDTH = 220
BAR_SPACE = 300
VALUE_SPACE = 60


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]


def _spoken(text: str, threshold: int) -> str:
    return _("fewer than %(k)d") % {"k": threshold} if text.startswith("<") else text


def chart_of(table: Table, column: int = 0) -> Chart:
    """A horizontal bar chart of one column of ``table``."""
    figures = [row.figures[column] for row in table.rows]
    most = max((f.value or 0 for f in figures), default=0)
    bars = tuple(
        Bar(
            label=row.label,
            text=str(figure),
            y=n * ROW_HEIGHT,
            width=0 if not figure.value or not most else BAR_SPACE * figure.value / most,
        )
        for n, (row, figure) in enumerate(zip(table.rows, figures, strict=True))
    )
    threshold = table.totals[column].threshold
    parts = ", ".join(f"{bar.label}: {_spoken(bar.text, threshold)}" for bar in bars)
    return Chart(
        key=table.key,
        title=f"{table.title} ({table.columns[column]})",
        description=_("Bar chart. %(parts)s.") % {"parts": parts} if parts else _("No data."),
        width=LABEL_WIDTH + BAR_SPACE + VALUE_SPACE,
        height=max(len(bars), 1) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
        bars=bars,
    )
