"""Who may send, receive and read referrals: the one place these rules live.

A referral names the partner and the need, as revealing as the consent it
stands on, so the staff who see disclosures read them (haven.consent.policies).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import has_role, roles_of
from haven.protocol.policies import may_work_protocol


def may_refer(user: User | AnonymousUser) -> bool:
    """Referring a need is part of working the protocol on the case."""
    return may_work_protocol(user)


def may_receive_referrals(user: User | AnonymousUser) -> bool:
    """The agency's inbox of referrals sent to it on this installation."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR})


def may_set_expertise(user: User | AnonymousUser) -> bool:
    """What the agency does itself is its administrators' setting."""
    return has_role(user, Role.ADMIN)
