"""The audit chains held to signed checkpoints kept outside the database.

Someone with the database's password drops the append-only triggers,
rewrites a chain from some event on and recomputes every hash after it: the
chain verifies against itself, and only a checkpoint, signed with a key the
database does not hold, shows the change. verify_integrity names the chain,
the event that no longer matches, and the first event after the last
checkpoint that still matches, where the change begins at the earliest."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from haven.audit.checkpoints import Basis
from haven.audit.integrity import verify_audit_chains
from haven.audit.models import Action
from haven.audit.services import INSTALLATION_CHAIN, audit_record
from tests.audit.anchoring import (
    cut_from,
    event,
    files,
    newest,
    rewrite_from,
    take_checkpoint,
    verify_failure,
    verify_ok,
)
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(admin_user, clock):
    """Append ``n`` events to the test agency's chain, a second apart; its last position."""

    def write(n: int) -> int:
        for _ in range(n):
            clock.advance(seconds=1)
            last = audit_record(
                action=Action.ROLES_CHANGED, actor=admin_user, object_type="user", object_id=7
            )
        return last.seq

    return write


def test_an_untouched_trail_matches_its_newest_checkpoint(folder, write, clock, agency):
    write(3)
    audit_record(action=Action.SIGN_IN_FAILED, object_type="user")  # the installation chain
    take_checkpoint(clock)
    write(2)
    at = take_checkpoint(clock)
    write(2)  # not anchored yet, and nothing wrong with that
    out, err = verify_ok()
    assert out.endswith(f"2 audit chains match the checkpoint of {at}.\n")
    assert err == ""
    assert set(newest(folder).anchors) == {INSTALLATION_CHAIN, agency.pk}


@pytest.mark.parametrize("after", [1, 3], ids=["just-after-it", "in-the-middle"])
def test_a_rewritten_chain_names_the_first_event_after_the_last_checkpoint_that_matches(
    folder, write, clock, agency, after
):
    """Issue 21's "Done means": a chain rewritten after checkpoint A and
    before checkpoint B, hashes recomputed, verifies against itself; against
    the checkpoints it fails at B's head and names the event just after A's."""
    a = write(4)
    at_a = take_checkpoint(clock)
    b = write(4)
    at_b = take_checkpoint(clock)
    write(2)
    rewritten = event(agency.pk, a + after)
    rewrite_from(agency.pk, a + after)

    assert event(agency.pk, a + after).object_id == "rewritten"
    assert verify_audit_chains()[1] == []  # without the checkpoints, nothing shows
    message, lines = verify_failure()
    head_b, first_after_a = event(agency.pk, b), event(agency.pk, a + 1)
    assert message == (
        f"integrity check failed: first problem is chain {agency.pk}: "
        f"event {head_b.pk} (seq {b}) no longer matches the checkpoint of {at_b}; "
        f"the last checkpoint that still matches is the checkpoint of {at_a} (seq {a}), so the "
        "change begins at or after the first event after it, "
        f"event {first_after_a.pk} (seq {a + 1})"
    )
    if after == 1:
        assert first_after_a.pk == rewritten.pk  # named exactly
    assert lines.count("BROKEN ") == 1
    # Ids and positions only, never what the events hold.
    assert "rewritten" not in message
    assert "user" not in message


def test_older_checkpoints_narrow_down_a_rewrite_that_several_no_longer_match(
    folder, write, clock, agency
):
    a = write(3)
    at_a = take_checkpoint(clock)
    write(3)
    take_checkpoint(clock)
    write(3)
    at_c = take_checkpoint(clock)
    rewrite_from(agency.pk, a + 2)
    message, _ = verify_failure()
    assert f"no longer matches the checkpoint of {at_c}" in message
    assert f"still matches is the checkpoint of {at_a} (seq {a})" in message
    assert f"event {event(agency.pk, a + 1).pk} (seq {a + 1})" in message


def test_a_rewrite_from_before_every_checkpoint_names_the_chains_first_event(
    folder, write, clock, agency
):
    write(3)
    take_checkpoint(clock)
    b = write(2)
    at_b = take_checkpoint(clock)
    rewrite_from(agency.pk, 2)
    message, _ = verify_failure()
    assert (
        f"event {event(agency.pk, b).pk} (seq {b}) no longer matches the checkpoint of {at_b}"
        in (message)
    )
    assert (
        "no earlier checkpoint still matches, so the change may begin at its first event, "
        f"event {event(agency.pk, 1).pk} (seq 1)"
    ) in message


def test_a_chain_cut_short_is_named(folder, write, clock, agency):
    a = write(3)
    at_a = take_checkpoint(clock)
    b = write(4)
    at_b = take_checkpoint(clock)
    cut_from(agency.pk, b - 1)
    assert verify_audit_chains()[1] == []  # what is left verifies against itself
    message, _ = verify_failure()
    assert f"chain {agency.pk}: it ends at seq {b - 2}, short of seq {b} that the checkpoint " in (
        message
    )
    assert at_b in message
    assert f"the checkpoint of {at_a} (seq {a})" in message
    assert f"event {event(agency.pk, a + 1).pk} (seq {a + 1})" in message


