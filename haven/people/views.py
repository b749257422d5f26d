"""Pages for cases, first contact and emergency access."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts import approvals, stepup
from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.accounts.selectors import active_teams
from haven.core.forms import show_refusal
from haven.core.models import Team
from haven.people import selectors, services
from haven.people.access import names_hidden_for
from haven.people.caselist import SORTS, STATUSES, VIEW_MARKS, VIEWS, filters_from
from haven.people.details import DETAIL_NAMES, RESTRICTED, PersonDetails
from haven.people.display import hidden_names
from haven.people.field_settings import (
    field_rules,
    field_settings_save,
)
from haven.people.forms import (
    LANGUAGE_STEP,
    BreakGlassForm,
    CaseStaffForm,
    CloseForm,
    DangerForm,
    DestroyForm,
    FieldSettingsForm,
    IdentityForm,
    PersonEditForm,
    PersonForm,
    SearchForm,
    identity_step,
    initial_of,
)
from haven.people.marks import marks_seen_by
from haven.people.models import Danger, Person
from haven.people.policies import (
    may_change_case,
    may_configure_fields,
    may_manage_case,
    may_record_people,
    may_search_people,
    may_see_full_record,
    may_see_restricted_fields,
    may_take_case,
)

_INTAKE = "haven_intake"


@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may open, by quick view, filters, sort and page
    (a GET: only codes and ids in the address), or the people a search finds
    (also posted here by the search box of the dashboard).

    A search is posted, never sent in the address: names, dates of birth and
    phone numbers must not land in browser history or any access log.
    """
    user = authenticated_user(request)
    if not may_search_people(user):
        raise Http404
    searching = request.method == "POST"
    form = SearchForm(request.POST if searching else None)
    cases = []
    found = None
    context: dict[str, Any] = {}
    if searching and form.is_valid():
        found = selectors.search_cases(user=user, query=form.cleaned_data["query"])
        cases = found.exact
    elif not searching:
        filters = filters_from(dict(request.GET.lists()))
        shown = selectors.case_page(user=user, filters=filters)
        seen = marks_seen_by(user)
        context = {
            "listing": shown,
            "filters": filters,
            "views": [
                (code, label, filters.query(view=code, page=1))
                for code, label in VIEWS.items()
                if code not in VIEW_MARKS or VIEW_MARKS[code] in seen
            ],
            "teams": active_teams(user=user),
            "staff": selectors.case_workers(user=user),
            "statuses": STATUSES,
            "sorts": SORTS,
            "marks": seen.values(),
            "may_take": {
                case.pk
                for case in shown.cases
                if case.queued_at and may_take_case(user, case.team_id)
            },
            "page_links": page_links(shown),
        }
    context |= {
        "form": form,
        "cases": cases,
        "similar": found.similar if found else [],
        "more": found.more if found else False,
        "searching": searching,
        "full": may_see_full_record(user),
        "hidden_names": names_hidden_for(user),
    }
    if request.htmx and searching:  # type: ignore[attr-defined]
        template = "people/partials/results.html"
    else:
        template = "people/case_list.html"
    return render(request, template, context, status=400 if form.errors else 200)


def page_links(shown: selectors.CasePage) -> list[tuple[int | None, str]]:
    """The page numbers to link to (the first, the last, and two either side
    of the current one), None where some are skipped, each with its query."""
    current, count = shown.page.number, shown.page.paginator.num_pages
    numbers = sorted({1, count, *range(max(1, current - 2), min(count, current + 2) + 1)})
    links: list[tuple[int | None, str]] = []
    for number in numbers:
        if links and links[-1][0] is not None and number - (links[-1][0] or 0) > 1:
            links.append((None, ""))
        links.append((number, shown.filters.query(page=number)))
    return links


