from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from haven.accounts.approvals import waiting_count
from haven.accounts.policies import may_approve, may_manage_staff, role_names
from haven.communications.policies import may_read_roster
from haven.desk.trail.policies import may_view_audit
from haven.partners.policies import may_read_directory
from haven.people.policies import may_configure_fields, may_record_people, may_search_people
from haven.preparedness.policies import may_open_preparedness
from haven.referrals.policies import may_receive_referrals
from haven.reports.policies import may_view_reports
from haven.safety.policies import may_keep_checklist
from haven.safety.selectors import receives_alerts
from haven.shelter.policies import may_see_sites


def haven(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "product_name": settings.HAVEN_PRODUCT_NAME,
        "idle_timeout_seconds": int(settings.HAVEN_IDLE_TIMEOUT.total_seconds()),
        "nav": {
            "staff": signed_in and may_manage_staff(user),  # type: ignore[arg-type]
            "audit": signed_in and may_view_audit(user),  # type: ignore[arg-type]
            "cases": signed_in and may_search_people(user),  # type: ignore[arg-type]
            "intake": signed_in and may_record_people(user),  # type: ignore[arg-type]
            "fields": signed_in and may_configure_fields(user),  # type: ignore[arg-type]
            "partners": signed_in and may_read_directory(user),  # type: ignore[arg-type]
            "inbox": signed_in and may_receive_referrals(user),  # type: ignore[arg-type]
            "interpreters": signed_in and may_read_roster(user),  # type: ignore[arg-type]
            "safety": signed_in and may_keep_checklist(user),  # type: ignore[arg-type]
            "preparedness": signed_in and may_open_preparedness(user),  # type: ignore[arg-type]
            "reports": signed_in and may_view_reports(user),  # type: ignore[arg-type]
            "sites": signed_in and may_see_sites(user),  # type: ignore[arg-type]
            "approvals": signed_in and may_approve(user),  # type: ignore[arg-type]
            # Not on the account pages (second-factor enrolment, re-authentication):
            # they come before or beside the work, and must not race a poll.
            "alerts": signed_in
            and not request.path.startswith("/accounts/")
            and receives_alerts(user),  # type: ignore[arg-type]
        },
        "my_roles": role_names(user) if signed_in else [],  # type: ignore[arg-type]
        # Requests for a second supervisor wait 72 hours at most: the menu says
        # when some wait for this supervisor, on every page.
        "approvals_waiting": SimpleLazyObject(lambda: waiting_count(user))  # type: ignore[arg-type]
        if signed_in
        else 0,
        # Set by MfaRequiredMiddleware: only enrolment and signing out are open.
        "second_factor_missing": bool(getattr(request, "second_factor_missing", False)),
    }
