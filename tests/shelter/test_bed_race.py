"""Two admissions to one free bed at the same moment, each in its own thread
on its own database connection: one stay, and one clear refusal. The bed's
row is locked (select_for_update on PostgreSQL; on SQLite every write
transaction is IMMEDIATE, which takes the write lock first) before the
checks, so the second admission sees the first one's stay.

The suite runs this on SQLite and, under scripts/with-postgres, on
PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from haven.shelter.models import Stay
from haven.shelter.stays import stay_admit, stay_move
from tests.shelter.places import stay_at
from tests.shelter.stays_world import bed_of

pytestmark = pytest.mark.django_db(transaction=True)

TAKEN = "This bed is taken on some of these nights."
ROUNDS = 3


def copy_to(database: str | None) -> None:
    """Copy the in-memory SQLite test database, as it is now, to ``database``."""
    if database is None:
        return
    connection.ensure_connection()
    target = sqlite3.connect(database)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


@pytest.fixture
def database(tmp_path):
    """Where the threads connect. PostgreSQL: the test database. SQLite: the
    test database is in memory, shared between connections by a cache whose
    table locks fail at once ("database table is locked") instead of
    waiting, as no deployment runs; so it is copied, with the world the
    test made, to a file, opened as Haven opens its own (WAL, IMMEDIATE
    transactions, a busy timeout)."""
    if connection.vendor != "sqlite":
        return None
    path = str(tmp_path / "race.sqlite3")
    copy_to(path)
    return path


def _use(database: str | None) -> None:
    """Point this thread's connection at ``database`` (None: as it is)."""
    if database is not None:
        connection.close()
        # Rebound on this thread's connection only, not the shared settings.
        connection.settings_dict = {**connection.settings_dict, "NAME": database}


def in_thread(database: str | None, call: Callable[[], object]) -> object:
    return at_once(database, call)[0]


def at_once(database: str | None, *calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` in threads released together; each its own connection,
    closed at its end. Returns what each returned or raised."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(n: int, call: Callable[[], object]) -> None:
        try:
            _use(database)
            start.wait(timeout=30)
            results[n] = call()
        except Exception as error:  # the test looks at what was raised
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def one_stay_one_refusal(results: list[object]) -> None:
    stays = [r for r in results if isinstance(r, Stay)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(stays) == 1, results
    assert len(refusals) == 1, results
    assert refusals[0].message_dict == {"bed": [TAKEN]}


def beds_stays(database: str | None, bed) -> int:
    count = in_thread(database, lambda: Stay.objects.filter(bed=bed).count())
    assert isinstance(count, int), count
    return count


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_admissions_to_one_free_bed_end_with_one_stay(
    advocate, supervisor, case, second_case, site_a, database, round_
):
    bed = bed_of(site_a)
    results = at_once(
        database,
        lambda: stay_admit(actor=advocate, case=case, bed_id=bed.pk),
        lambda: stay_admit(actor=supervisor, case=second_case, bed_id=bed.pk),
    )
    one_stay_one_refusal(results)
    assert beds_stays(database, bed) == 1


def test_an_admission_and_a_move_into_one_free_bed_end_with_one_stay(
    advocate, supervisor, case, second_case, site_a, database
):
    bed = bed_of(site_a, 2)
    staying = stay_at(second_case, site_a, actor=advocate, bed=bed_of(site_a, 1))
    copy_to(database)  # the stay was made after the first copy
    results = at_once(
        database,
        lambda: stay_admit(actor=advocate, case=case, bed_id=bed.pk),
        lambda: stay_move(actor=supervisor, stay=staying, bed_id=bed.pk),
    )
    one_stay_one_refusal(results)
    assert beds_stays(database, bed) == 1
