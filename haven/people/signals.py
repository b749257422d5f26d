"""What other parts of Haven can hook into, without the people app knowing them.

The protocol, for one, starts its steps when a case opens and opens a
mandated-report task when a person turns out to be a minor.
"""

from __future__ import annotations

from collections.abc import Callable

from django.dispatch import Signal

from haven.people.models import Case

# Sent inside the transaction that opened the case: sender=Case, case=..., actor=...
case_opened = Signal()
# Sent inside the transaction that changed a person: sender=Person, person=...,
# fields=[names], actor=...
person_changed = Signal()

# Checks run before a case closes: each returns a reason to refuse, or "".
CloseCheck = Callable[[Case], str]
close_checks: list[CloseCheck] = []
