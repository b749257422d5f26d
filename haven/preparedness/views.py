"""Pages of organizational preparedness: the agency's policies (their
versions, reviews and acknowledgements), its meetings with partners and the
agreements it holds with them. The readiness view at /preparedness/ is
built apart (haven.preparedness.readiness)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.accounts.http import allowed_user, authenticated_user
from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.core.http import see_other
from haven.preparedness import policies, selectors, services
from haven.preparedness.forms import (
    AcknowledgeForm,
    AgreementForm,
    MeetingForm,
    NewPolicyForm,
    PolicyForm,
    ReviewForm,
    VersionForm,
)
from haven.preparedness.models import PartnerMeeting


def _posted(request: HttpRequest) -> bool:
    return request.method == "POST"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with the links between policies, meetings and agreements that
    the user may open."""
    user = authenticated_user(request)
    context["areas"] = {
        "policies": policies.may_read_policies(user),
        "meetings": policies.may_read_meetings(user),
        "agreements": policies.may_read_agreements(user),
    }
    return render(request, template, context, status=status)


# --- Policies ----------------------------------------------------------------------


@require_GET
def policies_list(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_read_policies)
    today = timezone.localdate()
    rows = selectors.policy_rows(user=user, today=today)
    writes = policies.may_write_policies(user)
    return _render(
        request,
        "preparedness/policies.html",
        {
            "rows": rows,
            "awaiting": [
                r.document
                for r in rows
                if r.document.current_version_id and not r.acknowledged_by_me
            ],
            "missing": selectors.missing_policy_kinds(user.agency_id) if writes else [],
            "writes": writes,
        },
    )


@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_write_policies)
    posted = _posted(request)
    form = NewPolicyForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        owners=selectors.owner_choices(user=user),
        initial={"kind": request.GET.get("kind", ""), "owner": user.pk},
    )
    if posted and form.is_valid():
        try:
            document = services.policy_save(
                actor=user, values=form.values(), first_version=form.version_values()
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, _("The policy is recorded. Staff are asked to acknowledge it.")
            )
            return see_other("preparedness:policy", document.pk)
    return _render(
        request,
        "preparedness/policy_new.html",
        {"form": form},
        400 if form.errors else 200,
    )


@require_GET
def policy(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_read_policies)
    document = selectors.policy_get(user=user, document_id=document_id)
    current = document.current_version
    follows_up = policies.may_see_acknowledgements(user)
    return _render(
        request,
        "preparedness/policy.html",
        {
            "document": document,
            "current": current,
            "state": selectors.review_state(
                document.next_review_on, current is not None, timezone.localdate()
            ),
            "versions": selectors.policy_versions(document),
            "reviews": selectors.policy_reviews(document),
            "acknowledged": selectors.acknowledged_by(user=user, version=current),
            "acknowledgements": (
                selectors.acknowledgements(user=user, document=document)
                if follows_up and current is not None
                else []
            ),
            "follows_up": follows_up,
            "writes": policies.may_write_policies(user),
        },
    )


