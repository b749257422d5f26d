"""Writes for people served, each audited in its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.approvals import two_people_required
from haven.accounts.models import Approval, User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import keys
from haven.core.errors import NotFound
from haven.core.models import Team
from haven.people import search, signals
from haven.people.details import (
    DETAIL_NAMES,
    RESTRICTED,
    SEALED,
    PersonDetails,
    changed_fields,
    check,
    is_blank,
)
from haven.people.field_settings import field_rules
from haven.people.models import (
    Alias,
    BreakGlass,
    Case,
    CaseOpened,
    CloseReason,
    Danger,
    Person,
    SearchEntry,
)
from haven.people.policies import (
    may_break_glass,
    may_change_case,
    may_manage_case,
    may_open_case,
    may_record_people,
    may_see_restricted_fields,
    may_take_case,
    may_work_cases,
)


def search_entries_refresh(person: Person) -> None:
    """Rebuild the person's blind-index entries from their current values
    (every kind of haven.people.search: a one-off for all people is
    ``manage.py rebuild_search_index``)."""
    names = [person.legal_name or "", person.preferred_name or ""]
    names += [alias.name or "" for alias in person.aliases.all()]
    wanted = search.entry_digests(
        person.agency_id, names=names, date_of_birth=person.date_of_birth, phone=person.phone
    )
    person.search_entries.all().delete()
    SearchEntry.objects.bulk_create(
        SearchEntry(agency_id=person.agency_id, person=person, kind=kind, digest=digest)
        for kind, digest in sorted(wanted)
    )


def search_index_rebuild(*, agency_id: int, batch_size: int = 500) -> Iterator[int]:
    """Rebuild the search entries of every person of an agency, a batch per
    transaction, yielding how many people each batch re-indexed. Safe to run
    again: each person's entries are replaced, never added to."""
    last: uuid.UUID | None = None
    while True:
        people = Person.objects.filter(agency_id=agency_id).order_by("pk")
        if last is not None:
            people = people.filter(pk__gt=last)
        with transaction.atomic():
            batch = list(people.select_related("data_key").prefetch_related("aliases")[:batch_size])
            for person in batch:
                search_entries_refresh(person)
        if not batch:
            return
        last = batch[-1].pk
        yield len(batch)


def person_details(person: Person) -> PersonDetails:
    """The person's current values, as the services compare and write them."""
    values = {name: getattr(person, name) for name in DETAIL_NAMES if name != "aliases"}
    values["aliases"] = tuple(alias.name or "" for alias in person.aliases.all())
    born = person.date_of_birth
    values["date_of_birth"] = date.fromisoformat(born) if born else None
    for name in ("other_languages", "reads", "writes"):
        values[name] = tuple(values[name] or ())
    for name in SEALED:
        values[name] = values[name] or ""
    return PersonDetails(**values)


def _write_details(person: Person, details: PersonDetails, covering: Iterable[str]) -> None:
    """Set the covered values on ``person`` (saved by the caller), and its
    aliases; an estimate of age is dated so it can age with the person."""
    for name in covering:
        value = getattr(details, name)
        if name == "aliases":
            continue
        if name in SEALED:
            value = value or None
        elif name == "date_of_birth":
            value = value.isoformat() if value else None
        elif name in ("other_languages", "reads", "writes"):
            value = list(dict.fromkeys(value))
        setattr(person, name, value)
    if "estimated_age" in covering:
        person.estimated_on = timezone.localdate() if details.estimated_age is not None else None


def _write_aliases(person: Person, aliases: Iterable[str]) -> None:
    person.aliases.all().delete()
    names = [name for name in dict.fromkeys(a.strip() for a in aliases) if name]
    for position, name in enumerate(names):
        alias = Alias(person=person, position=position)
        alias.name = name
        alias.save()


