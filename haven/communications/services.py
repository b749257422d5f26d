"""Writing the communications log: entries and addenda, never changes.

Every rule is checked here, whoever calls (a page, the API). An entry is
written with its files, its place in the case's chain and its anchor in the
audit trail in one transaction: all of it or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.attachments.models import Use
from haven.attachments.services import Upload, attachment_store
from haven.audit.chain import GENESIS
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.communications import chain
from haven.communications.models import (
    AdHocInterpreter,
    Channel,
    Communication,
    InterpretationMode,
    Interpreter,
    InterpreterGender,
    InterpreterKind,
)
from haven.communications.policies import may_keep_roster, may_log_communications
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.fields import EncryptedTextField
from haven.core.languages import CODES
from haven.core.text import check_texts
from haven.people.models import Case
from haven.protocol.models import Step, StepState
from haven.protocol.tracker import step_advance

MAX_FILES = 5
# Clocks differ a little between a phone and the server.
FUTURE_SLACK = timedelta(minutes=10)
# A follow-up is ahead, or just past when an entry is recorded late.
FOLLOW_UP_PAST = timedelta(days=31)
FOLLOW_UP_AHEAD = timedelta(days=2 * 366)


@dataclass(frozen=True)
class CommunicationValues:
    """One communication as staff record it."""

    occurred_at: datetime | None
    channel: str
    summary: str
    details: str = ""
    with_person: bool = True
    staff_ids: Sequence[int] = ()
    partners: str = ""
    others: str = ""
    place: str = ""
    follow_up: str = ""
    follow_up_on: date | None = None
    language: str = ""
    interpretation: str = InterpretationMode.NONE
    interpreter_id: uuid.UUID | None = None
    ad_hoc: str = ""
    ad_hoc_name: str = ""
    ad_hoc_reason: str = ""
    # Staff saw that the interpreter's agreement is missing or expired, and go on.
    agreement_acknowledged: bool = False
    files: Sequence[Upload] = field(default_factory=tuple)


def _require(actor: User, case: Case) -> None:
    if not may_log_communications(actor) or case.agency_id != actor.agency_id:
        raise NotFound


def _texts(values: CommunicationValues) -> dict[str, str]:
    return {
        "summary": values.summary.strip(),
        "details": values.details.strip(),
        "partners": values.partners.strip(),
        "others": values.others.strip(),
        "place": values.place.strip(),
        "follow_up": values.follow_up.strip(),
        "ad_hoc_name": values.ad_hoc_name.strip(),
        "ad_hoc_reason": values.ad_hoc_reason.strip(),
    }


def _limit(name: str) -> int:
    return {"summary": limits.SUMMARY, "details": limits.BODY}.get(name, limits.SHORT_NOTE)


def _check(
    actor: User, values: CommunicationValues, texts: dict[str, str], errors: dict[str, list[str]]
) -> tuple[Interpreter | None, str]:
    """Every rule of an entry; returns the roster interpreter and the
    agreement warning staff went on past ("" when none)."""
    check_texts(errors, [(name, text, _limit(name)) for name, text in texts.items()])
    if not texts["summary"]:
        errors.setdefault("summary", []).append(_("Write a short summary."))
    if values.channel not in Channel.values:
        errors["channel"] = [_("Choose how it happened.")]
    now = timezone.now()
    if values.occurred_at is None:
        errors["occurred_at"] = [_("Say when it happened.")]
    elif values.occurred_at > now + FUTURE_SLACK:
        errors["occurred_at"] = [_("This is in the future: record it once it has happened.")]
    elif values.occurred_at.year < 2000:
        errors["occurred_at"] = [_("Check the year.")]
    today = timezone.localdate()
    if values.follow_up_on is not None and not (
        today - FOLLOW_UP_PAST <= values.follow_up_on <= today + FOLLOW_UP_AHEAD
    ):
        errors["follow_up_on"] = [
            _("Choose a follow-up date from the last month to two years ahead.")
        ]
    staff = set(values.staff_ids)
    if staff and User.objects.filter(pk__in=staff, agency_id=actor.agency_id).count() != len(staff):
        errors["staff_ids"] = [_("Choose staff of your agency.")]
    if len(values.files) > MAX_FILES:
        errors["attachments"] = [_("Attach at most %(count)s files.") % {"count": MAX_FILES}]
    return _check_interpretation(actor, values, texts, errors)


def _check_interpretation(
    actor: User, values: CommunicationValues, texts: dict[str, str], errors: dict[str, list[str]]
) -> tuple[Interpreter | None, str]:
    if values.interpretation not in InterpretationMode.values:
        errors["interpretation"] = [_("Choose how it was interpreted.")]
        return None, ""
    if values.language and (values.language not in CODES or values.language == "und"):
        errors["language"] = [_("Choose a language from the list.")]
    if values.interpretation == InterpretationMode.NONE:
        if values.interpreter_id or values.ad_hoc:
            errors["interpretation"] = [_("Say how the interpreter took part.")]
        return None, ""
    if not values.language:
        errors.setdefault("language", []).append(_("Choose the language interpreted."))
    if bool(values.interpreter_id) == bool(values.ad_hoc):
        errors["interpreter"] = [
            _("Choose an interpreter from the roster, or say who else interpreted.")
        ]
        return None, ""
    if values.ad_hoc or values.interpreter_id is None:
        if values.ad_hoc not in AdHocInterpreter.values:
            errors["ad_hoc"] = [_("Choose one of the options offered.")]
        if not texts["ad_hoc_name"]:
            errors.setdefault("ad_hoc_name", []).append(_("Say who interpreted."))
        if not texts["ad_hoc_reason"]:
            errors.setdefault("ad_hoc_reason", []).append(
                _(
                    "Say why no trained interpreter was used: family, friends, children and "
                    "anyone connected to the situation put the person at risk."
                )
            )
        return None, ""
    interpreter = Interpreter.objects.filter(
        pk=values.interpreter_id, agency_id=actor.agency_id, active=True
    ).first()
    if interpreter is None:
        errors["interpreter"] = [_("Choose an interpreter from your agency's roster.")]
        return None, ""
    problem = interpreter.agreement_problem(timezone.localdate())
    if problem and not values.agreement_acknowledged:
        errors["agreement_acknowledged"] = [
            problem + " " + _("Tick the box to record the communication anyway.")
        ]
    warning = ""
    if problem:
        warning = (
            "expired:" + interpreter.agreement_expires_on.isoformat()
            if interpreter.agreement_expires_on and interpreter.agreement_id
            else "missing"
        )
    return interpreter, warning


def communication_record(*, actor: User, case: Case, values: CommunicationValues) -> Communication:
    """Add an entry to the case's log."""
    return _write(actor, case, values, addendum_to=None, reason="")