def test_a_chain_cut_back_to_its_last_checkpoint_says_the_events_after_it_are_gone(
    folder, write, clock, agency
):
    a = write(3)
    take_checkpoint(clock)
    b = write(3)
    take_checkpoint(clock)
    cut_from(agency.pk, a + 1)
    message, _ = verify_failure()
    assert f"it ends at seq {a}, short of seq {b}" in message
    assert (
        f"(seq {a}), so the change begins at or after the first event after it, "
        f"at seq {a + 1}, which is gone"
    ) in message


def test_a_chain_removed_entirely_is_named(folder, write, clock, agency):
    write(3)
    at = take_checkpoint(clock)
    count = newest(folder).anchors[agency.pk].count
    cut_from(agency.pk, 1)
    message, _ = verify_failure()
    assert f"chain {agency.pk}: it holds no event, yet the checkpoint of {at} anchors {count}" in (
        message
    )
    assert "at seq 1, which is gone" in message


def test_an_anchored_event_removed_from_inside_the_chain_is_named(folder, write, clock, agency):
    from django.db import connection

    from haven.audit import triggers

    b = write(4)
    at = take_checkpoint(clock)
    write(2)
    triggers.remove(connection)
    try:
        event(agency.pk, b).delete()
    finally:
        triggers.install(connection)
    _, lines = verify_failure()
    assert f"the event at seq {b} that the checkpoint of {at} anchors is gone" in lines


def test_a_checkpoint_taken_after_a_rewrite_does_not_make_it_anchored(folder, write, clock, agency):
    """The worker takes one every hour: were it to anchor the rewritten
    heads, the next verify_integrity would pass."""
    a = write(3)
    at_a = take_checkpoint(clock)
    b = write(3)
    take_checkpoint(clock)
    rewrite_from(agency.pk, a + 1)
    before = files(folder)
    clock.advance(minutes=1)
    err = io.StringIO()
    with pytest.raises(
        CommandError, match="no longer hold their checkpoint, and are recorded as unmatched"
    ):
        call_command("audit_checkpoint", stdout=io.StringIO(), stderr=err)
    assert f"BROKEN chain {agency.pk}: event {event(agency.pk, b).pk} (seq {b})" in err.getvalue()
    # Written all the same (the other chains are anchored), this chain untrusted.
    assert len(files(folder)) == len(before) + 1
    latest = newest(folder)
    assert latest.unmatched == {agency.pk}
    assert latest.anchors[agency.pk].seq == b
    # An hour later, and the hour after: still unmatched, still named.
    write(1)
    clock.advance(hours=1)
    with pytest.raises(CommandError):
        call_command("audit_checkpoint", stdout=io.StringIO(), stderr=io.StringIO())
    message, _ = verify_failure()
    assert f"still matches is the checkpoint of {at_a} (seq {a})" in message
    assert f"event {event(agency.pk, a + 1).pk} (seq {a + 1})" in message


def test_after_a_restore_from_a_continuous_copy_the_operator_accepts_the_shorter_chains(
    folder, write, clock, agency
):
    """Litestream or archived WAL bring back an earlier database: the
    checkpoints taken since are longer than its chains until the operator
    says it was restored, in a checkpoint that starts again."""
    a = write(3)
    take_checkpoint(clock)
    write(3)
    take_checkpoint(clock)
    cut_from(agency.pk, a + 1)  # the database as it was at the first checkpoint
    _, lines = verify_failure()
    assert "`manage.py audit_checkpoint --after-restore` accepts it as it is" in lines
    out = io.StringIO()
    clock.advance(minutes=1)
    call_command("audit_checkpoint", "--after-restore", stdout=out, stderr=io.StringIO())
    assert f"ACCEPTED as restored: chain {agency.pk}: it ends at seq {a}" in out.getvalue()
    assert newest(folder).basis is Basis.ACCEPTED
    assert newest(folder).unmatched == frozenset()
    verify_ok()
    write(2)
    take_checkpoint(clock)
    verify_ok()


def test_a_chain_begun_after_the_last_checkpoint_is_not_held_to_it(folder, write, clock):
    write(2)
    take_checkpoint(clock)
    other = AgencyFactory(name="Agency begun later (synthetic)")
    audit_record(action=Action.TEAM_CREATED, agency=other, object_type="team", object_id=1)
    verify_ok()
    take_checkpoint(clock)
    assert other.pk in newest(folder).anchors


def test_the_installation_chain_is_anchored_like_an_agencys(folder, clock, db):
    for _ in range(3):
        clock.advance(seconds=1)
        audit_record(action=Action.SIGN_IN_FAILED, object_type="user")
    take_checkpoint(clock)
    rewrite_from(INSTALLATION_CHAIN, 3)
    message, _ = verify_failure()
    assert f"chain {INSTALLATION_CHAIN}: event {event(INSTALLATION_CHAIN, 3).pk} (seq 3)" in message
