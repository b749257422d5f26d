"""Who may see and do what in staff safety: the one place these rules live.

Like every other record, anything outside a user's reach answers 404
(docs/adr/0016-staff-safety.md has the table).

* Threats: anyone on staff except an auditor may record one. Administrators
  and supervisors see them all; everyone else (an auditor too) sees those
  aimed at them and those they recorded. A police report number, once
  recorded, is changed only by whoever recorded the threat, the staff
  designated to receive visitor alerts (the agency's staff-safety people),
  supervisors and administrators; anyone who may follow the threat up may
  record the first one.
* Persons of concern: the staff who work cases and the administrators see
  them; advocates, supervisors and administrators keep them. The front desk
  never does: its screening runs without showing them.
* The visitor log: the front desk, supervisors and administrators.
* Visitor alerts: the designated staff, or, when the agency designated none,
  its supervisors and administrators.
* A safety checklist: its owner, and the agency's administrators.
* Lockdown: the administrators the agency designated for it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of
from haven.safety.models import Designation, PersonOfConcern, Threat

_RECORDS_THREATS = frozenset(
    {Role.ADVOCATE, Role.SUPERVISOR, Role.INTAKE, Role.SHELTER, Role.ADMIN}
)
_SEES_ALL_THREATS = frozenset({Role.SUPERVISOR, Role.ADMIN})
_SEES_CONCERNS = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER, Role.ADMIN})
_KEEPS_CONCERNS = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.ADMIN})
_KEEPS_VISITOR_LOG = frozenset({Role.INTAKE, Role.SUPERVISOR, Role.ADMIN})
# Who may be designated to receive visitor alerts: they are shown the
# persons of concern matched, so only those who may see them.
ALERT_ROLES = _SEES_CONCERNS
# Who may be a lockdown administrator.
LOCKDOWN_ROLES = frozenset({Role.ADMIN})
# When nobody is designated, alerts still reach someone.
ALERTS_BY_DEFAULT = frozenset({Role.SUPERVISOR, Role.ADMIN})


def _active(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_active


def may_record_threats(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _RECORDS_THREATS)


def may_see_all_threats(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _SEES_ALL_THREATS)


def may_see_threat_log(user: User | AnonymousUser) -> bool:
    """Whether the user has a threat log at all: everyone on staff sees the
    threats aimed at them, the auditor included."""
    return _active(user)


def may_change_report_number(user: User | AnonymousUser, threat: Threat) -> bool:
    """Whether ``user`` may change or remove the police report number of
    ``threat`` once one is recorded (each change is kept all the same): the
    staff member who recorded it, supervisors and administrators, and the
    staff designated for visitor alerts, among those who see the threat. The
    others it was aimed at read it: a number is what the police gave, and
    one mistyped by someone else is for them to ask about, not to overwrite."""
    if not isinstance(user, User) or not may_record_threats(user):
        return False
    if not Threat.objects.filter(threats_visible_q(user), pk=threat.pk).exists():
        return False
    if threat.recorded_by_id == user.pk or may_see_all_threats(user):
        return True
    return may_receive_alerts(user) and (
        Designation.objects.filter(user=user, duty=Designation.Duty.ALERTS).exists()
    )


def may_see_concerns(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _SEES_CONCERNS)


def may_keep_concerns(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _KEEPS_CONCERNS)


def may_keep_visitor_log(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & _KEEPS_VISITOR_LOG)


def may_receive_alerts(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & ALERT_ROLES)


def receives_alerts_by_default(user: User | AnonymousUser) -> bool:
    """When nobody is designated, the supervisors and administrators receive alerts."""
    return bool(roles_of(user) & ALERTS_BY_DEFAULT)


def may_keep_checklist(user: User | AnonymousUser) -> bool:
    """Everyone on staff keeps their own checklist."""
    return _active(user)


def may_see_staff_checklists(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & {Role.ADMIN})


def may_manage_safety(user: User | AnonymousUser) -> bool:
    """Designations and the agency's safety policy belong to its administrators."""
    return bool(roles_of(user) & {Role.ADMIN})


def may_be_lockdown_admin(user: User | AnonymousUser) -> bool:
    return _active(user) and bool(roles_of(user) & LOCKDOWN_ROLES)


def may_open_safety_file(user: User | AnonymousUser, attachment: object) -> bool:
    """Evidence opens for whoever may see its threat; a photo for whoever may
    see persons of concern of the agency it belongs to."""
    attachment_id = getattr(attachment, "pk", None)
    if getattr(attachment, "use", "") == "evidence":
        return Threat.objects.filter(threats_visible_q(user), evidence=attachment_id).exists()
    if getattr(attachment, "use", "") == "photo" and isinstance(user, User):
        return (
            may_see_concerns(user)
            and PersonOfConcern.objects.filter(
                agency_id=user.agency_id, photos=attachment_id
            ).exists()
        )
    return False


def threats_visible_q(user: User | AnonymousUser) -> Q:
    """Administrators and supervisors: every threat of the agency. Anyone else
    who may record threats: those aimed at them and those they recorded."""
    if not isinstance(user, User) or not may_see_threat_log(user):
        return Q(pk__in=[])
    mine = Q(recorded_by=user) | Q(
        pk__in=Threat.targeted_staff.through.objects.filter(user=user).values("threat_id")
    )
    scope = Q() if may_see_all_threats(user) else mine
    return Q(agency_id=user.agency_id) & scope
