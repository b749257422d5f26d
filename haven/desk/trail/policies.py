"""Who may read the audit trail: auditors, for their own agency."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import has_role


def may_view_audit(user: User | AnonymousUser) -> bool:
    # Administrators are left out on purpose: the trail records their actions,
    # and separation of duties means they do not review themselves.
    return has_role(user, Role.AUDITOR)
