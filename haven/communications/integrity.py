"""Verifying every case's communications chain against its anchors."""

from __future__ import annotations

from collections import defaultdict

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
    and so are not looked for."""
    anchors = _anchors()
    cases = {str(c) for c in Communication.objects.values_list("case_id", flat=True).distinct()}
    existing = {
        str(c) for c in Case.objects.filter(pk__in=list(anchors)).values_list("pk", flat=True)
    }
    breaks: list[EntryBreak] = []
    checked = 0
    for case_id in sorted(cases | existing):
        entries = list(
            Communication.objects.filter(case_id=case_id).order_by("seq").values(*COLUMNS)
        )
        checked += len(entries)
        found = first_break(case_id, entries, anchors.get(case_id, {}))
        if found is not None:
            breaks.append(found)
    return checked, breaks
