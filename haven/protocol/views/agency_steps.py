"""The agency's own steps: the administrator's settings page (add, edit as
a new version, retire), and on a case the page where staff work one and a
supervisor applies its newer version."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.http import authenticated_user
from haven.accounts.models import User
from haven.core import limits
from haven.core.forms import show_refusal
from haven.core.models import Team
from haven.people.access import case_for, names_hidden_for
from haven.people.models import TraffickingType
from haven.protocol import agency_steps
from haven.protocol.agency_steps import StepValues
from haven.protocol.contacts import reporting_contacts
from haven.protocol.models import AgencyStepVersion, AppliesWhen, StepState
from haven.protocol.policies import (
    STEP_ROLES,
    may_apply_step_version,
    may_define_agency_steps,
    may_see_protocol,
    may_work_agency_step,
)


class AgencyStepForm(forms.Form):
    """What a version of a step says; the code only when it is added."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        help_text=gettext_lazy(
            "Short, lowercase, with hyphens, e.g. task-force. It never changes."
        ),
        max_length=limits.STEP_CODE,
    )
    text = forms.CharField(
        label=gettext_lazy("What staff do"),
        help_text=gettext_lazy(
            "One line, e.g. Notify the county anti-trafficking task force within 5 days."
        ),
        max_length=limits.LINE,
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Who works it"),
        choices=[(role.value, role.label) for role in STEP_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    applies = forms.ChoiceField(
        label=gettext_lazy("Which cases it applies to"), choices=AppliesWhen.choices
    )
    trafficking_type = forms.ChoiceField(
        label=gettext_lazy("Type of trafficking"),
        help_text=gettext_lazy("Only when it applies to a type of trafficking."),
        required=False,
        choices=[("", "—"), *TraffickingType.choices],
    )
    county = forms.ChoiceField(
        label=gettext_lazy("County"),
        help_text=gettext_lazy(
            "Only when it applies to a county: the counties on the agency's list of where "
            "to report. A case's county is the one its mandated report names."
        ),
        required=False,
    )
    team = forms.ChoiceField(
        label=gettext_lazy("Team"),
        help_text=gettext_lazy("Only when it applies to a team's cases."),
        required=False,
    )
    due_days = forms.IntegerField(
        label=gettext_lazy("Due, in days"),
        help_text=gettext_lazy(
            "From 1 to 365 days after it begins to apply: the case's opening, or the day the "
            "case came to meet its condition. Leave empty for no deadline."
        ),
        required=False,
    )
    checklist = forms.CharField(
        label=gettext_lazy("Checklist"),
        help_text=gettext_lazy("Optional: one item a line, at most 12."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, agency_id: int, adding: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not adding:
            del self.fields["code"]
        counties = {c.county_id: c.county.name for c in reporting_contacts(agency_id=agency_id)}
        cast(forms.ChoiceField, self.fields["county"]).choices = [("", "—"), *counties.items()]
        teams = Team.objects.filter(agency_id=agency_id, is_active=True)
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            ("", "—"),
            *((str(team.pk), team.name) for team in teams),
        ]

    def values(self) -> StepValues:
        data = self.cleaned_data
        applies = data["applies"]
        value = {
            AppliesWhen.TRAFFICKING_TYPE: data.get("trafficking_type"),
            AppliesWhen.COUNTY: data.get("county"),
            AppliesWhen.TEAM: data.get("team"),
        }.get(applies, "")
        return StepValues(
            text=data["text"],
            roles=list(data["roles"]),
            applies=applies,
            applies_value=value or "",
            due_days=data.get("due_days"),
            checklist=(data.get("checklist") or "").splitlines(),
        )


_VALUE_FIELD: dict[str, str] = {
    AppliesWhen.TRAFFICKING_TYPE: "trafficking_type",
    AppliesWhen.COUNTY: "county",
    AppliesWhen.TEAM: "team",
}


def _initial(version: AgencyStepVersion) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "text": version.text,
        "roles": version.roles,
        "applies": version.applies,
        "due_days": version.due_days,
        "checklist": "\n".join(version.checklist),
    }
    if version.applies in _VALUE_FIELD:
        initial[_VALUE_FIELD[version.applies]] = version.applies_value
    return initial


def _refuse(form: forms.Form, error: ValidationError) -> None:
    """The service names applies_value; the form shows it at the field used."""
    if hasattr(error, "error_dict") and "applies_value" in error.error_dict:
        where = _VALUE_FIELD.get(form.cleaned_data.get("applies", ""))
        error.error_dict[where or "applies"] = error.error_dict.pop("applies_value")
    show_refusal(form, error)


def _require_definer(request: HttpRequest) -> User:
    user = authenticated_user(request)
    if not may_define_agency_steps(user):
        raise Http404
    return user


def _see_other(name: str, **kwargs: Any) -> HttpResponse:
    response: HttpResponse = redirect(name, **kwargs)
    response.status_code = 303
    return response


@require_http_methods(["GET", "POST"])
def agency_steps_page(request: HttpRequest) -> HttpResponse:
    """The agency's own steps, and a form to add one."""
    user = _require_definer(request)
    form = AgencyStepForm(
        request.POST if request.method == "POST" else None,
        agency_id=user.agency_id,
        adding=True,
        initial={"applies": AppliesWhen.EVERY},
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency_steps.agency_step_create(
                actor=user, code=form.cleaned_data["code"], values=form.values()
            )
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Saved."))
            return _see_other("protocol:agency_steps")
    return render(
        request,
        "protocol/agency_steps/list.html",
        {"form": form, "steps": agency_steps.agency_steps_of(user.agency_id)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def agency_step_edit(request: HttpRequest, code: str) -> HttpResponse:
    """An edit makes a new version, for cases opened from now on."""
    user = _require_definer(request)
    step = agency_steps.agency_step_of(user.agency_id, code)
    current = agency_steps.current_version(step)
    form = AgencyStepForm(
        request.POST if request.method == "POST" else None,
        agency_id=user.agency_id,
        adding=False,
        initial=_initial(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency_steps.agency_step_revise(actor=user, code=code, values=form.values())
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Saved: cases opened from now on follow this version."))
            return _see_other("protocol:agency_steps")
    return render(
        request,
        "protocol/agency_steps/edit.html",
        {"form": form, "step": step, "current": current},
        status=400 if form.errors else 200,
    )


@require_POST
def agency_step_retire(request: HttpRequest, code: str) -> HttpResponse:
    user = _require_definer(request)
    agency_steps.agency_step_retire(actor=user, code=code)
    messages.success(request, _("Retired: no new case gets this step."))
    return _see_other("protocol:agency_steps")


# --- On a case ----------------------------------------------------------------------------


class CaseAgencyStepForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in agency_steps.STATES],
    )
    ticked = forms.MultipleChoiceField(
        label=gettext_lazy("Checklist"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why it does not apply"),
        help_text=gettext_lazy("Needed only when the step does not apply."),
        required=False,
        max_length=limits.SUMMARY,
    )

    def __init__(self, *args: Any, checklist: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if checklist:
            ticked = cast(forms.MultipleChoiceField, self.fields["ticked"])
            ticked.choices = [(item, item) for item in checklist]
        else:
            del self.fields["ticked"]


@require_http_methods(["GET", "POST"])
def case_agency_step(request: HttpRequest, case_id: uuid.UUID, code: str) -> HttpResponse:
    """One of the agency's own steps on a case: its state, reason and
    checklist, for staff holding one of the roles its version names."""
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_see_protocol(user))
    row = agency_steps.case_agency_step(case, code)
    version = agency_steps.version_of(row)
    if not may_work_agency_step(user, version.roles):
        raise Http404
    form = CaseAgencyStepForm(
        request.POST if request.method == "POST" else None,
        checklist=version.checklist,
        initial={"state": row.state, "reason": row.reason or "", "ticked": row.ticked},
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency_steps.agency_step_set(
                actor=user,
                case=case,
                code=code,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                ticked=form.cleaned_data.get("ticked") or [],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return _see_other("desk:case_detail", case_id=case.pk)
    return render(
        request,
        "protocol/agency_steps/case_step.html",
        {
            "case": case,
            "person": case.person,
            "form": form,
            "row": row,
            "version": version,
            "state_label": StepState(row.state).label,
            "hidden_names": names_hidden_for(user),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def case_agency_step_apply(request: HttpRequest, case_id: uuid.UUID, code: str) -> HttpResponse:
    """A supervisor of the case's team applies the step's current version."""
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda c: may_apply_step_version(user, c))
    try:
        agency_steps.agency_step_apply(actor=user, case=case, code=code)
    except ValidationError as error:
        return render(
            request,
            "protocol/agency_steps/refused.html",
            {"case": case, "messages_refused": error.messages},
            status=400,
        )
    messages.success(request, _("The case now follows the step's current version."))
    return _see_other("desk:case_detail", case_id=case.pk)


urlpatterns = [
    path("protocol/agency-steps/", agency_steps_page, name="agency_steps"),
    path("protocol/agency-steps/<slug:code>/", agency_step_edit, name="agency_step_edit"),
    path(
        "protocol/agency-steps/<slug:code>/retire/", agency_step_retire, name="agency_step_retire"
    ),
    path("cases/<uuid:case_id>/agency-steps/<slug:code>/", case_agency_step, name="agency_step"),
    path(
        "cases/<uuid:case_id>/agency-steps/<slug:code>/apply/",
        case_agency_step_apply,
        name="agency_step_apply",
    ),
]
