"""The migration that gives the person's choice its two parts: an old "yes"
opens both, an old "no" refuses both, and contacts logged before were with
police or investigators. Run through the real migration, back and forth."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haven.protocol.law import law_choice_record
from haven.protocol.models import LawEnforcementChoice, LawEnforcementContact
from tests.factories import record_intake

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("protocol", "0003_steps_for_every_case")]
AFTER = [("protocol", "0004_prosecution_choice")]


def migrate(to):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(to)
    return executor.loader.project_state(to).apps


@pytest.fixture(autouse=True)
def forward_afterwards():
    """Forward to the last migrations of every app after the test, so the
    next test finds today's schema (later migrations of the protocol too)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_choices_become_both_parts_open_or_both_refused(advocate, team):
    case = record_intake(actor=advocate, team=team, estimated_age=30)
    law_choice_record(actor=advocate, case=case, investigation=True, prosecution=False)
    old = migrate(BEFORE)
    # Going back keeps what the old answer governed: the police.
    assert list(
        old.get_model("protocol", "LawEnforcementChoice").objects.values_list("agrees")
    ) == [(True,)]
    OldChoice = old.get_model("protocol", "LawEnforcementChoice")
    OldChoice.objects.all().delete()
    common = {"case_id": case.pk, "data_key_id": case.person.data_key_id, "by_id": advocate.pk}
    yes = OldChoice.objects.create(agrees=True, **common)
    no = OldChoice.objects.create(agrees=False, **common)
    OldContact = old.get_model("protocol", "LawEnforcementContact")
    contact = OldContact.objects.create(basis="consent", contacted_on=case.opened_on, **common)
    migrate(AFTER)
    parts = {
        row.pk: (row.investigation, row.prosecution) for row in LawEnforcementChoice.objects.all()
    }
    assert parts == {yes.pk: (True, True), no.pk: (False, False)}
    assert LawEnforcementContact.objects.get(pk=contact.pk).part == "investigation"
    # Made here without the gate, as no code path can: the suite's check of
    # the ledger must not count it.
    LawEnforcementContact.objects.filter(pk=contact.pk).delete()
