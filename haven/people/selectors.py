"""Reads of people and cases, scoped by policy and audited.

Every function that returns identifying data records, in the same request,
which people were shown to whom (one event for a whole list).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case as DbCase
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from haven.accounts.models import Membership, Role, User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.people import search
from haven.people.caselist import PAGE_SIZE, CaseFilters
from haven.people.marks import activity_sources, marks_seen_by
from haven.people.models import BreakGlass, Case, CaseOpened, Person, SearchEntry
from haven.people.normalize import last_four, name_forms, phone_form
from haven.people.policies import (
    assigned_case_ids,
    may_search_people,
    my_teams_q,
    visible_cases_q,
)
from haven.people.search import Query

LIST_SIZE = 50

# What a list of cases shows (the case list, search results): only these columns
# are read, not the person's many other sealed values.
_LIST_COLUMNS = (
    *("status", "restricted", "opened_on", "queued_at", "created_at", "team__name"),
    *("person__legal_name", "person__preferred_name", "person__data_key__wrapped"),
    *("person__data_key__agency_id", "person__data_key__agency_key_version"),
)


def audit_people_shown(*, user: User, people: Sequence[Person], where: str) -> None:
    if people:
        audit_record(
            action=Action.PEOPLE_VIEWED,
            actor=user,
            object_type="person",
            detail={"ids": [str(p.pk) for p in people], "where": where},
        )


def _matching_ids(
    agency_id: int, *, name: str, date_of_birth: date | None, phone: str
) -> list[uuid.UUID]:
    wanted: list[tuple[str, set[str]]] = []
    if name:
        key = keys.index_key(agency_id, SearchEntry.Kind.NAME)
        wanted.append(
            (SearchEntry.Kind.NAME, {crypto.blind_index(key, f) for f in name_forms(name)})
        )
    if date_of_birth:
        key = keys.index_key(agency_id, SearchEntry.Kind.DATE_OF_BIRTH)
        wanted.append(
            (SearchEntry.Kind.DATE_OF_BIRTH, {crypto.blind_index(key, date_of_birth.isoformat())})
        )
    phone = phone_form(phone) if phone else ""
    if phone:
        key = keys.index_key(agency_id, SearchEntry.Kind.PHONE)
        wanted.append((SearchEntry.Kind.PHONE, {crypto.blind_index(key, phone)}))
    score: dict[uuid.UUID, int] = {}
    for kind, digests in wanted:
        hits = SearchEntry.objects.filter(agency_id=agency_id, kind=kind, digest__in=digests)
        for person_id in set(hits.values_list("person_id", flat=True)):
            score[person_id] = score.get(person_id, 0) + 1
    return sorted(score, key=lambda pid: -score[pid])


def people_matching(
    *, user: User, name: str = "", date_of_birth: date | None = None, phone: str = ""
) -> list[Person]:
    """People the user may see whose name, date of birth or phone match
    exactly (after normalisation), most matching fields first.

    Used before recording someone new, so one person does not become two.
    The search terms are never stored; the audit event lists the ids shown.
    """
    if not may_search_people(user):
        raise NotFound
    ranked = _matching_ids(user.agency_id, name=name, date_of_birth=date_of_birth, phone=phone)
    if not ranked:
        return []
    visible = set(
        Case.objects.filter(visible_cases_q(user), person_id__in=ranked).values_list(
            "person_id", flat=True
        )
    )
    ranked = [pid for pid in ranked if pid in visible][:LIST_SIZE]
    people = Person.objects.filter(pk__in=ranked).select_related("data_key")
    by_id = {p.pk: p for p in people}
    found = [by_id[pid] for pid in ranked if pid in by_id]
    audit_people_shown(user=user, people=found, where="search")
    return found


#: A search lists at most this many people, newest case first, like a page
#: of the case list: past it, the page asks for another word, a year or the
#: last four digits of a phone (one more word beats paging through a name
#: hundreds share).
SEARCH_SIZE = 25
#: At most this many similar names are listed, below the exact matches.
SIMILAR_SIZE = 10
#: Cases read and decrypted at most to confirm a year of birth or a phone's
#: last four digits (whose digests are shared by many values): past this
#: many, the page asks for another word rather than read on.
CONFIRM_LIMIT = 2000
_CONFIRM_BATCH = 50


@dataclass(frozen=True)
class Found:
    """The cases of a search: exact matches, and similar names apart."""

    exact: list[Case]
    similar: list[Case]
    #: More matched than are listed (or than could be confirmed).
    more: bool


def _people_with(agency_id: int, kind: str, values: Iterable[str]) -> QuerySet[SearchEntry, Any]:
    """The ids of the people indexed under any of ``values`` (one kind)."""
    wanted = search.digests(agency_id, kind, values)
    return SearchEntry.objects.filter(agency_id=agency_id, kind=kind, digest__in=wanted).values(
        "person_id"
    )


def _entries_of(agency_id: int, kind: str, values: Iterable[str]) -> QuerySet[SearchEntry, Any]:
    """The entries of one kind under any of ``values`` of the outer case's person."""
    wanted = search.digests(agency_id, kind, values)
    return SearchEntry.objects.filter(
        agency_id=agency_id, kind=kind, digest__in=wanted, person_id=OuterRef("person_id")
    )


