"""Writes for people served, each audited in its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import crypto, keys
from haven.core.languages import CODES as LANGUAGE_CODES
from haven.core.models import DataKey, Team
from haven.people.models import (
    Alias,
    BreakGlass,
    Case,
    CloseReason,
    Danger,
    Person,
    SearchEntry,
)
from haven.people.normalize import name_forms, phone_form
from haven.people.policies import can_break_glass, can_change_case, can_record_people


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
    language: str = "und",
    interpreter_needed: bool = False,
) -> Person:
    """Record a person with their own data key; index what can be searched."""
    if language not in LANGUAGE_CODES:
        raise ValidationError(_("Choose a language from the list."))
    with transaction.atomic():
        data_key, _key = keys.data_key_create(actor.agency)
        person = Person(
            agency=actor.agency,
            data_key=data_key,
            created_by=actor,
            language=language,
            interpreter_needed=interpreter_needed,
        )
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


def case_open(*, actor: User, person: Person, team: Team, opened_on: date | None = None) -> Case:
    """Open an episode of service for ``person``, worked by ``team``."""
    if not can_record_people(actor):
        raise Http404
    if team.agency_id != actor.agency_id or person.agency_id != actor.agency_id:
        raise Http404
    with transaction.atomic():
        case = Case.objects.create(
            agency_id=actor.agency_id,
            person=person,
            team=team,
            created_by=actor,
            opened_on=opened_on or timezone.localdate(),
        )
        audit_record(
            action=Action.CASE_OPENED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"team": team.pk},
        )
    return case


def intake_record(
    *,
    actor: User,
    team: Team,
    danger: str,
    legal_name: str = "",
    preferred_name: str = "",
    self_term: str = "",
    date_of_birth: date | None = None,
    phone: str = "",
    aliases: Iterable[str] = (),
    language: str = "und",
    interpreter_needed: bool = False,
) -> Case:
    """A first contact: the person, as little of them as they choose to give,
    and their case, with the answer to the danger question. All or nothing."""
    if danger not in Danger.values:
        raise ValidationError(_("Answer whether the person is in immediate danger."))
    if not can_record_people(actor):
        raise Http404
    with transaction.atomic():
        person = person_create(
            actor=actor,
            legal_name=legal_name,
            preferred_name=preferred_name,
            self_term=self_term,
            date_of_birth=date_of_birth,
            phone=phone,
            aliases=aliases,
            language=language,
            interpreter_needed=interpreter_needed,
        )
        case = case_open(actor=actor, person=person, team=team)
        case.danger_at_intake = danger
        case.save(update_fields=["danger_at_intake"])
    return case


def case_close(*, actor: User, case: Case, reason: str) -> None:
    """Close a case the actor works on (advocates and supervisors only)."""
    if not can_change_case(actor) or case.agency_id != actor.agency_id:
        raise Http404
    if reason not in CloseReason.values:
        raise ValidationError(_("Choose why the case is closing."))
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("This case is already closed."))
    with transaction.atomic():
        case.status = Case.Status.CLOSED
        case.close_reason = reason
        case.closed_on = timezone.localdate()
        case.save(update_fields=["status", "close_reason", "closed_on"])
        audit_record(
            action=Action.CASE_CLOSED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"reason": reason},
        )


BREAK_GLASS_WINDOW = timedelta(hours=1)


def break_glass_open(*, actor: User, case_id: uuid.UUID, reason: str) -> Case:
    """Open a case outside one's scope for an hour, with a stated reason.

    Only for cases of the actor's own agency; the reason is kept on the
    record (staff words, not the person's), the event is audited, and the
    team's supervisors see it on their dashboard.
    """
    if not can_break_glass(actor):
        raise Http404
    if len(reason.strip()) < 10:
        raise ValidationError(_("Say why you need this case (at least 10 characters)."))
    case = Case.objects.filter(pk=case_id, agency_id=actor.agency_id).first()
    if case is None:
        raise Http404
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            case=case,
            user=actor,
            reason=reason.strip(),
            expires_at=timezone.now() + BREAK_GLASS_WINDOW,
        )
        audit_record(
            action=Action.BREAK_GLASS,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"grant": str(grant.pk)},
        )
    return case


def person_destroy(*, actor: User | None, person: Person, basis: str) -> None:
    """Destroy a person's record beyond recovery: their data key first (so
    anything sealed under it, anywhere, stops opening), then their rows.

    The audit trail keeps only that a destruction happened, and on what basis.
    """
    if basis not in {"request", "retention"}:
        raise ValidationError(_("A destruction needs a basis: the person's request or retention."))
    person_id = person.pk
    with transaction.atomic():
        data_key_id = person.data_key_id
        Person.objects.filter(pk=person_id).delete()
        DataKey.objects.filter(pk=data_key_id).delete()
        audit_record(
            action=Action.PERSON_DESTROYED,
            actor=actor,
            agency=person.agency,
            object_type="person",
            object_id=person_id,
            detail={"basis": basis},
        )
    # A checkpoint cannot run inside a transaction: it runs once this one commits.
    transaction.on_commit(_flush_freed_pages)


def _flush_freed_pages() -> None:
    """SQLite keeps freed pages in its write-ahead log until a checkpoint;
    with secure_delete on, the checkpoint writes them back zeroed."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def people_due_for_retention(*, agency_id: int, years: int) -> list[Person]:
    """People whose every case closed more than ``years`` years ago."""
    if years < 1:
        raise ValidationError(_("A retention period is at least one year."))
    cutoff = timezone.localdate() - timedelta(days=365 * years)
    open_or_recent = Case.objects.filter(agency_id=agency_id).exclude(
        status=Case.Status.CLOSED, closed_on__lt=cutoff
    )
    return list(
        Person.objects.filter(agency_id=agency_id, cases__isnull=False)
        .exclude(cases__in=open_or_recent)
        .distinct()
    )
