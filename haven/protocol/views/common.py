"""What every protocol page does first: the case, if the user may open it
and the action's policy allows (asked before the read is audited)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.people import selectors
from haven.people.display import hidden_names
from haven.people.field_settings import field_rules
from haven.people.models import Case
from haven.protocol.policies import works_protocol


def case_for_work(user: User, case_id: uuid.UUID) -> Case:
    """A case the user may open and work the protocol on, or 404."""
    return selectors.case_get(user=user, case_id=case_id, allowed=lambda _: works_protocol(user))


def case_for(user: User, case_id: uuid.UUID, allowed: Callable[[Case], bool]) -> Case:
    return selectors.case_get(user=user, case_id=case_id, allowed=allowed)


# The pages of the protocol show refusals as every form does.
refuse = show_refusal


def names_hidden_for(user: User) -> dict[str, bool]:
    """The names the agency's settings and the user's role leave out."""
    return hidden_names(user, field_rules(user.agency_id))
