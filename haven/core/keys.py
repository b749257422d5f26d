"""The key hierarchy: master key -> agency keys -> data keys.

* The master key comes from the environment (or a file) and never enters the
  database. ``HAVEN_MASTER_KEY_PREVIOUS`` may name the key being retired
  while ``rotate_keys --master`` rewraps every agency key.
* Each agency has one current ``AgencyKey`` version.
* Each person gets a random ``DataKey``; destroying it shreds their data.

Rotation rewraps keys; it never re-encrypts the data rows themselves.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connection, transaction

from haven.core import crypto, ledger
from haven.core.models import Agency, AgencyKey, DataKey

# Agency keys opened during the current request; None outside a request.
# Set and cleared by RequestIdMiddleware, so nothing outlives the request.
# Keyed by (agency id, version); version _CURRENT stands for "the current one".
request_keys: ContextVar[dict[tuple[int, int], AgencySecrets] | None] = ContextVar(
    "request_keys", default=None
)
_CURRENT = 0  # key versions start at 1


class KeyUnavailable(Exception):
    """No configured master key opens this agency key."""


@dataclass(frozen=True)
class MasterKey:
    key: bytes
    id: str


@cache
def _master(secret: str) -> MasterKey:
    key = crypto.derive_key(secret.encode("utf-8"), purpose="master-wrap")
    key_id = hmac.new(key, b"haven-master-id", "sha256").hexdigest()[:16]
    return MasterKey(key=key, id=key_id)


def current_master() -> MasterKey:
    return _master(settings.HAVEN_MASTER_KEY)


def _masters() -> dict[str, MasterKey]:
    found = {m.id: m for m in [current_master()]}
    previous = getattr(settings, "HAVEN_MASTER_KEY_PREVIOUS", "")
    if previous:
        old = _master(previous)
        found.setdefault(old.id, old)
    return found


@dataclass(frozen=True)
class AgencySecrets:
    version: int
    wrapping_key: bytes
    index_root: bytes


def _agency_aad(agency_id: int, version: int) -> bytes:
    return f"agency-key|{agency_id}|{version}".encode()


def _seal_agency(agency_id: int, secrets: AgencySecrets, master: MasterKey) -> bytes:
    return crypto.seal(
        master.key,
        secrets.wrapping_key + secrets.index_root,
        aad=_agency_aad(agency_id, secrets.version),
    )


def _open_agency(row: AgencyKey) -> AgencySecrets:
    master = _masters().get(row.master_id)
    if master is None:
        raise KeyUnavailable(f"no configured master key has id {row.master_id}")
    plain = crypto.unseal(
        master.key, bytes(row.wrapped), aad=_agency_aad(row.agency_id, row.version)
    )
    return AgencySecrets(row.version, plain[: crypto.KEY_BYTES], plain[crypto.KEY_BYTES :])


def agency_key_create(agency: Agency) -> AgencySecrets:
    """The first key of a new agency."""
    secrets = AgencySecrets(1, crypto.new_key(), crypto.new_key())
    master = current_master()
    AgencyKey.objects.create(
        agency=agency,
        version=1,
        master_id=master.id,
        wrapped=_seal_agency(agency.pk, secrets, master),
    )
    return secrets


def agency_secrets(agency_id: int, version: int | None = None) -> AgencySecrets:
    """The agency's current (or a given) key version, opened.

    Within one request an opened version is remembered (see request_keys), so
    a page of fifty people opens the agency key once, not fifty times, and a
    search by name, date of birth and phone looks the current version up once.
    """
    opened = request_keys.get()
    wanted = (agency_id, _CURRENT if version is None else version)
    if opened is not None and wanted in opened:
        return opened[wanted]
    rows = AgencyKey.objects.filter(agency_id=agency_id)
    if version is not None:
        rows = rows.filter(version=version)
    row = rows.order_by("-version").first()
    if row is None:
        if version is not None:
            raise KeyUnavailable(f"agency {agency_id} has no key version {version}")
        return agency_key_create(Agency.objects.get(pk=agency_id))
    secrets = _open_agency(row)
    if opened is not None:
        opened[(agency_id, row.version)] = secrets
        if version is None:
            opened[(agency_id, _CURRENT)] = secrets
    return secrets


def _forget_request_keys(agency_id: int) -> None:
    """Drop the agency's opened versions from this request's memory (after a rotation)."""
    opened = request_keys.get()
    if opened is not None:
        for remembered in [k for k in opened if k[0] == agency_id]:
            del opened[remembered]


def index_key(agency_id: int, field: str) -> bytes:
    """The blind-index key of one field, stable across agency key rotations."""
    return _derived_index_key(agency_secrets(agency_id).index_root, field)


@cache
def _derived_index_key(index_root: bytes, field: str) -> bytes:
    return crypto.derive_key(index_root, purpose=f"blind-index|{field}")


# --- Data keys --------------------------------------------------------------------


def _data_aad(data_key_id: object, agency_id: int, version: int) -> bytes:
    return f"data-key|{data_key_id}|{agency_id}|{version}".encode()


def data_key_new(agency_id: int) -> tuple[DataKey, bytes]:
    """A new random data key and its row, wrapped under the agency's current
    key and not yet saved (the bench's bulk path saves many at once)."""
    secrets = agency_secrets(agency_id)
    key = crypto.new_key()
    row = DataKey(agency_id=agency_id, agency_key_version=secrets.version)
    row.wrapped = crypto.seal(
        secrets.wrapping_key, key, aad=_data_aad(row.pk, agency_id, secrets.version)
    )
    return row, key


def data_key_create(agency: Agency) -> tuple[DataKey, bytes]:
    row, key = data_key_new(agency.pk)
    row.save()
    return row, key


def data_key_open(row: DataKey) -> bytes:
    secrets = agency_secrets(row.agency_id, row.agency_key_version)
    return crypto.unseal(
        secrets.wrapping_key,
        bytes(row.wrapped),
        aad=_data_aad(row.pk, row.agency_id, row.agency_key_version),
    )


def field_aad(table: str, field: str, row_id: object, data_key_id: object) -> bytes:
    """What binds a sealed field to its place: table, field, row and key."""
    return f"{table}|{field}|{row_id}|{data_key_id}".encode()


# --- Rotation -----------------------------------------------------------------------


def rotate_agency_key(agency: Agency) -> int:
    """A new key version for ``agency``: every data key is rewrapped under it
    and the old version is deleted. Returns the number of data keys rewrapped."""
    with transaction.atomic():
        rows = AgencyKey.objects.select_for_update().filter(agency=agency).order_by("-version")
        current = rows.first()
        if current is None:
            agency_key_create(agency)
            return 0
        old = _open_agency(current)
        new = AgencySecrets(old.version + 1, crypto.new_key(), old.index_root)
        master = current_master()
        AgencyKey.objects.create(
            agency=agency,
            version=new.version,
            master_id=master.id,
            wrapped=_seal_agency(agency.pk, new, master),
        )
        rewrapped = 0
        for data_key in DataKey.objects.select_for_update().filter(agency=agency).iterator():
            plain = data_key_open(data_key)
            data_key.wrapped = crypto.seal(
                new.wrapping_key, plain, aad=_data_aad(data_key.pk, agency.pk, new.version)
            )
            data_key.agency_key_version = new.version
            data_key.save(update_fields=["wrapped", "agency_key_version"])
            rewrapped += 1
        AgencyKey.objects.filter(agency=agency, version__lt=new.version).delete()
    _forget_request_keys(agency.pk)
    return rewrapped


def rotate_master_key() -> int:
    """Rewrap every agency key under the current master key (the previous one
    must still be configured as HAVEN_MASTER_KEY_PREVIOUS). Returns how many."""
    master = current_master()
    rewrapped = 0
    with transaction.atomic():
        for row in AgencyKey.objects.select_for_update().exclude(master_id=master.id):
            secrets = _open_agency(row)
            row.wrapped = _seal_agency(row.agency_id, secrets, master)
            row.master_id = master.id
            row.save(update_fields=["wrapped", "master_id"])
            rewrapped += 1
    return rewrapped


# --- Shredding ----------------------------------------------------------------------


def data_keys_destroy(
    key_ids: Sequence[object],
    *,
    kind: str,
    rows: Sequence[tuple[str, Sequence[object]]] = (),
) -> None:
    """Delete data keys, so nothing sealed under them opens again, inside the
    caller's transaction; once it commits, wipe the freed pages from disk.

    The one way a data key is destroyed: it writes the destruction ledger
    (``haven.core.ledger``) first, so a restore of an older backup destroys
    the same keys, and the ``rows`` (model label, ids) the caller deleted
    with them, again. A test fails on any deleted key the ledger lacks."""
    ledger.destruction_record(kind, key_ids=key_ids, rows=rows)
    DataKey.objects.filter(pk__in=key_ids).delete()
    transaction.on_commit(flush_freed_pages)


def flush_freed_pages() -> None:
    """SQLite keeps freed pages in its write-ahead log until a checkpoint;
    with secure_delete on, the checkpoint writes them back zeroed."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
