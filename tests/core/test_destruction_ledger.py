"""The destruction ledger (haven.core.ledger, ADR 27): an HMAC-chained,
append-only file outside the database that every destruction writes, and
that a restore re-applies."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from haven.audit.models import Action, AuditEvent
from haven.core import keys, ledger
from haven.core.models import DataKey
from haven.people.models import Case, Person
from haven.people.services import person_destroy
from tests.factories import record_intake


@pytest.fixture
def own_ledger(tmp_path, settings):
    """A ledger of this test's own, so its lines are the test's alone."""
    settings.HAVEN_LEDGER_DIR = tmp_path / "ledger"
    ledger.ledger_ensure()
    return ledger.ledger_path()


def lines(path):
    return [json.loads(raw) for raw in path.read_bytes().splitlines()]


def rewrite(path, records):
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records))


def test_a_new_ledger_names_itself_and_verifies(own_ledger):
    head = ledger.ledger_head()
    assert head.seq == 0
    assert len(head.ledger_id) == 32
    assert lines(own_ledger)[0]["type"] == "genesis"
    assert oct(own_ledger.stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db(transaction=True)
def test_a_destruction_writes_its_intent_then_its_done_line_on_commit(own_ledger, agency):
    row, _key = keys.data_key_create(agency)
    with transaction.atomic():
        keys.data_keys_destroy([row.pk], kind="keys")
        intent = lines(own_ledger)[-1]
        assert intent["type"] == "intent"
        assert intent["keys"] == [str(row.pk)]
    done = lines(own_ledger)[-1]
    assert (done["type"], done["entry"]) == ("done", intent["entry"])
    assert ledger.ledger_head().seq == 2
    assert [d.done for d in ledger.ledger_destructions()] == [True]


def test_a_person_destroyed_leaves_ids_only(own_ledger, advocate, team):
    case = record_intake(actor=advocate, team=team, preferred_name="Oksana Melnyk")
    person = case.person
    person_destroy(actor=advocate, person=person, basis="request")
    text = own_ledger.read_text()
    assert "Oksana" not in text
    assert "Melnyk" not in text
    (destruction,) = ledger.ledger_destructions()
    assert destruction.kind == "person"
    assert destruction.rows == (("people.Person", (str(person.pk),)),)
    assert destruction.keys == (str(person.data_key_id),)


def test_an_intent_whose_transaction_rolled_back_stays_an_intent(own_ledger, agency):
    row, _key = keys.data_key_create(agency)

    def destroy_then_fail():
        with transaction.atomic():
            keys.data_keys_destroy([row.pk], kind="keys")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        destroy_then_fail()
    (destruction,) = ledger.ledger_destructions()
    assert destruction.done is False
    # A restore errs toward destruction: the key goes when re-applied.
    assert DataKey.objects.filter(pk=row.pk).exists()
    report = ledger.ledger_reapply()
    assert (report.applied, report.unfinished, report.keys_removed) == (1, 1, 1)
    assert not DataKey.objects.filter(pk=row.pk).exists()


def test_reapplying_destroys_again_what_a_restored_database_brought_back(
    own_ledger, advocate, team
):
    """As after a restore: the ledger says the person was destroyed, the
    database (an older copy) still holds them."""
    kept = record_intake(actor=advocate, team=team, preferred_name="Amara Okafor")
    back = record_intake(actor=advocate, team=team, preferred_name="Lin Wei")
    person = back.person
    with transaction.atomic():
        ledger.destruction_record(
            "person", key_ids=[person.data_key_id], rows=[("people.Person", [person.pk])]
        )
    report = ledger.ledger_reapply()
    assert (report.entries, report.applied) == (1, 1)
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Case.objects.filter(pk=back.pk).exists()
    assert not DataKey.objects.filter(pk=person.data_key_id).exists()
    assert Case.objects.filter(pk=kept.pk).exists()
    # Idempotent: a second run finds nothing left to remove.
    again = ledger.ledger_reapply()
    assert (again.entries, again.applied) == (1, 0)


def test_the_command_reapplies_and_audits(own_ledger, agency):
    row, _key = keys.data_key_create(agency)
    with transaction.atomic():
        ledger.destruction_record("keys", key_ids=[row.pk])
    call_command("apply_destructions")
    assert not DataKey.objects.filter(pk=row.pk).exists()
    event = AuditEvent.objects.filter(action=Action.DESTRUCTIONS_REAPPLIED).latest("at")
    assert event.detail["applied"] == 1
    assert event.object_id == ledger.ledger_head().ledger_id


@pytest.mark.parametrize(
    "tamper",
    [
        "change an id",
        "drop a middle line",
        "insert a line",
        "swap two lines",
        "not json",
        "replace the first line",
    ],
)
def test_a_tampered_ledger_is_refused_and_nothing_is_applied(own_ledger, agency, tamper):
    made = [keys.data_key_create(agency)[0] for _ in range(3)]
    for row in made:
        with transaction.atomic():
            ledger.destruction_record("keys", key_ids=[row.pk])
    records = lines(own_ledger)
    if tamper == "change an id":
        records[2]["keys"] = [str(made[0].pk)]
    elif tamper == "drop a middle line":
        del records[2]
    elif tamper == "insert a line":
        records.insert(2, {**records[1]})
    elif tamper == "swap two lines":
        records[1], records[2] = records[2], records[1]
    elif tamper == "replace the first line":
        records[0]["ledger"] = "0" * 32
    rewrite(own_ledger, records)
    if tamper == "not json":
        with own_ledger.open("ab") as handle:
            handle.write(b"{broken\n")
    with pytest.raises(ledger.LedgerBroken):
        ledger.ledger_head()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("apply_destructions")
    assert DataKey.objects.filter(pk__in=[r.pk for r in made]).count() == 3


def test_a_missing_ledger_or_key_is_refused(own_ledger, agency):
    (own_ledger.parent / ledger.KEY_NAME).unlink()
    with pytest.raises(ledger.LedgerMissing):
        ledger.ledger_head()
    own_ledger.unlink()
    with pytest.raises(ledger.LedgerMissing):
        ledger.ledger_head()
    with pytest.raises(CommandError, match="no destruction ledger"):
        call_command("apply_destructions")


def test_a_ledger_made_anew_is_not_the_installations(own_ledger, tmp_path, settings):
    """A restore compares the ledger's name with the one in the backup's
    manifest: a fresh ledger (the old one lost) has another name."""
    first = ledger.ledger_head().ledger_id
    settings.HAVEN_LEDGER_DIR = tmp_path / "elsewhere"
    assert ledger.ledger_ensure().ledger_id != first


def _append_many(folder: str, count: int) -> None:
    settings.HAVEN_LEDGER_DIR = folder
    for _ in range(count):
        ledger._append(
            {"type": "intent", "entry": os.urandom(8).hex(), "kind": "keys", "keys": [], "rows": []}
        )


def test_appends_from_several_processes_keep_one_chain(own_ledger):
    """Every web process and worker appends: the lock keeps the chain whole."""
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_append_many, args=(str(own_ledger.parent), 40)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert ledger.ledger_head().seq == 160
    assert len(ledger.ledger_destructions()) == 160


def test_a_line_longer_than_the_tail_window_chains_on(own_ledger, agency, monkeypatch):
    monkeypatch.setattr(ledger, "_TAIL_BYTES", 256)
    many = [keys.data_key_create(agency)[0] for _ in range(12)]
    with transaction.atomic():
        ledger.destruction_record("keys", key_ids=[row.pk for row in many])
        ledger.destruction_record("keys", key_ids=[many[0].pk])
    assert ledger.ledger_head().seq == 2
