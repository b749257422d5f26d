"""Pages of staff safety: the threat log, persons of concern, the visitor log
and its alerts, each staff member's checklist, the agency's designations and
the emergency lockdown."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.accounts import stepup
from haven.accounts.http import allowed_user, authenticated_user
from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.core.http import see_other
from haven.people.access import case_for, names_hidden_for
from haven.people.display import shown_name
from haven.people.models import Case
from haven.people.selectors import audit_people_shown
from haven.safety import lockdown as lockdowns
from haven.safety import policies, selectors, services
from haven.safety.forms import (
    ChecklistForm,
    ConcernForm,
    FollowUpForm,
    LockdownStartForm,
    SecondFactorForm,
    SettingsForm,
    ThreatForm,
    VisitForm,
)
from haven.safety.places import place_states
from haven.safety.screening import lines

# What the front desk is told when screening matched: nothing more.
# Plain on purpose: a visitor reading the screen must not learn an alarm went off.
PROCEDURE = gettext_lazy("Follow your agency's visitor procedure.")


def _case_label(user: User) -> Callable[[Case], str]:
    hidden = names_hidden_for(user)
    return lambda case: shown_name(case.person, hidden) or _("(no name recorded)")


def _came_from(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.GET.get("case", ""))
    except ValueError:
        return None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_checklist)
    return render(
        request,
        "safety/home.html",
        {
            "threats": policies.may_see_threat_log(user),
            "concerns": policies.may_see_concerns(user),
            "visitors": policies.may_keep_visitor_log(user),
            "alerts": selectors.receives_alerts(user),
            "checklists": policies.may_see_staff_checklists(user),
            "settings": policies.may_manage_safety(user),
            "lockdown": lockdowns.is_lockdown_admin(user),
        },
    )


# --- Threats ---


@require_GET
def threats(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_see_threat_log)
    page = selectors.threat_page(user=user, page=request.GET.get("page"))
    return render(
        request,
        "safety/threats.html",
        {
            "page": page,
            "sees_all": policies.may_see_all_threats(user),
            "records": policies.may_record_threats(user),
        },
    )


@require_http_methods(["GET", "POST"])
def threat_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_record_threats)
    posted = request.method == "POST"
    came_from = _came_from(request)
    staff = list(User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("username"))
    form = ThreatForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        staff=staff,
        concerns=selectors.concern_choices(user=user),
        cases=selectors.case_choices(user=user, wanted=came_from),
        case_label=_case_label(user),
        initial={
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
            "cases": [str(came_from)] if came_from else [],
        },
    )
    if posted and form.is_valid():
        try:
            threat = services.threat_record(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The threat is recorded."))
            return see_other("safety:threat", threat.pk)
    return render(
        request, "safety/threat_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def threat(request: HttpRequest, threat_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_see_threat_log)
    found = selectors.threat_get(user=user, threat_id=threat_id)
    posted = request.method == "POST"
    if posted and not policies.may_record_threats(user):
        raise Http404
    form = FollowUpForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={
            "reported_to_police": found.reported_to_police,
            "reported_on": found.reported_on,
            "report_number": found.report_number,
        },
        number_locked=bool(found.report_number)
        and not policies.may_change_report_number(user, found),
    )
    if posted and form.is_valid():
        try:
            services.threat_follow_up(actor=user, threat_id=found.pk, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return see_other("safety:threat", found.pk)
    cases = selectors.linked_cases(user=user, cases=found.cases.all())
    audit_people_shown(user=user, people=[c.person for c in cases], where="safety")
    return render(
        request,
        "safety/threat.html",
        {
            "threat": found,
            "form": form,
            "targets": list(found.targeted_staff.all()),
            "concerns": selectors.linked_concerns(user=user, threat=found),
            "cases": [(c, _case_label(user)(c)) for c in cases],
            "evidence": list(found.evidence.select_related("data_key")),
            "records": policies.may_record_threats(user),
            "number_history": selectors.report_number_history(user=user, threat=found),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def case_safety(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The staff-safety step of a case: the threats and persons of concern
    linked to it, and where to record more."""
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: policies.may_record_threats(user))
    return render(
        request,
        "safety/case.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "threats": selectors.case_threats(user=user, case=case),
            "concerns": selectors.case_concerns(user=user, case=case),
            "may_keep_concerns": policies.may_keep_concerns(user),
        },
    )


# --- Persons of concern ---


@require_GET
def concerns(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_see_concerns)
    page = selectors.concern_page(user=user, page=request.GET.get("page"))
    return render(
        request,
        "safety/concerns.html",
        {"page": page, "keeps": policies.may_keep_concerns(user)},
    )


