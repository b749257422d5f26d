"""What every protocol page that records a step does first."""

from __future__ import annotations

import uuid

from haven.accounts.models import User
from haven.people.access import case_for
from haven.people.models import Case
from haven.protocol.policies import may_work_protocol


def case_for_work(user: User, case_id: uuid.UUID) -> Case:
    """A case the user may open and work the protocol on, or not found."""
    return case_for(user, case_id, lambda _: may_work_protocol(user))
