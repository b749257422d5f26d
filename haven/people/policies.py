"""Who may see people served. Case-level rules arrive with cases."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of

# Administrators and auditors never see identifying data (separation of duties).
_MAY_SEARCH = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.INTAKE, Role.SHELTER})


def can_search_people(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _MAY_SEARCH)