@require_http_methods(["POST"])
def case_take(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Take a case waiting in one's team's queue."""
    user = authenticated_user(request)
    try:
        services.case_take(actor=user, case_id=case_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        response = redirect(reverse("people:case_list") + "?view=team")
    else:
        messages.success(request, _("The case is yours now."))
        response = redirect("desk:case_detail", case_id=case_id)
    response.status_code = 303
    return response


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Everything the agency records about the person of a case."""
    user = authenticated_user(request)
    case = selectors.case_get(user=user, case_id=case_id, allowed=lambda _: may_change_case(user))
    rules = field_rules(user.agency_id)
    names = [n for n in DETAIL_NAMES if may_see_restricted_fields(user) or n not in RESTRICTED]
    current = services.person_details(case.person)
    initial = {**initial_of(current), "version": case.person.version}
    form = PersonEditForm(
        request.POST if request.method == "POST" else None,
        rules=rules,
        names=names,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.person_update(
                actor=user,
                case=case,
                details=form.details(current),
                covering=form.covering,
                version=form.cleaned_data["version"],
            )
        except services.StaleRecord as error:
            messages.error(request, " ".join(error.messages))
            form = PersonEditForm(rules=rules, names=names, initial=initial)
            return render(
                request,
                "people/person_edit.html",
                {
                    "form": form,
                    "case": case,
                    "person": case.person,
                    "hidden_names": hidden_names(user, rules),
                },
                status=409,
            )
        except ValidationError as error:
            form.refuse(error)
        else:
            if changed:
                messages.success(request, _("Saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("desk:case_detail", case_id=case.pk)
    return render(
        request,
        "people/person_edit.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "hidden_names": hidden_names(user, rules),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def case_staff(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Who works the case, and whether only named staff may open it."""
    user = authenticated_user(request)
    case = selectors.case_get(
        user=user, case_id=case_id, allowed=lambda c: may_manage_case(user, c.team_id)
    )
    form = CaseStaffForm(
        request.POST if request.method == "POST" else None,
        agency=user.agency,
        initial={
            "assigned": list(case.assigned.all()),
            "restricted": case.restricted,
            "named_staff": list(case.named_staff.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_staff_set(
                actor=user,
                case=case,
                assigned=list(data["assigned"]),
                restricted=data["restricted"],
                named=list(data["named_staff"]),
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("desk:case_detail", case_id=case.pk)
    return render(
        request,
        "people/case_staff.html",
        {"form": form, "case": case, "person": case.person},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def person_destroy(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Destroy the person's record at their request, after a confirmation and
    a fresh second factor; where the agency's rule says so, a second
    supervisor's approval carries it out instead (haven.accounts.approvals)."""
    user = authenticated_user(request)
    case = selectors.case_get(
        user=user, case_id=case_id, allowed=lambda c: may_manage_case(user, c.team_id)
    )
    waiting = approvals.waiting_for(
        kind=services.DESTROY_ON_REQUEST, object_id=str(case.pk), agency_id=user.agency_id
    )
    two_people = approvals.two_people_required(user.agency_id)
    form = DestroyForm(request.POST if request.method == "POST" else None)
    stepup.ask(form, request)
    if request.method == "POST" and waiting is None and stepup.confirmed(form, request):
        try:
            if two_people:
                approvals.approval_request(
                    actor=user, kind=services.DESTROY_ON_REQUEST, object_id=str(case.pk)
                )
            else:
                services.person_destroy_on_request(actor=user, case=case)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            if two_people:
                messages.success(
                    request,
                    _(
                        "Asked. Another supervisor must approve within 72 hours; the "
                        "record is destroyed when they do."
                    ),
                )
                return redirect("people:person_destroy", case_id=case.pk)
            messages.success(request, _("The record is destroyed. It cannot be brought back."))
            return redirect("people:case_list")
    return render(
        request,
        "people/person_destroy.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "other_cases": case.person.cases.exclude(pk=case.pk).count(),
            "hidden_names": hidden_names(user, field_rules(user.agency_id)),
            "two_people": two_people,
            "waiting": waiting,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["POST"])
def case_close(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = selectors.case_get(user=user, case_id=case_id, allowed=lambda _: may_change_case(user))
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.case_close(actor=user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The case is closed."))
            return redirect("desk:case_detail", case_id=case.pk)
    else:
        messages.error(request, _("Choose why the case is closing."))
    response = redirect("desk:case_detail", case_id=case.pk)
    response.status_code = 303
    return response


def _intake_state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(_INTAKE)
    return state if isinstance(state, dict) else {}


@require_http_methods(["GET", "POST"])
def intake_start(request: HttpRequest) -> HttpResponse:
    """First contact begins with the danger question, always."""
    user = authenticated_user(request)
    if not may_record_people(user):
        raise Http404
    form = DangerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request.session[_INTAKE] = {"danger": form.cleaned_data["danger"]}
        return redirect("people:intake_language")
    return render(
        request, "people/intake_start.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def intake_language(request: HttpRequest) -> HttpResponse:
    """Second, how to speak with the person: an interpreter comes before
    any question about who they are."""
    user = authenticated_user(request)
    if not may_record_people(user):
        raise Http404
    state = _intake_state(request)
    if state.get("danger") not in Danger.values:
        messages.info(request, _("Start with the danger question."))
        return redirect("people:intake_start")
    form = PersonForm(
        request.POST if request.method == "POST" else None,
        rules=field_rules(user.agency_id),
        names=LANGUAGE_STEP,
        initial=state.get("languages", {}),
    )
    if request.method == "POST" and form.is_valid():
        chosen = {name: form.cleaned_data[name] for name in form.covering}
        request.session[_INTAKE] = {**state, "languages": _session_safe(chosen)}
        return redirect("people:intake_identity")
    context = {"form": form, "in_danger": state["danger"] == Danger.YES}
    return render(
        request, "people/intake_language.html", context, status=400 if form.errors else 200
    )


def _session_safe(values: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def _language_details(state: dict[str, Any]) -> PersonDetails:
    chosen = state.get("languages", {})
    values: dict[str, Any] = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in chosen.items()
        if name in LANGUAGE_STEP
    }
    return PersonDetails(**values)


@require_http_methods(["GET", "POST"])
def intake_identity(request: HttpRequest) -> HttpResponse:
    """Last, as little identity as the person will give, after a search for
    someone already recorded, so one person does not become two."""
    user = authenticated_user(request)
    if not may_record_people(user):
        raise Http404
    state = _intake_state(request)
    danger = state.get("danger")
    if danger not in Danger.values:
        messages.info(request, _("Start with the danger question."))
        return redirect("people:intake_start")
    if "languages" not in state:
        return redirect("people:intake_language")
    rules = field_rules(user.agency_id)
    names = identity_step(rules)
    own_team = user.memberships.exclude(team=None).values_list("team_id", flat=True).first()
    form = IdentityForm(
        request.POST if request.method == "POST" else None,
        agency=user.agency,
        rules=rules,
        names=names,
        initial={"team": own_team},
    )
    matches = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = form.details(_language_details(state))
        if not data["record_anyway"]:
            matches = _possible_duplicates(user, details)
        if not matches:
            try:
                case = services.intake_record(
                    actor=user,
                    team=data["team"],
                    danger=danger,
                    details=details,
                    advocate=data["advocate"],
                )
            except ValidationError as error:
                form.refuse(error)
            else:
                del request.session[_INTAKE]
                messages.success(request, _handed_to(data["team"], data["advocate"]))
                if not may_see_full_record(user):
                    # The front desk's part is done: back to where the next contact starts.
                    return redirect("desk:dashboard")
                return redirect("desk:case_detail", case_id=case.pk)
        else:
            form = IdentityForm(
                {**request.POST.dict(), "record_anyway": "on"},
                agency=user.agency,
                rules=rules,
                names=names,
            )
            form.is_valid()
    context = {
        "form": form,
        "matches": matches,
        "danger": danger,
        "in_danger": danger == Danger.YES,
        "hidden_names": hidden_names(user, rules),
    }
    return render(
        request, "people/intake_identity.html", context, status=400 if form.errors else 200
    )


def _handed_to(team: Team, advocate: User | None) -> str:
    """What happens next, for the person who recorded the contact."""
    if advocate is None:
        return _(
            "Recorded. Sent to the %(team)s team's queue: an advocate of the team will take it."
        ) % {"team": team.name}
    return _("Recorded. Sent to %(advocate)s (%(team)s).") % {
        "advocate": advocate.display_name or advocate.username,
        "team": team.name,
    }


def _possible_duplicates(user: User, details: PersonDetails) -> list[Person]:
    name = details.legal_name or details.preferred_name
    if not (name or details.date_of_birth or details.phone):
        return []
    return selectors.people_matching(
        user=user, name=name, date_of_birth=details.date_of_birth, phone=details.phone
    )


@require_http_methods(["GET", "POST"])
def field_settings(request: HttpRequest) -> HttpResponse:
    """What the agency records about a person, and under which labels."""
    user = authenticated_user(request)
    if not may_configure_fields(user):
        raise Http404
    rules = field_rules(user.agency_id)
    form = FieldSettingsForm(request.POST if request.method == "POST" else None, rules=rules)
    stepup.ask(form, request)
    if request.method == "POST" and stepup.confirmed(form, request):
        try:
            changed = field_settings_save(actor=user, choices=form.choices())
        except ValidationError as error:
            form.refuse(error)
        else:
            if changed:
                messages.success(request, _("Saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("people:field_settings")
    return render(
        request,
        "people/field_settings.html",
        {"form": form, "rows": form.rows()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.break_glass_open(
                actor=user, case_id=form.cleaned_data["case"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("reason", message)
        else:
            messages.warning(request, _("Emergency access for one hour. Your supervisor is told."))
            return redirect("desk:case_detail", case_id=case.pk)
    return render(
        request, "people/break_glass.html", {"form": form}, status=400 if form.errors else 200
    )
