"""The preparedness page: what each staff member has to do (refreshers due,
policies to acknowledge) and, for those who oversee the agency, its
readiness (haven.preparedness.readiness).

What the page says of the user's own items is drawn from what is on file:
with no policy on file or no training recorded it says so, and never that
everything is done."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from haven.accounts.http import authenticated_user
from haven.preparedness.policies import may_see_readiness
from haven.preparedness.readiness import readiness
from haven.preparedness.selectors import my_policies
from haven.training.policies import may_see_own_training
from haven.training.selectors import my_training


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    today = timezone.localdate()
    return render(
        request,
        "preparedness/home.html",
        {
            "training": my_training(user=user, today=today) if may_see_own_training(user) else None,
            "policies": my_policies(user=user, today=today),
            "sections": readiness(user.agency_id, today) if may_see_readiness(user) else [],
            "today": today,
        },
    )
