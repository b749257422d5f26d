"""Who keeps the communications log and the interpreter roster.

The log holds what the person said and what staff did: the advocates and
supervisors who work cases read and write it. The roster is the agency's:
its administrators and supervisors keep it, and those who record
communications choose from it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of
from haven.protocol.policies import may_work_protocol


def may_log_communications(user: User | AnonymousUser) -> bool:
    return may_work_protocol(user)


def may_keep_roster(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & {Role.ADMIN, Role.SUPERVISOR})


def may_read_roster(user: User | AnonymousUser) -> bool:
    return may_keep_roster(user) or may_log_communications(user)