def person_create(*, actor: User, details: PersonDetails) -> Person:
    """Record a person with their own data key; index what can be searched."""
    rules = field_rules(actor.agency_id)
    check(details, covering=DETAIL_NAMES, rules=rules)
    _check_restricted(actor, details, DETAIL_NAMES)
    with transaction.atomic():
        data_key, _key = keys.data_key_create(actor.agency)
        person = Person(agency=actor.agency, data_key=data_key, created_by=actor)
        _write_details(person, details, DETAIL_NAMES)
        person.save()
        _write_aliases(person, details.aliases)
        search_entries_refresh(person)
        audit_record(
            action=Action.PERSON_CREATED, actor=actor, object_type="person", object_id=person.pk
        )
    return person


class StaleRecord(ValidationError):
    """The record changed after the page being submitted was opened."""


def person_update(
    *,
    actor: User,
    case: Case,
    details: PersonDetails,
    covering: Iterable[str],
    version: int | None = None,
) -> list[str]:
    """Change the covered fields of the person of ``case`` (a case the actor
    may open, from ``selectors.case_get``). Returns the names that changed;
    the audit event lists those names, never the values.

    With ``version`` (the one the form was rendered from), a record changed
    meanwhile by someone else is refused with ``StaleRecord`` rather than
    silently overwritten.
    """
    if not may_change_case(actor) or not may_open_case(actor, case.pk):
        raise NotFound
    covering = tuple(covering)
    if "date_of_birth" in covering and details.date_of_birth and "estimated_age" not in covering:
        # A date of birth replaces an estimate: the record never holds both.
        details = replace(details, estimated_age=None)
        covering = (*covering, "estimated_age")
    check(details, covering=covering, rules=field_rules(actor.agency_id))
    _check_restricted(actor, details, covering)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=case.person_id)
        changed = changed_fields(person_details(person), details, covering)
        if not changed:
            return []  # also a form submitted twice: the first one already saved it
        if version is not None and person.version != version:
            raise StaleRecord(
                _(
                    "Someone changed this record after you opened the page. "
                    "It now shows the current values: make your change again."
                )
            )
        _write_details(person, details, changed)
        person.version += 1
        person.save()
        if "aliases" in changed:
            _write_aliases(person, details.aliases)
        if set(changed) & _SEARCHED:
            search_entries_refresh(person)
        audit_record(
            action=Action.PERSON_CHANGED,
            actor=actor,
            object_type="person",
            object_id=person.pk,
            detail={"fields": changed, "case": str(case.pk)},
        )
        signals.person_changed.send(sender=Person, person=person, fields=changed, actor=actor)
    return changed


def _check_restricted(actor: User, details: PersonDetails, covering: Iterable[str]) -> None:
    """Only the roles that see a restricted field may record it."""
    if may_see_restricted_fields(actor):
        return
    sent = [n for n in RESTRICTED if n in covering and not is_blank(n, getattr(details, n))]
    if sent:
        raise ValidationError({n: [_("Your role does not record this field.")] for n in sent})


_SEARCHED = frozenset({"legal_name", "preferred_name", "aliases", "date_of_birth", "phone"})


def case_open(
    *,
    actor: User,
    person: Person,
    team: Team,
    opened_on: date | None = None,
    danger: str = "",
) -> Case:
    """Open an episode of service for ``person``, worked by ``team``."""
    if not may_record_people(actor):
        raise NotFound
    if team.agency_id != actor.agency_id or person.agency_id != actor.agency_id:
        raise NotFound
    with transaction.atomic():
        case = Case.objects.create(
            agency_id=actor.agency_id,
            person=person,
            team=team,
            created_by=actor,
            opened_on=opened_on or timezone.localdate(),
            danger_at_intake=danger,
        )
        audit_record(
            action=Action.CASE_OPENED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"team": team.pk},
        )
        signals.case_opened.send(sender=Case, case=case, actor=actor)
    return case


