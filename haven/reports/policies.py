"""Who may read and set up reports.

Reports hold counts only, every one through the small-number rule, so the
auditor, who sees no identifying data, reads them as the administrators and
supervisors do. Staff who work cases read the cases themselves instead.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of
from haven.jobs.models import Job

REPORT_READERS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR})


def may_view_reports(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & REPORT_READERS)


def may_configure_reports(user: User | AnonymousUser) -> bool:
    return Role.ADMIN in roles_of(user)


def may_open_report(job: Job, user: User) -> bool:
    """A kept report opens only while its creator may still read reports."""
    return may_view_reports(user)
