"""A threat's police report number: what a valid one looks like, and its
history (docs/adr/0016-staff-safety.md).

The number is what the police gave; staff learn it, correct a mistyped one,
or find it was the wrong report. Every change is kept, sealed under the
threat's own data key like the number itself, with who made it and when,
so an earlier number is never lost. Who may change one is the policy's
(haven.safety.policies.may_change_report_number).
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime

from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.text import has_hidden_characters
from haven.safety.models import ReportNumberChange, Threat


def report_number_problem(number: str) -> str:
    """What is wrong with a report number as typed (its ends trimmed), or ""."""
    if len(number) > limits.CODE:
        # The words of the forms' own length check (haven.safety.forms).
        return _("Write the report number in at most %(limit_value)d characters.") % {
            "limit_value": limits.CODE
        }
    # One line: tabs and line breaks, allowed in notes, are not part of a number.
    if has_hidden_characters(number) or any(unicodedata.category(c) == "Cc" for c in number):
        return _("A report number is one line: remove the line breaks, tabs and hidden characters.")
    return ""


def report_number_changed(
    *, actor: User, threat: Threat, previous: str, number: str, at: datetime
) -> ReportNumberChange:
    """Keep one change of ``threat``'s number ("" for none), in the caller's
    transaction, and audit it: ids and whether it was the first or a
    removal, never the number."""
    change = ReportNumberChange(
        id=uuid.uuid4(),
        agency_id=threat.agency_id,
        threat=threat,
        data_key=threat.data_key,
        changed_at=at,
        changed_by=actor,
    )
    change.previous = previous or None
    change.number = number or None
    change.save()
    audit_record(
        action=Action.REPORT_NUMBER_CHANGED,
        actor=actor,
        object_type="threat",
        object_id=threat.pk,
        detail={"change": str(change.pk), "first": not previous, "removed": not number},
    )
    return change
