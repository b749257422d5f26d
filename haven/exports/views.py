"""The export page: choose for whom and what. The export runs as a
background job (haven.exports.jobs); the page takes the user to the job's
progress, where the file is downloaded when it is ready."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts import stepup
from haven.accounts.http import authenticated_user
from haven.consent.selectors import directory_choices
from haven.core.forms import show_refusal
from haven.exports.forms import ExportForm
from haven.exports.jobs import export_start
from haven.exports.models import Audience
from haven.exports.policies import may_export
from haven.exports.selectors import exports_of
from haven.people.access import case_for, names_hidden_for


@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = authenticated_user(request)
    case = case_for(user, case_id, lambda _: may_export(user))
    form = ExportForm(
        request.POST if request.method == "POST" else None,
        organizations=directory_choices(user),
        initial={"audience": "person", "output": "bundle"},
    )
    # A record leaving for someone else needs a fresh second factor; the
    # person's own copy does not (haven.accounts.stepup).
    stepup.ask(form, request)
    if stepup.FIELD in form.fields:
        form.fields[stepup.FIELD].help_text = _(
            "Needed for an export to anyone but the person: the code your app shows now, or "
            "one of your recovery codes. You will not be asked again for five minutes."
        )
    if request.method == "POST" and form.is_valid() and _stepped_up(form, request):
        try:
            job = export_start(
                actor=user, case=case, request=form.request(), output=form.cleaned_data["output"]
            )
        except ValidationError as error:  # the gate's refusals among them
            show_refusal(form, error)
        else:
            return redirect("jobs:detail", job_id=job.pk)
    return render(
        request,
        "exports/export.html",
        {
            "case": case,
            "person": case.person,
            "hidden_names": names_hidden_for(user),
            "form": form,
            "earlier": exports_of(case)[:20],
        },
        status=400 if form.errors else 200,
    )


def _stepped_up(form: ExportForm, request: HttpRequest) -> bool:
    if form.cleaned_data["audience"] == Audience.PERSON:
        return True
    return stepup.confirm(form, request)