def addendum_record(
    *,
    actor: User,
    case: Case,
    entry_id: uuid.UUID,
    reason: str,
    summary: str,
    details: str = "",
    files: Sequence[Upload] = (),
) -> Communication:
    """Add to or correct an entry: a new entry that points to it and says
    why, written by ``actor`` at the entry's own time and on its channel."""
    _require(actor, case)
    original = Communication.objects.filter(pk=entry_id, case=case).first()
    if original is None:
        # Another case's entry and a missing one look the same.
        raise ValidationError(
            {"addendum_to": [_("An addendum belongs to an entry of this same case.")]}
        )
    values = CommunicationValues(
        occurred_at=original.occurred_at,
        channel=original.channel,
        with_person=False,
        staff_ids=[actor.pk],
        summary=summary,
        details=details,
        files=files,
    )
    return _write(actor, case, values, addendum_to=original, reason=reason.strip())


def _write(
    actor: User,
    case: Case,
    values: CommunicationValues,
    *,
    addendum_to: Communication | None,
    reason: str,
) -> Communication:
    _require(actor, case)
    texts = _texts(values)
    errors: dict[str, list[str]] = {}
    interpreter, warning = _check(actor, values, texts, errors)
    if addendum_to is not None:
        check_texts(errors, [("addendum_reason", reason, limits.SHORT_NOTE)])
        if not reason:
            errors.setdefault("addendum_reason", []).append(
                _("Say why: what is added or corrected.")
            )
    if errors or values.occurred_at is None:
        raise ValidationError(errors)
    with transaction.atomic():
        # One writer per case at a time: positions in the chain never collide.
        Case.objects.select_for_update().filter(pk=case.pk).exists()
        last = (
            Communication.objects.filter(case=case).order_by("-seq").values("seq", "hash").first()
        )
        entry = Communication(
            id=uuid.uuid4(),
            case=case,
            data_key_id=case.person.data_key_id,
            seq=(last["seq"] + 1) if last else 1,
            # In UTC: PostgreSQL refuses offsets beyond 15:59 that Python allows.
            occurred_at=values.occurred_at.astimezone(UTC),
            channel=values.channel,
            with_person=values.with_person,
            staff_ids=sorted(set(values.staff_ids)),
            follow_up_on=values.follow_up_on,
            language=values.language,
            interpretation=values.interpretation,
            interpreter=interpreter,
            ad_hoc=values.ad_hoc,
            agreement_warning=warning,
            addendum_to=addendum_to,
            recorded_at=timezone.now(),
            recorded_by=actor,
            prev_hash=last["hash"] if last else GENESIS,
        )
        entry.attachment_ids = sorted(
            str(attachment_store(actor=actor, case=case, upload=upload, use=Use.COMMUNICATION).pk)
            for upload in values.files
        )
        for name, text in texts.items():
            setattr(entry, name, text or None)
        entry.addendum_reason = reason or None
        entry_seal(entry)
        entry.save(force_insert=True)
        step_advance(case, Step.DOCUMENTATION, StepState.IN_PROGRESS, actor)
        if interpreter is not None:
            # A trained interpreter of the roster took part: the protocol's
            # interpretation is arranged, and what waited on it may go ahead.
            step_advance(case, Step.INTERPRETATION, StepState.DONE, actor)
        audit_record(
            action=Action.COMMUNICATION_RECORDED,
            actor=actor,
            object_type="case",
            object_id=case.pk,
            detail={"entry": str(entry.pk), "seq": entry.seq, "hash": entry.hash},
        )
    return entry


