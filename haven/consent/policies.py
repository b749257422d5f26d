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
from haven.people.policies import may_manage_case, may_see_restricted_fields
from haven.protocol.policies import may_work_protocol


def may_see_disclosures(user: User | AnonymousUser) -> bool:
    return may_see_restricted_fields(user)


def may_set_consent_terms(user: User | AnonymousUser) -> bool:
    """How long a consent lasts by default is the administrators' setting."""
    return has_role(user, Role.ADMIN)


def may_record_consent(user: User | AnonymousUser) -> bool:
    """Recording consent is part of working the protocol on the case."""
    return may_work_protocol(user)


def may_answer_court_orders(user: User | AnonymousUser, case: Case) -> bool:
    """A court order is answered by a supervisor of the case's team."""
    return may_manage_case(user, case.team_id)
