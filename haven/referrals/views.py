"""Pages of referrals: a case's referrals and sending one from a need (with
matching partners), a referral's page at the sender, and the receiving
agency's queue."""

from __future__ import annotations

import json
import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.http import allowed_user, authenticated_user
from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.consent.gate import DisclosureRefused
from haven.consent.policies import may_see_disclosures
from haven.core.forms import show_refusal
from haven.core.languages import LANGUAGES
from haven.core.pdf import pdf_response, render_pdf
from haven.partners.models import Organization, Service
from haven.partners.selectors import DirectoryFilter, service_search
from haven.people.access import case_for, names_hidden_for
from haven.people.models import Case
from haven.protocol.models import County, Need, NeedStatus
from haven.protocol.needs import categories_for, category_label
from haven.referrals import selectors
from haven.referrals.drafts import DraftPlace, draft_drop, draft_keep, draft_of
from haven.referrals.expertise import expertise_of, expertise_save, outside
from haven.referrals.forms import ExpertiseForm, MoveForm, ReferralForm
from haven.referrals.models import Referral, ReferralStatus
from haven.referrals.packet import packet_read, packet_text, referrer_of
from haven.referrals.policies import may_refer, may_set_expertise
from haven.referrals.services import (
    ReferralRequest,
    allowed_moves,
    outside_expertise,
    referral_move,
    referral_send,
)


def _redirect(name: str, **kwargs: Any) -> HttpResponse:
    response: HttpResponse = redirect(name, **kwargs)
    response.status_code = 303
    return response


def _moved(request: HttpRequest, user: User, found: Referral, form: MoveForm) -> bool:
    """Move the referral as posted (either side); False shows the form again."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        referral_move(
            actor=user,
            referral=found,
            status=form.cleaned_data["status"],
            outcome=form.cleaned_data["outcome"],
        )
    except ValidationError as error:
        show_refusal(form, error)
        return False
    messages.success(request, _("Saved."))
    return True


def _case_for_referring(user: User, case_id: uuid.UUID, write: bool) -> Case:
    return case_for(
        user, case_id, lambda _: may_refer(user) if write else may_see_disclosures(user)
    )


@require_GET
def referrals(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The case's referrals, and partners matching a need to send one."""
    user = authenticated_user(request)
    case = _case_for_referring(user, case_id, write=False)
    needs = list(
        Need.objects.filter(case=case)
        .exclude(status__in=[NeedStatus.MET, NeedStatus.DECLINED])
        .select_related("category")
        .order_by("rank")
    )
    need = next((n for n in needs if str(n.pk) == request.GET.get("need")), None)
    beyond_us = outside(user.agency_id, [n.category_id for n in needs])
    language = request.GET.get("language", case.person.language or "")
    area = request.GET.get("area", "")
    matches: list[Service] = []
    if need is not None and may_refer(user):
        wanted = DirectoryFilter(
            need=need.category.code,
            language="" if language in ("", "und") else language,
            area=area,
        )
        matches = list(service_search(user=user, wanted=wanted)[:50])
    return render(
        request,
        "referrals/case.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "rows": selectors.referrals_of(case),
            "needs": [(n, category_label(n.category), n.category_id in beyond_us) for n in needs],
            "beyond_us": [category_label(n.category) for n in needs if n.category_id in beyond_us],
            "need": need,
            "language": language,
            "area": area,
            "languages": LANGUAGES,
            "counties": County.objects.order_by("name"),
            "matches": matches,
            "may_refer": may_refer(user),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_new(
    request: HttpRequest, case_id: uuid.UUID, need_id: uuid.UUID, service_id: uuid.UUID
) -> HttpResponse:
    """Send a need of the case to one partner's service, through the gate."""
    user = authenticated_user(request)
    case = _case_for_referring(user, case_id, write=True)
    need = Need.objects.filter(case=case, pk=need_id).select_related("category").first()
    service = (
        Service.objects.filter(pk=service_id, agency_id=user.agency_id)
        .select_related("organization")
        .first()
    )
    if need is None or service is None:
        raise Http404
    organization: Organization = service.organization
    warning = outside_expertise(organization, service, need)
    place = DraftPlace(case, need.pk, service.pk)
    form = (
        ReferralForm(request.POST)
        if request.method == "POST"
        # Back from recording the consent: the choices made before it.
        else ReferralForm(initial=draft_of(request.session, place))
    )
    if not warning:
        # Nothing to confirm: the partner lists this need.
        del form.fields["outside_expertise_confirmed"]
    refused = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = referral_send(
                actor=user,
                case=case,
                request=ReferralRequest(
                    need_id=need.pk,
                    organization_id=organization.pk,
                    service_id=service.pk,
                    purpose=data["purpose"],
                    kinds=data["kinds"],
                    message=data["message"],
                    follow_up_on=data["follow_up_on"],
                    outside_expertise_confirmed=data.get("outside_expertise_confirmed", False),
                ),
            )
        except DisclosureRefused as error:
            # Shown once, above the form, with the way to record consent.
            refused = " ".join(error.messages)
            draft_keep(request.session, place, data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            draft_drop(request.session, place)
            messages.success(request, _("The referral is sent."))
            return _redirect("referrals:referral", case_id=case.pk, referral_id=referral.pk)
    return render(
        request,
        "referrals/new.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "need_label": category_label(need.category),
            "service": service,
            "organization": organization,
            "warning": warning,
            "back_here": request.get_full_path(),
            "form": form,
            "refused": refused,
        },
        status=400 if form.errors or refused else 200,
    )


@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID) -> HttpResponse:
    """One referral at the sending agency: what left, its history, and moving it."""
    user = authenticated_user(request)
    case = _case_for_referring(user, case_id, write=request.method == "POST")
    found = selectors.referral_of_case(case, referral_id)
    moves = allowed_moves(found, user)
    form = MoveForm(request.POST if request.method == "POST" else None, moves=moves)
    if _moved(request, user, found, form):
        return _redirect("referrals:referral", case_id=case.pk, referral_id=found.pk)
    content = json.loads(found.content or "{}")
    return render(
        request,
        "referrals/referral.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "referral": found,
            "changes": found.changes.select_related("by"),
            "text": packet_text(content, referrer_of(found)),
            "form": form if moves else None,
            "withdraw_only": moves == {ReferralStatus.WITHDRAWN},
        },
        status=400 if form.errors else 200,
    )


