"""Who may see and do what with the agency's shelters: the one place these
rules live. Anything outside a user's reach answers 404, as if it did not
exist (docs/adr/0026-shelter-and-agency-steps.md).

* Sites by alias, capacity and occupancy counts: staff who work cases and
  administrators of the agency (to admit, and to set sites up).
* A site's residents: the shelter staff and supervisors of the site's team.
* A site's address, phone, name and rules: the site team's shelter staff and
  the supervisors named as its keyholders. Never the front desk, auditors,
  administrators by role alone, or another agency.
* Setting sites up (alias, team, beds, keyholders): administrators.
* Closing a site to admissions: the agency's lockdown administrators.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of, teams_of
from haven.safety.lockdown import is_lockdown_admin
from haven.shelter.models import ShelterSite, SiteKeyholder

_SEES_SITES = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER, Role.ADMIN})


def _of_agency(user: User | AnonymousUser, site: ShelterSite) -> bool:
    return isinstance(user, User) and user.is_active and user.agency_id == site.agency_id


def may_see_sites(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _SEES_SITES)


def may_manage_sites(user: User | AnonymousUser) -> bool:
    return Role.ADMIN in roles_of(user)


def site_teams(user: User | AnonymousUser) -> frozenset[int]:
    """The teams whose sites' residents ``user`` sees."""
    return teams_of(user, Role.SHELTER) | teams_of(user, Role.SUPERVISOR)


def may_see_residents(user: User | AnonymousUser, site: ShelterSite) -> bool:
    return _of_agency(user, site) and site.team_id in site_teams(user)


def may_open_site_address(user: User | AnonymousUser, site: ShelterSite) -> bool:
    """Who may know where a site is: its team's shelter staff, and the
    supervisors the agency named as its keyholders."""
    if not isinstance(user, User) or not _of_agency(user, site):
        return False
    if site.team_id in teams_of(user, Role.SHELTER):
        return True
    return (
        Role.SUPERVISOR in roles_of(user)
        and SiteKeyholder.objects.filter(site=site, user=user).exists()
    )


# --- Stays ---
# Who admits, moves and ends stays: the advocates and supervisors who work
# the person's case, and the shelter staff of the site it is at. A
# placement at a partner has no site: only the case's advocates and
# supervisors. Services also ask whether the user may open the case.

_WORKS_STAYS = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER})


def may_work_stays(user: User | AnonymousUser) -> bool:
    """Who may admit anyone at all, keep the waiting list and open stays."""
    return bool(roles_of(user) & _WORKS_STAYS)


def _works_site(user: User | AnonymousUser, site: ShelterSite | None) -> bool:
    return (
        site is not None and _of_agency(user, site) and site.team_id in teams_of(user, Role.SHELTER)
    )


def may_admit_anywhere(user: User | AnonymousUser) -> bool:
    """Advocates and supervisors admit to any site of the agency, and so see
    its whole waiting list; shelter staff, their own sites'."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR})


def may_admit(user: User | AnonymousUser, site: ShelterSite) -> bool:
    """Admitting to a bed of ``site`` (the case must also be the user's to
    open): advocates and supervisors of the agency, the site's shelter staff."""
    if not _of_agency(user, site):
        return False
    return may_admit_anywhere(user) or _works_site(user, site)


def may_change_stay(user: User | AnonymousUser, site: ShelterSite | None) -> bool:
    """Moving, ending or marking compromised a stay at ``site`` (None: at a
    partner); the case must also be the user's to open."""
    if roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR}:
        return site is None or _of_agency(user, site)
    return _works_site(user, site)


def may_record_check_in(user: User | AnonymousUser, site: ShelterSite | None) -> bool:
    """Check-ins are the site's shelter staff's."""
    return _works_site(user, site)


def may_place_at_partner(user: User | AnonymousUser) -> bool:
    """A placement at a partner is a referral: those who refer."""
    return bool(roles_of(user) & {Role.ADVOCATE, Role.SUPERVISOR})


def lands_on_shelter_home(user: User | AnonymousUser) -> bool:
    """A user whose only role is shelter staff starts on the shelter's home."""
    return roles_of(user) == {Role.SHELTER}


# --- Sites ---


def may_see_site(user: User | AnonymousUser, site: ShelterSite) -> bool:
    """A site by alias, capacity and counts: its agency's staff who see sites."""
    return _of_agency(user, site) and may_see_sites(user)


def may_manage_site(user: User | AnonymousUser, site: ShelterSite) -> bool:
    return _of_agency(user, site) and may_manage_sites(user)


def may_name_keyholder(actor: User | AnonymousUser, named: User) -> bool:
    """An administrator names others as keyholders, never themselves: the
    address is opened by someone a second administrator chose."""
    return isinstance(actor, User) and actor.pk != named.pk


def may_move_site_to(actor: User | AnonymousUser, team_id: int) -> bool:
    """An administrator moves a site only to a team in which they hold no
    role: otherwise they would give themselves its residents or address."""
    return not any(team_id in teams_of(actor, role) for role in Role)


def may_hold_site_keys(user: User | AnonymousUser) -> bool:
    """Who an administrator may name as a site's keyholder: a supervisor."""
    return Role.SUPERVISOR in roles_of(user)


def may_close_sites(user: User | AnonymousUser) -> bool:
    """The agency's designated lockdown administrators (ADR 16) close a site
    to admissions and reopen it, as they lock the agency down."""
    return isinstance(user, User) and is_lockdown_admin(user)


def may_close_site(user: User | AnonymousUser, site: ShelterSite) -> bool:
    return _of_agency(user, site) and may_close_sites(user)


# --- Places: shelter on the pages that existed before it ---


def may_see_case_stays(user: User | AnonymousUser) -> bool:
    """Who sees, on a case they may open, where the person stays (a site by
    its alias, or "at a partner"): staff who work cases. Never the front
    desk, who see only a minimal intake; the address is never shown there."""
    return may_work_stays(user)
