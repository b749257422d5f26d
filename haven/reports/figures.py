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

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _

from haven.core.languages import language_name
from haven.people.models import GenderGroup, TraffickingType
from haven.protocol.models import NeedCategory
from haven.protocol.needs import category_label
from haven.referrals.models import ReferralStatus
from haven.reports.models import AgeGroup, Episode, LawChoiceFact, NeedFact, ReferralFact
from haven.reports.suppression import Figure, publish

NOT_RECORDED = ""


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


def _served(scope: Scope) -> QuerySet[Episode]:
    """Episodes open at some time within the period."""
    return _in_scope(Episode, scope).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start), opened_on__lte=scope.end
    )


@dataclass(frozen=True)
class Served:
    """Each person served in the period, by what their latest case there says."""

    latest: dict[Any, tuple[str, str, str, str]]  # person_ref → (age, gender, type, language)
    continuing: set[Any]


def served(scope: Scope) -> Served:
    latest: dict[Any, tuple[date, int, tuple[str, str, str, str]]] = {}
    rows = _served(scope).values_list(
        "person_ref",
        "opened_on",
        "pk",
        "age_group",
        "gender_group",
        "trafficking_type",
        "language",
    )
    for person_ref, opened_on, pk, *values in rows.iterator(chunk_size=5000):
        known = latest.get(person_ref)
        if known is None or (opened_on, pk) > known[:2]:
            latest[person_ref] = (opened_on, pk, tuple(values))  # type: ignore[assignment]
    earlier = _in_scope(Episode, scope).filter(
        opened_on__lt=scope.start, person_ref__in=_served(scope).values("person_ref")
    )
    continuing = set(earlier.values_list("person_ref", flat=True).distinct())
    return Served({ref: values for ref, (_o, _p, values) in latest.items()}, continuing)


def _by(people: Served, index: int) -> Counter[str]:
    return Counter(values[index] for values in people.latest.values())


def _languages(people: Served, threshold: int) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Languages spoken by at least ``threshold`` people get a row of their
    own; the rest are counted together, so a rare language never appears."""
    counts = _by(people, 3)
    shown = sorted(
        (code for code, n in counts.items() if n >= threshold and code != "und"),
        key=lambda code: language_name(code),
    )
    merged = {code: counts[code] for code in shown}
    merged["other"] = sum(n for code, n in counts.items() if code not in shown and code != "und")
    merged[NOT_RECORDED] = counts.get("und", 0)
    rows = [(code, language_name(code)) for code in shown]
    rows += [("other", _("Other languages")), (NOT_RECORDED, _("Not recorded"))]
    return rows, merged


def _law_choices(scope: Scope, people: Served) -> Counter[str]:
    """Each person's latest choice about law enforcement made by the end of
    the period, on a case in scope."""
    choices = (
        _in_scope(LawChoiceFact, scope)
        .filter(chosen_on__lte=scope.end, person_ref__in=_served(scope).values("person_ref"))
        .order_by("chosen_on", "pk")
        .values_list("person_ref", "agrees")
    )
    latest = dict(choices.iterator(chunk_size=5000))
    counts: Counter[str] = Counter()
    for person_ref in people.latest:
        agrees = latest.get(person_ref)
        counts[NOT_RECORDED if agrees is None else ("chose" if agrees else "declined")] += 1
    return counts


def people_tables(scope: Scope) -> list[Table]:
    k = scope.threshold
    people = served(scope)
    total = len(people.latest)
    continuing = len(people.continuing & people.latest.keys())
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
            [_by(people, 0)],
            k,
            unit=person,
            note=_("Age when their latest case in the period opened."),
        ),
        table(
            "trafficking",
            _("Type of trafficking"),
            [_("People")],
            _choices(TraffickingType.choices),
            [_by(people, 2)],
            k,
            unit=person,
        ),
        table(
            "gender",
            _("Gender"),
            [_("People")],
            _choices(GenderGroup.choices, not_recorded=True),
            [_by(people, 1)],
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
            [_law_choices(scope, people)],
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


def _count_by(queryset: QuerySet[Any], *fields: str) -> dict[tuple[Any, ...], int]:
    rows = queryset.order_by().values(*fields).annotate(n=Count("pk"))
    return {tuple(row[f] for f in fields): row["n"] for row in rows}


def needs_table(scope: Scope) -> Table:
    facts = _in_scope(NeedFact, scope)
    identified = _count_by(
        facts.filter(identified_on__range=(scope.start, scope.end)), "category_id"
    )
    met = _count_by(facts.filter(met_on__range=(scope.start, scope.end)), "category_id")
    rows = _categories(scope.agency_id, [key for (key,) in identified | met])
    return table(
        "needs",
        _("Needs identified and met"),
        [_("Identified"), _("Met")],
        rows,
        [
            {str(key): n for (key,), n in identified.items()},
            {str(key): n for (key,), n in met.items()},
        ],
        scope.threshold,
        unit=_("needs"),
        note=_("Identified: first named in the period. Met: marked met in the period."),
    )


REFERRAL_OTHER = "none"


def referrals_table(scope: Scope) -> Table:
    facts = _in_scope(ReferralFact, scope).filter(sent_on__range=(scope.start, scope.end))
    counts = _count_by(facts, "category_id", "status")
    rows = _categories(scope.agency_id, [key for key, _status in counts])
    if any(key is None for key, _status in counts):
        rows.append((REFERRAL_OTHER, _("No need named")))
    statuses = list(ReferralStatus)
    columns: list[dict[str, int]] = [{} for _s in statuses]
    every: dict[str, int] = {}
    for (category, status), n in counts.items():
        key = REFERRAL_OTHER if category is None else str(category)
        columns[statuses.index(ReferralStatus(status))][key] = n
        every[key] = every.get(key, 0) + n
    return table(
        "referrals",
        _("Referrals by kind and where they stand"),
        [str(s.label) for s in statuses] + [_("All referrals")],
        rows,
        [*columns, every],
        scope.threshold,
        unit=_("referrals"),
        note=_("Referrals sent in the period, by the need they answer and their status today."),
    )


# --- The whole report ------------------------------------------------------------------------

#: The steps of a report, for a job's progress.
SECTIONS: tuple[tuple[str, Callable[[Scope], list[Table]]], ...] = (
    ("people", people_tables),
    ("needs", lambda scope: [needs_table(scope)]),
    ("referrals", lambda scope: [referrals_table(scope)]),
)


def report(scope: Scope, progress: Callable[[int, int], None] | None = None) -> Report:
    tables: list[Table] = []
    for number, (_key, build) in enumerate(SECTIONS, start=1):
        tables.extend(build(scope))
        if progress is not None:
            progress(number, len(SECTIONS))
    return Report(scope=scope, tables=tuple(tables))
