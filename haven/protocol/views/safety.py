"""Pages of the protocol: safety. The danger question (with the 911 call and
what came of it), the versioned safety plan, and its print in the person's
language."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core import limits
from haven.core.forms import show_refusal
from haven.core.pdf import pdf_response, print_language, render_pdf
from haven.people.access import case_for, names_hidden_for
from haven.people.display import printed_name
from haven.people.models import Case
from haven.protocol import selectors
from haven.protocol.models import (
    SAFETY_PLAN_FIELDS,
    Danger,
    PoliceOutcome,
    SafetyPlan,
)
from haven.protocol.policies import may_check_danger, may_see_protocol, may_work_protocol
from haven.protocol.safety import PLAN_SECTIONS, danger_check_record, safety_plan_save


class DangerCheckForm(forms.Form):
    answer = forms.ChoiceField(
        label=gettext_lazy("Is the person in danger right now?"),
        choices=Danger.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Answer whether the person is in danger now.")},
    )
    called_911 = forms.BooleanField(label=gettext_lazy("911 was called"), required=False)
    outcome = forms.ChoiceField(
        label=gettext_lazy("What happened when 911 was called"),
        help_text=gettext_lazy("Only when 911 was called."),
        choices=PoliceOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("What happened (optional)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SafetyPlanForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in PLAN_SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=limits.LONG_NOTE,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["backup_plan"].help_text = gettext_lazy(
            "Needed in every plan: other people and places to call, shelter options, "
            "a trusted officer or advocate, a way to leave fast."
        )

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in SAFETY_PLAN_FIELDS}


def plan_sections(plan: SafetyPlan) -> list[tuple[str, str, str]]:
    """(field, heading, text) of each section, in the current language."""
    return [(name, str(label), getattr(plan, name) or "") for name, label in PLAN_SECTIONS]


def _sees_page(user: User) -> bool:
    return may_check_danger(user) or may_see_protocol(user)


def _redirect_to_page(case: Case) -> HttpResponse:
    response = redirect("protocol:safety", case_id=case.pk)
    response.status_code = 303
    return response


def _page(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    danger_form: DangerCheckForm | None = None,
    plan_form: SafetyPlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sees_plans = may_see_protocol(user)
    latest_check = selectors.danger_checks_of(case).first()
    plan = selectors.latest_safety_plan(case) if sees_plans else None
    versions: list[Any] = list(selectors.safety_plan_versions(case)) if sees_plans else []
    may_plan = may_work_protocol(user)
    if plan_form is None and may_plan:
        initial = {name: getattr(plan, name) or "" for name in SAFETY_PLAN_FIELDS} if plan else {}
        plan_form = SafetyPlanForm(prefix="plan", initial=initial)
    context = {
        "case": case,
        "person": case.person,
        "latest_check": latest_check,
        "in_danger_now": bool(
            latest_check and latest_check.answer == Danger.YES and not latest_check.called_911
        ),
        "backup_needed": bool(latest_check and latest_check.police_failed),
        "danger_form": danger_form or DangerCheckForm(prefix="danger"),
        "sees_plans": sees_plans,
        "plan": plan,
        "sections": plan_sections(plan) if plan else [],
        "versions": versions,
        "may_plan": may_plan,
        "plan_form": plan_form if may_plan else None,
        "hidden_names": names_hidden_for(user),
    }
    return render(request, "protocol/safety/page.html", context, status=status)


@require_GET
def safety(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: _sees_page(user))
    return _page(request, user, case)


@require_http_methods(["POST"])
def danger_check(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_check_danger(user))
    form = DangerCheckForm(request.POST, prefix="danger")
    if form.is_valid():
        data = form.cleaned_data
        try:
            check = danger_check_record(
                actor=user,
                case=case,
                answer=data["answer"],
                called_911=data["called_911"],
                outcome=data["outcome"],
                note=data["note"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            if check.answer == Danger.YES and not check.called_911:
                messages.error(request, _("The person is in danger now: call 911 now."))
            elif check.police_failed:
                messages.error(request, _("911 did not help. Use the backup plan now."))
            else:
                messages.success(request, _("Saved."))
            return _redirect_to_page(case)
    return _page(request, user, case, danger_form=form, status=400)


@require_http_methods(["POST"])
def safety_plan(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_work_protocol(user))
    form = SafetyPlanForm(request.POST, prefix="plan")
    if form.is_valid():
        try:
            plan = safety_plan_save(actor=user, case=case, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, _("Saved as version %(version)s.") % {"version": plan.version}
            )
            return _redirect_to_page(case)
    return _page(request, user, case, plan_form=form, status=400)


@require_GET
def safety_plan_version(request: HttpRequest, case_id: uuid.UUID, version: int) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_see_protocol(user))
    plan = selectors.safety_plan_of(case, version)
    latest = selectors.safety_plan_versions(case).first()
    return render(
        request,
        "protocol/safety/plan_version.html",
        {
            "case": case,
            "person": case.person,
            "plan": plan,
            "sections": plan_sections(plan),
            "is_latest": bool(latest and latest.version == plan.version),
            "hidden_names": names_hidden_for(user),
        },
    )


@require_GET
def safety_plan_pdf(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The latest plan, printed in the person's language, for the person."""
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_see_protocol(user))
    plan = selectors.latest_safety_plan(case)
    if plan is None:
        messages.info(request, _("There is no safety plan to print yet."))
        return redirect("protocol:safety", case_id=case.pk)
    person = case.person
    language = print_language(person.language)
    content = render_pdf(
        "protocol/pdf/safety_plan.html",
        {
            "name": printed_name(person, names_hidden_for(user)),
            "plan": plan,
            "sections": [(name, label, getattr(plan, name) or "") for name, label in PLAN_SECTIONS],
            "printed_on": timezone.localdate(),
        },
        language=language,
    )
    audit_record(
        action=Action.DOCUMENT_PRINTED,
        actor=user,
        object_type="case",
        object_id=case.pk,
        detail={"document": "safety_plan", "version": plan.version},
    )
    return pdf_response(content, filename=f"safety-plan-v{plan.version}.pdf")


urlpatterns = [
    path("cases/<uuid:case_id>/safety/", safety, name="safety"),
    path("cases/<uuid:case_id>/safety/danger/", danger_check, name="danger_check"),
    path("cases/<uuid:case_id>/safety/plan/", safety_plan, name="safety_plan"),
    path(
        "cases/<uuid:case_id>/safety/plan/<int:version>/",
        safety_plan_version,
        name="safety_plan_version",
    ),
    path("cases/<uuid:case_id>/safety/plan.pdf", safety_plan_pdf, name="safety_plan_pdf"),
]