def _entries_q(agency_id: int, kind: str, values: Iterable[str]) -> Q:
    """The search entries of one kind under any of ``values``; none if no value."""
    wanted = search.digests(agency_id, kind, values)
    return Q(kind=kind, digest__in=sorted(wanted)) if wanted else Q(pk__in=[])


def _ids_in_all(agency_id: int, parts: Sequence[Q]) -> set[uuid.UUID]:
    """The ids of the people with an entry of each of ``parts``, given rarest
    first: the database reads the first part's people and asks each of them
    for the others by the (person, kind, digest) index, so a word thousands
    share ("al", a title) is never read whole."""
    entries = SearchEntry.objects.filter(agency_id=agency_id)
    first, *rest = parts
    found = entries.filter(first)
    for part in rest:
        found = found.filter(Exists(entries.filter(part, person_id=OuterRef("person_id"))))
    return set(found.values_list("person_id", flat=True))


def _entry_counts(agency_id: int, parts: Sequence[Q]) -> list[int]:
    """How many entries each of ``parts`` has, in one query (read from the
    lookup index alone)."""
    either = Q()
    for part in parts:
        either |= part
    counted = SearchEntry.objects.filter(either, agency_id=agency_id).aggregate(
        **{f"part{n}": Count("pk", filter=part) for n, part in enumerate(parts)}
    )
    return [counted[f"part{n}"] for n in range(len(parts))]


def _entries_matching(agency_id: int, part: Q) -> QuerySet[SearchEntry, Any]:
    """The entries of ``part`` of the outer case's person."""
    return SearchEntry.objects.filter(part, agency_id=agency_id, person_id=OuterRef("person_id"))


def _with_all(cases: QuerySet[Case], agency_id: int, parts: Sequence[Q]) -> QuerySet[Case]:
    """``cases`` whose person has an entry of each of ``parts``, asked of each
    case by the (person, kind, digest) index."""
    return cases.filter(*[Exists(_entries_matching(agency_id, part)) for part in parts])


#: A single word more people share than this is looked for case by case,
#: newest first, stopping at the first page: one person in a hundred at
#: 100,000 people, so about 2,500 cases are walked for a page of 25, where
#: reading the people's ids and sorting their cases cost more. (Several
#: words each this common may still name only a few people together: those
#: are intersected by their ids.)
WALK_PAST = 1000


#: The most ids handed to the database in one query (SQLite takes at most
#: 32,766 values in one statement): more are read a slice at a time.
IDS_IN_ONE_QUERY = 10_000


def _first_of_people(
    cases: QuerySet[Case],
    person_ids: set[uuid.UUID],
    confirm: Callable[[Person], bool] | None,
    size: int,
) -> tuple[list[Case], bool]:
    """``_first`` over the cases of ``person_ids``: the newest ``size``, and
    whether there are more, a slice of ids at a time, merged newest first."""
    ids = sorted(person_ids)
    found: list[Case] = []
    more = False
    for start in range(0, len(ids), IDS_IN_ONE_QUERY):
        some, beyond = _first(
            cases.filter(person_id__in=ids[start : start + IDS_IN_ONE_QUERY]), confirm, size
        )
        found += some
        more = more or beyond
    found.sort(key=lambda case: (case.opened_on, case.created_at), reverse=True)
    return found[:size], more or len(found) > size


