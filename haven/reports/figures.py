"""What the agency did, in figures that identify no one.

Every count is read from the de-identified facts (``haven.reports.models``)
and published through the small-number rule (``haven.reports.suppression``):
a count from 1 to k - 1 is shown as "<k", every other count is rounded to a
multiple of k, and each total is rounded from its true total. True counts
never leave this module.

People are counted once in a table, whatever number of cases they had: by
what their latest case within the period says (age at its opening, type of
trafficking, gender, language). "New" people had no earlier case in the
report's scope; "continuing" people did. A team's report counts the cases of
that team only.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _

from haven.core.languages import language_name
from haven.people.models import GenderGroup, TraffickingType
from haven.protocol.agency_steps import agency_step_figures
from haven.protocol.models import NeedCategory
from haven.protocol.needs import category_label
from haven.referrals.models import ReferralStatus
from haven.reports.models import (
    AgeGroup,
    Episode,
    LawChoiceFact,
    NeedFact,
    ReferralFact,
    StayFact,
)
from haven.reports.suppression import Figure, publish
from haven.shelter.models import ShelterSite, StayOutcome
from haven.training.selectors import training_figures

NOT_RECORDED = ""
# The row of categories too rare to name.
OTHER = "other"


@dataclass(frozen=True)
class Scope:
    agency_id: int
    start: date
    end: date
    threshold: int
    team_id: int | None = None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    """Rows by category, one column per measure, and a total per column."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    totals: tuple[Figure, ...]
    # What the rows count ("people", "needs"…), for the chart's description.
    unit: str = ""
    note: str = ""

    @property
    def any_suppressed(self) -> bool:
        figures = [f for row in self.rows for f in row.figures] + list(self.totals)
        return any(f.suppressed for f in figures)


@dataclass(frozen=True)
class Report:
    scope: Scope
    tables: tuple[Table, ...]
    extras: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def table(
    key: str,
    title: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, str]],
    counts: Sequence[Mapping[str, int]],
    threshold: int,
    *,
    unit: str = "",
    note: str = "",
) -> Table:
    """Publish ``counts`` (one mapping of row key to true count per column).
    A column's total is published from the sum of its true counts, including
    any key not among ``rows``."""
    return Table(
        key=key,
        title=title,
        columns=tuple(columns),
        rows=tuple(
            Row(row_key, label, tuple(publish(c.get(row_key, 0), threshold) for c in counts))
            for row_key, label in rows
        ),
        totals=tuple(publish(sum(c.values()), threshold) for c in counts),
        unit=unit,
        note=note,
    )


def _choices(
    choices: Iterable[tuple[str, Any]], not_recorded: bool = False
) -> list[tuple[str, str]]:
    rows = [(str(value), str(label)) for value, label in choices]
    if not_recorded:
        rows.append((NOT_RECORDED, _("Not recorded")))
    return rows


# --- People served ------------------------------------------------------------------------


def _in_scope(model: type[Model], scope: Scope) -> QuerySet[Any]:
    queryset = model._default_manager.filter(agency_id=scope.agency_id)
    return queryset if scope.team_id is None else queryset.filter(team_id=scope.team_id)


