"""The requests waiting for a second supervisor, and the agency's rule."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import approvals, stepup
from haven.accounts.http import authenticated_user
from haven.accounts.policies import may_set_two_person_rule
from haven.core.forms import show_refusal


@require_http_methods(["GET"])
def approval_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    found = list(approvals.approvals_of(user=user)[:200])
    titles = {kind: str(approvals.registered(kind).title) for kind in approvals.kinds()}
    for approval in found:
        approval.title = titles.get(approval.kind, approval.kind)  # type: ignore[attr-defined]
    now = timezone.now()
    return render(
        request,
        "accounts/approvals.html",
        {
            "waiting": [a for a in found if a.state == a.State.WAITING and not a.is_expired(now)],
            "answered": [a for a in found if a.state != a.State.WAITING or a.is_expired(now)],
        },
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("decline", gettext_lazy("Decline"))],
        # Radio buttons with neither chosen: a list would offer "Approve" ready picked.
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose to approve or to decline.")},
    )


@require_http_methods(["GET", "POST"])
def approval_detail(request: HttpRequest, approval_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    approval = approvals.approval_get(user=user, approval_id=approval_id)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    stepup.ask(form, request)
    if stepup.FIELD in form.fields:
        form.fields[stepup.FIELD].help_text = _(
            "Needed to approve (not to decline): the code your app shows now, or one of your "
            "recovery codes. You will not be asked again for five minutes."
        )
    if request.method == "POST":
        valid = form.is_valid()
        # Declining harms nothing: only approving asks for a fresh second factor.
        approving = valid and form.cleaned_data["answer"] == "approve"
        if valid and (not approving or stepup.confirm(form, request)):
            try:
                approvals.approval_decide(actor=user, approval_id=approval.pk, approve=approving)
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request,
                    _("Approved, and carried out.") if approving else _("Declined."),
                )
                return redirect("accounts:approval_list")
    action = approvals.registered(approval.kind)
    return render(
        request,
        "accounts/approval_detail.html",
        {
            "approval": approval,
            "title": action.title,
            "link": action.link(approval) if approval.state == approval.State.WAITING else None,
            "expired": approval.is_expired(),
            "mine": approval.requested_by_id == user.pk,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def approval_withdraw(request: HttpRequest, approval_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    try:
        approvals.approval_withdraw(actor=user, approval_id=approval_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("accounts:approval_list")


class RuleForm(forms.Form):
    rule = forms.ChoiceField(
        label=gettext_lazy("A second supervisor approves a destruction"),
        choices=[
            ("default", gettext_lazy("When the agency has more than one supervisor (the default)")),
            ("always", gettext_lazy("Always")),
            ("never", gettext_lazy("Never: one supervisor decides alone")),
        ],
        widget=forms.RadioSelect,
    )

    def required(self) -> bool | None:
        return {"default": None, "always": True, "never": False}[self.cleaned_data["rule"]]


@require_http_methods(["GET", "POST"])
def two_person_rule(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    if not may_set_two_person_rule(user):
        raise Http404
    setting = approvals.rule_setting(user.agency_id)
    current = {None: "default", True: "always", False: "never"}[setting]
    form = RuleForm(request.POST if request.method == "POST" else None, initial={"rule": current})
    stepup.ask(form, request)
    if request.method == "POST" and stepup.confirmed(form, request):
        approvals.rule_set(actor=user, required=form.required())
        messages.success(request, _("Saved."))
        return redirect("accounts:two_person_rule")
    return render(
        request,
        "accounts/two_person_rule.html",
        {
            "form": form,
            "in_force": approvals.two_people_required(user.agency_id),
            "supervisors": approvals.supervisors_count(user.agency_id),
        },
        status=400 if form.errors else 200,
    )
