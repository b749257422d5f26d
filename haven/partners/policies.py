"""Who may read and change an agency's partner directory.

The directory holds no one's identifying data: every staff role may read
it (staff choose partners for referrals), administrators and supervisors
keep it up to date, and administrators import and export it whole.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of

_READERS = frozenset(
    {Role.ADVOCATE, Role.SUPERVISOR, Role.INTAKE, Role.SHELTER, Role.ADMIN, Role.AUDITOR}
)
_EDITORS = frozenset({Role.ADMIN, Role.SUPERVISOR})


def may_read_directory(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _READERS)


def may_edit_directory(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _EDITORS)


def may_exchange_directory(user: User | AnonymousUser) -> bool:
    """Import a whole directory, or export it (HSDS)."""
    return Role.ADMIN in roles_of(user)
