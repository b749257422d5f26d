"""Pages of stays: a case's stays (admit, wait, place at a partner), one
stay (move, end, mark compromised, check in), a site's residents, the
waiting list and the shelter staff's home.

Views parse, call one service or selector, and render; a refusal comes
back as the form with its message and a 400, having changed nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from haven.accounts.http import allowed_user, authenticated_user
from haven.accounts.models import User
from haven.core.errors import NotFound
from haven.core.forms import show_refusal
from haven.core.http import see_other
from haven.people.access import case_for, names_hidden_for
from haven.people.display import shown_name
from haven.people.models import Case
from haven.people.policies import may_open_case
from haven.safety.lockdown import lockdown_admins
from haven.shelter import policies, site_selectors, stays
from haven.shelter import stay_selectors as selectors
from haven.shelter.forms_stays import (
    AdmitForm,
    CheckInForm,
    EndForm,
    MoveForm,
    PlaceForm,
    RequestForm,
)
from haven.shelter.models import Bed, Stay
from haven.shelter.selectors import sites_reopening


def _reopening(beds: list[Bed]) -> dict[uuid.UUID, datetime]:
    """When the sites of ``beds`` closed to admissions reopen, for their labels."""
    return sites_reopening({bed.site for bed in beds})


def _parsed_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


# --- A case's stays ---


def _sees_stays(user: User) -> Callable[[Case], bool]:
    """Asked before the case is read: the front desk, and anyone who opens
    the case only by break-glass without working cases, never see stays."""
    return lambda _case: policies.may_see_case_stays(user)


def _case_page(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    admit: AdmitForm | None = None,
    wait: RequestForm | None = None,
    place: PlaceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_open = case.status == Case.Status.OPEN
    works = policies.may_work_stays(user) and is_open
    beds = selectors.beds_free(user=user, day=timezone.localdate()) if works else []
    if works and admit is None and beds:
        admit = AdmitForm(
            beds=beds,
            reopening=_reopening(beds),
            initial={"request": request.GET.get("request", "")},
        )
    if works and wait is None:
        wait = RequestForm(sites=selectors.agency_sites(user=user))
    if is_open and place is None and policies.may_place_at_partner(user):
        place = PlaceForm(partners=selectors.shelter_partners(user=user))
    return render(
        request,
        "shelter/stays_case.html",
        {
            "case": case,
            "name": shown_name(case.person, names_hidden_for(user)),
            "stays": selectors.case_stays(case),
            "requests": selectors.case_requests(case),
            "admit": admit,
            "wait": wait,
            "place": place,
            "works": works,
        },
        status=status,
    )


@require_GET
def case_stays(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, _sees_stays(user))
    return _case_page(request, user, case)


@require_POST
def stay_admit(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    case = case_for(user, case_id, _sees_stays(user))
    # Any bed the user may admit to: the service says whether it is free.
    beds = selectors.beds_to_admit(user=user)
    form = AdmitForm(request.POST, beds=beds, reopening=_reopening(beds))
    if form.is_valid():
        try:
            stay = stays.stay_admit(
                actor=user,
                case=case,
                bed_id=form.cleaned_data["bed"],
                starts_on=form.cleaned_data["starts_on"],
                safety_notes=form.cleaned_data["safety_notes"],
                request_id=form.cleaned_data["request"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The person is admitted."))
            return see_other("shelter:stay", stay.pk)
    return _case_page(request, user, case, admit=form, status=400)


@require_POST
def stay_request(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    case = case_for(user, case_id, _sees_stays(user))
    form = RequestForm(request.POST, sites=selectors.agency_sites(user=user))
    if form.is_valid():
        try:
            stays.stay_request_add(
                actor=user,
                case=case,
                site_id=_parsed_uuid(form.cleaned_data["site"]),
                priority=form.cleaned_data["priority"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The person is on the waiting list."))
            return see_other("shelter:case_stays", case.pk)
    return _case_page(request, user, case, wait=form, status=400)


@require_POST
def request_withdraw(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    asked = selectors.request_get(user=user, request_id=request_id)
    try:
        stays.stay_request_withdraw(actor=user, request=asked)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is withdrawn."))
    return see_other("shelter:case_stays", asked.case_id)


@require_POST
def stay_place(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_place_at_partner)
    case = case_for(user, case_id, _sees_stays(user))
    form = PlaceForm(request.POST, partners=selectors.shelter_partners(user=user))
    if form.is_valid():
        values = form.cleaned_data
        try:
            stay = stays.place_at_partner(
                actor=user,
                case=case,
                placement=stays.Placement(
                    organization_id=uuid.UUID(values["organization"]),
                    purpose=values["purpose"],
                    kinds=values["kinds"],
                    starts_on=values["starts_on"],
                    location_agreed=values["location_agreed"],
                    location=values["location"],
                ),
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The placement is recorded."))
            return see_other("shelter:stay", stay.pk)
    return _case_page(request, user, case, place=form, status=400)


# --- One stay ---


def _stay_page(
    request: HttpRequest,
    user: User,
    stay: Stay,
    *,
    move: MoveForm | None = None,
    end: EndForm | None = None,
    check_in: CheckInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    current = stay.ends_on is None
    changes = current and policies.may_change_stay(user, stay.site)
    today = timezone.localdate()
    if changes and move is None:
        beds = selectors.beds_free(user=user, day=today)
        move = MoveForm(beds=beds, reopening=_reopening(beds))
    if changes and end is None:
        end = EndForm()
    checks = stay.site is not None and policies.may_record_check_in(user, stay.site)
    if checks and stay.covers(today) and check_in is None:
        check_in = CheckInForm()
    case_open = may_open_case(user, stay.case_id)
    # Who may not open the case sees what the resident view shows, no more.
    resident = selectors.resident_shown(user=user, stay=stay)
    name = (
        shown_name(stay.case.person, names_hidden_for(user))
        if case_open
        else resident.name or _("Name not shown")
    )
    closes = stay.site is not None and policies.may_close_site(user, stay.site)
    return render(
        request,
        "shelter/stays_stay.html",
        {
            "stay": stay,
            "name": name,
            "language": resident.language,
            "safety_notes": resident.safety_notes,
            "case_open": case_open,
            "changes": changes,
            "move": move if changes else None,
            "end": end if changes else None,
            "check_in": check_in if checks and stay.covers(today) else None,
            "check_ins": selectors.check_ins_of(stay) if stay.site is not None else [],
            "sees_residents": stay.site is not None and policies.may_see_residents(user, stay.site),
            # A compromised stay's site is closed by a lockdown administrator:
            # the others are told whom to ask.
            "closes": closes,
            "closers": [] if closes else lockdown_admins(user.agency_id),
        },
        status=status,
    )


@require_GET
def stay(request: HttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    return _stay_page(request, user, selectors.stay_get(user=user, stay_id=stay_id))


@require_POST
def stay_move(request: HttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    found = selectors.stay_get(user=user, stay_id=stay_id, may=policies.may_change_stay)
    beds = selectors.beds_to_admit(user=user)
    form = MoveForm(request.POST, beds=beds, reopening=_reopening(beds))
    if form.is_valid():
        try:
            moved = stays.stay_move(
                actor=user, stay=found, bed_id=form.cleaned_data["bed"], on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The person is moved."))
            return see_other("shelter:stay", moved.pk)
    return _stay_page(request, user, found, move=form, status=400)


@require_POST
def stay_end(request: HttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    found = selectors.stay_get(user=user, stay_id=stay_id, may=policies.may_change_stay)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            stays.stay_end(
                actor=user,
                stay=found,
                ends_on=form.cleaned_data["ends_on"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The stay has ended."))
            return see_other("shelter:stay", found.pk)
    return _stay_page(request, user, found, end=form, status=400)


@require_POST
def stay_compromised(request: HttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    found = selectors.stay_get(user=user, stay_id=stay_id, may=policies.may_change_stay)
    try:
        stays.stay_mark_compromised(actor=user, stay=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.warning(
            request,
            _("The stay is marked compromised. Move the person, and review the safety plan."),
        )
    return see_other("shelter:stay", found.pk)


@require_POST
def check_in(request: HttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    found = selectors.stay_get(user=user, stay_id=stay_id, may=policies.may_record_check_in)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            stays.check_in_record(
                actor=user,
                stay=found,
                wellbeing=form.cleaned_data["wellbeing"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The check-in is recorded."))
            return see_other("shelter:stay", found.pk)
    return _stay_page(request, user, found, check_in=form, status=400)


# --- A site's residents, the waiting list, the home ---


@require_GET
def residents(request: HttpRequest, site_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    site = site_selectors.site_get(user=user, site_id=site_id)
    if not policies.may_see_residents(user, site):
        raise NotFound
    today = timezone.localdate()
    return render(
        request,
        "shelter/stays_residents.html",
        {
            "site": site,
            "night": selectors.occupancy(site, today),
            "residents": selectors.residents(user=user, site=site),
        },
    )


@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_work_stays)
    return render(
        request, "shelter/stays_waiting.html", {"waiting": selectors.waiting_list(user=user)}
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, lambda u: bool(policies.site_teams(u)))
    sites, waiting_rows = selectors.home(user=user)
    return render(request, "shelter/stays_home.html", {"sites": sites, "waiting": waiting_rows})
