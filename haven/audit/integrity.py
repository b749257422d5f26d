"""Verifying every audit chain in the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from haven.audit.chain import ChainBreak, first_break
from haven.audit.models import AuditEvent

_FIELDS = (
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
        .values(*_FIELDS)
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
