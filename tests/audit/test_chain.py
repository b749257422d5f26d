"""The audit trail is append-only and any tampering is named by verify_integrity."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from haven.audit import triggers
from haven.audit.integrity import verify_audit_chains
from haven.audit.models import Action, AuditEvent
from haven.audit.services import INSTALLATION_CHAIN, audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(agency, admin_user):
    """Five events in the test agency's chain, after those the fixtures wrote."""
    for n in range(5):
        audit_record(action=Action.ROLES_CHANGED, actor=admin_user, object_type="user", object_id=n)
    return list(AuditEvent.objects.filter(chain=agency.pk).order_by("seq"))


def run_verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_integrity", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_failure() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_integrity", stdout=io.StringIO(), stderr=err)
    return str(excinfo.value)


def test_untouched_chain_verifies(chain):
    out, _ = run_verify()
    assert out.startswith("OK: ")
    assert verify_audit_chains()[1] == []


def test_events_are_numbered_and_linked_per_agency(chain, agency):
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    for previous, event in itertools.pairwise(chain):
        assert event.prev_hash == previous.hash
        assert event.chain == agency.pk


def test_event_without_agency_goes_to_installation_chain(db):
    event = audit_record(action=Action.SIGN_IN_FAILED, object_type="user")
    assert event.chain == INSTALLATION_CHAIN
    assert event.agency_id is None


def test_database_refuses_update(chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [chain[0].pk])
    assert AuditEvent.objects.get(pk=chain[0].pk).action == chain[0].action


def test_database_refuses_delete(chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [chain[1].pk])
    assert AuditEvent.objects.filter(pk=chain[1].pk).exists()


def test_orm_cannot_delete_either(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[2].pk).delete()
    assert AuditEvent.objects.filter(pk=chain[2].pk).exists()


def test_altered_event_is_named(chain):
    target = chain[2]
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = '999' WHERE id = %s", [target.pk])
    message = verify_failure()
    assert f"event {target.pk} (seq {target.seq})" in message
    assert "does not match its hash" in message


def test_deleted_event_is_named(chain):
    target = chain[2]
    follower = chain[3]
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    message = verify_failure()
    # The gap shows at the event that follows the removed one.
    assert f"event {follower.pk} (seq {follower.seq})" in message
    assert "missing" in message


def test_inserted_event_is_named(chain, agency):
    last = chain[-1]
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (chain, seq, at, actor_id, agency_id, action,"
            " object_type, object_id, request_id, detail, prev_hash, hash)"
            " VALUES (%s, %s, %s, NULL, %s, %s, '', '', '', '{}', %s, %s)",
            [agency.pk, last.seq + 1, last.at, agency.pk, "auth.sign_in", last.hash, "f" * 64],
        )
    forged = AuditEvent.objects.get(chain=agency.pk, seq=last.seq + 1)
    message = verify_failure()
    assert f"event {forged.pk} (seq {forged.seq})" in message


def test_inserted_event_in_the_middle_is_named(chain, agency):
    """Shifting later events to make room breaks the chain at the insertion."""
    middle = chain[2]
    triggers.remove(connection)
    with connection.cursor() as cursor:
        # Move every later event one place down, then slip a forged one in.
        for event in reversed(chain[2:]):
            cursor.execute("UPDATE audit_auditevent SET seq = seq + 1 WHERE id = %s", [event.pk])
        cursor.execute(
            "INSERT INTO audit_auditevent (chain, seq, at, actor_id, agency_id, action,"
            " object_type, object_id, request_id, detail, prev_hash, hash)"
            " VALUES (%s, %s, %s, NULL, %s, %s, '', '', '', '{}', %s, %s)",
            [agency.pk, middle.seq, middle.at, agency.pk, "auth.sign_in", chain[1].hash, "e" * 64],
        )
    forged = AuditEvent.objects.get(chain=agency.pk, seq=middle.seq)
    message = verify_failure()
    assert f"event {forged.pk} (seq {forged.seq})" in message


def test_flush_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="disabled in production"):
        call_command("flush", interactive=False, verbosity=0)
