"""Who may add and open attachments.

A person's documents (a passport scan, a court order, a signed consent) are
as revealing as their immigration status, so the same people handle them:
the advocates and supervisors who work cases, never intake or shelter staff.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import User
from haven.people.policies import sees_restricted_fields


def handles_attachments(user: User | AnonymousUser) -> bool:
    return sees_restricted_fields(user)
