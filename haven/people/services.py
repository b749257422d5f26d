"""Writes for people served, each audited in its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys
from haven.people.models import Alias, Person, SearchEntry
from haven.people.normalize import name_forms, phone_form


def _digests(agency_id: int, kind: str, values: Iterable[str]) -> set[str]:
    key = keys.index_key(agency_id, kind)
    return {crypto.blind_index(key, value) for value in values if value}


def search_entries_refresh(person: Person) -> None:
    """Rebuild the person's blind-index entries from their current values."""
    names = [person.legal_name or "", person.preferred_name or ""]
    names += [alias.name or "" for alias in person.aliases.all()]
    wanted = {
        (SearchEntry.Kind.NAME, d)
        for d in _digests(
            person.agency_id, SearchEntry.Kind.NAME, (f for n in names for f in name_forms(n))
        )
    }
    if person.date_of_birth:
        wanted |= {
            (SearchEntry.Kind.DATE_OF_BIRTH, d)
            for d in _digests(
                person.agency_id, SearchEntry.Kind.DATE_OF_BIRTH, [person.date_of_birth]
            )
        }
    if person.phone:
        wanted |= {
            (SearchEntry.Kind.PHONE, d)
            for d in _digests(person.agency_id, SearchEntry.Kind.PHONE, [phone_form(person.phone)])
        }
    person.search_entries.all().delete()
    SearchEntry.objects.bulk_create(
        SearchEntry(agency_id=person.agency_id, person=person, kind=kind, digest=digest)
        for kind, digest in wanted
    )


def person_create(
    *,
    actor: User,
    legal_name: str = "",
    preferred_name: str = "",
    self_term: str = "",
    date_of_birth: date | None = None,
    phone: str = "",
    aliases: Iterable[str] = (),
) -> Person:
    """Record a person with their own data key; index what can be searched."""
    with transaction.atomic():
        data_key, _ = keys.data_key_create(actor.agency)
        person = Person(agency=actor.agency, data_key=data_key, created_by=actor)
        person.legal_name = legal_name or None
        person.preferred_name = preferred_name or None
        person.self_term = self_term or None
        person.date_of_birth = date_of_birth.isoformat() if date_of_birth else None
        person.phone = phone or None
        person.save()
        for alias in aliases:
            if alias.strip():
                record = Alias(person=person)
                record.name = alias
                record.save()
        search_entries_refresh(person)
        audit_record(
            action=Action.PERSON_CREATED, actor=actor, object_type="person", object_id=person.pk
        )
    return person
