"""Who may see and work the protocol of a case they can open."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of, teams_of
from haven.core.errors import NotFound
from haven.people.models import Case
from haven.people.policies import may_see_restricted_fields
from haven.protocol.models import Step


def may_see_protocol(user: User | AnonymousUser) -> bool:
    """The tracker shows what happened to the person: full-record roles only."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER})


def may_work_protocol(user: User | AnonymousUser) -> bool:
    """Recording the protocol's steps belongs to those who work the case."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR})


def ensure_may_work_protocol(actor: User, case: Case) -> None:
    """What every service that records a step asks first: the actor works
    the protocol, on a case of their own agency; anything else is not found."""
    if not may_work_protocol(actor) or case.agency_id != actor.agency_id:
        raise NotFound


def may_keep_protocol_settings(user: User | AnonymousUser) -> bool:
    """The agency's own rights materials, need categories and mandated-report
    contacts are kept by its administrators and supervisors."""
    return bool(roles_of(user) & {Role.ADMIN, Role.SUPERVISOR})


def may_check_danger(user: User | AnonymousUser) -> bool:
    """Anyone at the front line asks about danger: shelter staff too."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER, Role.INTAKE})


def may_see_continued_presence(user: User | AnonymousUser) -> bool:
    """Continued Presence is immigration relief: it is seen by those who see
    immigration status (advocates and supervisors), not by shelter staff."""
    return may_see_restricted_fields(user)


# Steps whose page is about consents and disclosures: it names who the
# person agreed to share with, so it opens only to those who see disclosures.
_DISCLOSURE_STEPS = frozenset({Step.CONSENT, Step.COLLABORATION, Step.DOCUMENTATION})
# Steps whose work is done where only those who work the case go: the
# person's language is recorded on their record, the interpreted contact in
# the communications log, and confidentiality explained is marked on the
# step's own page.
_WORKERS_STEPS = frozenset({Step.INTERPRETATION, Step.CONFIDENTIALITY})


def may_follow_step_link(user: User | AnonymousUser, step: str) -> bool:
    """Whether the tracker links ``step`` to its page for ``user``: never to
    a page that would turn them away."""
    if step in _DISCLOSURE_STEPS and not may_see_restricted_fields(user):
        return False
    return step not in _WORKERS_STEPS or may_work_protocol(user)


# --- The agency's own steps --------------------------------------------------------------

#: The roles an agency's step may name to work it: those who work cases.
STEP_ROLES = (Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER)


def may_define_agency_steps(user: User | AnonymousUser) -> bool:
    """The agency's own steps are its procedure: its administrators keep them."""
    return Role.ADMIN in roles_of(user)


def may_work_agency_step(user: User | AnonymousUser, roles: list[str]) -> bool:
    """An agency's step is worked by those holding one of the roles its
    version names (on a case they may open: the caller asks that first)."""
    return bool(roles_of(user) & set(roles))


def may_apply_step_version(user: User | AnonymousUser, case: Case) -> bool:
    """Moving an open case to a newer version of a step is the call of a
    supervisor of the case's team."""
    return isinstance(user, User) and case.team_id in teams_of(user, Role.SUPERVISOR)