# Each person served in the period, once: what their latest case in the period
# says, whether they had a case in scope before the period, and their latest
# choice about law enforcement by its end. Counted in the database, grouped
# by those six values, so only a few hundred rows come back, whatever the
# number of people (docs/benchmarks.md).
_PEOPLE_SQL = """
WITH served AS (
    SELECT e.person_ref, e.age_group, e.gender_group, e.trafficking_type, e.language,
           ROW_NUMBER() OVER (
               PARTITION BY e.person_ref ORDER BY e.opened_on DESC, e.id DESC
           ) AS latest
    FROM {episode} e
    WHERE e.agency_id = %(agency)s {team_e}
      AND e.opened_on <= %(end)s AND (e.closed_on IS NULL OR e.closed_on >= %(start)s)
),
people AS (
    SELECT s.age_group, s.gender_group, s.trafficking_type, s.language,
           CASE WHEN EXISTS (
               SELECT 1 FROM {episode} p
               WHERE p.person_ref = s.person_ref AND p.agency_id = %(agency)s {team_p}
                 AND p.opened_on < %(start)s
           ) THEN 1 ELSE 0 END AS continuing,
           (
               SELECT CASE WHEN c.agrees THEN 'chose' ELSE 'declined' END
               FROM {choice} c
               WHERE c.person_ref = s.person_ref AND c.agency_id = %(agency)s {team_c}
                 AND c.chosen_on <= %(end)s
               ORDER BY c.chosen_on DESC, c.id DESC
               LIMIT 1
           ) AS law
    FROM served s
    WHERE s.latest = 1
)
SELECT age_group, gender_group, trafficking_type, language, continuing,
       COALESCE(law, ''), COUNT(*)
FROM people
GROUP BY 1, 2, 3, 4, 5, 6
"""

AGE, GENDER, TYPE, LANGUAGE, CONTINUING, LAW = range(6)


@dataclass(frozen=True)
class Served:
    """People served in a period, grouped: (age, gender, type, language,
    continuing 0/1, law choice) → number of people."""

    groups: dict[tuple[Any, ...], int]

    @property
    def total(self) -> int:
        return sum(self.groups.values())

    def by(self, index: int) -> Counter[str]:
        counts: Counter[str] = Counter()
        for values, n in self.groups.items():
            counts[str(values[index])] += n
        return counts


