"""Rebuilding the screening index (``manage.py screening_reindex``): after an
upgrade changes how screening reads a name, the digests kept are stale until
rebuilt from the sealed names; the command rebuilds them for every agency or
one, changes nothing when run again, and audits counts only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from haven.audit.models import Action, AuditEvent
from haven.safety import services
from haven.safety.models import ConcernIndex, PersonOfConcern
from haven.safety.screening import screen
from tests.safety.conftest import database_state

pytestmark = pytest.mark.django_db

NAME = "Viktor Petrenko"
ALIAS = "Ivan Volkov"


def keep(actor, name: str = NAME, **values) -> PersonOfConcern:
    return services.concern_save(actor=actor, values=services.ConcernValues(name=name, **values))


def index_of(agency) -> list[tuple[str, int, str, str]]:
    return sorted(
        (row.kind, row.slot, row.digest, str(row.concern_id))
        for row in ConcernIndex.objects.filter(agency=agency)
    )


def reindex(*args: str) -> str:
    out = StringIO()
    call_command("screening_reindex", *args, stdout=out)
    return out.getvalue()


def make_stale(agency) -> None:
    """The index as an older release left it: digests of another reading of
    the names (here, of other words), so that a visitor matches nothing."""
    rows = list(ConcernIndex.objects.filter(agency=agency))
    for row in rows:
        row.digest = row.digest[::-1]
    ConcernIndex.objects.bulk_update(rows, ["digest"])


def test_a_stale_index_matches_nobody_until_it_is_rebuilt(advocate, agency):
    concern = keep(advocate, aliases=ALIAS, plates="KX-4417")
    fresh = index_of(agency)
    make_stale(agency)
    for name, plate in ((NAME, ""), ("Iwan Wolkow", ""), ("Someone", "kx 4417")):
        assert not screen(agency.pk, name=name, plate=plate), name
    output = reindex()
    assert index_of(agency) == fresh
    for name, plate in ((NAME, ""), ("Iwan Wolkow", ""), ("Someone", "kx 4417")):
        assert screen(agency.pk, name=name, plate=plate).concern_ids == {concern.pk}, name
    assert f"Agency {agency.pk}: 1 persons of concern, {len(fresh)} digests." in output
    for secret in (NAME, "Viktor", "Petrenko", ALIAS, "KX"):
        assert secret not in output


def test_running_it_again_changes_nothing_but_its_audit_event(advocate, agency):
    keep(advocate, aliases=ALIAS)
    keep(advocate, "Oleg Marchuk")
    reindex()
    before = database_state()
    index = index_of(agency)
    reindex()
    after = database_state()
    assert index_of(agency) == index
    events = after.pop("audit.AuditEvent")
    assert after == {k: v for k, v in before.items() if k != "audit.AuditEvent"}
    assert len(events) == len(before["audit.AuditEvent"]) + 1


def test_each_agency_is_rebuilt_and_audited_with_counts_only(advocate, outsider, agency):
    keep(advocate, aliases=ALIAS)
    keep(outsider, "Oleg Marchuk", plates="ZZ-1")
    ours, theirs = index_of(agency), index_of(outsider.agency)
    output = reindex()
    assert f"Agency {agency.pk}: 1 persons of concern, {len(ours)} digests." in output
    assert f"Agency {outsider.agency_id}: 1 persons of concern, {len(theirs)} digests." in output
    assert output.strip().endswith("2 persons of concern re-indexed.")
    events = AuditEvent.objects.filter(action=Action.SCREENING_REINDEXED).order_by("chain")
    assert [(e.chain, e.actor_id, e.object_type, e.detail) for e in events] == sorted(
        [
            (agency.pk, None, "agency", {"concerns": 1, "digests": len(ours)}),
            (outsider.agency_id, None, "agency", {"concerns": 1, "digests": len(theirs)}),
        ]
    )


def test_one_agency_alone_leaves_the_others_as_they_were(advocate, outsider, agency):
    keep(advocate)
    keep(outsider, "Oleg Marchuk")
    make_stale(agency)
    make_stale(outsider.agency)
    stale_theirs = index_of(outsider.agency)
    output = reindex("--agency", str(agency.pk))
    assert screen(agency.pk, name=NAME)
    assert index_of(outsider.agency) == stale_theirs
    assert f"Agency {outsider.agency_id}" not in output
    assert list(
        AuditEvent.objects.filter(action=Action.SCREENING_REINDEXED).values_list("chain", flat=True)
    ) == [agency.pk]


def test_an_agency_with_no_persons_of_concern_is_rebuilt_empty(agency):
    assert f"Agency {agency.pk}: 0 persons of concern, 0 digests." in reindex()


@pytest.mark.parametrize("agency_number", ["0", "999999", "-3"])
def test_an_unknown_agency_is_refused_and_nothing_is_written(advocate, agency_number):
    keep(advocate)
    before = database_state()
    with pytest.raises(CommandError, match="No agency has that number"):
        reindex("--agency", agency_number)
    assert database_state() == before
