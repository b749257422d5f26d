"""The key hierarchy: data keys under agency keys under the master key."""

from __future__ import annotations

import io
import secrets

import pytest
from django.core.management import CommandError, call_command

from haven.core import crypto, keys
from haven.core.models import AgencyKey, DataKey

pytestmark = pytest.mark.django_db


def sealed_value(agency):
    """A data key and a value sealed under it, as a person's field would be."""
    row, key = keys.data_key_create(agency)
    aad = keys.field_aad("people_person", "legal_name", "row-1", row.pk)
    return row, crypto.seal(key, b"Synthetic Person", aad=aad), aad


def read(row, sealed, aad):
    return crypto.unseal(keys.data_key_open(DataKey.objects.get(pk=row.pk)), sealed, aad=aad)


def test_no_key_material_is_stored_in_clear(agency):
    row, key = keys.data_key_create(agency)
    agency_row = AgencyKey.objects.get(agency=agency)
    opened = keys.agency_secrets(agency.pk)
    assert key not in bytes(row.wrapped)
    assert opened.wrapping_key not in bytes(agency_row.wrapped)
    assert opened.index_root not in bytes(agency_row.wrapped)


def test_a_data_key_moved_to_another_agency_does_not_open(agency, other_agency):
    row, _ = keys.data_key_create(agency)
    keys.agency_secrets(other_agency.pk)
    row.agency = other_agency
    with pytest.raises(crypto.DecryptionError):
        keys.data_key_open(row)


def test_agency_rotation_keeps_data_readable_and_retires_the_old_key(agency):
    row, sealed, aad = sealed_value(agency)
    old = keys.agency_secrets(agency.pk)
    old_index = keys.index_key(agency.pk, "name")
    assert keys.rotate_agency_key(agency) == 1
    assert read(row, sealed, aad) == b"Synthetic Person"
    new = keys.agency_secrets(agency.pk)
    assert new.version == old.version + 1
    assert list(AgencyKey.objects.filter(agency=agency).values_list("version", flat=True)) == [2]
    # The old wrapping key opens nothing that is stored now.
    stored = DataKey.objects.get(pk=row.pk)
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(
            old.wrapping_key,
            bytes(stored.wrapped),
            aad=f"data-key|{row.pk}|{agency.pk}|{stored.agency_key_version}".encode(),
        )
    # Search keeps working: blind-index keys do not change.
    assert keys.index_key(agency.pk, "name") == old_index


def test_master_rotation_keeps_data_readable_and_old_master_opens_nothing(agency, settings):
    row, sealed, aad = sealed_value(agency)
    old_master = settings.HAVEN_MASTER_KEY
    settings.HAVEN_MASTER_KEY = secrets.token_urlsafe(48)
    settings.HAVEN_MASTER_KEY_PREVIOUS = old_master
    assert keys.rotate_master_key() == 1
    settings.HAVEN_MASTER_KEY_PREVIOUS = ""
    assert read(row, sealed, aad) == b"Synthetic Person"
    # With only the old master key configured, nothing opens.
    settings.HAVEN_MASTER_KEY = old_master
    with pytest.raises(keys.KeyUnavailable):
        keys.data_key_open(DataKey.objects.get(pk=row.pk))


def test_missing_master_key_is_a_clear_error(agency, settings):
    keys.agency_secrets(agency.pk)
    settings.HAVEN_MASTER_KEY = secrets.token_urlsafe(48)
    with pytest.raises(CommandError, match="HAVEN_MASTER_KEY_PREVIOUS"):
        call_command("rotate_keys", "--master", stdout=io.StringIO())


def test_rotate_keys_command(agency, other_agency):
    keys.data_key_create(agency)
    out = io.StringIO()
    call_command("rotate_keys", "--all-agencies", stdout=out)
    assert f"Agency {agency.pk}: new key version, 1 data keys rewrapped." in out.getvalue()
    assert AgencyKey.objects.get(agency=agency).version == 2


def test_rotate_keys_refuses_unknown_agency_and_changes_nothing(agency):
    keys.data_key_create(agency)
    with pytest.raises(CommandError, match="No agency"):
        call_command(
            "rotate_keys", "--agency", str(agency.pk), "--agency", "999999", stdout=io.StringIO()
        )
    assert AgencyKey.objects.get(agency=agency).version == 1


def test_shredding_a_data_key_makes_its_values_unreadable(agency):
    row, sealed, aad = sealed_value(agency)
    keys.data_keys_destroy([row.pk], kind="keys")
    assert not DataKey.objects.filter(pk=row.pk).exists()
    # Nothing else in the database can open the value.
    for other in DataKey.objects.all():
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(keys.data_key_open(other), sealed, aad=aad)


def _agency_key_reads(queries) -> int:
    return sum(1 for q in queries if AgencyKey._meta.db_table in q["sql"])


def test_keys_remembered_opens_an_agency_key_once_and_forgets_it_after(agency):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, _sealed, _aad = sealed_value(agency)
    second, _sealed, _aad = sealed_value(agency)
    rows = list(DataKey.objects.filter(pk__in=[first.pk, second.pk]))
    with CaptureQueriesContext(connection) as outside:
        for row in rows:
            keys.data_key_open(row)
    with CaptureQueriesContext(connection) as inside, keys.keys_remembered():
        for row in rows:
            keys.data_key_open(row)
    assert _agency_key_reads(outside.captured_queries) == 2
    assert _agency_key_reads(inside.captured_queries) == 1
    # Nothing outlives the block.
    assert keys.request_keys.get() is None
