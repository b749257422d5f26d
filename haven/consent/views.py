"""Pages of consent: a case's consents and recording one, withdrawing one,
the printed consent form, the ledger of what left, and the agency's default."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.http import allowed_user, authenticated_user
from haven.accounts.models import User
from haven.consent import selectors
from haven.consent.court_orders import court_order_answer
from haven.consent.documents import consent_form_response
from haven.consent.forms import ConsentRecordForm, ConsentSettingsForm, CourtOrderForm, RevokeForm
from haven.consent.models import Consent
from haven.consent.policies import (
    may_answer_court_orders,
    may_record_consent,
    may_see_disclosures,
    may_set_consent_terms,
)
from haven.consent.services import (
    consent_record,
    consent_revoke,
    consent_settings_save,
    default_days,
)
from haven.core.forms import show_refusal
from haven.people.access import case_for, names_hidden_for
from haven.people.models import Case
from haven.protocol.views.common import case_for_work


def _record_form(user: User, case: Case, data: Any = None, files: Any = None) -> ConsentRecordForm:
    today = timezone.localdate()
    return ConsentRecordForm(
        data,
        files,
        organizations=selectors.directory_choices(user),
        initial={
            "language": case.person.language or "eng",
            "expires_on": today + timedelta(days=default_days(user.agency_id)),
        },
    )


def _page(
    request: HttpRequest,
    user: User,
    case: Case,
    form: ConsentRecordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_record = may_record_consent(user)
    found = selectors.consents_of(case)
    today = timezone.localdate()
    return render(
        request,
        "consent/consents.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "in_force": [c for c in found if c.in_force_on(today)],
            "ended": [c for c in found if not c.in_force_on(today)],
            "today": today,
            "may_record": may_record,
            "form": (form or _record_form(user, case)) if may_record else None,
            "next": _back_to(request, case),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    if request.method == "GET":
        case = case_for(user, case_id, lambda _: may_see_disclosures(user))
        return _page(request, user, case)
    case = case_for(user, case_id, lambda _: may_record_consent(user))
    form = _record_form(user, case, request.POST, request.FILES)
    if form.is_valid():
        try:
            consent_record(actor=user, case=case, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            response = redirect(
                _back_to(request, case) or reverse("consent:consents", args=[case.pk])
            )
            response.status_code = 303
            return response
    return _page(request, user, case, form=form, status=400)


def _back_to(request: HttpRequest, case: Case) -> str:
    """Where staff came from to record the consent (a referral waiting for
    it), if that is a page of the same case on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith(f"/cases/{case.pk}/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


def _consent_of(case: Case, consent_id: uuid.UUID) -> Consent:
    found = selectors.consent_get(case, consent_id)
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
def consent_withdraw(
    request: HttpRequest, case_id: uuid.UUID, consent_id: uuid.UUID
) -> HttpResponse:
    """The person withdraws a consent: a confirmation, with their words if they want."""
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    consent = _consent_of(case, consent_id)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_revoke(actor=user, consent=consent, note=form.cleaned_data["note"])
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The consent is withdrawn. Nothing more goes under it."))
            response = redirect("consent:consents", case_id=case.pk)
            response.status_code = 303
            return response
    return render(
        request,
        "consent/withdraw.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "consent": consent,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def consent_pdf(request: HttpRequest, case_id: uuid.UUID, consent_id: uuid.UUID) -> HttpResponse:
    """The consent form, printed in the language it was explained in."""
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_see_disclosures(user))
    return consent_form_response(user, case, _consent_of(case, consent_id))


@require_GET
def disclosures(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """What left the agency about this person: the ledger, newest first."""
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_see_disclosures(user))
    return render(
        request,
        "consent/disclosures.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "rows": selectors.disclosures_of(case),
            "may_answer_court_orders": may_answer_court_orders(user, case),
        },
    )


@require_http_methods(["GET", "POST"])
def court_order(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Information handed over because a court ordered it: kept with the
    order's copy in the ledger."""
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda c: may_answer_court_orders(user, c))
    form = CourtOrderForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organizations=selectors.directory_choices(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            court_order_answer(actor=user, case=case, answer=form.answer())
        except ValidationError as error:  # the gate's refusals among them
            show_refusal(form, error)
        else:
            messages.success(request, _("Recorded in what has been shared."))
            response = redirect("consent:disclosures", case_id=case.pk)
            response.status_code = 303
            return response
    return render(
        request,
        "consent/court_order.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def consent_settings(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, may_set_consent_terms)
    form = ConsentSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"default_days": default_days(user.agency_id)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent_settings_save(actor=user, days=form.cleaned_data["default_days"])
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            response = redirect("consent:settings")
            response.status_code = 303
            return response
    return render(
        request,
        "consent/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