def _concern_form(
    request: HttpRequest, user: User, *, initial: dict[str, Any], linked: list[Case]
) -> ConcernForm:
    posted = request.method == "POST"
    return ConcernForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        cases=selectors.case_choices(user=user, wanted=_came_from(request), linked=linked),
        case_label=_case_label(user),
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
def concern_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_concerns)
    came_from = _came_from(request)
    form = _concern_form(
        request, user, initial={"cases": [str(came_from)] if came_from else []}, linked=[]
    )
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_save(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, _("Recorded. The front desk's screening now checks for them.")
            )
            return see_other("safety:concern", concern.pk)
    return render(
        request,
        "safety/concern_edit.html",
        {"form": form, "concern": None},
        status=400 if form.errors else 200,
    )


@require_GET
def concern(request: HttpRequest, concern_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_see_concerns)
    found = selectors.concern_get(user=user, concern_id=concern_id)
    cases = selectors.linked_cases(user=user, cases=found.cases.all())
    audit_people_shown(user=user, people=[c.person for c in cases], where="safety")
    return render(
        request,
        "safety/concern.html",
        {
            "concern": found,
            "aliases": lines(found.aliases or ""),
            "plates": lines(found.plates or ""),
            "cases": [(c, _case_label(user)(c)) for c in cases],
            "threats": selectors.concern_threats(user=user, concern=found),
            "photos": list(found.photos.select_related("data_key")),
            "keeps": policies.may_keep_concerns(user),
        },
    )