@require_GET
def referral_pdf(request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID) -> HttpResponse:
    """The referral printed for a partner outside Haven: only what was sent."""
    user = authenticated_user(request)
    case = _case_for_referring(user, case_id, write=False)
    found = selectors.referral_of_case(case, referral_id)
    content = json.loads(found.content or "{}")
    pdf = render_pdf(
        "referrals/pdf/referral.html",
        {
            "referral": found,
            "text": packet_text(content, referrer_of(found)),
            "agency": user.agency.name,
        },
        # For the partner: in the language of the staff member printing it.
        language=user.language,
    )
    audit_record(
        action=Action.DOCUMENT_PRINTED,
        actor=user,
        object_type="case",
        object_id=case.pk,
        detail={"document": "referral", "referral": str(found.pk)},
    )
    return pdf_response(pdf, filename="referral.pdf")


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Referrals other agencies on this installation sent to us."""
    user = authenticated_user(request)
    return render(request, "referrals/inbox.html", {"rows": selectors.inbox(user=user)[:200]})


@require_http_methods(["GET", "POST"])
def inbox_referral(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """One referral sent to us: exactly what the person consented to, and our answer."""
    user = authenticated_user(request)
    found = selectors.inbox_get(user=user, referral_id=referral_id)
    moves = allowed_moves(found, user)
    form = MoveForm(request.POST if request.method == "POST" else None, moves=moves)
    if _moved(request, user, found, form):
        return _redirect("referrals:inbox_referral", referral_id=found.pk)
    packet = getattr(found, "packet", None)
    return render(
        request,
        "referrals/inbox_referral.html",
        {
            "referral": found,
            "from_agency": found.case.agency.name,
            "referrer": referrer_of(found),
            "packet": packet_read(packet) if packet is not None else None,
            "changes": found.changes.all(),
            "beyond_us": bool(
                found.need_id and outside(user.agency_id, [found.need.category_id])  # type: ignore[union-attr]
            ),
            "form": form if moves else None,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def expertise(request: HttpRequest) -> HttpResponse:
    """What the agency does itself (administrators)."""
    user = allowed_user(request, may_set_expertise)
    categories = list(categories_for(user.agency_id))
    own = expertise_of(user.agency_id) or frozenset()
    form = ExpertiseForm(
        request.POST if request.method == "POST" else None,
        initial={"needs": [str(pk) for pk in own]},
    )
    cast(forms.MultipleChoiceField, form.fields["needs"]).choices = [
        (str(c.pk), category_label(c)) for c in categories
    ]
    if request.method == "POST" and form.is_valid():
        try:
            expertise_save(actor=user, category_ids=[int(pk) for pk in form.cleaned_data["needs"]])
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return _redirect("referrals:expertise")
    return render(
        request,
        "referrals/expertise.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
