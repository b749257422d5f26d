"""Writing audit events. The only code that inserts into the audit table."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from haven.audit.chain import GENESIS, event_hash
from haven.audit.models import Action, AuditEvent
from haven.core.request_context import current_request_id

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.core.models import Agency

INSTALLATION_CHAIN = 0
# An arbitrary constant naming Haven's audit locks among PostgreSQL advisory locks.
_ADVISORY_LOCK_CLASS = 0x4A75D17


def _lock_chain(chain: int) -> None:
    """Serialise writers of one chain until the transaction ends.

    On SQLite every write transaction starts IMMEDIATE (see settings), which
    already holds the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_LOCK_CLASS, chain])


def audit_record(
    *,
    action: Action,
    actor: User | None = None,
    agency: Agency | None = None,
    object_type: str = "",
    object_id: str | int | uuid.UUID = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to its agency's chain, inside the caller's transaction.

    Callers pass ids and coarse facts only; never a name, a date of birth or
    any other identifying data of a person served.
    """
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    action = Action(action)  # refuses anything that is not a known action
    chain = agency.pk if agency is not None else INSTALLATION_CHAIN
    with transaction.atomic():
        _lock_chain(chain)
        last = AuditEvent.objects.filter(chain=chain).order_by("-seq").values("seq", "hash").first()
        fields: dict[str, Any] = {
            "chain": chain,
            "seq": (last["seq"] + 1) if last else 1,
            "at": timezone.now(),
            "actor_id": actor.pk if actor is not None else None,
            "agency_id": agency.pk if agency is not None else None,
            "action": str(action),
            "object_type": object_type,
            "object_id": str(object_id),
            "request_id": current_request_id.get(),
            "detail": detail or {},
            "prev_hash": last["hash"] if last else GENESIS,
        }
        fields["hash"] = event_hash(fields)
        return AuditEvent.objects.create(**fields)