def _confirmed(query: Query, today: date) -> Callable[[Person], bool] | None:
    """A check of the decrypted values, for the parts of ``query`` whose
    digests are shared by many values (a year, four digits); None if none."""
    if not query.four_digits:
        return None

    def matches(person: Person) -> bool:
        # The date of birth first: a year is the likelier match, and the
        # phone is then not decrypted.
        return all(
            (search.is_year(four, today=today) and (person.date_of_birth or "")[:4] == four)
            or last_four(person.phone or "") == four
            for four in query.four_digits
        )

    return matches


def _first(
    cases: QuerySet[Case], confirm: Callable[[Person], bool] | None, size: int
) -> tuple[list[Case], bool]:
    """The newest ``size`` cases that pass ``confirm``, and whether there are more."""
    cases = cases.select_related("person", "person__data_key", "team").order_by(
        "-opened_on", "-created_at"
    )
    if confirm is None:
        found = list(cases.only(*_LIST_COLUMNS)[: size + 1])
        return found[:size], len(found) > size
    cases = cases.only(*_LIST_COLUMNS, "person__date_of_birth", "person__phone")
    found = []
    read = 0
    # One statement read a few rows at a time: the database walks the cases
    # only as far as the confirmed ones reach, and no candidate past them is
    # made into a model or decrypted.
    for case in cases[:CONFIRM_LIMIT].iterator(chunk_size=_CONFIRM_BATCH):
        read += 1
        if confirm(case.person):
            found.append(case)
            if len(found) > size:
                return found[:size], True
    return found, read >= CONFIRM_LIMIT


def search_cases(*, user: User, query: Query) -> Found:
    """The cases the user may open of the people a search box query finds:
    every word of it in any of their names (any order, accents, case and
    script folded), then, when they are few, names that sound like it apart;
    narrowed by a date of birth, a year of birth, a phone or its last four
    digits.

    The query is never stored; one audit event lists the ids shown.
    """
    if not may_search_people(user):
        raise NotFound
    agency, today = user.agency_id, timezone.localdate()
    Kind = SearchEntry.Kind
    cases = visible_cases(user=user)
    if query.born:
        cases = cases.filter(
            person_id__in=_people_with(agency, Kind.DATE_OF_BIRTH, [query.born.isoformat()])
        )
    if query.phone:
        cases = cases.filter(person_id__in=_people_with(agency, Kind.PHONE, [query.phone]))
    for four in query.four_digits:
        if search.is_year(four, today=today):
            # A year's digest is shared by one person in sixteen: thousands of
            # candidates at 100,000 people. Asked of each case as the database
            # walks them newest first, it stops after the first batch; handed
            # over as a list of people, every candidate's case would be read
            # and sorted before the first one is confirmed.
            cases = cases.filter(
                Exists(_entries_of(agency, Kind.PHONE_END, [four]))
                | Exists(_entries_of(agency, Kind.BIRTH_YEAR, [four]))
            )
        else:
            cases = cases.filter(person_id__in=_people_with(agency, Kind.PHONE_END, [four]))
    confirm = _confirmed(query, today)
    if query.words:
        # Every word must match. The people the words name together, as ids,
        # let the database start from those few people instead of walking
        # every case newest first; the database intersects them, rarest word
        # first (a common word, "al" or a title, names thousands of people).
        # A single word that many share is walked for instead (WALK_PAST).
        pairs = list(zip(query.word_forms(), query.word_sounds(), strict=True))
        per_word = [_entries_q(agency, Kind.WORD, forms) for forms, _sound in pairs]
        counts = _entry_counts(agency, per_word)
        order = sorted(range(len(per_word)), key=counts.__getitem__)
        named: set[uuid.UUID] | None = None
        if len(per_word) == 1 and counts[0] > WALK_PAST:
            exact, more = _first(_with_all(cases, agency, per_word), confirm, SEARCH_SIZE)
        else:
            named = _ids_in_all(agency, [per_word[n] for n in order])
            exact, more = _first_of_people(cases, named, confirm, SEARCH_SIZE)
        near: list[Case] = []
        if not more:
            # Names that sound alike help when the exact ones are few; a name
            # many share needs another word, not the names like it.
            alike = [
                words | _entries_q(agency, Kind.SOUND, [sound] if sound else [])
                for words, (_forms, sound) in zip(per_word, pairs, strict=True)
            ]
            if len(alike) == 1 and _entry_counts(agency, alike)[0] > WALK_PAST:
                # Many names like the word: walked newest first as well,
                # leaving out the people of the word itself (listed above).
                others = _with_all(cases, agency, alike).exclude(
                    Exists(_entries_matching(agency, per_word[0]))
                )
                near, _more = _first(others, confirm, SIMILAR_SIZE)
            else:
                if named is None:
                    named = _ids_in_all(agency, [per_word[n] for n in order])
                near_ids = _ids_in_all(agency, [alike[n] for n in order]) - named
                near, _more = _first_of_people(cases, near_ids, confirm, SIMILAR_SIZE)
    else:
        (exact, more), near = _first(cases, confirm, SEARCH_SIZE), []
    audit_people_shown(user=user, people=[c.person for c in exact + near], where="search")
    return Found(exact=exact, similar=near, more=more)


