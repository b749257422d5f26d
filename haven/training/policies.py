"""Who may see and do what with staff training: the one place these rules live.

* Administrators keep the training of their agency: they record trainings
  and in-service events, add topics and set refresher intervals.
* Administrators, supervisors and auditors read every training record and
  in-service event of the agency.
* Administrators and supervisors see the agency overview (staff against topics).
* Every staff member reads their own records and what is due for them.
* Certificates open for administrators and supervisors
  (haven.attachments.policies, Use.CERTIFICATE).

Anything outside a user's reach answers 404, like a record that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of
from haven.attachments.policies import may_read_agency_document

_KEEPS = frozenset({Role.ADMIN})
_READS_AGENCY = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR})
_SEES_OVERVIEW = frozenset({Role.ADMIN, Role.SUPERVISOR})


def may_see_own_training(user: User | AnonymousUser) -> bool:
    """Every staff member with a role has their own training page."""
    return bool(roles_of(user))


def may_keep_training(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _KEEPS)


def may_read_agency_training(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _READS_AGENCY)


def may_see_overview(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _SEES_OVERVIEW)


def may_open_certificate(user: User | AnonymousUser) -> bool:
    """Certificates open for those who read the agency's certificates."""
    return may_read_agency_document(user, "certificate")