def intake_record(
    *,
    actor: User,
    team: Team,
    danger: str,
    details: PersonDetails,
    advocate: User | None = None,
) -> Case:
    """A first contact: the person, as little of them as they choose to give,
    and their case, with the answer to the danger question, sent to the
    team's queue or to ``advocate`` of that team. All or nothing."""
    if danger not in Danger.values:
        raise ValidationError(_("Answer whether the person is in immediate danger."))
    if not may_record_people(actor):
        raise NotFound
    _check_advocate(actor, team, advocate)
    with transaction.atomic():
        person = person_create(actor=actor, details=details)
        case = case_open(actor=actor, person=person, team=team, danger=danger)
        case_hand_off(actor=actor, case=case, advocate=advocate)
    return case


NOT_AN_ADVOCATE = gettext_lazy("Choose an advocate or supervisor of the team you send the case to.")


def _check_advocate(actor: User, team: Team, advocate: User | None) -> None:
    if advocate is None:
        return
    if advocate.agency_id != actor.agency_id or not may_take_case(advocate, team.pk):
        raise ValidationError({"advocate": [NOT_AN_ADVOCATE]})


def case_hand_off(*, actor: User, case: Case, advocate: User | None) -> None:
    """Send a case just opened to its team's queue, or straight to
    ``advocate`` (an active advocate or supervisor of the case's team). It
    is new to them, or to everyone on the team, until they first open it."""
    if case.agency_id != actor.agency_id or case.created_by_id != actor.pk:
        raise NotFound
    _check_advocate(actor, case.team, advocate)
    with transaction.atomic():
        if advocate is None:
            case.queued_at = timezone.now()
            case.save(update_fields=["queued_at"])
        else:
            case.assigned.add(advocate)
            CaseOpened.objects.filter(case=case, user=advocate).delete()
        audit_record(
            action=Action.CASE_HANDED_OFF,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"team": case.team_id, "advocate": advocate.pk if advocate else None},
        )


def case_take(*, actor: User, case_id: uuid.UUID) -> Case:
    """Take a case from the queue of a team the actor works in: it is
    assigned to them and leaves the queue. Someone else taking it first is
    refused with a message, not a second assignment."""
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if (
            case is None
            or not may_take_case(actor, case.team_id)
            or not may_open_case(actor, case.pk)
        ):
            raise NotFound
        if case.status != Case.Status.OPEN or case.queued_at is None:
            raise ValidationError(_("This case is no longer waiting in the team's queue."))
        case.queued_at = None
        case.save(update_fields=["queued_at"])
        case.assigned.add(actor)
        audit_record(
            action=Action.CASE_TAKEN,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"team": case.team_id},
        )
    return case


def case_opened_by(*, user: User, case: Case) -> None:
    """Record that ``user`` opened ``case`` (one they may open, already read
    through a selector): from now on it is no longer new to them. No audit
    row of its own: the read that opened it is audited."""
    CaseOpened.objects.get_or_create(case=case, user=user)


def case_close(*, actor: User, case: Case, reason: str) -> None:
    """Close a case the actor works on (advocates and supervisors only)."""
    if not may_change_case(actor) or case.agency_id != actor.agency_id:
        raise NotFound
    if reason not in CloseReason.values:
        raise ValidationError(_("Choose why the case is closing."))
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("This case is already closed."))
    refusals = [refusal for check in signals.close_checks if (refusal := check(case))]
    if refusals:
        raise ValidationError(refusals)
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


