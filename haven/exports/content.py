"""What an export holds: the person's record as far as it may go, every
communication with its files, and the bundle's chain over them. Reading
only; the service decides whether it may leave."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.attachments.models import Attachment, Use
from haven.attachments.services import open_content
from haven.audit.chain import timestamp
from haven.communications.models import Communication
from haven.consent.models import InfoKind
from haven.core.languages import language_name
from haven.exports.verifier import FORMAT, GENESIS, link
from haven.people.details import RESTRICTED
from haven.people.display import shown_value, visible_names
from haven.people.field_settings import field_rules
from haven.people.models import Case
from haven.shelter.models import Stay

# A placement at a partner, as the export names it.
AT_PARTNER = _("At a partner")

# Which fields of the person record each kind of information covers.
KIND_FIELDS: dict[str, frozenset[str]] = {
    InfoKind.IDENTITY: frozenset(
        {
            "preferred_name",
            "legal_name",
            "self_term",
            "aliases",
            "date_of_birth",
            "estimated_age",
            "gender",
        }
    ),
    InfoKind.CONTACT: frozenset(
        {
            "phone",
            "call_safety",
            "text_safety",
            "voicemail_safety",
            "mail_safety",
            "contact_notes",
            "address_confidentiality",
        }
    ),
    InfoKind.LANGUAGE: frozenset(
        {
            "language",
            "dialect",
            "other_languages",
            "reads",
            "writes",
            "english_ability",
            "interpreter_needed",
        }
    ),
    InfoKind.IMMIGRATION: frozenset({"immigration_status"}),
}


@dataclass(frozen=True)
class Scope:
    """What goes into an export. For the person's own copy, ``kinds`` is
    every kind except those they did not ask for (restricted fields and the
    shelter are left out unless asked for, separately)."""

    kinds: frozenset[str]
    own_copy: bool
    documents: bool = False


@dataclass
class Bundle:
    record: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def communications(self) -> int:
        return len(self.record["communications"])


def _person(case: Case, scope: Scope) -> list[dict[str, str]]:
    rules = field_rules(case.agency_id)
    restricted = InfoKind.IMMIGRATION in scope.kinds
    allowed = set().union(*(KIND_FIELDS.get(k, frozenset()) for k in scope.kinds))
    names = [
        n
        for n in visible_names(rules, full=True, restricted=restricted)
        if (scope.own_copy and (restricted or n not in RESTRICTED)) or n in allowed
    ]
    return [
        {"field": n, "label": str(rules.label(n)), "value": shown_value(case.person, n)}
        for n in names
    ]


def _file_entry(attachment: Attachment, data: bytes, files: dict[str, bytes]) -> dict[str, Any]:
    path = f"files/{attachment.pk}/{attachment.name or 'file'}"
    files[path] = data
    return {
        "path": path,
        "name": attachment.name or "",
        "content_type": attachment.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _staff_names(ids: set[int]) -> dict[int, str]:
    return {u.pk: u.display_name or u.username for u in User.objects.filter(pk__in=ids)}


def _communications(
    case: Case, files: dict[str, bytes], step: Callable[[], None]
) -> list[dict[str, Any]]:
    entries = list(
        Communication.objects.filter(case=case)
        .select_related("interpreter", "data_key", "addendum_to")
        .order_by("seq")
    )
    cited = {a for e in entries for a in e.attachment_ids}
    attachments = {
        str(a.pk): a
        for a in Attachment.objects.filter(case=case, pk__in=cited).select_related("data_key")
    }
    names = _staff_names(
        {i for e in entries for i in e.staff_ids} | {e.recorded_by_id for e in entries}
    )
    previous = GENESIS
    out = []
    for e in entries:
        entry: dict[str, Any] = {
            "seq": e.seq,
            "id": str(e.pk),
            "occurred_at": timestamp(e.occurred_at),
            "channel": e.channel,
            "channel_label": str(e.get_channel_display()),
            "with_person": e.with_person,
            "staff": [names.get(i, "") for i in e.staff_ids],
            "partners": e.partners or "",
            "others": e.others or "",
            "place": e.place or "",
            "summary": e.summary or "",
            "details": e.details or "",
            "follow_up": e.follow_up or "",
            "follow_up_on": e.follow_up_on.isoformat() if e.follow_up_on else None,
            "language": language_name(e.language) if e.language else "",
            "interpretation": str(e.get_interpretation_display()),
            "interpreter": e.interpreter.name if e.interpreter else "",
            "outside_roster": (
                {
                    "who": str(e.get_ad_hoc_display()),
                    "name": e.ad_hoc_name or "",
                    "why": e.ad_hoc_reason or "",
                }
                if e.ad_hoc
                else None
            ),
            "agreement_warning": e.agreement_warning,
            "addendum_to": e.addendum_to.seq if e.addendum_to else None,
            "addendum_reason": e.addendum_reason or "",
            "recorded_at": timestamp(e.recorded_at),
            "recorded_by": names.get(e.recorded_by_id, ""),
            "files": [
                _file_entry(attachments[a], open_content(attachments[a]), files)
                for a in e.attachment_ids
                if a in attachments
            ],
            # The entry's own hashes in Haven's chain, for the agency to check.
            "haven_hash": e.hash,
            "haven_prev_hash": e.prev_hash,
        }
        entry["chain_hash"] = link(previous, entry)
        previous = entry["chain_hash"]
        out.append(entry)
        step()
    return out


def _shelter(case: Case, scope: Scope) -> list[dict[str, Any]] | None:
    """Where the person stayed, only when asked for or consented to: a site
    by its public alias (never its name, address or phone), a placement at
    a partner as just that, with the place only where the person agreed to
    have it recorded (docs/adr/0026-shelter-and-agency-steps.md)."""
    if InfoKind.SHELTER not in scope.kinds:
        return None
    stays = (
        Stay.objects.filter(case=case)
        .select_related("site", "data_key")
        .order_by("starts_on", "created_at")
    )
    return [
        {
            "where": s.site.alias if s.site else str(AT_PARTNER),
            "location": (s.location or "") if s.site is None else "",
            "from": s.starts_on.isoformat(),
            "until": s.ends_on.isoformat() if s.ends_on else None,
            "outcome": str(s.get_outcome_display()) if s.outcome else "",
        }
        for s in stays
    ]


def _no_step() -> None:
    pass


def bundle_content(
    *,
    actor: User,
    case: Case,
    scope: Scope,
    audience: str,
    recipient: str,
    purpose: str,
    step: Callable[[], None] = _no_step,
) -> Bundle:
    """The record and its files; ``step`` is called after each communication
    and each document, so a job can tell how far it has come."""
    files: dict[str, bytes] = {}
    record: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timestamp(timezone.now()),
        "exported_by": actor.display_name or actor.username,
        "agency": actor.agency.name,
        "audience": audience,
        "recipient": recipient,
        "purpose": purpose,
        "kinds": sorted(scope.kinds),
        "case": {
            "id": str(case.pk),
            "opened_on": case.opened_on.isoformat(),
            "status": str(case.get_status_display()),
        },
        "person": _person(case, scope),
        "shelter": _shelter(case, scope),
        "communications": _communications(case, files, step),
        "documents": [],
    }
    if scope.documents:
        documents = Attachment.objects.filter(case=case, use=Use.DOCUMENT).select_related(
            "data_key"
        )
        for d in documents.order_by("uploaded_at"):
            record["documents"].append(
                {**_file_entry(d, open_content(d), files), "description": d.description or ""}
            )
            step()
    return Bundle(record=record, files=files)
