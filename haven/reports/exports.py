"""A report as CSV: one line per figure, with its table, row and column.

The figures are the published ones ("<5" stays "<5"): a spreadsheet made from
the file can never recover what the page hides.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from haven.reports.figures import Scope, Table

# A cell that starts with one of these could run as a formula in a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def report_csv(scope: Scope, tables: Iterable[Table], team_name: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Period"), scope.start.isoformat(), scope.end.isoformat()])
    writer.writerow([_("Team"), _cell(team_name or _("All teams"))])
    writer.writerow([_("Smallest count shown"), scope.threshold])
    writer.writerow([])
    writer.writerow([_("Table"), _("Row"), _("Column"), _("Figure")])
    for table in tables:
        for row in table.rows:
            for column, figure in zip(table.columns, row.figures, strict=True):
                writer.writerow([table.title, _cell(row.label), column, str(figure)])
        for column, figure in zip(table.columns, table.totals, strict=True):
            writer.writerow([table.title, _("Total"), column, str(figure)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
