"""Who may export a case record: the one place these rules live."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import User
from haven.jobs.models import Job
from haven.people.selectors import visible_cases
from haven.protocol.policies import may_work_protocol


def may_export(user: User | AnonymousUser) -> bool:
    """An export is made by those who work the protocol on the case."""
    return may_work_protocol(user)


def may_open_export(job: Job, actor: User) -> bool:
    """The export's file opens only while its creator may still export the
    case: moved off its team, the case restricted, the role taken away, and
    the file made earlier is no longer theirs to download."""
    try:
        case_id = uuid.UUID(job.about_id)
    except ValueError:
        return False
    return (
        actor.is_active
        and may_export(actor)
        and visible_cases(user=actor).filter(pk=case_id, agency_id=actor.agency_id).exists()
    )
