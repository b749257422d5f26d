"""Reads of people served. Every read of identifying data is audited."""

from __future__ import annotations

import uuid
from datetime import date

from django.http import Http404

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys
from haven.people.models import Person, SearchEntry
from haven.people.normalize import name_forms, phone_form
from haven.people.policies import can_search_people


def people_matching(
    *, user: User, name: str = "", date_of_birth: date | None = None, phone: str = ""
) -> list[Person]:
    """People of the user's agency whose name, date of birth or phone match
    exactly (after normalisation), best matches first. The search terms are
    never stored; the audit event lists only the ids shown."""
    if not can_search_people(user):
        raise Http404
    agency_id = user.agency_id
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
    if phone and phone_form(phone):
        key = keys.index_key(agency_id, SearchEntry.Kind.PHONE)
        wanted.append((SearchEntry.Kind.PHONE, {crypto.blind_index(key, phone_form(phone))}))
    if not wanted:
        return []
    score: dict[uuid.UUID, int] = {}
    for kind, digests in wanted:
        hits = SearchEntry.objects.filter(agency_id=agency_id, kind=kind, digest__in=digests)
        for person_id in set(hits.values_list("person_id", flat=True)):
            score[person_id] = score.get(person_id, 0) + 1
    ranked = sorted(score, key=lambda pid: -score[pid])[:50]
    people = Person.objects.filter(agency_id=agency_id, pk__in=ranked).select_related("data_key")
    by_id = {p.pk: p for p in people}
    found = [by_id[pid] for pid in ranked if pid in by_id]
    if found:
        audit_record(
            action=Action.PEOPLE_VIEWED,
            actor=user,
            object_type="person",
            detail={"ids": [str(p.pk) for p in found]},
        )
    return found