def case_staff_set(
    *,
    actor: User,
    case: Case,
    assigned: Collection[User],
    restricted: bool,
    named: Collection[User],
) -> bool:
    """Set who works ``case`` and who may open it when restricted.

    Only a supervisor of the case's team decides. Everyone chosen must be an
    active colleague who works cases; a restricted case must name the
    supervisor making the change, so nobody locks themselves out by mistake.
    Returns whether anything changed.
    """
    if not may_manage_case(actor, case.team_id) or not may_open_case(actor, case.pk):
        raise NotFound
    chosen = {*assigned, *named}
    if any(
        u.agency_id != actor.agency_id or not u.is_active or not may_work_cases(u) for u in chosen
    ):
        raise ValidationError(_("Choose colleagues of your agency who work on cases."))
    if restricted and actor not in named:
        raise ValidationError(
            {"named_staff": [_("Name yourself too, or you will no longer see this case.")]}
        )
    assigned_ids = sorted(u.pk for u in assigned)
    named_ids = sorted(u.pk for u in named) if restricted else []
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = (
            sorted(locked.assigned.values_list("pk", flat=True)),
            locked.restricted,
            sorted(locked.named_staff.values_list("pk", flat=True)),
        )
        if before == (assigned_ids, restricted, named_ids):
            return False
        newly = set(assigned_ids) - set(before[0])
        locked.assigned.set(assigned_ids)
        locked.named_staff.set(named_ids)
        locked.restricted = restricted
        if assigned_ids:
            locked.queued_at = None  # staffed by a supervisor: no longer waiting in the queue
        CaseOpened.objects.filter(case=locked, user_id__in=newly).delete()
        locked.save(update_fields=["restricted", "queued_at"])
        audit_record(
            action=Action.CASE_STAFF_CHANGED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"assigned": assigned_ids, "restricted": restricted, "named": named_ids},
        )
    case.restricted = restricted
    return True


BREAK_GLASS_WINDOW = timedelta(hours=1)


def break_glass_open(*, actor: User, case_id: uuid.UUID, reason: str) -> Case:
    """Open a case outside one's scope for an hour, with a stated reason.

    Only for cases of the actor's own agency; the reason is kept on the
    record (staff words, not the person's), the event is audited, and the
    team's supervisors see it on their dashboard.
    """
    if not may_break_glass(actor):
        raise NotFound
    if len(reason.strip()) < 10:
        raise ValidationError(_("Say why you need this case (at least 10 characters)."))
    case = Case.objects.filter(pk=case_id, agency_id=actor.agency_id).first()
    if case is None:
        raise NotFound
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


#: The kind under which a destruction waits for a second supervisor.
DESTROY_ON_REQUEST = "person.destroy"


def person_destroy_on_request(*, actor: User, case: Case, approval: Approval | None = None) -> None:
    """The person asked for their record to be destroyed: a supervisor of
    the case's team carries it out, for every case of theirs in the agency.

    Where the agency's two-person rule holds, only with ``approval``: a second
    supervisor's answer to ``actor``'s request about this case
    (haven.accounts.approvals, which passes it when it carries the request out).
    """
    if not may_manage_case(actor, case.team_id) or not may_open_case(actor, case.pk):
        raise NotFound
    if two_people_required(case.person.agency_id) and not (
        approval is not None
        and approval.kind == DESTROY_ON_REQUEST
        and approval.object_id == str(case.pk)
        and approval.requested_by_id == actor.pk
        and approval.state == Approval.State.APPROVED
    ):
        raise ValidationError(
            _("This agency asks a second supervisor to approve a destruction first.")
        )
    person_destroy(actor=actor, person=case.person, basis="request")


def destroy_approved(approval: Approval) -> None:
    """Carry out an approved request to destroy, as the supervisor who asked."""
    case = (
        Case.objects.filter(pk=approval.object_id, person__agency_id=approval.agency_id)
        .select_related("person", "person__agency")
        .first()
    )
    if case is None:
        raise ValidationError(_("The record is no longer there: it was destroyed already."))
    try:
        person_destroy_on_request(actor=approval.requested_by, case=case, approval=approval)
    except NotFound:
        raise ValidationError(
            _(
                "The supervisor who asked may no longer destroy this record (their roles "
                "changed). Someone who may can ask again."
            )
        ) from None


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
        keys.data_keys_destroy([data_key_id], kind="person", rows=[("people.Person", [person_id])])
        audit_record(
            action=Action.PERSON_DESTROYED,
            actor=actor,
            agency=person.agency,
            object_type="person",
            object_id=person_id,
            detail={"basis": basis},
        )


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
