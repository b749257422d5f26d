"""Pages for cases, first contact and emergency access."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.core.http import authenticated_user
from haven.people import selectors, services
from haven.people.forms import BreakGlassForm, CloseForm, DangerForm, IdentityForm, SearchForm
from haven.people.models import Case, Danger
from haven.people.policies import (
    can_change_case,
    can_record_people,
    can_search_people,
    sees_full_record,
)

_DANGER = "haven_intake_danger"


@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The user's open cases, or the people matching a search.

    A search is posted, never sent in the address: names, dates of birth and
    phone numbers must not land in browser history or any access log.
    """
    user = authenticated_user(request)
    if not can_search_people(user):
        raise Http404
    searching = request.method == "POST"
    form = SearchForm(request.POST if searching else None)
    cases = []
    if searching and form.is_valid():
        cases = selectors.cases_matching(
            user=user,
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            phone=form.cleaned_data["phone"],
        )
    elif not searching:
        cases = selectors.case_list(user=user)
    context = {
        "form": form,
        "cases": cases,
        "searching": searching,
        "full": sees_full_record(user),
    }
    template = "people/partials/results.html" if request.htmx else "people/case_list.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if form.errors else 200)


def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    close_form = CloseForm() if can_change_case(user) and case.status == Case.Status.OPEN else None
    return render(
        request,
        "people/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "full": sees_full_record(user),
            "close_form": close_form,
        },
    )


@require_http_methods(["POST"])
def case_close(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.case_close(actor=user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The case is closed."))
            return redirect("people:case_detail", case_id=case.pk)
    else:
        messages.error(request, _("Choose why the case is closing."))
    response = redirect("people:case_detail", case_id=case.pk)
    response.status_code = 303
    return response


@require_http_methods(["GET", "POST"])
def intake_start(request: HttpRequest) -> HttpResponse:
    """First contact begins with the danger question, always."""
    user = authenticated_user(request)
    if not can_record_people(user):
        raise Http404
    form = DangerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request.session[_DANGER] = form.cleaned_data["danger"]
        return redirect("people:intake_identity")
    return render(
        request, "people/intake_start.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def intake_identity(request: HttpRequest) -> HttpResponse:
    """Language and as little identity as the person will give, after a
    search for someone already recorded, so one person does not become two."""
    user = authenticated_user(request)
    if not can_record_people(user):
        raise Http404
    danger = request.session.get(_DANGER)
    if danger not in Danger.values:
        messages.info(request, _("Start with the danger question."))
        return redirect("people:intake_start")
    own_team = user.memberships.exclude(team=None).values_list("team_id", flat=True).first()
    form = IdentityForm(
        request.POST if request.method == "POST" else None,
        agency=user.agency,
        initial={"team": own_team},
    )
    matches = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["record_anyway"]:
            matches = (
                selectors.people_matching(
                    user=user,
                    name=data["legal_name"] or data["preferred_name"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                )
                if (
                    data["legal_name"]
                    or data["preferred_name"]
                    or data["date_of_birth"]
                    or data["phone"]
                )
                else []
            )
        if not matches:
            try:
                case = services.intake_record(
                    actor=user,
                    team=data["team"],
                    danger=danger,
                    legal_name=data["legal_name"],
                    preferred_name=data["preferred_name"],
                    self_term=data["self_term"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                    aliases=data["aliases"],
                    language=data["language"],
                    interpreter_needed=data["interpreter_needed"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                del request.session[_DANGER]
                messages.success(request, _("Recorded. The case is open."))
                return redirect("people:case_detail", case_id=case.pk)
        else:
            form = IdentityForm({**request.POST.dict(), "record_anyway": "on"}, agency=user.agency)
            form.is_valid()
    context = {
        "form": form,
        "matches": matches,
        "danger": danger,
        "in_danger": danger == Danger.YES,
    }
    return render(
        request, "people/intake_identity.html", context, status=400 if form.errors else 200
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
            return redirect("people:case_detail", case_id=case.pk)
    return render(
        request, "people/break_glass.html", {"form": form}, status=400 if form.errors else 200
    )
