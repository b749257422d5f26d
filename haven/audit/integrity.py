"""Verifying every audit chain in the database, against itself and
against the checkpoints kept outside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from haven.audit.anchors import anchors_check, trusted_anchors
from haven.audit.chain import ChainBreak, first_break
from haven.audit.checkpoints import Checkpoint
from haven.audit.models import AuditEvent

# Every column of an audit event, as the chain check reads it.
EVENT_FIELDS = (
    "id",
    "chain",
    "seq",
    "at",
    "actor_id",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "detail",
    "prev_hash",
    "hash",
)


def _chain_events(chain: int) -> Iterator[dict[str, Any]]:
    yield from (
        AuditEvent.objects.filter(chain=chain)
        .order_by("seq")
        .values(*EVENT_FIELDS)
        .iterator(chunk_size=5000)
    )


def verify_audit_chains() -> tuple[int, list[ChainBreak]]:
    """Check every chain; return how many events were read and each chain's first break."""
    chains = AuditEvent.objects.values_list("chain", flat=True).distinct().order_by("chain")
    breaks: list[ChainBreak] = []
    checked = 0
    for chain in chains:
        counted = 0

        def counting(chain: int = chain) -> Iterator[dict[str, Any]]:
            nonlocal counted
            for event in _chain_events(chain):
                counted += 1
                yield event

        found = first_break(chain, counting())
        checked += counted
        if found is not None:
            breaks.append(found)
    return checked, breaks


# Other hash chains anchored in the trail (a case's communications log) are
# kept by the apps above this one. Each registers its check in its
# AppConfig.ready(): a name for what it counts ("communications") and a
# function returning how many it read and its first break per chain.
IntegrityCheck = Callable[[], tuple[int, Sequence[object]]]
_CHECKS: dict[str, IntegrityCheck] = {}


def register_check(counted: str, check: IntegrityCheck) -> None:
    _CHECKS[counted] = check


def registered_checks() -> dict[str, IntegrityCheck]:
    return dict(sorted(_CHECKS.items()))


@dataclass
class IntegrityReport:
    counts: list[str] = field(default_factory=list)  # what was read, e.g. "12 audit events"
    problems: list[str] = field(default_factory=list)  # each names a chain and an event
    anchored: int = 0  # chains held to a checkpoint
    unanchored: int = 0  # of those, the chains that no longer hold it

    @property
    def ok(self) -> bool:
        return not self.problems


def integrity_verify(*, checkpoints: Sequence[Checkpoint]) -> IntegrityReport:
    """Every audit chain against itself, every chain anchored in the trail
    (registered checks), and the audit chains against ``checkpoints``."""
    checked, breaks = verify_audit_chains()
    report = IntegrityReport(counts=[f"{checked} audit events"], problems=[str(b) for b in breaks])
    for counted, check in registered_checks().items():
        read, found = check()
        report.problems += [str(b) for b in found]
        report.counts.append(f"{read} {counted}")
    unanchored = anchors_check(checkpoints)
    report.problems += [str(b) for b in unanchored]
    report.anchored = len(trusted_anchors(checkpoints))
    report.unanchored = len(unanchored)
    return report
