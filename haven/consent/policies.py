"""Who may read consents, the ledger and referrals.

They name who the person agreed to share with and why (an immigration
lawyer, a T visa): as revealing as the immigration status itself, so the
same roles see them, the advocates and supervisors who work cases, never
intake or shelter staff.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import User
from haven.people.policies import sees_restricted_fields


def sees_disclosures(user: User | AnonymousUser) -> bool:
    return sees_restricted_fields(user)
