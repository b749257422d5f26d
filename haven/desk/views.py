"""The pages that bring the feature apps together: the dashboard and the case."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.accounts.policies import may_manage_staff
from haven.attachments.policies import may_handle_attachments
from haven.desk.setup import setup_while_unfinished
from haven.desk.urgency import urgent_lines
from haven.people import selectors as people_selectors
from haven.people import services as people_services
from haven.people.access import names_hidden_for
from haven.people.display import hidden_names, person_facts
from haven.people.field_settings import field_rules
from haven.people.forms import CloseForm
from haven.people.models import Case
from haven.people.policies import (
    may_change_case,
    may_manage_case,
    may_search_people,
    may_see_full_record,
    may_see_restricted_fields,
    may_take_case,
)
from haven.protocol import selectors as protocol_selectors
from haven.protocol.policies import may_see_protocol, may_work_protocol
from haven.referrals import selectors as referral_selectors
from haven.safety import lockdown
from haven.shelter.policies import lands_on_shelter_home, may_see_case_stays
from haven.shelter.selectors import current_stay


def dashboard(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    if lands_on_shelter_home(user):
        return redirect("shelter:home")
    context = {
        "agency": user.agency,
        "break_glass": people_selectors.break_glass_to_review(user=user),
        "urgent": urgent_lines(user=user) if may_search_people(user) else None,
        "inbox_open": referral_selectors.inbox_open_count(user=user),
        "lockdown": (
            lockdown.running_lockdown(user.agency_id) if lockdown.is_lockdown_admin(user) else None
        ),
        "now": timezone.now(),
        "hidden_names": names_hidden_for(user),
        "setup": setup_while_unfinished(user.agency_id) if may_manage_staff(user) else [],
    }
    return render(request, "desk/dashboard.html", context)


def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = people_selectors.case_get(user=user, case_id=case_id)
    people_services.case_opened_by(user=user, case=case)
    person = case.person
    close_form = CloseForm() if may_change_case(user) and case.status == Case.Status.OPEN else None
    full = may_see_full_record(user)
    rules = field_rules(user.agency_id)
    facts = person_facts(person, rules, full=full, restricted=may_see_restricted_fields(user))
    return render(
        request,
        "desk/case_detail.html",
        {
            "case": case,
            "person": person,
            "recorded": [fact for fact in facts if fact.value],
            "missing": [fact for fact in facts if not fact.value],
            "hidden_names": hidden_names(user, rules),
            "full": full,
            "minor": person.is_minor_on(timezone.localdate()) if full else None,
            "close_form": close_form,
            "may_edit": may_change_case(user),
            "may_manage": may_manage_case(user, case.team_id),
            # Waiting in its team's queue: whoever may take it does so here.
            "may_take": case.queued_at is not None and may_take_case(user, case.team_id),
            "assigned": case.assigned.all(),
            "named": case.named_staff.all() if case.restricted else [],
            "protocol": (
                protocol_selectors.tracker(case, viewer=user) if may_see_protocol(user) else None
            ),
            "may_work": may_work_protocol(user),
            "keeps_records": may_handle_attachments(user),
            "shelter": _shelter_block(user, case),
        },
    )


def _shelter_block(user: User, case: Case) -> dict[str, object] | None:
    """Where the person stays today, for the staff who work cases: the
    site's alias and bed, or "at a partner"; never the address."""
    if not may_see_case_stays(user):
        return None
    return {"stay": current_stay(case), "stays_url": reverse("shelter:case_stays", args=[case.pk])}
