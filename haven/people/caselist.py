"""What a case list is asked for: a quick view, filters, a sort and a page.

Read from the address (a GET, so a list can be bookmarked and shared) and
from the API's query. Only codes and ids ever go in it, never a name or any
value about a person. Anything not understood is left out with a note
saying so, never an error: a stale bookmark still opens a list.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.people.marks import case_marks

PAGE_SIZE = 25
# A value longer than this is no code or id Haven ever puts in an address.
LONGEST_VALUE = 40
LARGEST_ID = 2**63 - 1
LARGEST_PAGE = 1_000_000

#: The quick views, in the order the list offers them.
VIEWS = {
    "all": gettext_lazy("All open"),
    "mine": gettext_lazy("My cases"),
    "new": gettext_lazy("New to me"),
    "team": gettext_lazy("My team"),
    "overdue": gettext_lazy("Overdue"),
    "danger": gettext_lazy("In danger"),
    "minors": gettext_lazy("Minors"),
    "restricted": gettext_lazy("Restricted"),
    "closed": gettext_lazy("Closed"),
}
# The views that are one of the protocol's marks.
VIEW_MARKS = {"overdue": "overdue", "danger": "danger", "minors": "minor"}

STATUSES = {
    "open": gettext_lazy("Open"),
    "closed": gettext_lazy("Closed"),
    "any": gettext_lazy("Open or closed"),
}
SORTS = {
    "opened": gettext_lazy("Newest first"),
    "activity": gettext_lazy("Last activity"),
    "urgency": gettext_lazy("Most urgent first"),
}


@dataclass(frozen=True)
class CaseFilters:
    """A case list's question. ``assigned`` is "", "me", "none" (waiting
    in a team's queue) or a staff id; ``marks`` are codes of
    haven.people.marks."""

    view: str = "all"
    team: int | None = None
    status: str = "open"
    marks: tuple[str, ...] = ()
    assigned: str = ""
    sort: str = "opened"
    page: int = 1
    notes: tuple[str, ...] = field(default=(), compare=False)
    #: The names of the filters whose values were not understood.
    not_understood: tuple[str, ...] = field(default=(), compare=False)

    @property
    def effective_status(self) -> str:
        return "closed" if self.view == "closed" else self.status

    @property
    def effective_marks(self) -> tuple[str, ...]:
        extra = VIEW_MARKS.get(self.view)
        return tuple(dict.fromkeys((*self.marks, *([extra] if extra else []))))

    def query(self, **changes: object) -> str:
        """This question as an address's query string, with ``changes``;
        values left at their default are left out."""
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        if chosen.view != "all":
            pairs.append(("view", chosen.view))
        if chosen.team is not None:
            pairs.append(("team", str(chosen.team)))
        if chosen.status != "open":
            pairs.append(("status", chosen.status))
        pairs += [("has", code) for code in chosen.marks]
        if chosen.assigned:
            pairs.append(("assigned", chosen.assigned))
        if chosen.sort != "opened":
            pairs.append(("sort", chosen.sort))
        if chosen.page != 1:
            pairs.append(("page", str(chosen.page)))
        return urlencode(pairs)


def _one(values: Sequence[str]) -> str | None:
    return values[-1] if values else None


def _digits(value: str) -> bool:
    """ASCII digits only, and few enough to read as a number safely."""
    return len(value) <= LONGEST_VALUE and value.isascii() and value.isdigit()


def _id(value: str) -> int | None:
    if _digits(value) and 0 < int(value) <= LARGEST_ID:
        return int(value)
    return None


def filters_from(params: Mapping[str, Sequence[str]]) -> CaseFilters:
    """The question in ``params`` (a QueryDict's lists, or the API's
    query): what was understood, and a note for what was not."""
    problems: list[str] = []

    def pick(name: str, allowed: Collection[str], default: str) -> str:
        value = _one(params.get(name, ()))
        if value is None or value == "":
            return default
        if value in allowed:
            return value
        problems.append(name)
        return default

    view = pick("view", VIEWS, "all")
    status = pick("status", STATUSES, "open")
    sort = pick("sort", SORTS, "opened")
    team = None
    if raw := _one(params.get("team", ())):
        team = _id(raw)
        if team is None:
            problems.append("team")
    marks: list[str] = []
    for code in params.get("has", ()):
        if code in case_marks:
            marks.append(code)
        elif code:
            problems.append("has")
    assigned = _one(params.get("assigned", ())) or ""
    if assigned and assigned not in ("me", "none") and _id(assigned) is None:
        problems.append("assigned")
        assigned = ""
    page = 1
    notes: list[str] = []
    if raw := _one(params.get("page", ())):
        if _digits(raw) and 0 < int(raw) <= LARGEST_PAGE:
            page = int(raw)
        elif _digits(raw) and int(raw) > 0:
            page = LARGEST_PAGE  # a huge number: past the end, so the last page
        else:
            notes.append(_("Page numbers start at 1: this is the first page."))
    if problems:
        notes.insert(
            0,
            _("Some of the filters were not understood and were left out: %(names)s.")
            % {"names": ", ".join(dict.fromkeys(problems))},
        )
    return CaseFilters(
        view=view,
        team=team,
        status=status,
        marks=tuple(dict.fromkeys(marks)),
        assigned=assigned,
        sort=sort,
        page=page,
        notes=tuple(notes),
        not_understood=tuple(dict.fromkeys(problems)),
    )