@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_write_policies)
    document = selectors.policy_get(user=user, document_id=document_id)
    form = PolicyForm(
        request.POST if _posted(request) else None,
        owners=selectors.owner_choices(user=user),
        initial={
            "kind": document.kind,
            "title": document.title,
            "owner": document.owner_id,
            "revision": document.revision,
        },
    )
    if _posted(request) and form.is_valid():
        try:
            services.policy_save(
                actor=user,
                values=form.values(),
                document_id=document.pk,
                revision=form.cleaned_data.get("revision"),
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return see_other("preparedness:policy", document.pk)
    return _render(
        request,
        "preparedness/policy_edit.html",
        {"form": form, "document": document},
        400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def version_new(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_write_policies)
    document = selectors.policy_get(user=user, document_id=document_id)
    posted = _posted(request)
    form = VersionForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            version = services.version_add(
                actor=user, document_id=document.pk, values=form.version_values()
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Version %(n)d is now current. Staff are asked to acknowledge it.")
                % {"n": version.number},
            )
            return see_other("preparedness:policy", document.pk)
    return _render(
        request,
        "preparedness/version_new.html",
        {"form": form, "document": document},
        400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """Record a review that found nothing to change; a review that changes
    the policy uploads a new version instead (linked from this page)."""
    user = allowed_user(request, policies.may_write_policies)
    document = selectors.policy_get(user=user, document_id=document_id)
    current = document.current_version
    if current is None:
        messages.info(request, _("This policy has no version yet: upload the first one."))
        return see_other("preparedness:version_new", document.pk)
    form = ReviewForm(
        request.POST if _posted(request) else None,
        initial={"version": current.number, "reviewed_on": timezone.localdate()},
    )
    if _posted(request) and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_record(
                actor=user,
                document_id=document.pk,
                version_number=data["version"],
                reviewed_on=data["reviewed_on"],
                next_review_on=data["next_review_on"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The review is recorded."))
            return see_other("preparedness:policy", document.pk)
    return _render(
        request,
        "preparedness/review.html",
        {"form": form, "document": document, "current": current},
        400 if form.errors else 200,
    )


@require_POST
def acknowledge(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_acknowledge_policies)
    document = selectors.policy_get(user=user, document_id=document_id)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the policy and try again."))
        return see_other("preparedness:policy", document.pk)
    try:
        services.policy_acknowledge(
            actor=user, document_id=document.pk, version_number=form.cleaned_data["version"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return see_other("preparedness:policy", document.pk)


# --- Partner meetings --------------------------------------------------------------


@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_read_meetings)
    page = selectors.meeting_page(user=user, page=request.GET.get("page"))
    return _render(
        request,
        "preparedness/meetings.html",
        {
            "page": page,
            "rows": [(m, selectors.partner_label(m)) for m in page],
            "writes": policies.may_write_meetings(user),
            "today": timezone.localdate(),
        },
    )


def _meeting_form(
    request: HttpRequest, user: User, meeting: PartnerMeeting | None, initial: dict[str, Any]
) -> MeetingForm:
    return MeetingForm(
        request.POST if _posted(request) else None,
        staff=selectors.meeting_staff_choices(user=user, meeting=meeting),
        organizations=selectors.organization_choices(user=user),
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_write_meetings)
    form = _meeting_form(request, user, None, {"staff": [user.pk]})
    if _posted(request) and form.is_valid():
        try:
            meeting = services.meeting_save(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return see_other("preparedness:meeting", meeting.pk)
    return _render(
        request,
        "preparedness/meeting_edit.html",
        {"form": form, "meeting": None},
        400 if form.errors else 200,
    )


@require_GET
def meeting(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_read_meetings)
    found = selectors.meeting_get(user=user, meeting_id=meeting_id)
    return _render(
        request,
        "preparedness/meeting.html",
        {
            "meeting": found,
            "partner": selectors.partner_label(found),
            "staff": list(found.staff.order_by("username")),
            "writes": policies.may_write_meetings(user),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_write_meetings)
    found = selectors.meeting_get(user=user, meeting_id=meeting_id)
    form = _meeting_form(
        request,
        user,
        found,
        {
            "kind": found.kind,
            "organization": str(found.organization_id) if found.organization_id else "",
            "partner_name": found.partner_name,
            "held_on": found.held_on,
            "staff": [u.pk for u in found.staff.all()],
            "partner_attendees": found.partner_attendees,
            "agreements": found.agreements,
            "follow_ups": found.follow_ups,
            "follow_up_due": found.follow_up_due,
            "follow_up_done": found.follow_up_done,
            "revision": found.revision,
        },
    )
    if _posted(request) and form.is_valid():
        try:
            services.meeting_save(
                actor=user,
                values=form.values(),
                meeting_id=found.pk,
                revision=form.cleaned_data.get("revision"),
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return see_other("preparedness:meeting", found.pk)
    return _render(
        request,
        "preparedness/meeting_edit.html",
        {"form": form, "meeting": found},
        400 if form.errors else 200,
    )


# --- Partner agreements ------------------------------------------------------------


@require_GET
def agreements(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_read_agreements)
    return _render(
        request,
        "preparedness/agreements.html",
        {
            "rows": selectors.agreement_rows(user=user, today=timezone.localdate()),
            "writes": policies.may_write_agreements(user),
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_write_agreements)
    posted = _posted(request)
    form = AgreementForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        organizations=selectors.organization_choices(user=user),
    )
    if posted and form.is_valid():
        try:
            agreement = services.agreement_record(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The agreement is on file."))
            return see_other("preparedness:agreement", agreement.pk)
    return _render(
        request,
        "preparedness/agreement_new.html",
        {"form": form},
        400 if form.errors else 200,
    )


@require_GET
def agreement(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_read_agreements)
    row = selectors.agreement_get(user=user, agreement_id=agreement_id, today=timezone.localdate())
    return _render(request, "preparedness/agreement.html", {"row": row})
