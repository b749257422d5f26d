"""A staff member's own API tokens: made with a fresh second factor, shown once."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import stepup
from haven.accounts.api_tokens import API_TOKEN_MAX_LIFETIME, api_token_create, api_token_revoke
from haven.accounts.http import authenticated_user
from haven.accounts.models import ApiToken
from haven.core.forms import show_refusal


class TokenForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("How long it works"),
        coerce=int,
        choices=[(d, str(d)) for d in (1, 7, 14, API_TOKEN_MAX_LIFETIME.days)],
        initial=7,
        help_text=gettext_lazy(
            "Days. A token acts as you in the API, with your roles: keep it as you would your "
            "password, and revoke it here when the program that uses it is done."
        ),
    )


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = TokenForm(request.POST if request.method == "POST" else None)
    stepup.ask(form, request)
    made = None
    if request.method == "POST" and stepup.confirmed(form, request):
        try:
            made = api_token_create(
                user=user, lifetime=timedelta(days=form.cleaned_data["days"]), actor=user
            )
        except ValidationError as error:
            show_refusal(form, error)
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": TokenForm() if made else form,
            "made": made,
            "tokens": ApiToken.objects.filter(user=user).order_by("-created_at")[:50],
        },
        status=400 if form.errors else 200,
    )
    # The one page that ever shows the token: never kept by a cache or the history.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = authenticated_user(request)
    if not ApiToken.objects.filter(pk=pk, user=user).exists():
        raise Http404
    api_token_revoke(actor=user, token_id=pk)
    messages.success(request, _("The token is revoked; programs using it are refused now."))
    return redirect("accounts:api_tokens")
