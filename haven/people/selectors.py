"""Reads of people and cases, scoped by policy and audited.

Every function that returns identifying data records, in the same request,
which people were shown to whom (one event for a whole list).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from haven.accounts.models import Membership, Role, User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.people.models import BreakGlass, Case, Person, SearchEntry
from haven.people.normalize import name_forms, phone_form
from haven.people.policies import may_search_people, visible_cases_q

LIST_SIZE = 50


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


def cases_matching(
    *, user: User, name: str = "", date_of_birth: date | None = None, phone: str = ""
) -> list[Case]:
    """The cases the user may open of the people matching a search, in one
    query, best matches first; audited like people_matching."""
    if not may_search_people(user):
        raise NotFound
    ranked = _matching_ids(user.agency_id, name=name, date_of_birth=date_of_birth, phone=phone)
    if not ranked:
        return []
    rank = {pid: n for n, pid in enumerate(ranked)}
    cases = sorted(
        Case.objects.filter(visible_cases_q(user), person_id__in=ranked[: LIST_SIZE * 4])
        .select_related("person", "person__data_key", "team")
        # Only what a list of cases shows (see case_list).
        .only(
            *("status", "restricted", "opened_on", "team__name"),
            *("person__legal_name", "person__preferred_name", "person__data_key__wrapped"),
            *("person__data_key__agency_id", "person__data_key__agency_key_version"),
        )[:LIST_SIZE],
        key=lambda case: rank[case.person_id],
    )
    audit_people_shown(user=user, people=[c.person for c in cases], where="search")
    return cases


def visible_cases(*, user: User) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases_q(user))


def case_list(*, user: User, status: str = Case.Status.OPEN) -> list[Case]:
    """The newest cases the user may open, with their people, audited.

    Only the columns a list shows are read (the case's status, restriction,
    date and team, the person's names and data key), here and in
    cases_matching: the person has many more sealed values and choices, and
    making fifty of them cost more than the query. Any other field still
    loads when read, with a query of its own, so a list that needs more
    should name it here.
    """
    if not may_search_people(user):
        raise NotFound
    cases = list(
        visible_cases(user=user)
        .filter(status=status)
        .select_related("person", "person__data_key", "team")
        .only(
            *("status", "restricted", "opened_on", "team__name"),
            *("person__legal_name", "person__preferred_name", "person__data_key__wrapped"),
            *("person__data_key__agency_id", "person__data_key__agency_key_version"),
        )
        .order_by("-opened_on", "-created_at")[:LIST_SIZE]
    )
    audit_people_shown(user=user, people=[c.person for c in cases], where="case list")
    return cases


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
        .select_related("person", "person__data_key", "team", "shelter_team")
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
