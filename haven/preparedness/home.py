"""The preparedness page: what each staff member has to do (refreshers due,
policies to acknowledge) and, for those who oversee the agency, its
readiness (haven.preparedness.readiness)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from haven.accounts.http import authenticated_user
from haven.preparedness.policies import may_see_readiness
from haven.preparedness.readiness import readiness
from haven.preparedness.selectors import awaiting_acknowledgement
from haven.training.policies import may_see_own_training
from haven.training.selectors import my_refreshers


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    today = timezone.localdate()
    refreshers = (
        [r for r in my_refreshers(user=user, today=today) if r.state != "current"]
        if may_see_own_training(user)
        else []
    )
    return render(
        request,
        "preparedness/home.html",
        {
            "refreshers": refreshers,
            "to_acknowledge": awaiting_acknowledgement(user=user, today=today),
            "sections": readiness(user.agency_id, today) if may_see_readiness(user) else [],
            "today": today,
        },
    )
