"""Verifying every case's communications chain against its anchors."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from haven.audit.models import Action, AuditEvent
from haven.communications.chain import COLUMNS, EntryBreak, first_break
from haven.communications.models import Communication
from haven.people.models import Case


def _anchors() -> dict[str, dict[str, tuple[int, str]]]:
    """case id -> entry id -> (seq, hash), as the audit trail recorded them."""
    found: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    events = (
        AuditEvent.objects.filter(action=Action.COMMUNICATION_RECORDED)
        .values_list("object_id", "detail")
        .iterator(chunk_size=5000)
    )
    for case_id, detail in events:
        found[case_id][str(detail["entry"])] = (int(detail["seq"]), str(detail["hash"]))
    return found


def verify_communication_chains() -> tuple[int, list[EntryBreak]]:
    """Check every case's log; return how many entries were read and each
    case's first bad entry. The logs of destroyed people are gone with them,
    and so are not looked for.

    One pass over every entry in (case, position) order, the order of the
    unique index on them: a statement per case took most of the time at a
    million entries."""
    anchors = _anchors()
    cases = {
        str(pk) for pk in Case.objects.values_list("pk", flat=True).iterator(chunk_size=10_000)
    }
    unseen = {case_id for case_id in anchors if case_id in cases}
    breaks: list[EntryBreak] = []
    checked = 0
    entries = (
        Communication.objects.order_by("case_id", "seq").values(*COLUMNS).iterator(chunk_size=5000)
    )
    for case, logged in groupby(entries, key=itemgetter("case_id")):
        case_id = str(case)
        unseen.discard(case_id)
        read = list(logged)
        checked += len(read)
        found = first_break(case_id, read, anchors.get(case_id, {}))
        if found is not None:
            breaks.append(found)
    # A case still there whose every entry was removed.
    for case_id in sorted(unseen):
        found = first_break(case_id, [], anchors[case_id])
        if found is not None:
            breaks.append(found)
    return checked, sorted(breaks, key=lambda b: b.case_id)