def served(scope: Scope) -> Served:
    def team(alias: str) -> str:
        return "" if scope.team_id is None else f"AND {alias}.team_id = %(team)s"

    sql = _PEOPLE_SQL.format(
        episode=connection.ops.quote_name(Episode._meta.db_table),
        choice=connection.ops.quote_name(LawChoiceFact._meta.db_table),
        team_e=team("e"),
        team_c=team("c"),
        team_p=team("p"),
    )
    params = {
        "agency": scope.agency_id,
        "team": scope.team_id,
        "start": scope.start,
        "end": scope.end,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Served({tuple(row[:6]): row[6] for row in cursor.fetchall()})


def _languages(people: Served, threshold: int) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Languages spoken by at least ``threshold`` people get a row of their
    own; the rest are counted together, so a rare language never appears."""
    counts = people.by(LANGUAGE)
    shown = sorted(
        (code for code, n in counts.items() if n >= threshold and code != "und"),
        key=lambda code: language_name(code),
    )
    merged = {code: counts[code] for code in shown}
    merged[OTHER] = sum(n for code, n in counts.items() if code not in shown and code != "und")
    merged[NOT_RECORDED] = counts.get("und", 0)
    rows = [(code, language_name(code)) for code in shown]
    rows += [(OTHER, _("Other languages")), (NOT_RECORDED, _("Not recorded"))]
    return rows, merged


def people_tables(scope: Scope) -> list[Table]:
    k = scope.threshold
    people = served(scope)
    total = people.total
    continuing = people.by(CONTINUING)["1"]
    languages, language_counts = _languages(people, k)
    person = _("people")
    return [
        table(
            "served",
            _("People served"),
            [_("People")],
            [("new", _("New")), ("continuing", _("Continuing"))],
            [{"new": total - continuing, "continuing": continuing}],
            k,
            unit=person,
            note=_("New: no earlier case in this report's scope."),
        ),
        table(
            "age",
            _("Adults and minors"),
            [_("People")],
            _choices(AgeGroup.choices),
            [people.by(AGE)],
            k,
            unit=person,
            note=_("Age when their latest case in the period opened."),
        ),
        table(
            "trafficking",
            _("Type of trafficking"),
            [_("People")],
            _choices(TraffickingType.choices),
            [people.by(TYPE)],
            k,
            unit=person,
        ),
        table(
            "gender",
            _("Gender"),
            [_("People")],
            _choices(GenderGroup.choices, not_recorded=True),
            [people.by(GENDER)],
            k,
            unit=person,
        ),
        table(
            "language",
            _("Languages"),
            [_("People")],
            languages,
            [language_counts],
            k,
            unit=person,
            note=_(
                "A language spoken by fewer people than the threshold is counted"
                " under other languages."
            ),
        ),
        table(
            "law",
            _("Law enforcement involvement"),
            [_("People")],
            [
                ("chose", _("Chose to involve law enforcement")),
                ("declined", _("Declined")),
                (NOT_RECORDED, _("No choice recorded")),
            ],
            [people.by(LAW)],
            k,
            unit=person,
            note=_("The person's latest choice by the end of the period."),
        ),
    ]


# --- Needs and referrals --------------------------------------------------------------------


def _categories(agency_id: int, keys: Iterable[Any]) -> list[tuple[str, str]]:
    """The agency's need categories that appear, in their usual order."""
    wanted = {key for key in keys if key is not None}
    categories = NeedCategory.objects.filter(
        Q(agency=None) | Q(agency_id=agency_id), pk__in=wanted
    ).order_by("term", "label")
    return [(str(c.pk), category_label(c)) for c in categories]


def _merge_rare(
    rows: list[tuple[str, str]],
    columns: list[dict[str, int]],
    threshold: int,
    other: tuple[str, str],
) -> tuple[list[tuple[str, str]], list[dict[str, int]]]:
    """Rows that count fewer than ``threshold`` in every column are counted
    together under ``other`` (always shown, so its presence says nothing):
    an agency's own category ("Tigrinya interpreter") is named only when
    enough people share it."""
    shown = [
        (key, label) for key, label in rows if any(c.get(key, 0) >= threshold for c in columns)
    ]
    keys = {key for key, _label in shown}
    merged = []
    for column in columns:
        kept = {key: n for key, n in column.items() if key in keys}
        kept[other[0]] = sum(n for key, n in column.items() if key not in keys)
        merged.append(kept)
    return [*shown, other], merged


def _count_by(queryset: QuerySet[Any], *fields: str) -> dict[tuple[Any, ...], int]:
    rows = queryset.order_by().values(*fields).annotate(n=Count("pk"))
    return {tuple(row[f] for f in fields): row["n"] for row in rows}


def needs_table(scope: Scope) -> Table:
    facts = _in_scope(NeedFact, scope)
    identified = _count_by(
        facts.filter(identified_on__range=(scope.start, scope.end)), "category_id"
    )
    met = _count_by(facts.filter(met_on__range=(scope.start, scope.end)), "category_id")
    rows, columns = _merge_rare(
        _categories(scope.agency_id, [key for (key,) in identified | met]),
        [
            {str(key): n for (key,), n in identified.items()},
            {str(key): n for (key,), n in met.items()},
        ],
        scope.threshold,
        (OTHER, _("Other needs")),
    )
    return table(
        "needs",
        _("Needs identified and met"),
        [_("Identified"), _("Met")],
        rows,
        columns,
        scope.threshold,
        unit=_("needs"),
        note=_("Identified: first named in the period. Met: marked met in the period."),
    )


def referrals_table(scope: Scope) -> Table:
    facts = _in_scope(ReferralFact, scope).filter(sent_on__range=(scope.start, scope.end))
    counts = _count_by(facts, "category_id", "status")
    statuses = list(ReferralStatus)
    columns: list[dict[str, int]] = [{} for _s in statuses]
    every: dict[str, int] = {}
    for (category, status), n in counts.items():
        key = OTHER if category is None else str(category)
        columns[statuses.index(ReferralStatus(status))][key] = n
        every[key] = every.get(key, 0) + n
    # A kind is named only when enough referrals of it were sent (its "all"
    # column is the largest): the rest, and those answering no need, together.
    rows, merged = _merge_rare(
        _categories(scope.agency_id, [key for key, _status in counts]),
        [*columns, every],
        scope.threshold,
        (OTHER, _("Other kinds, or no need named")),
    )
    return table(
        "referrals",
        _("Referrals by kind and where they stand"),
        [str(s.label) for s in statuses] + [_("All referrals")],
        rows,
        merged,
        scope.threshold,
        unit=_("referrals"),
        note=_("Referrals sent in the period, by the need they answer and their status today."),
    )


# --- The agency's own steps -------------------------------------------------------------


def agency_steps_table(scope: Scope) -> list[Table]:
    """Per step of the agency's own: the cases open in the period that had
    it, and how many are done and overdue today (none when it has none)."""
    found = agency_step_figures(scope.agency_id, scope.start, scope.end, scope.team_id)
    if not found:
        return []
    return [
        table(
            "agency_steps",
            _("The agency's own steps"),
            [_("Cases"), _("Done"), _("Overdue today")],
            [(f.code, f.label) for f in found],
            [
                {f.code: f.applied for f in found},
                {f.code: f.done for f in found},
                {f.code: f.overdue for f in found},
            ],
            scope.threshold,
            unit=_("cases"),
            note=_(
                "Cases open in the period that had the step; done and overdue as they stand today."
            ),
        )
    ]


# --- Shelter ---------------------------------------------------------------------------------

# The row of placements at partners (a stay with no site of the agency's).
AT_PARTNERS = "partners"


def _nights_in(starts_on: date, ends_on: date | None, scope: Scope) -> int:
    """The nights of a stay inside the period: a night belongs to the day it
    starts, and a stay's last night is the one before ``ends_on``."""
    after_last = scope.end + timedelta(days=1)
    if ends_on is not None and ends_on < after_last:
        after_last = ends_on
    return max((after_last - max(starts_on, scope.start)).days, 0)


def shelter_tables(scope: Scope) -> list[Table]:
    """Stays begun, people sheltered and nights of shelter in the period, by
    site (named by its public alias) and at partners; and the stays that
    ended in the period, by how they ended."""
    k = scope.threshold
    facts = _in_scope(StayFact, scope)
    begun: Counter[str] = Counter()
    nights: Counter[str] = Counter()
    people: dict[str, set[Any]] = {}
    for site_id, person_ref, starts_on, ends_on in (
        facts.filter(starts_on__lte=scope.end)
        .exclude(ends_on__lte=scope.start)
        .values_list("site_id", "person_ref", "starts_on", "ends_on")
    ):
        key = AT_PARTNERS if site_id is None else str(site_id)
        if scope.start <= starts_on:
            begun[key] += 1
        stayed = _nights_in(starts_on, ends_on, scope)
        if stayed:
            nights[key] += stayed
            people.setdefault(key, set()).add(person_ref)
    sites = ShelterSite.objects.filter(agency_id=scope.agency_id).order_by("alias")
    rows = [(str(pk), alias) for pk, alias in sites.values_list("pk", "alias")]
    rows.append((AT_PARTNERS, _("At partners")))
    sheltered = {key: len(refs) for key, refs in people.items()}
    everyone = len(set().union(*people.values()))
    columns = [begun, sheltered, nights]
    ended = _count_by(facts.filter(ends_on__range=(scope.start, scope.end)), "outcome")
    return [
        Table(
            key="shelter",
            title=_("Shelter: stays and nights"),
            columns=(_("Stays begun"), _("People sheltered"), _("Nights")),
            rows=tuple(
                Row(key, label, tuple(publish(c.get(key, 0), k) for c in columns))
                for key, label in rows
            ),
            # Someone who stayed at two places is one person sheltered.
            totals=(
                publish(sum(begun.values()), k),
                publish(everyone, k),
                publish(sum(nights.values()), k),
            ),
            unit=_("stays"),
            note=_(
                "A night counts on the day it starts, inside the period. People"
                " sheltered: at least one night in the period."
            ),
        ),
        table(
            "stay_outcomes",
            _("Shelter stays ended, by how they ended"),
            [_("Stays")],
            _choices(StayOutcome.choices, not_recorded=True),
            [{str(outcome): n for (outcome,), n in ended.items()}],
            k,
            unit=_("stays"),
        ),
    ]


# --- Staff trained ---------------------------------------------------------------------------


def _exact(count: int) -> Figure:
    return Figure(count, 1)


def training_tables(scope: Scope) -> list[Table]:
    """Who of the agency's own staff was trained, and partners' staff at its
    in-service events: exact, since they describe staff, not people served
    (docs/adr/0017-de-identified-reports.md)."""
    found = training_figures(scope.agency_id, scope.start, scope.end, scope.team_id)
    exact = _("Exact: staff figures are not people served, and are not rounded.")
    staff = _("Staff")
    return [
        Table(
            key="professionals",
            title=_("Professionals trained"),
            columns=(_("People"),),
            rows=(
                Row("staff", _("Agency staff"), (_exact(found.staff_trained),)),
                Row(
                    "outside",
                    _("Partners' staff at in-service training"),
                    (_exact(found.outside_professionals),),
                ),
            ),
            totals=(_exact(found.staff_trained + found.outside_professionals),),
            unit=_("people"),
            note=_("%(hours)s hours of training in all. %(exact)s")
            % {"hours": f"{found.hours.normalize():f}", "exact": exact},
        ),
        Table(
            key="training",
            title=_("Staff trained, by topic"),
            columns=(staff,),
            rows=tuple(
                Row(str(n), label, (_exact(count),))
                for n, (label, count) in enumerate(found.by_topic)
            ),
            # Someone trained on two topics is one person.
            totals=(_exact(found.staff_trained),),
            unit=_("staff"),
            note=exact,
        ),
    ]


# --- The whole report ------------------------------------------------------------------------

#: The steps of a report, for a job's progress.
SECTIONS: tuple[tuple[str, Callable[[Scope], list[Table]]], ...] = (
    ("people", people_tables),
    ("needs", lambda scope: [needs_table(scope)]),
    ("referrals", lambda scope: [referrals_table(scope)]),
    ("agency_steps", agency_steps_table),
    ("shelter", shelter_tables),
    ("training", training_tables),
)


def report(scope: Scope, progress: Callable[[int, int, str], None] | None = None) -> Report:
    """The whole report; ``progress(done, total, section)`` after each section."""
    tables: list[Table] = []
    for number, (key, build) in enumerate(SECTIONS, start=1):
        tables.extend(build(scope))
        if progress is not None:
            progress(number, len(SECTIONS), key)
    return Report(scope=scope, tables=tuple(tables))


# --- Kept as JSON (a report run in the background) ---------------------------------------------


def report_to_json(found: Report) -> bytes:
    def figures(items: Iterable[Figure]) -> list[list[int | None]]:
        return [[f.value, f.threshold] for f in items]

    scope = found.scope
    return json.dumps(
        {
            "scope": {
                "agency_id": scope.agency_id,
                "start": scope.start.isoformat(),
                "end": scope.end.isoformat(),
                "threshold": scope.threshold,
                "team_id": scope.team_id,
            },
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "columns": list(t.columns),
                    "rows": [[r.key, r.label, figures(r.figures)] for r in t.rows],
                    "totals": figures(t.totals),
                    "unit": t.unit,
                    "note": t.note,
                }
                for t in found.tables
            ],
        },
        ensure_ascii=False,
    ).encode("utf-8")


def report_from_json(data: bytes) -> Report:
    kept = json.loads(data)

    def figures(items: list[list[int | None]]) -> tuple[Figure, ...]:
        return tuple(Figure(value, int(threshold or 1)) for value, threshold in items)

    scope = kept["scope"]
    return Report(
        scope=Scope(
            agency_id=scope["agency_id"],
            start=date.fromisoformat(scope["start"]),
            end=date.fromisoformat(scope["end"]),
            threshold=scope["threshold"],
            team_id=scope["team_id"],
        ),
        tables=tuple(
            Table(
                key=t["key"],
                title=t["title"],
                columns=tuple(t["columns"]),
                rows=tuple(Row(key, label, figures(f)) for key, label, f in t["rows"]),
                totals=figures(t["totals"]),
                unit=t["unit"],
                note=t["note"],
            )
            for t in kept["tables"]
        ),
    )
