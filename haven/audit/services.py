"""Writing audit events. The only code that inserts into the audit table."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from haven.audit.chain import GENESIS, event_hash
from haven.audit.models import Action, AuditEvent
from haven.core.models import Agency
from haven.core.request_context import current_request_id

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


def chain_tail(chain: int) -> tuple[int, str] | None:
    """The position and hash of the chain's last event, or None for an empty chain.

    One read of the (chain, seq) unique index, from its end. Written as SQL
    because it runs on every audited request and the ORM spent more time
    composing the query than the database spent answering it.
    """
    table, seq, hash_, chain_ = map(
        connection.ops.quote_name, [AuditEvent._meta.db_table, "seq", "hash", "chain"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {seq}, {hash_} FROM {table} WHERE {chain_} = %s ORDER BY {seq} DESC LIMIT 1",  # noqa: S608
            [chain],
        )
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


def audit_record(
    *,
    action: Action,
    # The trail sits below the accounts app: any staff member (their agency
    # id is read if the account has one).
    actor: AbstractBaseUser | None = None,
    agency: Agency | None = None,
    object_type: str = "",
    object_id: str | int | uuid.UUID = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to its agency's chain, inside the caller's transaction.

    Callers pass ids and coarse facts only; never a name, a date of birth or
    any other identifying data of a person served.
    """
    # The actor's agency id is enough: loading the agency row would cost a query.
    agency_id = agency.pk if agency is not None else getattr(actor, "agency_id", None)
    action = Action(action)  # refuses anything that is not a known action
    chain = agency_id if agency_id is not None else INSTALLATION_CHAIN
    with transaction.atomic():
        _lock_chain(chain)
        last = chain_tail(chain)
        fields: dict[str, Any] = {
            "chain": chain,
            "seq": (last[0] + 1) if last else 1,
            "at": timezone.now(),
            "actor_id": actor.pk if actor is not None else None,
            "agency_id": agency_id,
            "action": str(action),
            "object_type": object_type,
            "object_id": str(object_id),
            "request_id": current_request_id.get(),
            "detail": detail or {},
            "prev_hash": last[1] if last else GENESIS,
        }
        fields["hash"] = event_hash(fields)
        return AuditEvent.objects.create(**fields)