def entry_seal(entry: Communication) -> None:
    """Seal the text fields of an entry about to be saved, then hash it, so
    the hash covers the very bytes the database will hold (its place in the
    chain, ``seq`` and ``prev_hash``, set first)."""
    for name in chain.SEALED:
        model_field = cast(EncryptedTextField, Communication._meta.get_field(name))
        sealed = model_field.pre_save(entry, True)
        setattr(entry, name, bytes(sealed) if sealed is not None else None)
    entry.hash = chain.entry_hash({name: _column(entry, name) for name in chain.COLUMNS[:-1]})


def _column(entry: Communication, name: str) -> object:
    if name in chain.SEALED:
        return entry.__dict__.get(name)
    return getattr(entry, name)


@dataclass(frozen=True)
class InterpreterValues:
    name: str
    kind: str
    languages: Sequence[str]
    dialects: str = ""
    gender: str = "not_said"
    contact: str = ""
    agreement: Upload | None = None
    agreement_expires_on: date | None = None
    notes: str = ""
    active: bool = True


def interpreter_save(
    *, actor: User, values: InterpreterValues, interpreter: Interpreter | None = None
) -> Interpreter:
    """Add someone to the roster, or update their entry. A new agreement
    replaces the one on file; the old file stays, sealed, for the record."""
    if not may_keep_roster(actor) or (
        interpreter is not None and interpreter.agency_id != actor.agency_id
    ):
        raise NotFound
    errors: dict[str, list[str]] = {}
    texts = {
        "name": values.name.strip(),
        "dialects": values.dialects.strip(),
        "contact": values.contact.strip(),
        "notes": values.notes.strip(),
    }
    check_texts(
        errors,
        [(name, text, 2000 if name == "notes" else 300) for name, text in texts.items()],
    )
    if not texts["name"]:
        errors.setdefault("name", []).append(_("Write the interpreter's name."))
    if values.kind not in InterpreterKind.values:
        errors["kind"] = [_("Choose one of the options offered.")]
    if values.gender not in InterpreterGender.values:
        errors["gender"] = [_("Choose one of the options offered.")]
    languages = sorted(set(values.languages))
    if not languages or set(languages) - CODES or "und" in languages:
        errors["languages"] = [_("Choose the languages they interpret.")]
    if values.agreement_expires_on and not (
        values.agreement or (interpreter and interpreter.agreement_id)
    ):
        errors["agreement"] = [_("Attach the signed agreement that this date belongs to.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = interpreter or Interpreter(agency_id=actor.agency_id)
        row.name = texts["name"]
        row.kind = values.kind
        row.languages = languages
        row.dialects = texts["dialects"]
        row.gender = values.gender
        row.contact = texts["contact"]
        row.notes = texts["notes"]
        row.active = values.active
        if values.agreement is not None:
            row.agreement = attachment_store(
                actor=actor, case=None, upload=values.agreement, use=Use.AGREEMENT
            )
        row.agreement_expires_on = values.agreement_expires_on
        row.save()
        audit_record(
            action=Action.INTERPRETER_CHANGED,
            actor=actor,
            object_type="interpreter",
            object_id=row.pk,
            detail={"new": interpreter is None, "agreement": str(row.agreement_id or "")},
        )
    return row
