"""Who may see and do what in organizational preparedness: the one place
these rules live. Anything outside a user's reach answers 404, like a record
that does not exist; another agency's records always do.

* Policies (documents, versions, reviews): every staff member reads them;
  administrators write them.
* Acknowledging a policy: every staff member, for themselves.
* Who acknowledged which version: administrators, supervisors, auditors.
* Partner meetings: administrators, supervisors, auditors and advocates read
  them; administrators and supervisors write them.
* Partner agreements: administrators, supervisors and auditors read them;
  administrators write them.

Intake and shelter staff read and acknowledge the policies, and see nothing
of the meetings and agreements with partners.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of

_EVERYONE = frozenset(Role)
_WRITES_POLICIES = frozenset({Role.ADMIN})
_SEES_ACKNOWLEDGEMENTS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR})
_READS_MEETINGS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR, Role.ADVOCATE})
_WRITES_MEETINGS = frozenset({Role.ADMIN, Role.SUPERVISOR})
_READS_AGREEMENTS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR})
_WRITES_AGREEMENTS = frozenset({Role.ADMIN})


_SEES_READINESS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR})


def may_open_preparedness(user: User | AnonymousUser) -> bool:
    """Every staff member has the page: their own refreshers and policies."""
    return bool(roles_of(user) & _EVERYONE)


def may_see_readiness(user: User | AnonymousUser) -> bool:
    """The agency's readiness: those who oversee it."""
    return bool(roles_of(user) & _SEES_READINESS)


def may_read_policies(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _EVERYONE)


def may_acknowledge_policies(user: User | AnonymousUser) -> bool:
    """Every staff member acknowledges each version, the auditor included."""
    return bool(roles_of(user) & _EVERYONE)


def may_write_policies(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _WRITES_POLICIES)


def may_see_acknowledgements(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _SEES_ACKNOWLEDGEMENTS)


def may_own_policy(user: User | AnonymousUser) -> bool:
    """Any active staff member may answer for a policy (a program manager
    may hold no more than an advocate's role)."""
    return bool(roles_of(user))


def may_read_meetings(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _READS_MEETINGS)


def may_write_meetings(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _WRITES_MEETINGS)


def may_read_agreements(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _READS_AGREEMENTS)


def may_write_agreements(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _WRITES_AGREEMENTS)
