"""Why the communications log needs no checkpoint of its own (ADR 30):
each entry's hash is already anchored in an audit event, so a log rewritten
together with its anchors changes the audit chain, which the checkpoints
hold. This is the rewrite ADR 14 left open: both chains recomputed, each
verifying against itself and against the other."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from haven.audit.integrity import verify_audit_chains
from haven.audit.models import Action, AuditEvent
from haven.communications import triggers as communication_triggers
from haven.communications.chain import COLUMNS, entry_hash
from haven.communications.integrity import verify_communication_chains
from haven.communications.models import Communication
from tests.audit.anchoring import rewrite_from, take_checkpoint, verify_failure
from tests.communications.helpers import log
from tests.factories import record_intake

pytestmark = pytest.mark.django_db


def test_a_log_rewritten_with_its_audit_anchors_is_caught_by_the_checkpoints(
    advocate, team, agency, folder, clock
):
    case = record_intake(actor=advocate, team=team, legal_name="Synthetic Anchored Person")
    entries = [log(advocate, case, summary=f"Synthetic call {n}") for n in range(1, 4)]
    take_checkpoint(clock)

    # The log from its second entry: a column changed, every hash after it recomputed.
    communication_triggers.remove(connection)
    try:
        rows = list(Communication.objects.filter(case=case).order_by("seq").values(*COLUMNS))
        rows[1]["channel"] = "letter"
        new_hashes = {}
        for previous, row in itertools.pairwise(rows):
            row["prev_hash"] = previous["hash"]
            row["hash"] = entry_hash(row)
            new_hashes[str(row["id"])] = row["hash"]
            Communication.objects.filter(pk=row["id"]).update(
                channel=row["channel"], prev_hash=row["prev_hash"], hash=row["hash"]
            )
    finally:
        communication_triggers.install(connection)

    # Then the audit events that anchor them, and the agency's chain after them.
    def anchor_again(event):
        if event["action"] == Action.COMMUNICATION_RECORDED:
            entry = event["detail"].get("entry")
            if entry in new_hashes:
                event["detail"] = {**event["detail"], "hash": new_hashes[entry]}

    first = AuditEvent.objects.get(
        action=Action.COMMUNICATION_RECORDED, detail__entry=str(entries[1].pk)
    )
    rewrite_from(agency.pk, first.seq, anchor_again)

    assert Communication.objects.get(pk=entries[1].pk).channel == "letter"
    assert verify_communication_chains()[1] == []  # each chain agrees with itself...
    assert verify_audit_chains()[1] == []  # ...and with the other
    message, _ = verify_failure()  # the checkpoint does not
    assert f"chain {agency.pk}: event " in message
    assert "no longer matches the checkpoint of" in message
