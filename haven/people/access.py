"""What every page about a case does first, whichever app it belongs to:
the case, if the user may open it and the action's policy allows (asked
before the read is audited), and the names the user is not to be shown."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from haven.accounts.models import User
from haven.people import selectors
from haven.people.display import hidden_names
from haven.people.field_settings import field_rules
from haven.people.models import Case


def case_for(user: User, case_id: uuid.UUID, allowed: Callable[[Case], bool]) -> Case:
    """A case ``user`` may open and ``allowed`` lets them act on, or not found."""
    return selectors.case_get(user=user, case_id=case_id, allowed=allowed)


def names_hidden_for(user: User) -> dict[str, bool]:
    """The names the agency's settings and the user's role leave out."""
    return hidden_names(user, field_rules(user.agency_id))