def visible_cases(*, user: User) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases_q(user))


def _opened_by(user: User) -> Exists:
    return Exists(CaseOpened.objects.filter(case_id=OuterRef("pk"), user=user))


def new_to_q(user: User) -> Q:
    """The cases new to ``user``: assigned to them, or waiting in the queue
    of a team they work in, and not opened by them since."""
    assigned = assigned_case_ids(user)
    came = Q(pk__in=assigned) | (my_teams_q(user) & Q(queued_at__isnull=False))
    return came & ~_opened_by(user) & Q(status=Case.Status.OPEN)


def new_case_ids(*, user: User, among: Sequence[uuid.UUID] | None = None) -> set[uuid.UUID]:
    """Which cases (of ``among``, or all the user may open) are new to them:
    ids only, nothing to audit."""
    found = visible_cases(user=user).filter(new_to_q(user))
    if among is not None:
        found = found.filter(pk__in=list(among))
    return set(found.values_list("pk", flat=True))


def _new_among(user: User, case_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``case_ids`` are new to ``user``: cases this request has just
    read through visible_cases, so the visibility filter is not composed and
    asked a second time (as case_marks_of, ids only, nothing to audit)."""
    return set(
        Case.objects.filter(pk__in=list(case_ids))
        .filter(new_to_q(user))
        .values_list("pk", flat=True)
    )


def _filtered(user: User, filters: CaseFilters) -> QuerySet[Case]:
    today = timezone.localdate()
    cases = visible_cases(user=user)
    status = filters.effective_status
    if status != "any":
        cases = cases.filter(status=status)
    if filters.view == "mine":
        cases = cases.filter(pk__in=assigned_case_ids(user))
    elif filters.view == "new":
        cases = cases.filter(new_to_q(user))
    elif filters.view == "team":
        cases = cases.filter(my_teams_q(user))
    elif filters.view == "restricted":
        cases = cases.filter(restricted=True)
    if filters.team is not None:
        cases = cases.filter(team_id=filters.team)
    if filters.assigned == "me":
        cases = cases.filter(pk__in=assigned_case_ids(user))
    elif filters.assigned == "none":
        cases = cases.filter(queued_at__isnull=False)
    elif filters.assigned:
        staff = Case.assigned.through.objects.filter(user_id=int(filters.assigned))
        cases = cases.filter(pk__in=staff.values("case_id"))
    seen = marks_seen_by(user)
    for code in filters.effective_marks:
        mark = seen.get(code)
        if mark is None:
            # A mark the user may not know of filters out every case, so a
            # list never answers a question their role may not ask.
            return cases.none()
        else:
            cases = cases.filter(Exists(mark.rows(today).filter(case_id=OuterRef("pk"))))
    return cases


def _sorted(user: User, cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    if sort == "activity":
        # Greatest is null when any part is (SQLite): each source falls back
        # to when the case was created.
        sources = [Coalesce(source(), F("created_at")) for source in activity_sources]
        latest = Greatest(*sources, F("created_at")) if sources else F("created_at")
        return cases.annotate(last_activity=latest).order_by(
            F("last_activity").desc(), "-created_at", "pk"
        )
    if sort == "urgency":
        today = timezone.localdate()
        ranked = sorted(
            (m for m in marks_seen_by(user).values() if m.urgency is not None),
            key=lambda m: m.urgency or 0,
        )
        whens = [
            When(Exists(m.rows(today).filter(case_id=OuterRef("pk"))), then=Value(m.urgency))
            for m in ranked
        ]
        whens.append(When(new_to_q(user), then=Value(NEW_URGENCY)))
        return cases.annotate(
            urgency=DbCase(*whens, default=Value(NEW_URGENCY + 1), output_field=IntegerField())
        ).order_by("urgency", "opened_on", "created_at", "pk")
    return cases.order_by("-opened_on", "-created_at", "pk")


#: A case new to the viewer comes after every mark the protocol registers.
NEW_URGENCY = 50


@dataclass
class CasePage:
    """One page of a case list, with where it stands."""

    cases: list[Case]
    page: Page  # type: ignore[type-arg]
    filters: CaseFilters
    new: set[uuid.UUID]
    marks: dict[uuid.UUID, list[str]]
    past_end: bool

    @property
    def total(self) -> int:
        return int(self.page.paginator.count)

    @property
    def first(self) -> int:
        return int(self.page.start_index())

    @property
    def last(self) -> int:
        return int(self.page.end_index())


def case_page(*, user: User, filters: CaseFilters | None = None) -> CasePage:
    """One page of the cases the user may open that answer ``filters``,
    with their people, audited as one list; with each case's marks and
    whether it is new to the user. A fixed number of queries whatever the
    number of cases: the count, the page, its marks, its new cases, the audit.

    Only the columns a list shows are read (the case's status, restriction,
    date and team, the person's names and data key), here and in
    search_cases: the person has many more sealed values and choices, and
    making fifty of them cost more than the query. Any other field still
    loads when read, with a query of its own, so a list that needs more
    should name it here.
    """
    if not may_search_people(user):
        raise NotFound
    filters = filters or CaseFilters()
    cases = _sorted(user, _filtered(user, filters), filters.sort)
    rows = cases.select_related("person", "person__data_key", "team").only(*_LIST_COLUMNS)
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(filters.page)
    shown = list(page.object_list)
    page.object_list = shown
    ids = [case.pk for case in shown]
    audit_people_shown(user=user, people=[c.person for c in shown], where="case list")
    return CasePage(
        cases=shown,
        page=page,
        filters=filters,
        new=_new_among(user, ids) if ids else set(),
        marks=case_marks_of(ids, user=user),
        past_end=filters.page > paginator.num_pages,
    )


def case_marks_of(case_ids: Sequence[uuid.UUID], *, user: User) -> dict[uuid.UUID, list[str]]:
    """The codes of the marks ``user`` may know of that each case carries
    today, in one query: the marks' rows joined by UNION, so a new mark
    costs a list nothing more."""
    today = timezone.localdate()
    found: dict[uuid.UUID, list[str]] = {pk: [] for pk in case_ids}
    marks = list(marks_seen_by(user).values())
    if not case_ids or not marks:
        return found
    wanted = list(case_ids)
    parts = [
        mark.rows(today)
        .filter(case_id__in=wanted)
        .order_by()
        .annotate(mark=Value(mark.code, output_field=CharField()))
        .values_list("case_id", "mark")
        for mark in marks
    ]
    order = {mark.code: n for n, mark in enumerate(marks)}
    for case_id, code in sorted(set(parts[0].union(*parts[1:])), key=lambda row: order[row[1]]):
        found[case_id].append(code)
    return found


def case_workers(*, user: User) -> list[User]:
    """The active staff of the user's agency who work cases (advocates,
    supervisors, shelter staff): whose cases a list can be narrowed to, who
    may have taken part in a contact. Names of staff, never of people served."""
    return list(
        User.objects.filter(
            agency_id=user.agency_id,
            is_active=True,
            memberships__role__in=[Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER],
        )
        .distinct()
        .order_by("display_name", "username")
    )


def dashboard_cases_q(user: User) -> Q:
    """The open cases a user's dashboard is about: assigned to them,
    recorded by them, of the teams they supervise, or waiting in the queue
    of a team they work in (visible_cases_q still decides what they open)."""
    assigned = assigned_case_ids(user)
    supervised = Membership.objects.filter(
        user=user, role=Role.SUPERVISOR, team__isnull=False
    ).values("team_id")
    return (
        Q(pk__in=assigned)
        | Q(created_by=user)
        | Q(team_id__in=supervised)
        | (my_teams_q(user) & Q(queued_at__isnull=False))
    ) & Q(status=Case.Status.OPEN)


def cases_named(*, user: User, case_ids: Sequence[uuid.UUID], where: str) -> dict[uuid.UUID, Case]:
    """The cases of ``case_ids`` the user may open, with their people's
    names, audited as one list (for a page that names them)."""
    cases = list(
        visible_cases(user=user)
        .filter(pk__in=list(case_ids))
        .select_related("person", "person__data_key", "team")
        .only(*_LIST_COLUMNS)
    )
    audit_people_shown(user=user, people=[c.person for c in cases], where=where)
    return {case.pk: case for case in cases}


def case_get(
    *, user: User, case_id: uuid.UUID, allowed: Callable[[Case], bool] | None = None
) -> Case:
    """One case the user may open, or 404 exactly like a missing one.

    ``allowed`` is the action's own policy (closing, staffing...): it is
    asked before the read is audited, so a refused action leaves no trace
    of a person being shown, just as for a case that does not exist.
    """
    case = (
        visible_cases(user=user)
        .filter(pk=case_id)
        .select_related("person", "person__data_key", "team")
        .first()
    )
    if case is None or (allowed is not None and not allowed(case)):
        raise NotFound
    audit_record(
        action=Action.PEOPLE_VIEWED,
        actor=user,
        object_type="case",
        object_id=case.pk,
        detail={"ids": [str(case.person_id)], "where": "case"},
    )
    return case


def visible_case_ids_of(
    *, user: User, people: Sequence[Person]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The ids of the cases of ``people`` the user may open, newest first.

    Ids only, so nothing to audit: the caller already recorded the people shown.
    """
    found: dict[uuid.UUID, list[uuid.UUID]] = {p.pk: [] for p in people}
    rows = (
        visible_cases(user=user)
        .filter(person_id__in=list(found))
        .order_by("-opened_on", "-created_at")
        .values_list("person_id", "pk")
    )
    for person_id, case_id in rows:
        found[person_id].append(case_id)
    return found


def recording_team(*, user: User, team_id: int) -> Team | None:
    """An active team of the user's own agency to open a case on, or None
    (another agency's team and a missing one look the same)."""
    return Team.objects.filter(pk=team_id, agency_id=user.agency_id, is_active=True).first()


def colleague(*, user: User, staff_id: int) -> User | None:
    """A member of staff of the user's own agency, or None (another
    agency's and a missing one look the same)."""
    return User.objects.filter(pk=staff_id, agency_id=user.agency_id).first()


def break_glass_to_review(*, user: User, days: int = 14) -> list[BreakGlass]:
    """Emergency accesses to cases of the teams ``user`` supervises, newest first."""
    teams = Membership.objects.filter(user=user, role=Role.SUPERVISOR, team__isnull=False)
    since = timezone.now() - timedelta(days=days)
    return list(
        BreakGlass.objects.filter(
            case__agency_id=user.agency_id,
            case__team_id__in=teams.values("team_id"),
            at__gte=since,
        )
        .select_related("user", "case__team")
        .order_by("-at")[:LIST_SIZE]
    )