@require_http_methods(["GET", "POST"])
def concern_edit(request: HttpRequest, concern_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_concerns)
    found = selectors.concern_get(user=user, concern_id=concern_id)
    linked = selectors.linked_cases(user=user, cases=found.cases.all())
    form = _concern_form(
        request,
        user,
        initial={
            "name": found.name,
            "aliases": found.aliases,
            "description": found.description,
            "vehicles": found.vehicles,
            "plates": found.plates,
            "associates": found.associates,
            "cases": [str(c.pk) for c in linked],
            "version": found.version,
        },
        linked=linked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_save(
                actor=user,
                values=form.values(),
                concern_id=found.pk,
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return see_other("safety:concern", found.pk)
    return render(
        request,
        "safety/concern_edit.html",
        {"form": form, "concern": found},
        status=400 if form.errors else 200,
    )


@require_POST
def concern_remove(request: HttpRequest, concern_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_concerns)
    services.concern_remove(actor=user, concern_id=concern_id)
    messages.success(request, _("Removed. Nothing of this record can be opened again."))
    return see_other("safety:concerns")


# --- The visitor log ---


@require_http_methods(["GET", "POST"])
def visitors(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_visitor_log)
    places = selectors.visit_places(user=user)
    form = VisitForm(request.POST if request.method == "POST" else None, places=places)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_check_in(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            if visit.flagged:
                # Only this: the desk is never told who matched, or why.
                messages.info(request, PROCEDURE)
            else:
                messages.success(request, _("Checked in."))
            return see_other("safety:visitors")
    page = selectors.visit_page(user=user, page=request.GET.get("page"))
    return render(
        request,
        "safety/visitors.html",
        {"form": form, "page": page, "places": places},
        status=400 if form.errors else 200,
    )


@require_POST
def visit_out(request: HttpRequest, visit_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_visitor_log)
    try:
        services.visit_check_out(actor=user, visit_id=visit_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Checked out."))
    return see_other("safety:visitors")


# --- Alerts ---


# A page number past this is past the end of any list: the last page is shown.
LARGEST_PAGE = 10**6


def _page_asked(request: HttpRequest) -> tuple[int, bool]:
    """The page asked for, and whether it was understood: anything but a
    whole number from 1 (a word, 0, -1, "1.5") is the first page, with a note."""
    raw = request.GET.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        return 1, False
    # A very long run of digits is past the end (and too long for int()).
    if len(raw) > len(str(LARGEST_PAGE)):
        return LARGEST_PAGE, True
    return int(raw), True


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, selectors.receives_alerts)
    number, understood = _page_asked(request)
    page = selectors.alert_page(user=user, page=number)
    return render(
        request,
        "safety/alerts.html",
        {
            "page": page,
            "not_understood": not understood,
            "past_end": number > page.paginator.num_pages,
            "check_ins": selectors.check_in_alerts(user=user),
        },
    )


@require_GET
def alerts_live(request: HttpRequest) -> HttpResponse:
    """The banner every page of an alert recipient asks for every few
    seconds: a count and a link, no name, so it needs no audit. Asking does
    not count as activity (see PASSIVE_PATHS)."""
    user = authenticated_user(request)
    count = selectors.open_alert_count(user=user)
    try:
        shown = int(request.GET.get("shown", "-1"))
    except ValueError:
        shown = -1
    if shown == count:
        return HttpResponse(status=204)
    return render(request, "safety/partials/alert_banner.html", {"count": count})


@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, selectors.receives_alerts)
    try:
        services.alert_acknowledge(actor=user, alert_id=alert_id)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("Noted: you are dealing with it."))
    return see_other("safety:alerts")


# --- Checklists ---


@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_checklist)
    _owner, mine = selectors.checklist_of(user=user, owner_id=user.pk)
    initial: dict[str, Any] = {}
    if mine is not None:
        initial = {name: getattr(mine, name) for name in ChecklistForm.base_fields}
    form = ChecklistForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_save(
                actor=user, values=form.values(), version=form.cleaned_data.get("version")
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved. Only you and the agency's administrators see it."))
            return see_other("safety:checklist")
    return render(
        request,
        "safety/checklist.html",
        {"form": form, "checklist": mine},
        status=400 if form.errors else 200,
    )


@require_GET
def checklists(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_see_staff_checklists)
    return render(
        request, "safety/checklists.html", {"rows": selectors.checklist_overview(user=user)}
    )


@require_GET
def staff_checklist(request: HttpRequest, user_id: int) -> HttpResponse:
    user = allowed_user(request, policies.may_see_staff_checklists)
    owner, found = selectors.checklist_of(user=user, owner_id=user_id)
    return render(request, "safety/staff_checklist.html", {"owner": owner, "checklist": found})


# --- Designations ---


@require_http_methods(["GET", "POST"])
def safety_settings(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_manage_safety)
    current = selectors.safety_settings(user=user)
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        alert_staff=current.alert_staff,
        admins=current.admins,
        initial={
            "alerts": current.alerts,
            "lockdown": current.lockdown,
            "two_to_end_lockdown": current.two_to_end_lockdown,
        },
    )
    # Who may lock the agency down and still sign in: a stolen session must
    # not be able to make itself one (haven.accounts.stepup).
    stepup.ask(form, request)
    if request.method == "POST" and stepup.confirmed(form, request):
        try:
            services.safety_settings_save(
                actor=user,
                alert_user_ids=[int(pk) for pk in form.cleaned_data["alerts"]],
                lockdown_user_ids=[int(pk) for pk in form.cleaned_data["lockdown"]],
                two_to_end_lockdown=form.cleaned_data["two_to_end_lockdown"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return see_other("safety:settings")
    return render(
        request, "safety/settings.html", {"form": form}, status=400 if form.errors else 200
    )


# --- Lockdown ---


@require_http_methods(["GET", "POST"])
def lockdown(request: HttpRequest) -> HttpResponse:
    """Start a lockdown, or see the one running and end it. Both take a
    fresh code from the administrator's authenticator."""
    user = allowed_user(request, lockdowns.is_lockdown_admin)
    running = lockdowns.lockdown_current(actor=user)
    # Which button was pressed, not which form the page now shows: another
    # administrator may have started or ended the lockdown in between.
    action = request.POST.get("action") if request.method == "POST" else None
    start_form = LockdownStartForm(request.POST if action == "start" else None)
    end_form = SecondFactorForm(request.POST if action == "end" else None)
    if action == "end" and running is None:
        messages.info(request, _("This lockdown is no longer running."))
        return see_other("safety:lockdown")
    if action == "start" and start_form.is_valid():
        try:
            lockdowns.lockdown_start(
                actor=user,
                reason=start_form.cleaned_data["reason"],
                days=start_form.days(),
                second_factor=start_form.cleaned_data["second_factor"],
                keep_session=request.session.session_key,
            )
        except ValidationError as error:
            show_refusal(start_form, error)
        else:
            messages.warning(request, _("The lockdown has started. Everyone else is signed out."))
            return see_other("safety:lockdown")
    if action == "end" and running is not None and end_form.is_valid():
        try:
            ended = lockdowns.lockdown_end(
                actor=user,
                lockdown_id=running.pk,
                second_factor=end_form.cleaned_data["second_factor"],
            )
        except ValidationError as error:
            show_refusal(end_form, error)
        else:
            messages.success(
                request,
                _("The lockdown has ended. Staff can sign in again.")
                if ended
                else _("Recorded. A second lockdown administrator must now confirm the end."),
            )
            return see_other("safety:lockdown")
    if request.method == "POST" and action not in {"start", "end"}:
        return HttpResponse(status=400)
    failed = start_form.errors or end_form.errors
    return render(
        request,
        "safety/lockdown.html",
        {
            "running": running,
            "start_form": start_form,
            "end_form": end_form,
            "two_to_end": lockdowns.two_to_end(user.agency_id),
            # The agency's other places (its shelters), by alias, to close
            # them to admissions while the office is shut.
            "places": place_states(user.agency_id) if running is not None else [],
        },
        status=400 if failed else 200,
    )
