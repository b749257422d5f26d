"""The communications log is tamper-evident: altering, deleting, reordering
or inserting an entry by raw SQL is found by verify_integrity, which names
the first bad entry; untouched logs verify."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from haven.communications import triggers
from haven.communications.chain import COLUMNS, entry_hash
from haven.communications.integrity import verify_communication_chains
from haven.communications.models import Communication
from haven.people.services import person_destroy
from tests.communications.helpers import log
from tests.factories import record_intake

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def case(advocate, team):
    return record_intake(actor=advocate, team=team, legal_name="Synthetic Log Person")


@pytest.fixture
def entries(advocate, case):
    return [log(advocate, case, summary=f"Synthetic call {n}") for n in range(1, 5)]


@pytest.fixture
def attacker():
    """Someone with the database: the trigger is the first thing they drop."""
    triggers.remove(connection)
    yield
    triggers.install(connection)


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def key(entry) -> object:
    return entry.pk.hex if connection.vendor == "sqlite" else entry.pk


def first_problem() -> str:
    _checked, breaks = verify_communication_chains()
    assert breaks, "the tampering went unnoticed"
    return str(breaks[0])


def test_an_untouched_log_verifies(entries):
    checked, breaks = verify_communication_chains()
    assert (checked, breaks) == (4, [])
    call_command("verify_integrity")


def test_an_entry_cannot_be_changed_through_the_database(entries):
    with pytest.raises(DatabaseError), transaction.atomic():
        Communication.objects.filter(pk=entries[0].pk).update(channel="letter")


def test_an_altered_entry_is_named(entries, attacker):
    sealed = bytes(Communication.objects.values_list("summary", flat=True).get(pk=entries[2].pk))
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    sql(
        "UPDATE communications_communication SET summary = %s WHERE id = %s",
        altered,
        key(entries[2]),
    )
    problem = first_problem()
    assert str(entries[2].pk) in problem
    assert "altered" in problem
    with pytest.raises(CommandError, match=str(entries[2].pk)):
        call_command("verify_integrity")


def test_an_altered_clear_column_is_named(entries, attacker):
    sql("UPDATE communications_communication SET channel = 'letter' WHERE id = %s", key(entries[1]))
    assert str(entries[1].pk) in first_problem()


def test_a_deleted_entry_is_named(entries, attacker):
    sql("DELETE FROM communications_communication WHERE id = %s", key(entries[1]))
    problem = first_problem()
    assert str(entries[1].pk) in problem
    assert "removed" in problem


def test_a_deleted_last_entry_is_named(entries, attacker):
    sql("DELETE FROM communications_communication WHERE id = %s", key(entries[3]))
    assert str(entries[3].pk) in first_problem()


def test_reordered_entries_are_named(entries, attacker):
    table = "communications_communication"
    sql(f"UPDATE {table} SET seq = 99 WHERE id = %s", key(entries[1]))  # noqa: S608
    sql(f"UPDATE {table} SET seq = 2 WHERE id = %s", key(entries[2]))  # noqa: S608
    sql(f"UPDATE {table} SET seq = 3 WHERE id = %s", key(entries[1]))  # noqa: S608
    problem = first_problem()
    assert str(entries[2].pk) in problem
    assert "moved" in problem


def test_an_inserted_entry_with_a_correct_hash_is_named(advocate, case, entries, attacker):
    """The forger knows the algorithm and chains their entry properly: the
    audit trail has no anchor for it."""
    forged = log(advocate, case, summary="Synthetic forged call")
    anchor_free = Communication.objects.filter(pk=forged.pk).values(*COLUMNS).get()
    # Leave the anchored entry out and write the same entry under a new id.
    sql("DELETE FROM communications_communication WHERE id = %s", key(forged))
    anchor_free["id"] = uuid.uuid4()
    anchor_free["hash"] = entry_hash(anchor_free)
    row = Communication(**anchor_free)
    row.save(force_insert=True)
    problem = first_problem()
    assert str(anchor_free["id"]) in problem
    assert "written outside Haven" in problem


def test_a_destroyed_persons_log_is_not_looked_for(advocate, case, entries):
    person_destroy(actor=None, person=case.person, basis="request")
    assert verify_communication_chains() == (0, [])


def test_a_time_with_an_offset_postgres_refuses_is_kept_in_utc(advocate, case):
    """Python allows UTC offsets up to 23:59, PostgreSQL only to 15:59: an
    entry given a far offset is stored as the same moment in UTC, and its
    chain still verifies."""
    from datetime import UTC, datetime, timedelta, timezone

    far = timezone(-timedelta(hours=19, minutes=9))
    moment = datetime(2020, 11, 1, 19, 0, 9, tzinfo=far)
    entry = log(advocate, case, occurred_at=moment)
    stored = Communication.objects.get(pk=entry.pk).occurred_at
    assert stored == moment
    assert stored.utcoffset() == timedelta(0)
    assert stored.astimezone(UTC) == moment.astimezone(UTC)
    assert verify_communication_chains() == (1, [])
