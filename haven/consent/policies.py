"""Who may read consents, the ledger and referrals.

They name who the person agreed to share with and why (an immigration
lawyer, a T visa): as revealing as the immigration status itself, so the
same roles see them, the advocates and supervisors who work cases, never
intake or shelter staff.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import has_role
from haven.people.models import Case
from haven.people.policies import can_manage_case, sees_restricted_fields
from haven.protocol.policies import works_protocol


def sees_disclosures(user: User | AnonymousUser) -> bool:
    return sees_restricted_fields(user)


def may_set_consent_terms(user: User | AnonymousUser) -> bool:
    """How long a consent lasts by default is the administrators' setting."""
    return has_role(user, Role.ADMIN)


def may_record_consent(user: User | AnonymousUser) -> bool:
    """Recording consent is part of working the protocol on the case."""
    return works_protocol(user)


def may_answer_court_orders(user: User | AnonymousUser, case: Case) -> bool:
    """A court order is answered by a supervisor of the case's team."""
    return can_manage_case(user, case.team_id)
