"""The tracker's own page: a step set by hand, with a reason when it does
not apply."""

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
from django.views.decorators.http import require_http_methods

from haven.accounts.http import authenticated_user
from haven.core import limits
from haven.core.forms import show_refusal
from haven.people.access import names_hidden_for
from haven.protocol import selectors
from haven.protocol.models import Step, StepState
from haven.protocol.steps import OPEN_STATES, RULE, next_action, settable_states
from haven.protocol.tracker import step_set
from haven.protocol.views.common import case_for_work


class StepForm(forms.Form):
    """A step set by hand: only the states this step may take are offered."""

    state = forms.ChoiceField(label=gettext_lazy("State"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Why it does not apply"),
        help_text=gettext_lazy("Needed only when the step does not apply."),
        required=False,
        max_length=limits.SUMMARY,
    )

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = cast(forms.ChoiceField, self.fields["state"])
        state.choices = settable_states(step)


@require_http_methods(["GET", "POST"])
def step_update(request: HttpRequest, case_id: uuid.UUID, step: str) -> HttpResponse:
    """One step of the tracker, set by hand: in progress, done, or not
    applicable with a reason. Steps that move with their own records offer
    only "not applicable"; pending ones offer nothing."""
    user = authenticated_user(request)
    if step not in Step.values:
        raise Http404
    case = case_for_work(user, case_id)
    choices = settable_states(step)
    if not choices:
        raise Http404
    row = selectors.case_step(case, step)
    current = row.state if row else StepState.NOT_STARTED
    form = StepForm(
        request.POST if request.method == "POST" else None,
        step=step,
        initial={"state": current, "reason": row.reason if row else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            step_set(
                actor=user,
                case=case,
                step=step,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            response = redirect("desk:case_detail", case_id=case.pk)
            response.status_code = 303
            return response
    return render(
        request,
        "protocol/step.html",
        {
            "case": case,
            "person": case.person,
            "form": form,
            "step_label": Step(step).label,
            "state_label": StepState(current).label,
            "next_action": next_action(step, current) if current in OPEN_STATES else "",
            "by_hand": RULE[Step(step)].manual,
            "moves_with": RULE[Step(step)].moves_with,
            "hidden_names": names_hidden_for(user),
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path(
        "cases/<uuid:case_id>/protocol/<slug:step>/",
        step_update,
        name="step_update",
    ),
]
