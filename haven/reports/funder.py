"""The funder layout: the figures OVC's Trafficking Information Management
System asks for each quarter, in its order and words (REFERENCE.md): clients
served and new clients, adult or minor (or age not tracked), type of
trafficking, gender, service types provided, professionals trained (exact: they are staff).

It is the same report, arranged: every figure is the one the summary shows,
through the same small-number rule. Family members are not counted apart:
Haven records the person served, not their relatives.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from haven.reports.figures import Report, Table


def _as(table: Table, title: str, columns: tuple[str, ...] | None = None) -> Table:
    return replace(table, title=title, columns=columns or table.columns)


def funder_tables(found: Report) -> list[Table]:
    needs = found.table("needs")
    referrals = found.table("referrals")
    return [
        _as(found.table("served"), _("Clients served (new and continuing)"), (_("Clients"),)),
        _as(found.table("age"), _("Adult or minor at intake"), (_("Clients"),)),
        _as(found.table("trafficking"), _("Type of trafficking"), (_("Clients"),)),
        _as(found.table("gender"), _("Gender"), (_("Clients"),)),
        # Services provided: the needs met in the period, by kind of service.
        replace(
            needs,
            key="services",
            title=_("Service types provided"),
            columns=(needs.columns[1],),
            rows=tuple(replace(row, figures=row.figures[1:]) for row in needs.rows),
            totals=needs.totals[1:],
        ),
        # Referrals to other services, by kind, whatever their status.
        replace(
            referrals,
            key="referred",
            title=_("Referrals to other services"),
            columns=referrals.columns[-1:],
            rows=tuple(replace(row, figures=row.figures[-1:]) for row in referrals.rows),
            totals=referrals.totals[-1:],
        ),
        found.table("professionals"),
    ]
