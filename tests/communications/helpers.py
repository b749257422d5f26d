"""Recording communications in tests, through the service."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from haven.communications.services import CommunicationValues, communication_record


def values(**changes: object) -> CommunicationValues:
    base: dict[str, object] = {
        "occurred_at": timezone.now() - timedelta(hours=1),
        "channel": "phone",
        "summary": "Synthetic check-in call",
        "details": "Synthetic details of the call.",
    }
    base.update(changes)
    return CommunicationValues(**base)  # type: ignore[arg-type]


def log(actor, case, **changes):
    return communication_record(actor=actor, case=case, values=values(**changes))
