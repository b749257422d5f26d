"""The tracker's own action: setting a step by hand, with a reason when it
does not apply."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haven.core.http import authenticated_user
from haven.protocol.models import StepState
from haven.protocol.tracker import step_set
from haven.protocol.views.common import case_for_work


class StepForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[
            (StepState.IN_PROGRESS, StepState.IN_PROGRESS.label),
            (StepState.DONE, StepState.DONE.label),
            (StepState.NOT_APPLICABLE, StepState.NOT_APPLICABLE.label),
            (StepState.NOT_STARTED, StepState.NOT_STARTED.label),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Why it does not apply"), required=False, max_length=500
    )


@require_http_methods(["POST"])
def step_update(request: HttpRequest, case_id: uuid.UUID, step: str) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for_work(user, case_id)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            step_set(
                actor=user,
                case=case,
                step=step,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose one of the options offered."))
    response = redirect("people:case_detail", case_id=case.pk)
    response.status_code = 303
    return response


urlpatterns = [
    path(
        "cases/<uuid:case_id>/protocol/<slug:step>/",
        step_update,
        name="step_update",
    ),
]
